"""Four-eyes review: an editor's change to a published entry waits here, as a django-reversion revision of
the whole entry (fields, steps, phones, office links, materials, 相似问法), until a 审核 approves or returns it.
faq.models imports this module so Django registers the model with the app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingChange(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已通过")
        RETURNED = "returned", _("已退回")

    entry = models.ForeignKey(
        "faq.Entry", on_delete=models.CASCADE, related_name="pending_changes", verbose_name=_("条目")
    )
    # The proposed content, stored as a revision that was never applied.
    proposal = models.OneToOneField(
        "reversion.Revision", on_delete=models.CASCADE, related_name="proposal_of", verbose_name=_("提议的版本")
    )
    # The entry's latest revision when the change was made: the diff's left side and the conflict check.
    base = models.ForeignKey(
        "reversion.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修改所基于的版本"),
    )
    base_updated_at = models.DateTimeField(_("基于的更新时间"), null=True, blank=True)
    # "Send for review" on a draft: approving also publishes it.
    publish = models.BooleanField(_("通过后发布"), default=False)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("提交人")
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    comment = models.TextField(_("审核意见"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("review_entry", _("可审核并发布条目"))]
        verbose_name = _("待审核修改")
        verbose_name_plural = _("待审核修改（审核队列）")

    def __str__(self):
        return f"{self.entry} · {self.get_state_display()}"
