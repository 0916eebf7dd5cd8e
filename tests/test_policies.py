"""Freshness and legal basis (faq.freshness): policy documents seeded from the 文号 the answers quote,
最后核实 seeded from the source's own date (never the import date), 复核日期 from the topics' interval, the
需复核 queue when a policy is superseded, the API fields, the entry page line and the overdue notice."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from faq.actions import do_mark_verified, do_save_staff_edit, do_supersede_policy
from faq.freshness import STALE_NOTICE, needs_review_q
from faq.importer import import_parsed
from faq.models import Entry, PolicyDocument, SourceDocument, Topic
from faq.parsers.base import document_date

HOTSPOT = "000_79b8e4699b12fd67.txt"  # 长沙热点问题: quotes 文号, gives no date of its own
RURAL = "002_47b1b9a0f8db3381.txt"  # 长沙城乡居民养老保险: a web page dated 2017-03-31
PENSION_2022 = "湘人社规〔2022〕27号"


@pytest.fixture(scope="module")
def sources(django_db_setup, django_db_blocker, parsed_sources):
    """The two documents imported once for the module, rolled back after it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            import_parsed([p for p in parsed_sources if p[0].filename in (HOTSPOT, RURAL)])
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("checker", password="pw-checker-123")


def pension_entry():
    return Entry.objects.get(source__filename=HOTSPOT, answer__contains=PENSION_2022)


# --- seeding ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_policies_seeded_from_the_numbers_the_answers_quote(sources):
    policy = PolicyDocument.objects.get(number=PENSION_2022)
    assert "2022年调整退休人员基本养老金" in policy.title and "湖南省人力资源和社会保障厅" in policy.issuer
    assert list(pension_entry().policies.all()) == [policy]
    # 【2006】 in the answer is the same 文号 as 〔2006〕 in the fixture.
    formula = Entry.objects.get(source__filename=HOTSPOT, answer__contains="湘劳社政字【2006】10号")
    assert [p.number for p in formula.policies.all()] == ["湘劳社政字〔2006〕10号"]
    # Every seeded document is one that some answer quotes: nothing invented.
    for p in PolicyDocument.objects.all():
        assert p.entries.exists(), p.number


@pytest.mark.django_db
def test_last_verified_comes_from_the_documents_own_date_never_the_import_date(sources):
    assert SourceDocument.objects.get(filename=RURAL).published == date(2017, 3, 31)
    rural = Entry.objects.filter(source__filename=RURAL)
    assert {e.last_verified for e in rural} == {date(2017, 3, 31)}
    assert {e.review_due for e in rural} == {date(2018, 3, 31)}  # the default interval of 365 days
    # The hotspot document gives no date: its entries stay unverified rather than "verified today".
    hotspot = Entry.objects.filter(source__filename=HOTSPOT)
    assert not hotspot.exclude(last_verified=None).exists() and not hotspot.exclude(review_due=None).exists()


def test_document_date_reads_only_the_documents_own_date():
    assert document_date("标题\n发布时间:2020-09-15 17:28:29 阅读:\n2017年5月1日起启用") == date(2020, 9, 15)
    assert document_date("标题\n\n2017-03-31 11:15:06 无忧保\n") == date(2017, 3, 31)
    assert document_date("https://example.org/life/2008年5月31日来源:本地宝") == date(2008, 5, 31)
    # Dates inside the answers say when a rule started, not when the text was written.
    assert document_date("答：自2022年4月1日起，失业金标准为1737元/月。") is None
    assert document_date("发布时间:2017-02-30 10:00") is None


@pytest.mark.django_db
def test_review_date_follows_the_topics_interval(sources, staff):
    entry = Entry.objects.filter(source__filename=RURAL).first()
    topic = Topic.objects.create(slug="rates-review", name="待遇标准复核", review_interval_days=90)
    entry.topics.add(topic)
    do_mark_verified([entry], staff, on=date(2025, 1, 10))
    entry.refresh_from_db()
    assert (entry.last_verified, entry.review_due, entry.review_reason) == (date(2025, 1, 10), date(2025, 4, 10), "")
    # A staff save with a new 最后核实 and an empty 复核日期 computes it from the topics too.
    entry.last_verified, entry.review_due = date(2025, 6, 1), None
    do_save_staff_edit(entry, staff)
    entry.refresh_from_db()
    assert entry.review_due == date(2025, 8, 30)


