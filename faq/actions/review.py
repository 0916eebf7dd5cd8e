"""Four-eyes review (staged changes, approve, return, restore a revision), bulk actions and schedules."""

from datetime import timedelta

import reversion
from django.db import transaction
from django.utils import timezone

from ..errors import EditConflict, ReviewError
from ..models import (
    AuditEvent,
    Entry,
    PendingChange,
)
from ..permissions import can_publish, can_review
from ..revisions import apply_revision, copy_versions, latest_revision, save_revision, versions_of
from .core import _audit, _require, do_save_staff_edit, do_set_status, ensure_baseline

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
    from ..search.queue import enqueue

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
