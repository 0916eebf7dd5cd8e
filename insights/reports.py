"""The figures of a weekly review (搜索与反馈分析): what citizens searched for, what found nothing or no answer,
which results nobody opened, the trend per day, and how helpful each entry was.  One ``build_report`` serves
the admin page, its CSV export and ``manage.py search_report``."""

import csv
import io
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from faq.models import Entry

from .models import CitizenMessage, Feedback, SearchClick, SearchLog

TOP = 20
REASON_LABELS = {value: str(label) for value, label in Feedback.Reason.choices}


@dataclass(frozen=True)
class Window:
    """[since, until) and an optional city slug."""

    since: datetime
    until: datetime
    city: str = ""

    @classmethod
    def last_days(cls, days=7, city="", now=None):
        until = now or timezone.now()
        return cls(until - timedelta(days=days), until, city or "")

    @classmethod
    def between(cls, start, end, city=""):
        """Whole local days ``start`` .. ``end`` (dates), both included."""
        zone = timezone.get_current_timezone()
        since = datetime.combine(start, time.min, tzinfo=zone)
        until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
        return cls(since, until, city or "")

    @property
    def days(self):
        return max(1, round((self.until - self.since).total_seconds() / 86400))


def searches(w):
    qs = SearchLog.objects.filter(at__gte=w.since, at__lt=w.until)
    return qs.filter(city=w.city) if w.city else qs


def feedback(w):
    qs = Feedback.objects.filter(at__gte=w.since, at__lt=w.until)
    return qs.filter(entry__city__slug=w.city) if w.city else qs


def _with_opened(qs):
    return qs.annotate(was_opened=Exists(SearchClick.objects.filter(token=OuterRef("token"))))


def _grouped(qs, limit):
    rows = (
        _with_opened(qs)
        .values("query")
        .annotate(
            count=Count("pk"),
            answered=Count("pk", filter=Q(answered=True)),
            opened=Count("pk", filter=Q(was_opened=True)),
            results=Max("results"),
            last=Max("at"),
        )
        .order_by("-count", "query")
    )
    return [
        {
            "query": r["query"],
            "count": r["count"],
            "answered": r["answered"],
            "opened": r["opened"],
            "results": r["results"],
        }
        for r in rows[:limit]
    ]


def top_queries(w, limit=TOP):
    return _grouped(searches(w), limit)


def no_result_queries(w, limit=TOP):
    return _grouped(searches(w).filter(results=0), limit)


def no_answer_queries(w, limit=TOP):
    """Queries no entry answered (zero results included), with the latest search's top results: the entries
    staff most likely want to attach the query to."""
    rows = _grouped(searches(w).filter(answered=False), limit)
    latest = {}
    for query, top_ids in (
        searches(w).filter(query__in=[r["query"] for r in rows]).order_by("at").values_list("query", "top_ids")
    ):
        latest[query] = top_ids or []
    questions = dict(
        Entry.objects.filter(pk__in={i for ids in latest.values() for i in ids}).values_list("pk", "question")
    )
    for row in rows:
        row["candidates"] = [
            {"id": i, "question": questions[i]} for i in latest.get(row["query"], []) if i in questions
        ]
    return rows


def unopened_queries(w, limit=TOP):
    """Queries that found results, none of which anybody opened."""
    rows = _grouped(searches(w).filter(results__gt=0), None)
    return [r for r in rows if not r["opened"]][:limit]


def daily(w):
    """[{day, searches, no_answer, opened, helpful, unhelpful}] for every day of the window, oldest first."""
    zone = timezone.get_current_timezone()
    per_day = {}
    logs = _with_opened(searches(w)).annotate(day=TruncDate("at", tzinfo=zone)).values("day")
    for r in logs.annotate(
        n=Count("pk"),
        no_answer=Count("pk", filter=Q(answered=False)),
        opened=Count("pk", filter=Q(was_opened=True)),
    ):
        per_day[r["day"]] = {"searches": r["n"], "no_answer": r["no_answer"], "opened": r["opened"]}
    votes = feedback(w).annotate(day=TruncDate("at", tzinfo=zone)).values("day")
    for r in votes.annotate(h=Count("pk", filter=Q(helpful=True)), u=Count("pk", filter=Q(helpful=False))):
        per_day.setdefault(r["day"], {}).update(helpful=r["h"], unhelpful=r["u"])
    first, last = timezone.localdate(w.since), timezone.localdate(w.until - timedelta(microseconds=1))
    out, day = [], first
    while day <= last:
        figures = per_day.get(day, {})
        out.append(
            {
                "day": day.isoformat(),
                **{k: figures.get(k, 0) for k in ("searches", "no_answer", "opened", "helpful", "unhelpful")},
            }
        )
        day += timedelta(days=1)
    return out