# --- the 需复核 queue -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_superseding_a_policy_flags_its_entries(sources, staff):
    entry = pension_entry()
    entry.review_due = timezone.localdate() + timedelta(days=100)
    entry.save()
    policy = PolicyDocument.objects.get(number=PENSION_2022)
    unrelated = Entry.objects.filter(source__filename=HOTSPOT, review_reason="").exclude(policies=policy).first()
    assert not Entry.objects.filter(needs_review_q(), pk=entry.pk).exists()

    assert do_supersede_policy(policy, staff) == 1
    entry.refresh_from_db()
    policy.refresh_from_db()
    assert policy.superseded and policy.superseded_on == timezone.localdate()
    assert PENSION_2022 in entry.review_reason
    queue = Entry.objects.filter(needs_review_q())
    assert entry in queue and unrelated not in queue

    # Staff see it in the admin's 需复核 filter, next to the entries past their review date.
    client_html = admin_list(staff, "?review=superseded")
    assert f"/admin/faq/entry/{entry.pk}/change/" in client_html
    assert f"/admin/faq/entry/{unrelated.pk}/change/" not in client_html
    overdue = Entry.objects.filter(source__filename=RURAL).first()  # review_due 2018-03-31
    assert f"/admin/faq/entry/{overdue.pk}/change/" in admin_list(staff, "?review=all&q=")
    # After checking the answer against the new rules, staff mark it verified: it leaves the queue.
    do_mark_verified([entry], staff)
    assert not Entry.objects.filter(needs_review_q(), pk=entry.pk).exists()


def admin_list(user, query):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get("/admin/faq/entry/" + query + "&all=").content.decode()


@pytest.mark.django_db
def test_superseding_through_the_admin_form_flags_entries(sources, staff, client):
    policy = PolicyDocument.objects.get(number=PENSION_2022)
    client.force_login(staff)
    response = client.post(
        f"/admin/faq/policydocument/{policy.pk}/change/",
        {"title": policy.title, "number": policy.number, "issuer": policy.issuer, "superseded": "on", "note": ""},
        follow=True,
    )
    assert response.status_code == 200 and "进入需复核" in response.content.decode()
    assert pension_entry().review_reason


@pytest.mark.django_db
def test_bulk_action_sets_the_review_date(sources, staff, client):
    entries = list(Entry.objects.filter(source__filename=RURAL)[:3])
    ids = [e.pk for e in entries]
    client.force_login(staff)
    form = client.post("/admin/faq/entry/", {"action": "set_review_date", "_selected_action": ids})
    assert form.status_code == 200 and "复核日期" in form.content.decode()  # the intermediate page asks
    bad = client.post(
        "/admin/faq/entry/",
        {"action": "set_review_date", "_selected_action": ids, "apply": "1", "review_due": "明年"},
    )
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    done = client.post(
        "/admin/faq/entry/",
        {"action": "set_review_date", "_selected_action": ids, "apply": "1", "review_due": "2027-06-30"},
    )
    assert done.status_code == 302
    assert set(Entry.objects.filter(pk__in=ids).values_list("review_due", flat=True)) == {date(2027, 6, 30)}


# --- what the API and citizens see -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_gives_status_dates_and_policies(sources, client):
    entry = pension_entry()
    entry.last_verified, entry.review_due = date(2023, 4, 12), date(2024, 4, 11)
    entry.save()
    body = client.get(f"/api/entries/{entry.pk}/").json()
    assert body["status"] == "published"
    assert (body["last_verified"], body["review_due"]) == ("2023-04-12", "2024-04-11")
    assert body["policies"] == [
        {
            "title": "湖南省人力资源和社会保障厅 湖南省财政厅关于2022年调整退休人员基本养老金的通知",
            "number": PENSION_2022,
            "issuer": "湖南省人力资源和社会保障厅、湖南省财政厅",
            "effective": None,
            "expires": None,
            "url": "",
        }
    ]
    unverified = Entry.objects.filter(source__filename=HOTSPOT, policies=None).first()
    body = client.get(f"/api/entries/{unverified.pk}/").json()
    assert (body["last_verified"], body["review_due"], body["policies"]) == (None, None, [])


@pytest.mark.django_db
def test_entry_page_shows_legal_basis_and_verification_not_the_import_date(sources, client):
    entry = pension_entry()
    entry.last_verified = date(2023, 4, 12)
    entry.review_due = timezone.localdate() + timedelta(days=30)
    entry.save()
    html = client.get(entry.get_absolute_url()).content.decode()
    assert (
        "政策依据：《湖南省人力资源和社会保障厅 湖南省财政厅关于2022年调整退休人员基本养老金的通知》"
        f'（{PENSION_2022}）；最后核实：<time datetime="2023-04-12">2023年4月</time>'
    ) in html
    assert "最后更新" not in html and STALE_NOTICE not in html

    entry.review_due = timezone.localdate() - timedelta(days=1)
    entry.save()
    html = client.get(entry.get_absolute_url()).content.decode()
    assert STALE_NOTICE in html
    assert html.index(STALE_NOTICE) < html.index('id="answer-h"')  # before the answer, not in a footer


@pytest.mark.django_db
def test_superseded_policy_warns_citizens_too(sources, staff, client):
    entry = pension_entry()
    entry.review_due = timezone.localdate() + timedelta(days=30)
    entry.save()
    do_supersede_policy(PolicyDocument.objects.get(number=PENSION_2022), staff)
    html = client.get(entry.get_absolute_url()).content.decode()
    assert STALE_NOTICE in html and "（已被替代）" in html
