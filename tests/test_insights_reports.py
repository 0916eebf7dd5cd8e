"""A simulated week of citizens' traffic through the real views (searches, opened results, feedback, messages),
then the report's figures: manage.py search_report, the admin page and its CSV; and nothing personal stored."""

import json
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone

from faq.models import Entry
from insights import buffer
from insights.models import CitizenMessage, SearchLog

BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148 Safari/604.1"}
# Invented queries (none from the evaluation sets).
POPULAR = "社保卡补办"
MISSED = "恐龙化石认领"
API_ONLY = "失业保险金怎么领"
LOCAL = "养老保险转移"
ID_NUMBER, MOBILE = "43010219900101123X", "13812345678"


@pytest.fixture(autouse=True)
def _corpus(search_corpus, db):
    cache.clear()
    buffer.buffer.discard()
    yield
    buffer.buffer.discard()


def at(monkeypatch, moment):
    monkeypatch.setattr(timezone, "now", lambda: moment)


def simulate_week(client, monkeypatch):
    """Seven days of traffic; returns (entry most opened, the two entries voted on)."""
    real_now = timezone.now()
    start = real_now - timedelta(days=6, hours=1)
    a, b = Entry.objects.filter(status=Entry.Status.PUBLISHED).order_by("pk")[:2]
    for day in range(7):
        at(monkeypatch, start + timedelta(days=day))
        for _ in range(2):
            page = client.get("/search/", {"q": POPULAR}, **BROWSER)
        hit = page.context["hits"][0]
        client.get(hit.open_url, **BROWSER)  # one of the two searches led to an opened result
        client.get("/api/search/", {"q": API_ONLY})
        if day >= 4:
            client.get("/search/", {"q": f"{MISSED} 身份证{ID_NUMBER}"}, **BROWSER)
    at(monkeypatch, real_now - timedelta(hours=2))
    for _ in range(2):
        client.get("/search/", {"q": LOCAL, "city": "changsha"}, **BROWSER)
    for helpful in ("1", "1", "1", "0", "0"):
        extra = {"reason": "outdated", "comment": f"电话{MOBILE}打不通"} if helpful == "0" else {}
        client.post(f"/entries/{a.pk}/feedback/", {"helpful": helpful, **extra}, REMOTE_ADDR="10.0.0.7")
    client.post(f"/entries/{b.pk}/feedback/", {"helpful": "0", "reason": "unclear"}, REMOTE_ADDR="10.0.0.8")
    for question in (f"{MISSED}在哪里办 {ID_NUMBER}", "退休后医保怎么缴"):
        client.post("/ask/", {"question": question, "city": "changsha", "contact": MOBILE}, REMOTE_ADDR="10.0.0.9")
    monkeypatch.undo()
    buffer.flush()
    return hit.obj, a, b


def report(*args):
    out = __import__("io").StringIO()
    call_command("search_report", *args, stdout=out)
    return out.getvalue()


def test_a_week_of_traffic_adds_up_in_the_report(client, monkeypatch):
    opened, a, b = simulate_week(client, monkeypatch)
    data = json.loads(report("--days", "7", "--format", "json"))
    top = {r["query"]: r for r in data["top_queries"]}
    assert data["top_queries"][0]["query"] == POPULAR
    assert (top[POPULAR]["count"], top[POPULAR]["opened"]) == (14, 7)
    assert top[API_ONLY]["count"] == 7
    masked_missed = f"{MISSED} 身份证430102********123X"
    assert {"query": masked_missed, "count": 3} == {
        k: v for k, v in data["no_answer_queries"][0].items() if k in ("query", "count")
    }
    assert API_ONLY in [r["query"] for r in data["unopened_queries"]]
    assert POPULAR not in [r["query"] for r in data["unopened_queries"]]
    summary = data["summary"]
    assert (summary["searches"], summary["opened"], summary["messages"]) == (14 + 7 + 3 + 2, 7, 2)
    assert sum(d["searches"] for d in data["daily"]) == summary["searches"]
    assert sum(1 for d in data["daily"] if d["searches"]) == 7
    votes = {r["entry_id"]: r for r in data["feedback"]}
    assert (votes[a.pk]["helpful"], votes[a.pk]["unhelpful"], votes[a.pk]["reasons"]) == (3, 2, {"信息过时或有误": 2})
    assert data["least_helpful"][0]["entry_id"] == b.pk and data["least_helpful"][0]["reasons"] == {"看不懂": 1}

    local = json.loads(report("--city", "changsha", "--format", "json"))
    assert [(r["query"], r["count"]) for r in local["top_queries"]] == [(LOCAL, 2)]
    short = json.loads(report("--days", "1", "--format", "json"))
    assert short["summary"]["searches"] < summary["searches"]

    text = report()
    assert "搜索与反馈分析" in text and POPULAR in text
    csv_text = report("--format", "csv")
    assert f"top_queries,{POPULAR},14" in csv_text


def test_the_admin_page_shows_the_week_filters_and_exports_csv(client, admin_client, monkeypatch):
    simulate_week(client, monkeypatch)
    url = reverse("admin:insights_report_changelist")
    page = admin_client.get(url).content.decode()
    assert POPULAR in page and "<svg" in page and "信息过时或有误" in page and "<script" not in page.split("<svg")[1]
    assert "电话138****5678打不通" in page
    today = timezone.localdate()
    filtered = admin_client.get(url, {"city": "changsha", "start": today - timedelta(days=1), "end": today})
    body = filtered.content.decode()
    assert LOCAL in body and API_ONLY not in body
    bad = admin_client.get(url, {"start": today, "end": today - timedelta(days=3)})
    assert bad.status_code == 200 and "开始日期不能晚于结束日期" in bad.content.decode()
    export = admin_client.get(url, {"export": "top_queries"})
    assert export["Content-Type"].startswith("text/csv")
    assert f"{POPULAR},14,14,7" in export.content.decode("utf-8-sig")


def test_nothing_personal_is_stored_anywhere(client, monkeypatch):
    simulate_week(client, monkeypatch)
    id_re, mobile_re = (
        re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"),
        re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),
    )
    looked = 0
    for model in apps.get_app_config("insights").get_models():
        text_fields = [
            f.name for f in model._meta.fields if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        for row in model.objects.values(*text_fields):
            for name, value in row.items():
                value = str(value)
                looked += 1
                assert "10.0.0." not in value and "127.0.0.1" not in value and "Mozilla" not in value
                assert not id_re.search(value), (model, name, value)
                if (model, name) != (CitizenMessage, "contact"):  # given by the citizen for the reply
                    assert not mobile_re.search(value), (model, name, value)
    assert looked > 50
    assert all(log.at.second == 0 for log in SearchLog.objects.all())
    assert {m.contact for m in CitizenMessage.objects.all()} == {MOBILE}


def test_search_report_refuses_bad_options():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="未知城市"):
        report("--city", "atlantis")
    with pytest.raises(CommandError, match="--days"):
        report("--days", "0")
