"""Every write to the knowledge base goes through an action here (zulip's ``do_*`` pattern): one
transaction holding the change, its audit record and, through the index queue's signals, its search index
tasks.  The admin, the importer command and any write API call these, never ``save()`` directly, so the
review workflow and revisions have one place to attach.
"""

from django.db import transaction

from .importer import import_parsed, parse_paths
from .linking import apply_link_rules
from .models import AuditEvent, Entry, ImportedRecord, Keyword

SUMMARY_CHARS = 300


def _audit(actor, action, obj=None, summary=""):
    AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=obj._meta.model_name if obj is not None else "",
        target_id=obj.pk if obj is not None else None,
        summary=str(summary)[:SUMMARY_CHARS],
    )


def do_save_staff_edit(obj, actor, save=None, created=False):
    """Save a record a staff member edited.  An imported record is marked as staff-edited, so a later
    re-import keeps it instead of overwriting it.  ``save`` defaults to ``obj.save``."""
    with transaction.atomic():
        if isinstance(obj, ImportedRecord):
            obj.edited_by_staff = True
        (save or obj.save)()
        _audit(actor, AuditEvent.Action.CREATE if created else AuditEvent.Action.EDIT, obj, obj)
    return obj


def do_delete(obj, actor):
    with transaction.atomic():
        label = str(obj)
        _audit(actor, AuditEvent.Action.DELETE, obj, label)
        obj.delete()


def do_set_status(entries, status, actor):
    """Publish or unpublish entries (a queryset or list); returns how many changed."""
    action = AuditEvent.Action.PUBLISH if status == Entry.Status.PUBLISHED else AuditEvent.Action.UNPUBLISH
    changed = 0
    with transaction.atomic():
        for entry in entries:
            if entry.status == status:
                continue
            entry.status = status
            entry.edited_by_staff = True
            entry.save(update_fields=["status", "edited_by_staff", "updated_at"])
            _audit(actor, action, entry, entry.question)
            changed += 1
    return changed


def do_import_sources(paths, dry_run=False, progress_factory=None, actor=None):
    """Parse and import source documents in one transaction, with one audit record (not on a dry run)."""
    parsed = parse_paths(paths)
    with transaction.atomic():
        report = import_parsed(parsed, dry_run=dry_run, progress_factory=progress_factory)
        if not dry_run:
            _audit(actor, AuditEvent.Action.IMPORT, None, "；".join(report.lines()))
    return report


def do_apply_link_rules(actor=None):
    """Re-apply the linking rules now (after staff changed them), audited; returns how many entries changed."""
    from .search.queue import deferred

    with transaction.atomic(), deferred():
        changed = apply_link_rules()
        _audit(actor, AuditEvent.Action.EDIT, None, f"按关联规则更新了 {changed} 条条目的办理地点")
    return changed


def do_confirm_keywords(keywords, confirmed, actor):
    """Mark keywords as checked by staff (shown as 经工作人员校对) or take the mark back; returns how many
    changed."""
    changed = 0
    with transaction.atomic():
        for keyword in keywords:
            if keyword.confirmed == confirmed:
                continue
            Keyword.objects.filter(pk=keyword.pk).update(confirmed=confirmed)
            _audit(
                actor,
                AuditEvent.Action.EDIT,
                keyword,
                f"{'校对确认' if confirmed else '取消校对'}关键词“{keyword.name}”",
            )
            changed += 1
    return changed