def entry_feedback(w):
    """[{entry_id, question, city, helpful, unhelpful, reasons: {label: n}}], most voted first."""
    rows = (
        feedback(w)
        .values("entry_id", "entry__question", "entry__city__name")
        .annotate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False)))
        .order_by("-no", "-yes", "entry_id")
    )
    reasons = {}
    for r in feedback(w).filter(helpful=False).values("entry_id", "reason").annotate(n=Count("pk")).order_by("-n"):
        label = REASON_LABELS.get(r["reason"], "未选择")
        reasons.setdefault(r["entry_id"], {})[label] = r["n"]
    return [
        {
            "entry_id": r["entry_id"],
            "question": r["entry__question"],
            "city": r["entry__city__name"],
            "helpful": r["yes"],
            "unhelpful": r["no"],
            "reasons": reasons.get(r["entry_id"], {}),
        }
        for r in rows
    ]


def least_helpful(rows, limit=10):
    """Entries with a 差评, the worst share of 没帮助 first (more votes break ties)."""
    bad = [r for r in rows if r["unhelpful"]]
    bad.sort(key=lambda r: (-r["unhelpful"] / (r["helpful"] + r["unhelpful"]), -r["unhelpful"], r["entry_id"]))
    return bad[:limit]


def recent_comments(w, limit=20):
    qs = feedback(w).exclude(comment="").select_related("entry")[:limit]
    return [
        {
            "entry_id": f.entry_id,
            "question": f.entry.question,
            "reason": REASON_LABELS.get(f.reason, ""),
            "comment": f.comment,
        }
        for f in qs
    ]


def summary(w, per_day, entries):
    total = sum(d["searches"] for d in per_day)
    no_answer = sum(d["no_answer"] for d in per_day)
    opened = sum(d["opened"] for d in per_day)
    helpful = sum(r["helpful"] for r in entries)
    unhelpful = sum(r["unhelpful"] for r in entries)
    messages = CitizenMessage.objects.filter(created_at__gte=w.since, created_at__lt=w.until)
    if w.city:
        messages = messages.filter(city=w.city)
    return {
        "searches": total,
        "no_answer": no_answer,
        "no_answer_rate": round(no_answer / total, 3) if total else 0.0,
        "opened": opened,
        "open_rate": round(opened / total, 3) if total else 0.0,
        "helpful": helpful,
        "unhelpful": unhelpful,
        "helpful_rate": round(helpful / (helpful + unhelpful), 3) if helpful + unhelpful else None,
        "messages": messages.count(),
        "messages_open": CitizenMessage.objects.filter(
            status__in=[CitizenMessage.Status.NEW, CitizenMessage.Status.IN_PROGRESS]
        ).count(),
    }


def build_report(w):
    per_day = daily(w)
    entries = entry_feedback(w)
    return {
        "since": w.since.isoformat(),
        "until": w.until.isoformat(),
        "city": w.city or None,
        "summary": summary(w, per_day, entries),
        "top_queries": top_queries(w),
        "no_result_queries": no_result_queries(w),
        "no_answer_queries": no_answer_queries(w),
        "unopened_queries": unopened_queries(w),
        "daily": per_day,
        "feedback": entries,
        "least_helpful": least_helpful(entries),
        "comments": recent_comments(w),
    }


TABLES = {
    "top_queries": ["query", "count", "answered", "opened"],
    "no_result_queries": ["query", "count"],
    "no_answer_queries": ["query", "count", "results", "opened"],
    "unopened_queries": ["query", "count", "results"],
    "daily": ["day", "searches", "no_answer", "opened", "helpful", "unhelpful"],
    "feedback": ["entry_id", "question", "city", "helpful", "unhelpful", "reasons"],
}


def table_csv(report, name):
    """One table of the report as CSV (UTF-8 with a BOM, so Excel opens the Chinese correctly)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    columns = TABLES[name]
    writer.writerow(columns)
    for row in report[name]:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def report_csv(report):
    """Every table in one CSV: a ``table`` column, then that table's columns."""
    out = io.StringIO()
    writer = csv.writer(out)
    for name, columns in TABLES.items():
        writer.writerow(["table", *columns])
        for row in report[name]:
            writer.writerow([name, *(_cell(row.get(c)) for c in columns)])
    return out.getvalue()


def _cell(value):
    if isinstance(value, dict):
        value = "；".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # what citizens typed must never run as a spreadsheet formula
    return "" if value is None else value
