"""Saving, deleting, publishing and importing: the actions every staff path shares, and the audit record."""

from contextlib import contextmanager

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..errors import EditConflict
from ..freshness import computed_review_due
from ..importer import import_parsed, parse_paths
from ..linking import apply_link_rules
from ..models import (
    AuditEvent,
    Entry,
    EntryTombstone,
    ImportedRecord,
    Keyword,
)
from ..permissions import can_publish
from ..revisions import latest_revision, save_revision, versions_of

SUMMARY_CHARS = 300


def _audit(actor, action, obj=None, summary=""):
    AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=obj._meta.model_name if obj is not None else "",
        target_id=obj.pk if obj is not None else None,
        summary=str(summary)[:SUMMARY_CHARS],
    )


def _require(actor, allowed):
    """Staff actions check the actor; ``None`` is the system (a command or the importer)."""
    if actor is not None and not allowed(actor):
        raise PermissionDenied("您没有发布或审核的权限")


def ensure_baseline(obj):
    """Give a record that has no revision yet (imported ones) one of its content as it is, before the first
    staff change, so that change has a left side to be compared with and restored to."""
    if obj.pk is None or not reversion.is_registered(type(obj)) or latest_revision(obj) is not None:
        return None
    fresh = type(obj).objects.get(pk=obj.pk)
    return save_revision(versions_of(fresh), None, "修改前的内容（导入或更早的版本）")


@transaction.atomic
def do_save_staff_edit(obj, actor, save=None, created=False):
    """Save a record a staff member edited, as a new revision (who, when, the whole content).  An imported
    record is marked as staff-edited, so a later re-import keeps it instead of overwriting it.  ``save``
    defaults to ``obj.save``.  The admin wraps its whole change form (inlines included) in one revision."""
    ensure_baseline(obj)
    with reversion.create_revision():
        if isinstance(obj, ImportedRecord):
            obj.edited_by_staff = True
        (save or obj.save)()
        reversion.set_user(actor if getattr(actor, "is_authenticated", False) else None)
        reversion.set_comment("新建" if created else "修改")
        if isinstance(obj, Entry) and obj.last_verified and obj.review_due is None:
            obj.review_due = computed_review_due(obj)  # left empty in the form: from the topics' interval
            Entry.objects.filter(pk=obj.pk).update(review_due=obj.review_due)
        _audit(actor, AuditEvent.Action.CREATE if created else AuditEvent.Action.EDIT, obj, obj)
    return obj


@contextmanager
def staff_revision(actor):
    """One revision for everything a staff form writes (the record, its inlines, its many-to-many fields)."""
    with reversion.create_revision():
        reversion.set_user(actor if getattr(actor, "is_authenticated", False) else None)
        yield


def check_not_stale(obj, token):
    """Raise EditConflict when ``obj`` was saved since the form that carries ``token`` (its ``updated_at``
    as the form saw it) was loaded.  The row stays locked until the caller's transaction ends."""
    if obj.pk is None or not token:
        return
    # order_by(): no ordering joins (PostgreSQL locks no nullable side of an outer join).
    rows = type(obj).objects.select_for_update().filter(pk=obj.pk).order_by().values_list("updated_at", flat=True)
    current = rows.first()
    if current is not None and current.isoformat() != token:
        raise EditConflict(current)


def do_delete(obj, actor):
    """Delete a record; an imported entry leaves a tombstone so that a re-import does not bring it back."""
    with transaction.atomic():
        label = str(obj)
        _audit(actor, AuditEvent.Action.DELETE, obj, label)
        if isinstance(obj, Entry) and obj.source_id and obj.source_key:
            EntryTombstone.objects.update_or_create(
                source_id=obj.source_id,
                source_key=obj.source_key,
                defaults={
                    "question": obj.question[:300],
                    "source_record": obj.source_record,
                    "snapshot": obj.content_snapshot(),
                    "deleted_by": actor if getattr(actor, "is_authenticated", False) else None,
                },
            )
        obj.delete()


# Fields of Entry.content_snapshot() that restoring or merging copies back onto the entry.


def do_set_status(entries, status, actor, reason=""):
    """Publish or unpublish entries (a queryset or list); returns how many changed.  Only those who may
    publish (faq.permissions.can_publish) do this; ``actor`` None is the system (publish_scheduled)."""
    _require(actor, can_publish)
    action = AuditEvent.Action.PUBLISH if status == Entry.Status.PUBLISHED else AuditEvent.Action.UNPUBLISH
    changed = 0
    with transaction.atomic():
        for entry in entries:
            if entry.status == status:
                continue
            ensure_baseline(entry)
            with reversion.create_revision():
                entry.status = status
                entry.edited_by_staff = True
                entry.save(update_fields=["status", "edited_by_staff", "updated_at"])
                reversion.add_to_revision(entry)
                reversion.set_user(actor)
                reversion.set_comment(reason or str(action.label))
            _audit(actor, action, entry, f"{reason} {entry.question}".strip())
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
    from ..search.queue import deferred

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
