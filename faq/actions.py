"""Every write to the knowledge base goes through an action here (zulip's ``do_*`` pattern): one
transaction holding the change, its audit record and, through the index queue's signals, its search index
tasks.  The admin, the importer command and any write API call these, never ``save()`` directly, so the
review workflow and revisions have one place to attach.
"""

from django.db import transaction

from .errors import BadParameter
from .importer import import_parsed, parse_paths
from .linking import apply_link_rules
from .models import AuditEvent, Entry, ImportedRecord, SimilarQuestion, ThesaurusTerm

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


# --- fixes staff make from what citizens searched and asked (insights reports) ----------------------------------


def do_add_similar_question(entry, text, actor, origin=SimilarQuestion.Origin.SEARCH):
    """Add ``text`` as a 相似问法 of ``entry`` (nothing if it already is one); the index queue picks it up after
    commit, so the same query finds the entry at once.  Returns (similar question, created)."""
    text = " ".join(str(text).split())[: SimilarQuestion._meta.get_field("text").max_length]
    if not text:
        raise BadParameter("相似问法不能为空")
    with transaction.atomic():
        similar, created = SimilarQuestion.objects.get_or_create(entry=entry, text=text, defaults={"origin": origin})
        if created:
            _audit(actor, AuditEvent.Action.CREATE, similar, f"为“{entry.question}”添加相似问法：{text}")
    return similar, created


def do_create_thesaurus_term(colloquial, official, actor, two_way=False, note=""):
    """A colloquial word and the official terms it widens to in every search from now on."""
    colloquial = " ".join(str(colloquial).split())
    terms = [t.strip() for t in str(official).replace("｜", "|").split("|") if t.strip()]
    if not colloquial or not terms:
        raise BadParameter("口语说法和规范用语都不能为空")
    if len(colloquial) > ThesaurusTerm._meta.get_field("colloquial").max_length:
        raise BadParameter("口语说法最多 30 个字，请只填写关键的说法")
    with transaction.atomic():
        if ThesaurusTerm.objects.filter(colloquial=colloquial).exists():
            raise BadParameter(f"口语词表中已有“{colloquial}”，请在口语词表中修改")
        term = ThesaurusTerm.objects.create(colloquial=colloquial, official="|".join(terms), two_way=two_way, note=note)
        _audit(actor, AuditEvent.Action.CREATE, term, str(term))
    return term


def do_create_draft_entry(question, city, actor, answer=""):
    """A draft entry (not published, so not yet searchable) with the question filled in, for staff to answer."""
    question = " ".join(str(question).split())[: Entry._meta.get_field("question").max_length]
    if not question:
        raise BadParameter("问题不能为空")
    with transaction.atomic():
        entry = Entry.objects.create(
            question=question, answer=answer, city=city, status=Entry.Status.DRAFT, edited_by_staff=True
        )
        _audit(actor, AuditEvent.Action.CREATE, entry, f"草稿：{question}")
    return entry
