"""Import conflicts, deleted entries, policy documents and review dates (政策依据, 需复核)."""

from django.db import transaction
from django.utils import timezone

from ..cards import CARD_FIELD_NAMES
from ..freshness import computed_review_due
from ..importer import Importer, fingerprint
from ..models import (
    AuditEvent,
    Entry,
    ImportConflict,
    ProcedureStep,
)
from ..parsers.base import parsed_from_record
from ..permissions import can_publish
from .core import _audit, _require

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
        if resolution != Resolution.KEPT and entry.status == Entry.Status.PUBLISHED:
            _require(actor, can_publish)  # changes what citizens read: four eyes, like any other edit
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
