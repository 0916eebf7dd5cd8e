"""Freshness and legal basis: 最后核实日期, 复核日期 from the topics' review interval, the 需复核 queue and the
policy documents (政策依据) the answers name by their 文号.

The 需复核 queue holds entries whose policy document was superseded (``review_reason``) and entries past their
复核日期.  Nothing here ever uses the import date as a verification date.
"""

import json
import re
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from .models import Entry, PolicyDocument

DEFAULT_REVIEW_INTERVAL_DAYS = 365
STALE_NOTICE = "此答复可能已过时，请以 12333 答复为准"
# 〔2022〕, 【2022】, [2022] and (2022) all occur in the sources for the same year bracket of a 文号.
BRACKETS_RE = re.compile(r"[【\[［(（]\s*(\d{4})\s*[】\]］)）]")


def normalize_number(text: str) -> str:
    return BRACKETS_RE.sub(r"〔\1〕", text)


def today():
    return timezone.localdate()


def review_interval(entry) -> int:
    """The shortest review interval of the entry's topics (a 待遇标准 topic may need a yearly look)."""
    days = [t.review_interval_days for t in entry.topics.all() if t.review_interval_days]
    return min(days) if days else DEFAULT_REVIEW_INTERVAL_DAYS


def computed_review_due(entry):
    if entry.last_verified is None:
        return None
    return entry.last_verified + timedelta(days=review_interval(entry))


def needs_review_q(on=None):
    """The 需复核 queue: a superseded legal basis, or past the review date."""
    return Q(review_reason__gt="") | Q(review_due__lt=on or today())


def is_stale(entry, on=None) -> bool:
    """Whether citizens see the 「可能已过时」 notice."""
    return bool(entry.review_reason) or bool(entry.review_due and entry.review_due < (on or today()))


def policy_dict(policy):
    return {
        "title": policy.title,
        "number": policy.number,
        "issuer": policy.issuer,
        "effective": policy.effective.isoformat() if policy.effective else None,
        "expires": policy.expires.isoformat() if policy.expires else None,
        "url": policy.url,
    }


def freshness_dict(entry):
    """The API's status, dates and 政策依据 of an entry (policies prefetched)."""
    return {
        "status": entry.status,
        "last_verified": entry.last_verified.isoformat() if entry.last_verified else None,
        "review_due": entry.review_due.isoformat() if entry.review_due else None,
        "policies": [policy_dict(p) for p in entry.policies.all()],
    }


def seed_freshness(entry, source):
    """Seed 最后核实日期 from the source document's own date (only while empty) and the 复核日期 from it."""
    fields = []
    if entry.last_verified is None and source is not None and source.published:
        entry.last_verified = source.published
        fields.append("last_verified")
    if entry.review_due is None and entry.last_verified is not None:
        entry.review_due = computed_review_due(entry)
        fields.append("review_due")
    if fields and entry.pk:
        Entry.objects.filter(pk=entry.pk).update(**{f: getattr(entry, f) for f in fields})
    return fields


def entry_text(entry) -> str:
    return normalize_number("\n".join([entry.question, entry.answer, *(s.text for s in entry.steps.all())]))


def link_mentioned_policies(entries, policies):
    """Link each entry to the policy documents whose 文号 its text quotes; returns how many links were added."""
    added = 0
    policies = [p for p in policies if p.number]
    for entry in entries:
        text = entry_text(entry)
        found = [p for p in policies if normalize_number(p.number) in text]
        if found:
            entry.policies.add(*found)
            added += len(found)
    return added


def curated_policies():
    path = Path(settings.CURATED_DATA_DIR) / "policies.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def seed_policies():
    """Create the curated policy documents that are missing and link them, once, to the entries quoting them
    (afterwards the links are staff's: a removed link stays removed)."""
    created = []
    for row in curated_policies():
        policy, was_created = PolicyDocument.objects.get_or_create(
            number=row["number"],
            defaults={k: row.get(k, "") for k in ("title", "issuer", "url", "note")},
        )
        if was_created:
            created.append(policy)
    if created:
        entries = Entry.objects.filter(source_key__gt="").prefetch_related("steps")
        link_mentioned_policies(entries, created)
    return created
