"""The search index's work queue (imported by faq.models so Django registers it)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndexTask(models.Model):
    """ "Bring (kind, object_id) in the index in line with the database".

    Written in the same transaction as the edit, so an update or delete cannot be lost between the commit
    and the index write: whatever is pending is applied after commit, retried on lock contention, and
    picked up again by the next writer if a process dies first.  Tasks carry no data; applying one
    re-reads the row (or notices it is gone), so applying twice or late is harmless.
    """

    kind = models.CharField(_("类型"), max_length=10)  # "entry" | "office"
    object_id = models.BigIntegerField(_("对象ID"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("索引任务")
        verbose_name_plural = _("索引任务")

    def __str__(self):
        return f"{self.kind}:{self.object_id}"
