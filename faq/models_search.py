"""Models that serve search: the colloquial thesaurus, 相似问法, the index change log and its nodes (faq.models imports them,
so Django registers them with the app)."""

from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

# Synonym or thesaurus rows written in bulk (bulk_create sends no post_save): whoever caches them listens.
vocabulary_changed = Signal()


class ThesaurusTerm(models.Model):
    """A colloquial word and the official terms the documents use for it (炒鱿鱼 → 辞退|解除劳动合同).

    One-way by default: the colloquial word widens to the official ones, never the reverse, where a two-way
    synonym would hurt (公司 → 单位 must not make every 单位 answer match 公司)."""

    colloquial = models.CharField(_("口语说法"), max_length=30, unique=True)
    official = models.CharField(_("规范用语"), max_length=200, help_text=_("用 | 分隔多个，例如：辞退|解除劳动合同"))
    two_way = models.BooleanField(
        _("双向"), default=False, help_text=_("规范用语也扩展为口语说法（真正的同义词才勾选）")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["colloquial"]
        verbose_name = _("口语词表")
        verbose_name_plural = _("口语词表")

    def __str__(self):
        return f"{self.colloquial} → {self.official}"

    def official_list(self):
        return [t.strip() for t in self.official.replace("｜", "|").split("|") if t.strip()]


class SimilarQuestion(models.Model):
    """Another way citizens ask an entry's question (相似问法), indexed in its own boosted field.

    Curated ones are seeded once per entry by the importer; staff add, edit and delete them in the admin,
    and a re-import never brings back or changes what staff did."""

    class Origin(models.TextChoices):
        CURATED = "curated", _("知识库整理")
        STAFF = "staff", _("工作人员添加")
        SEARCH = "search", _("来自群众搜索")

    entry = models.ForeignKey(
        "faq.Entry", on_delete=models.CASCADE, related_name="similar_questions", verbose_name=_("条目")
    )
    text = models.CharField(_("相似问法"), max_length=100)
    origin = models.CharField(_("来源"), max_length=10, choices=Origin.choices, default=Origin.STAFF)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["entry", "pk"]
        constraints = [models.UniqueConstraint(fields=["entry", "text"], name="unique_similar_question")]
        verbose_name = _("相似问法")
        verbose_name_plural = _("相似问法")

    def __str__(self):
        return self.text


class IndexTask(models.Model):
    """One entry of the index change log: "bring (kind, object_id) in the index in line with the database".

    Written in the same transaction as the edit, so an update or delete cannot be lost between the commit
    and the index write.  Ids only grow; every node applies the log after its own cursor (``IndexNode``), so
    one node applying a change never hides it from another.  Entries carry no data: applying one re-reads
    the row (or notices it is gone), so applying twice or late is harmless.
    """

    kind = models.CharField(_("类型"), max_length=10)  # "entry" | "office"
    object_id = models.BigIntegerField(_("对象ID"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("索引变更")
        verbose_name_plural = _("索引变更")

    def __str__(self):
        return f"{self.kind}:{self.object_id}"


class IndexNode(models.Model):
    """One web node's search index replica and how far into the change log it is (faq.search.nodes).

    ``cursor``: the highest log id applied to this node's index; ``gaps``: ids at or below it not seen yet
    (their transactions may still commit), as [first, last, since] ranges; null cursor: the index must be
    built from the database first.  ``generation``: the index this state describes (a rebuilt or replaced
    index invalidates it).  ``version`` changes on every write, so a stale writer cannot move it back.
    """

    name = models.CharField(_("节点"), max_length=100, unique=True)
    cursor = models.BigIntegerField(_("游标"), null=True, blank=True)
    gaps = models.JSONField(_("未见编号"), default=list, blank=True)
    generation = models.CharField(_("索引版本"), max_length=500, blank=True)
    version = models.BigIntegerField(default=0)
    building_since = models.DateTimeField(_("构建开始"), null=True, blank=True)
    building_from = models.BigIntegerField(null=True, blank=True)  # log rows a running build still needs
    heartbeat_at = models.DateTimeField(_("心跳"), null=True, blank=True)
    last_applied_at = models.DateTimeField(_("最近应用"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("索引节点")
        verbose_name_plural = _("索引节点")

    def __str__(self):
        return self.name
