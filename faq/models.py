"""The 人社 knowledge base: cities, districts, topics, entries with their steps, offices and phones."""

import hashlib
import json

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cards import CARD_FIELD_NAMES
from .validators import PHONE_HELP, validate_phone

FINGERPRINTED_WHEN_EMPTY = ("conditions", "materials", "location")


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
    review_interval_days = models.PositiveSmallIntegerField(
        _("复核周期（天）"), default=365, help_text=_("条目的复核日期 = 最后核实日期 + 其主题中最短的复核周期")
    )

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("主题")
        verbose_name_plural = _("主题")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("faq:topic", args=[self.slug])


class Keyword(models.Model):
    """A keyword extracted from entries (jieba TF-IDF); staff may rename, merge, remove or confirm them."""

    name = models.CharField(_("关键词"), max_length=30, unique=True)
    # Only a keyword staff looked at and kept is shown as 经工作人员校对; extraction never sets it.
    confirmed = models.BooleanField(_("已校对"), default=False, help_text=_("工作人员确认这是有用的关键词"))

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


class SourceDocument(models.Model):
    filename = models.CharField(_("文件名"), max_length=200, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    city = models.ForeignKey(City, on_delete=models.PROTECT, verbose_name=_("城市"))
    sha256 = models.CharField(_("内容摘要"), max_length=64)
    # The document's own date (发布时间 …) where it gives one; seeds the entries' 最后核实日期.
    published = models.DateField(_("文档日期"), null=True, blank=True)
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
    offices = models.ManyToManyField(
        Office, blank=True, through="EntryOffice", related_name="entries", verbose_name=_("办理地点")
    )
    audience = models.CharField(_("服务对象"), max_length=10, choices=Audience.choices, default=Audience.GENERAL)
    conditions = models.TextField(_("办理条件"), blank=True)
    materials = models.TextField(_("所需材料"), blank=True)
    location = models.TextField(_("受理地点"), blank=True)
    # The other 办事指南 elements (faq.cards): free text, as the sources state them.
    target = models.TextField(_("办理对象"), blank=True)
    service_forms = models.CharField(_("办理形式"), max_length=50, blank=True, help_text=_("窗口、网上、自助、邮寄"))
    service_hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    promised_time_limit = models.CharField(_("承诺办理时限"), max_length=100, blank=True)
    legal_time_limit = models.CharField(_("法定办理时限"), max_length=100, blank=True)
    charged = models.CharField(_("是否收费"), max_length=20, blank=True, help_text=_("例如：不收费"))
    fee_standard = models.TextField(_("收费标准"), blank=True)
    online = models.CharField(_("是否网办"), max_length=20, blank=True, help_text=_("例如：可网上办理"))
    online_path = models.CharField(_("线上办理路径"), max_length=300, blank=True, help_text=_("菜单路径 A → B → C"))
    online_url = models.URLField(_("网办入口"), max_length=300, blank=True)
    consult_phone = models.TextField(_("咨询电话"), blank=True, help_text=_("多个号码用、或；分隔"))
    complaint_phone = models.CharField(_("监督投诉电话"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    # Scheduling, evaluated on every read (live_q): nobody has to be at work when a rule takes effect.
    publish_at = models.DateTimeField(_("生效时间"), null=True, blank=True, help_text=_("留空：发布后立即生效"))
    expire_at = models.DateTimeField(
        _("失效时间"), null=True, blank=True, help_text=_("到期后从页面、搜索和站点地图撤下")
    )
    source_position = models.PositiveIntegerField(_("来源位置"), default=0)
    source_section = models.CharField(_("来源栏目"), max_length=100, blank=True)
    # Curated 相似问法 are seeded once; after that only staff change them (see SimilarQuestion).
    similar_seeded = models.BooleanField(_("已导入相似问法"), default=False, editable=False)
    # Freshness (faq.freshness): never the import date; the 需复核 queue is review_reason or review_due past.
    policies = models.ManyToManyField("PolicyDocument", blank=True, related_name="entries", verbose_name=_("政策依据"))
    last_verified = models.DateField(_("最后核实日期"), null=True, blank=True)
    review_due = models.DateField(_("复核日期"), null=True, blank=True, help_text=_("留空：按主题的复核周期计算"))
    review_reason = models.CharField(_("需复核原因"), max_length=200, blank=True)
    # The parsed source record as last imported: the "before" of an import conflict.
    source_record = models.JSONField(_("来源记录"), default=dict, blank=True, editable=False)

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

    @staticmethod
    def live_q(prefix="", now=None):
        """Published and inside its 生效时间–失效时间 window; ``prefix`` for lookups across a relation."""
        now = now or timezone.now()
        return (
            models.Q(**{f"{prefix}status": Entry.Status.PUBLISHED})
            & (models.Q(**{f"{prefix}publish_at__isnull": True}) | models.Q(**{f"{prefix}publish_at__lte": now}))
            & (models.Q(**{f"{prefix}expire_at__isnull": True}) | models.Q(**{f"{prefix}expire_at__gt": now}))
        )

    def is_live(self, now=None):
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and (self.publish_at is None or self.publish_at <= now)
            and (self.expire_at is None or self.expire_at > now)
        )

    def content_snapshot(self):
        snapshot = {
            "question": self.question,
            "answer": self.answer,
            "city": self.city_id,
            "audience": self.audience,
            # An element left empty is not part of the fingerprint, so adding an element to faq.cards does
            # not make every imported record look edited (the first three always were).
            **{n: getattr(self, n) for n in CARD_FIELD_NAMES if getattr(self, n) or n in FINGERPRINTED_WHEN_EMPTY},
            "status": self.status,
        }
        if self.pk:
            snapshot["steps"] = [s.text for s in self.steps.all()]
            materials = [m.snapshot() for m in self.material_items.all()]
            if materials:
                snapshot["material_items"] = materials
            snapshot["phones"] = sorted((p.number, p.label) for p in self.phones.all())
            snapshot["topics"] = sorted(t.slug for t in self.topics.all())
            snapshot["districts"] = sorted(d.pk for d in self.districts.all())
            # Rule links follow the rules, not the entry: a rule change must not look like a staff edit.
            snapshot["offices"] = sorted(
                link.office_id for link in self.office_links.all() if link.origin != EntryOffice.Origin.RULE
            )
        return snapshot


class EntryOffice(models.Model):
    """An entry–office link and where it came from.  The importer replaces only the links it made (source
    and rule); a link staff added stays whatever a re-import or a rule change does."""

    class Origin(models.TextChoices):
        SOURCE = "source", _("来源文档")
        RULE = "rule", _("关联规则")
        STAFF = "staff", _("工作人员")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="office_links", verbose_name=_("条目"))
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="entry_links", verbose_name=_("办事机构"))
    # Rows the admin creates are staff links; the importer always says what it made.
    origin = models.CharField(_("来源"), max_length=10, choices=Origin.choices, default=Origin.STAFF)
    rule = models.ForeignKey(
        "LinkRule", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("规则")
    )

    class Meta:
        db_table = "faq_entry_offices"  # the table of the former auto-created many-to-many
        unique_together = [("entry", "office")]
        verbose_name = _("办理地点")
        verbose_name_plural = _("办理地点")

    def __str__(self):
        return f"{self.entry_id} → {self.office}"


