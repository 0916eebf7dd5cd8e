"""Fixes staff make from what citizens searched and asked (the insights reports)."""

from django.db import transaction

from ..errors import BadParameter
from ..models import (
    AuditEvent,
    Entry,
    SimilarQuestion,
    ThesaurusTerm,
)
from .core import _audit

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
