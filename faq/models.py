"""The 人社 knowledge base: cities, districts, topics, entries with their steps, offices and phones."""

import hashlib
import json

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .cards import CARD_FIELD_NAMES


class City(models.Model):
    slug = models.SlugField(_("标识"), unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    area_code = models.CharField(_("区号"), max_length=6, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("城市")
        verbose_name_plural = _("城市")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("faq:city", args=[self.slug])


class District(models.Model):
    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="districts", verbose_name=_("城市"))
    slug = models.SlugField(_("标识"))
    name = models.CharField(_("名称"), max_length=30)
    # Other spellings found in the sources (望城 for 望城区, 湘江新区 for 高新区 …).
    aliases = models.CharField(_("别名"), max_length=200, blank=True, help_text=_("逗号分隔"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["city__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="district_unique_slug_per_city"),
            models.UniqueConstraint(fields=["city", "name"], name="district_unique_name_per_city"),
        ]
        verbose_name = _("区县")
        verbose_name_plural = _("区县")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("faq:district", args=[self.city.slug, self.slug])

    def alias_list(self):
        return [a.strip() for a in self.aliases.split(",") if a.strip()]


class Topic(models.Model):
    slug = models.SlugField(_("标识"), unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    description = models.CharField(_("简介"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("主题")
        verbose_name_plural = _("主题")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("faq:topic", args=[self.slug])


class Keyword(models.Model):
    """A keyword extracted from entries (jieba TF-IDF); staff may rename, merge or remove them."""

    name = models.CharField(_("关键词"), max_length=30, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("关键词")
        verbose_name_plural = _("关键词")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("faq:keyword", args=[self.pk])


class SynonymGroup(models.Model):
    """Terms that mean the same thing to a citizen (社保卡 = 社会保障卡); used to expand queries."""

    terms = models.CharField(
        _("同义词"), max_length=300, unique=True, help_text=_("用逗号分隔，例如：社保卡,社会保障卡")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("同义词组")
        verbose_name_plural = _("同义词组")

    def __str__(self):
        return self.terms

    def term_list(self):
        return [t.strip() for t in self.terms.replace("，", ",").split(",") if t.strip()]


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


class SourceDocument(models.Model):
    filename = models.CharField(_("文件名"), max_length=200, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    city = models.ForeignKey(City, on_delete=models.PROTECT, verbose_name=_("城市"))
    sha256 = models.CharField(_("内容摘要"), max_length=64)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        ordering = ["filename"]
        verbose_name = _("来源文档")
        verbose_name_plural = _("来源文档")

    def __str__(self):
        return self.title


class ImportedRecord(models.Model):
    """What a re-import needs to tell an untouched record from one staff changed.

    ``import_hash`` is the fingerprint of the content as last imported; when the
    current content no longer matches it, somebody edited the record and the
    importer keeps it.  ``edited_by_staff`` is set by the admin on save and
    shows the marker even before any re-import runs.
    """

    source = models.ForeignKey(
        SourceDocument, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("来源文档")
    )
    source_key = models.CharField(_("来源位置标识"), max_length=50, blank=True)
    import_hash = models.CharField(_("导入指纹"), max_length=64, blank=True, editable=False)
    # Fingerprint of the parsed source record: equal on re-import means "unchanged".
    source_hash = models.CharField(_("来源指纹"), max_length=64, blank=True, editable=False)
    edited_by_staff = models.BooleanField(_("已被工作人员修改"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True

    def content_fingerprint(self):
        payload = json.dumps(self.content_snapshot(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def changed_since_import(self):
        return self.edited_by_staff or (bool(self.import_hash) and self.content_fingerprint() != self.import_hash)


class Office(ImportedRecord):
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="offices", verbose_name=_("城市"))
    district = models.ForeignKey(
        District, on_delete=models.SET_NULL, null=True, blank=True, related_name="offices", verbose_name=_("区县")
    )
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(
        _("类别"), max_length=50, blank=True, help_text=_("例如：社会保障卡服务中心、劳动人事争议仲裁委员会")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    hours = models.CharField(_("办公时间"), max_length=200, blank=True)

    class Meta:
        ordering = ["city__order", "district__order", "name"]
        constraints = [models.UniqueConstraint(fields=["city", "name"], name="office_unique_name_per_city")]
        verbose_name = _("办事机构")
        verbose_name_plural = _("办事机构")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("faq:office", args=[self.pk])

    def content_snapshot(self):
        return {
            "name": self.name,
            "kind": self.kind,
            "address": self.address,
            "hours": self.hours,
            "district": self.district.name if self.district_id else "",
            "phones": sorted((p.number, p.label) for p in self.phones.all()) if self.pk else [],
        }


class Entry(ImportedRecord):
    class Audience(models.TextChoices):
        PERSONAL = "personal", _("个人")
        EMPLOYER = "employer", _("单位")
        GENERAL = "general", _("通用")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    question = models.CharField(_("问题"), max_length=300)
    # Plain text: paragraphs separated by newlines; tables as "| a | b |" rows (see faq.rendering).
    answer = models.TextField(_("答复"))
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="entries", verbose_name=_("城市"))
    districts = models.ManyToManyField(District, blank=True, related_name="entries", verbose_name=_("涉及区县"))
    topics = models.ManyToManyField(Topic, blank=True, related_name="entries", verbose_name=_("主题"))
    keywords = models.ManyToManyField(Keyword, blank=True, related_name="entries", verbose_name=_("关键词"))
    offices = models.ManyToManyField(Office, blank=True, related_name="entries", verbose_name=_("办理地点"))
    audience = models.CharField(_("服务对象"), max_length=10, choices=Audience.choices, default=Audience.GENERAL)
    conditions = models.TextField(_("办理条件"), blank=True)
    materials = models.TextField(_("所需材料"), blank=True)
    location = models.TextField(_("受理地点"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    source_position = models.PositiveIntegerField(_("来源位置"), default=0)
    source_section = models.CharField(_("来源栏目"), max_length=100, blank=True)
    # Curated 相似问法 are seeded once; after that only staff change them (see SimilarQuestion).
    similar_seeded = models.BooleanField(_("已导入相似问法"), default=False, editable=False)

    class Meta:
        ordering = ["city__order", "source__filename", "source_position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_key"],
                condition=~models.Q(source_key=""),
                name="entry_unique_source_key",
            )
        ]
        indexes = [models.Index(fields=["status", "city"])]
        verbose_name = _("问答条目")
        verbose_name_plural = _("问答条目")

    def __str__(self):
        return self.question

    def get_absolute_url(self):
        return reverse("faq:entry", args=[self.pk])

    def content_snapshot(self):
        snapshot = {
            "question": self.question,
            "answer": self.answer,
            "city": self.city_id,
            "audience": self.audience,
            **{name: getattr(self, name) for name in CARD_FIELD_NAMES},
            "status": self.status,
        }
        if self.pk:
            snapshot["steps"] = [s.text for s in self.steps.all()]
            snapshot["phones"] = sorted((p.number, p.label) for p in self.phones.all())
            snapshot["topics"] = sorted(t.slug for t in self.topics.all())
            snapshot["districts"] = sorted(d.pk for d in self.districts.all())
            snapshot["offices"] = sorted(o.pk for o in self.offices.all())
        return snapshot


class SimilarQuestion(models.Model):
    """Another way citizens ask an entry's question (相似问法), indexed in its own boosted field.

    Curated ones are seeded once per entry by the importer; staff add, edit and delete them in the admin,
    and a re-import never brings back or changes what staff did."""

    class Origin(models.TextChoices):
        CURATED = "curated", _("知识库整理")
        STAFF = "staff", _("工作人员添加")
        SEARCH = "search", _("来自群众搜索")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="similar_questions", verbose_name=_("条目"))
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


class ProcedureStep(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="steps", verbose_name=_("条目"))
    order = models.PositiveSmallIntegerField(_("顺序"))
    text = models.TextField(_("步骤"))

    class Meta:
        ordering = ["entry", "order", "pk"]
        verbose_name = _("办理步骤")
        verbose_name_plural = _("办理流程")

    def __str__(self):
        return f"{self.order}. {self.text}"


class PhoneNumber(models.Model):
    # Normalised: 0731-84159982 for a Changsha landline, 12333 / 96888 kept as they are.
    number = models.CharField(_("号码"), max_length=30)
    raw = models.CharField(_("原文"), max_length=60, blank=True)
    label = models.CharField(_("名称"), max_length=100, blank=True, help_text=_("例如：芙蓉区劳动监察"))
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="phones", verbose_name=_("城市"))
    district = models.ForeignKey(
        District, on_delete=models.SET_NULL, null=True, blank=True, related_name="phones", verbose_name=_("区县")
    )
    entry = models.ForeignKey(
        Entry, on_delete=models.CASCADE, null=True, blank=True, related_name="phones", verbose_name=_("条目")
    )
    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, null=True, blank=True, related_name="phones", verbose_name=_("办事机构")
    )
    # Standalone hotlines (深圳 12333/96888) belong to their source document only.
    source = models.ForeignKey(
        SourceDocument, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("来源文档")
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["city__order", "district__order", "order", "pk"]
        verbose_name = _("电话")
        verbose_name_plural = _("电话")

    def __str__(self):
        return f"{self.label} {self.number}".strip()

    @property
    def tel_href(self):
        return "tel:" + self.number.replace("-", "")


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


class AuditEvent(models.Model):
    """Who did what to which record, written by faq.actions in the same transaction as the change."""

    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        EDIT = "edit", _("修改")
        DELETE = "delete", _("删除")
        PUBLISH = "publish", _("发布")
        UNPUBLISH = "unpublish", _("撤回")
        IMPORT = "import", _("导入")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("操作人")
    )
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    target_type = models.CharField(_("对象类型"), max_length=30, blank=True)
    target_id = models.BigIntegerField(_("对象ID"), null=True, blank=True)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")

    def __str__(self):
        return f"{self.get_action_display()} {self.target_type}#{self.target_id or ''} {self.summary}".strip()
