"""Models that serve the accuracy of the content: the policy documents entries rest on (政策依据), conflicts
between a changed source and a staff edit, and tombstones of entries staff deleted (faq.models imports them,
so Django registers them with the app)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyDocument(models.Model):
    """A law, regulation or notice an answer rests on; superseding it sends its entries to 需复核."""

    title = models.CharField(_("标题"), max_length=300)
    number = models.CharField(_("文号"), max_length=60, blank=True, help_text=_("例如：湘人社规〔2022〕27号"))
    issuer = models.CharField(_("发文机关"), max_length=200, blank=True)
    effective = models.DateField(_("生效日期"), null=True, blank=True)
    expires = models.DateField(_("失效日期"), null=True, blank=True)
    url = models.URLField(_("原文链接"), max_length=300, blank=True)
    superseded = models.BooleanField(_("已被替代或废止"), default=False)
    superseded_on = models.DateField(_("替代日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["-effective", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~models.Q(number=""), name="policy_unique_number")
        ]
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")

    def __str__(self):
        return f"《{self.title}》（{self.number}）" if self.number else f"《{self.title}》"


class ImportConflict(models.Model):
    """A source changed an entry that staff had edited: the importer kept the staff version and recorded the
    three versions here for staff to choose (keep mine, take the source's, or merge)."""

    class Resolution(models.TextChoices):
        OPEN = "", _("待处理")
        KEPT = "kept", _("保留工作人员版本")
        SOURCE = "source", _("采用来源新版本")
        MERGED = "merged", _("合并编辑")

    entry = models.ForeignKey(
        "faq.Entry", on_delete=models.CASCADE, related_name="import_conflicts", verbose_name=_("条目")
    )
    source_before = models.JSONField(_("来源旧版本"), default=dict, blank=True)
    source_now = models.JSONField(_("来源新版本"), default=dict)
    source_now_hash = models.CharField(_("来源新版本指纹"), max_length=64)
    staff_version = models.JSONField(_("工作人员版本"), default=dict)
    detected_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    resolution = models.CharField(_("处理结果"), max_length=10, choices=Resolution.choices, blank=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("处理人")
    )

    class Meta:
        ordering = ["resolution", "-detected_at", "pk"]
        verbose_name = _("导入冲突")
        verbose_name_plural = _("导入冲突")

    def __str__(self):
        return f"#{self.entry_id} {self.staff_version.get('question', '')}"


class EntryTombstone(models.Model):
    """An entry staff deleted: a re-import does not bring it back while this exists; restoring it recreates
    the entry from the stored snapshot."""

    source = models.ForeignKey("faq.SourceDocument", on_delete=models.CASCADE, verbose_name=_("来源文档"))
    source_key = models.CharField(_("来源位置标识"), max_length=50)
    question = models.CharField(_("问题"), max_length=300)
    # The last imported source record and the entry as staff left it (Entry.content_snapshot()).
    source_record = models.JSONField(_("来源记录"), default=dict, blank=True)
    snapshot = models.JSONField(_("删除前内容"), default=dict, blank=True)
    deleted_at = models.DateTimeField(_("删除时间"), auto_now_add=True)
    deleted_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("删除人")
    )

    class Meta:
        ordering = ["-deleted_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["source", "source_key"], name="tombstone_unique_source_key")]
        verbose_name = _("已删除条目")
        verbose_name_plural = _("已删除条目（重新导入不会恢复）")

    def __str__(self):
        return self.question