class LinkRule(models.Model):
    """ "An entry that mentions one of these places is served by offices of this kind": staff-editable data
    (seeded from faq/data/link_rules.json) that the importer applies to every entry staff did not edit."""

    phrases = models.CharField(
        _("答复中提到的地点"),
        max_length=300,
        help_text=_("逗号分隔，条目含其中任意一个即适用，例如：发卡银行,社保卡服务网点"),
    )
    office_kinds = models.CharField(
        _("办事机构类别"), max_length=200, blank=True, help_text=_("逗号分隔，与办事机构的“类别”一致")
    )
    office_name = models.CharField(_("机构名称包含"), max_length=100, blank=True)
    city = models.ForeignKey(
        City, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("城市"), help_text=_("留空：所有城市")
    )
    by_district = models.BooleanField(
        _("按区县缩小"), default=True, help_text=_("条目提到区县且该区县有此类机构时，只关联该区县的机构")
    )
    active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("关联规则")
        verbose_name_plural = _("关联规则")

    def __str__(self):
        return f"{self.phrases[:40]} → {self.office_kinds or self.office_name}"

    @staticmethod
    def split(value):
        return [v.strip() for v in value.replace("，", ",").split(",") if v.strip()]

    def phrase_list(self):
        return self.split(self.phrases)

    def kind_list(self):
        return self.split(self.office_kinds)


class Material(models.Model):
    """One row of the 材料清单: how many originals and copies, and whether it is always needed."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="material_items", verbose_name=_("条目"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    name = models.CharField(_("材料名称"), max_length=300)
    originals = models.PositiveSmallIntegerField(_("原件份数"), null=True, blank=True)
    copies = models.PositiveSmallIntegerField(_("复印件份数"), null=True, blank=True)
    required = models.BooleanField(_("必备"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["entry", "order", "pk"]
        verbose_name = _("材料")
        verbose_name_plural = _("材料清单")

    def __str__(self):
        return self.name

    def snapshot(self):
        return [self.name, self.originals, self.copies, self.required, self.note]


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
    number = models.CharField(_("号码"), max_length=30, validators=[validate_phone], help_text=PHONE_HELP)
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


class AuditEvent(models.Model):
    """Who did what to which record, written by faq.actions in the same transaction as the change."""

    class Action(models.TextChoices):
        CREATE = "create", _("新建")
        EDIT = "edit", _("修改")
        DELETE = "delete", _("删除")
        PUBLISH = "publish", _("发布")
        UNPUBLISH = "unpublish", _("撤回")
        IMPORT = "import", _("导入")
        STAGE = "stage", _("提交审核")
        APPROVE = "approve", _("审核通过")
        RETURN = "return", _("退回修改")
        RESTORE = "restore", _("恢复")
        BULK = "bulk", _("批量操作")
        RESOLVE = "resolve", _("处理导入冲突")

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


from .models_freshness import EntryTombstone, ImportConflict, PolicyDocument  # noqa: E402,F401
from .models_review import PendingChange  # noqa: E402,F401
from .models_search import IndexNode, IndexTask, SimilarQuestion, ThesaurusTerm, vocabulary_changed  # noqa: E402,F401
