"""Every write to the knowledge base goes through an action here (zulip's ``do_*`` pattern): one
transaction holding the change, its audit record and, through the index queue's signals, its search index
tasks.  The admin, the importer command and any write API call these, never ``save()`` directly, so the
review workflow and revisions have one place to attach.
"""

from contextlib import contextmanager
from datetime import timedelta

import reversion
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .cards import CARD_FIELD_NAMES
from .errors import EditConflict, ReviewError
from .freshness import computed_review_due
from .importer import Importer, fingerprint, import_parsed, parse_paths
from .linking import apply_link_rules
from .models import (
    AuditEvent,
    Entry,
    EntryTombstone,
    ImportConflict,
    ImportedRecord,
    Keyword,
    PendingChange,
    ProcedureStep,
)
from .parsers.base import parsed_from_record
from .permissions import can_publish, can_review
from .revisions import apply_revision, copy_versions, latest_revision, save_revision, versions_of

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
    if obj.pk is None or latest_revision(obj) is not None:
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


# --- four-eyes review --------------------------------------------------------------------------------------------


def must_stage(entry, actor):
    """Does a change by ``actor`` to ``entry`` wait for a reviewer?  Drafts are not public: never."""
    return entry.pk is not None and entry.status == Entry.Status.PUBLISHED and not can_publish(actor)


def do_stage_change(entry, actor, rollback_to, publish=False):
    """Turn a change written since savepoint ``rollback_to`` into a proposal: the whole entry as the editor
    left it is stored as a revision, the writes are rolled back (citizens and search keep the published
    version) and a PendingChange waits for a 审核.  Call inside the transaction that holds the savepoint."""
    versions = versions_of(Entry.objects.get(pk=entry.pk))
    transaction.savepoint_rollback(rollback_to)
    with transaction.atomic():
        current = Entry.objects.select_for_update().get(pk=entry.pk)
        base = ensure_baseline(current) or latest_revision(current)
        proposal = save_revision(versions, actor, "提交审核的修改")
        change = PendingChange.objects.create(
            entry=current,
            proposal=proposal,
            base=base,
            base_updated_at=current.updated_at,
            author=actor if getattr(actor, "is_authenticated", False) else None,
            publish=publish,
        )
        _audit(actor, AuditEvent.Action.STAGE, current, current.question)
    return change


def do_stage_current(entry, actor, publish=True):
    """Send an entry as it is for review (a draft waiting to be published)."""
    with transaction.atomic():
        sid = transaction.savepoint()
        return do_stage_change(entry, actor, sid, publish=publish)


def _locked_pending(change):
    change = PendingChange.objects.select_for_update().select_related("entry").get(pk=change.pk)
    if change.state != PendingChange.State.PENDING:
        raise ReviewError(f"该修改已处理（{change.get_state_display()}）")
    return change


def _apply(entry, revision, actor, comment, publish=False):
    """Make ``entry`` what ``revision`` holds, as a new revision, and reindex it."""
    ensure_baseline(entry)
    with reversion.create_revision():
        apply_revision(entry, revision)
        entry = Entry.objects.get(pk=entry.pk)
        if publish:
            entry.status = Entry.Status.PUBLISHED
        entry.edited_by_staff = True
        entry.save()  # a fresh updated_at (the token of open forms) and the index task
        reversion.add_to_revision(entry)
        reversion.set_user(actor)
        reversion.set_comment(comment)
    return entry


def do_approve_change(change, actor):
    """A reviewer approves: the proposal becomes the entry's content (a new revision) and goes live."""
    _require(actor, can_review)
    with transaction.atomic():
        change = _locked_pending(change)
        entry = Entry.objects.select_for_update().get(pk=change.entry_id)
        if change.base_updated_at and entry.updated_at != change.base_updated_at:
            raise EditConflict(entry.updated_at)
        author = change.author.get_username() if change.author else "（已删除的用户）"
        entry = _apply(entry, change.proposal, actor, f"审核通过：{author} 提交的修改", publish=change.publish)
        change.state = PendingChange.State.APPROVED
        change.reviewer, change.reviewed_at = actor, timezone.now()
        change.save(update_fields=["state", "reviewer", "reviewed_at"])
        _audit(actor, AuditEvent.Action.APPROVE, entry, entry.question)
    return entry


