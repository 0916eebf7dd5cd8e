"""Every write to the knowledge base goes through an action here (zulip's ``do_*`` pattern): one
transaction holding the change, its audit record and, through the index queue's signals, its search index
tasks.  The admin, the importer command and any write API call these, never ``save()`` directly, so the
review workflow and revisions have one place to attach.
"""

from django.db import transaction
from django.utils import timezone

from .cards import CARD_FIELD_NAMES
from .freshness import computed_review_due
from .importer import Importer, fingerprint, import_parsed, parse_paths
from .linking import apply_link_rules
from .models import AuditEvent, Entry, EntryTombstone, ImportConflict, ImportedRecord, ProcedureStep
from .parsers.base import parsed_from_record

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
        if isinstance(obj, Entry) and obj.last_verified and obj.review_due is None:
            obj.review_due = computed_review_due(obj)  # left empty in the form: from the topics' interval
            Entry.objects.filter(pk=obj.pk).update(review_due=obj.review_due)
        _audit(actor, AuditEvent.Action.CREATE if created else AuditEvent.Action.EDIT, obj, obj)
    return obj


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
RESTORED_FIELDS = ("question", "answer", "audience", "status", *CARD_FIELD_NAMES)


def _write_source_version(entry, record):
    """Write a stored source record onto ``entry`` (new or existing) exactly as the importer would."""
    importer = Importer()
    importer.load_lookups()
    source = entry.source
    importer.write_entry(entry, parsed_from_record(record), record, fingerprint(record), source.city, source)


def do_restore_entry(tombstone, actor):
    """Undo a staff deletion: recreate the entry from the tombstone (its source version, then the text as staff
    left it).  Without a stored source record, dropping the tombstone lets the next import recreate it."""
    with transaction.atomic():
        entry = None
        if tombstone.source_record:
            entry = Entry(source=tombstone.source, source_key=tombstone.source_key)
            _write_source_version(entry, tombstone.source_record)
            snapshot = tombstone.snapshot
            if snapshot and snapshot != entry.content_snapshot():
                for name in RESTORED_FIELDS:
                    if name in snapshot:
                        setattr(entry, name, snapshot[name])
                entry.edited_by_staff = True
                entry.save()
                if "steps" in snapshot:
                    entry.steps.all().delete()
                    ProcedureStep.objects.bulk_create(
                        ProcedureStep(entry=entry, order=i, text=t) for i, t in enumerate(snapshot["steps"], 1)
                    )
        _audit(actor, AuditEvent.Action.RESTORE, entry, f"恢复已删除条目：{tombstone.question}")
        tombstone.delete()
    return entry


def do_resolve_conflict(conflict, resolution, actor, merged=None):
    """Resolve an import conflict: keep the staff version, take the source's new version, or save a merge
    (``merged``: {"question": …, "answer": …}).  Either way the entry is up to date with the source, so the
    same source change does not raise the conflict again."""
    Resolution = ImportConflict.Resolution
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=conflict.entry_id)
        if resolution == Resolution.SOURCE:
            entry.edited_by_staff = False
            _write_source_version(entry, conflict.source_now)
        else:
            if resolution == Resolution.MERGED:
                entry.question = merged["question"]
                entry.answer = merged["answer"]
            entry.source_hash = conflict.source_now_hash
            entry.source_record = conflict.source_now
            entry.edited_by_staff = True
            entry.save()
        conflict.resolution = resolution
        conflict.resolved_at = timezone.now()
        conflict.resolved_by = actor if getattr(actor, "is_authenticated", False) else None
        conflict.save(update_fields=["resolution", "resolved_at", "resolved_by"])
        _audit(actor, AuditEvent.Action.RESOLVE, entry, f"{Resolution(resolution).label}：{entry.question}")
    return entry


def do_supersede_policy(policy, actor, on=None):
    """Mark a policy document superseded; every entry resting on it joins the 需复核 queue.  Returns how many."""
    with transaction.atomic():
        policy.superseded = True
        policy.superseded_on = on or policy.superseded_on or timezone.localdate()
        policy.save(update_fields=["superseded", "superseded_on"])
        reason = f"政策依据已被替代：{policy}"[:200]
        flagged = policy.entries.update(review_reason=reason)
        _audit(actor, AuditEvent.Action.EDIT, policy, f"标记为已替代，{flagged} 条条目需复核")
    return flagged


def do_set_review_date(entries, due, actor):
    """Set the 复核日期 of entries (bulk action); returns how many."""
    with transaction.atomic():
        ids = [e.pk for e in entries]
        n = Entry.objects.filter(pk__in=ids).update(review_due=due)
        _audit(actor, AuditEvent.Action.EDIT, None, f"设置 {n} 条条目的复核日期为 {due:%Y-%m-%d}")
    return n


def do_mark_verified(entries, actor, on=None):
    """Staff checked the entries against the current policy: 最后核实 today, a new 复核日期, out of the queue."""
    on = on or timezone.localdate()
    with transaction.atomic():
        n = 0
        for entry in entries:
            entry.last_verified = on
            entry.review_due = computed_review_due(entry)
            entry.review_reason = ""
            entry.save(update_fields=["last_verified", "review_due", "review_reason", "updated_at"])
            _audit(actor, AuditEvent.Action.EDIT, entry, f"已核实：{entry.question}")
            n += 1
    return n


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