def do_return_change(change, actor, comment):
    """A reviewer returns a proposal with a comment the editor sees; the entry is untouched."""
    _require(actor, can_review)
    comment = (comment or "").strip()
    if not comment:
        raise ReviewError("退回时请填写审核意见，告诉编辑需要修改什么")
    with transaction.atomic():
        change = _locked_pending(change)
        change.state = PendingChange.State.RETURNED
        change.reviewer, change.reviewed_at, change.comment = actor, timezone.now(), comment
        change.save(update_fields=["state", "reviewer", "reviewed_at", "comment"])
        _audit(actor, AuditEvent.Action.RETURN, change.entry, comment)
    return change


def do_restore_revision(obj, revision, actor):
    """Restore an entry or office to a revision's content, as a new revision.  An editor restoring a published
    entry proposes the old content for review instead."""
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        if isinstance(obj, Entry) and must_stage(obj, actor):
            proposal = save_revision(copy_versions(revision), actor, f"提交审核：恢复到版本 #{revision.pk}")
            change = PendingChange.objects.create(
                entry=obj,
                proposal=proposal,
                base=ensure_baseline(obj) or latest_revision(obj),
                base_updated_at=obj.updated_at,
                author=actor,
            )
            _audit(actor, AuditEvent.Action.STAGE, obj, f"恢复到版本 #{revision.pk}")
            return change
        if isinstance(obj, Entry):
            obj = _apply(obj, revision, actor, f"恢复到版本 #{revision.pk}")
        else:
            ensure_baseline(obj)
            with reversion.create_revision():
                apply_revision(obj, revision)
                obj = type(obj).objects.get(pk=obj.pk)
                obj.edited_by_staff = True
                obj.save()
                reversion.add_to_revision(obj)
                reversion.set_user(actor)
                reversion.set_comment(f"恢复到版本 #{revision.pk}")
        _audit(actor, AuditEvent.Action.RESTORE, obj, f"恢复到版本 #{revision.pk}")
    return obj


# --- bulk actions and schedules ----------------------------------------------------------------------------------


def do_set_topic(entries, topic, actor, replace=False):
    """Add ``topic`` to entries (or make it their only topic).  A published entry an editor may not publish
    gets a proposal instead.  Returns (changed, staged)."""
    changed = staged = 0
    with transaction.atomic():
        for entry in entries:
            ensure_baseline(entry)
            sid = transaction.savepoint()
            if replace:
                entry.topics.set([topic])
            else:
                entry.topics.add(topic)
            if must_stage(entry, actor):
                do_stage_change(entry, actor, sid)
                staged += 1
                continue
            transaction.savepoint_commit(sid)
            do_save_staff_edit(entry, actor)
            changed += 1
        _audit(actor, AuditEvent.Action.BULK, None, f"设置主题「{topic}」：修改 {changed} 条，提交审核 {staged} 条")
    return changed, staged


def do_send_for_review(entries, actor):
    """Send drafts for review (approval publishes them); entries already live or waiting are skipped."""
    sent = 0
    with transaction.atomic():
        for entry in entries:
            if entry.status == Entry.Status.PUBLISHED:
                continue
            if entry.pending_changes.filter(state=PendingChange.State.PENDING).exists():
                continue
            do_stage_current(entry, actor, publish=True)
            sent += 1
    return sent


def do_publish_scheduled(now=None, since=timedelta(days=1), dry_run=False):
    """What a timer runs: entries past their 失效时间 are unpublished (audited), and entries whose 生效时间 or
    失效时间 passed within ``since`` are reindexed.  Pages evaluate the schedule on every read anyway; this
    keeps the status and the search index in step.  Returns (unpublished pks, reindexed pks)."""
    from .search.queue import enqueue

    now = now or timezone.now()
    expired = list(Entry.objects.filter(status=Entry.Status.PUBLISHED, expire_at__lte=now).order_by("pk"))
    started = list(
        Entry.objects.filter(Entry.live_q(now=now), publish_at__gt=now - since, publish_at__lte=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not dry_run:
        with transaction.atomic():
            do_set_status(expired, Entry.Status.DRAFT, None, reason="已到失效时间，自动撤下")
            enqueue(("entry", pk) for pk in started)
    return [e.pk for e in expired], started


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
