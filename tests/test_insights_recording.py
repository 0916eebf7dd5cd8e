"""The anonymous search log, opened results, page views, feedback and 群众留言 as the real views write them."""

import pytest
from django.urls import reverse

from faq.models import Entry
from insights import buffer
from insights.models import CitizenMessage, EntryViewDay, Feedback, SearchClick, SearchLog

BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 14) Mobile Safari/537.36"}


@pytest.fixture(autouse=True)
def _corpus(search_corpus, db):
    buffer.buffer.discard()
    yield
    buffer.buffer.discard()


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()


def an_entry():
    return Entry.objects.filter(status=Entry.Status.PUBLISHED).order_by("pk").first()


def test_a_search_page_is_logged_off_the_request_path_and_masked(client):
    response = client.get("/search/", {"q": "社保卡丢了 身份证430102199001011234 电话13812345678"}, **BROWSER)
    assert response.status_code == 200
    assert not SearchLog.objects.exists()  # buffered, not written in the request
    assert buffer.flush() == 1
    log = SearchLog.objects.get()
    assert "430102********1234" in log.query and "138****5678" in log.query
    assert "199001011234" not in log.query and "13812345678" not in log.query
    assert log.source == "page" and log.results > 0 and log.top_ids
    assert log.at.second == 0 and log.at.microsecond == 0


def test_api_search_is_logged_and_later_pages_are_not(client):
    client.get("/api/search/", {"q": "失业保险金怎么领"})
    client.get("/search/", {"q": "失业保险金怎么领", "page": 2}, **BROWSER)
    buffer.flush()
    assert list(SearchLog.objects.values_list("source", flat=True)) == ["api"]


def test_logging_can_be_turned_off(client, settings):
    settings.SEARCH_LOG_ENABLED = False
    client.get("/search/", {"q": "失业保险金怎么领"}, **BROWSER)
    client.get(an_entry().get_absolute_url(), **BROWSER)
    assert buffer.flush() == 0


def test_result_links_record_the_opened_result_and_its_rank(client):
    page = client.get("/search/", {"q": "社保卡补办"}, **BROWSER)
    token = page.context["search_token"]
    hit = page.context["hits"][1]
    link = f"/go/{hit.obj.pk}/?s={token}&amp;r=2"
    assert link in page.content.decode()
    opened = client.get(link.replace("&amp;", "&"), **BROWSER)
    assert opened.status_code == 302 and opened["Location"] == hit.obj.get_absolute_url()
    buffer.flush()
    click = SearchClick.objects.get()
    assert (click.entry_id, click.rank, click.token) == (hit.obj.pk, 2, SearchLog.objects.get().token)


def test_a_bad_click_link_still_opens_the_entry_but_records_nothing_and_unknown_entries_404(client):
    entry = an_entry()
    assert client.get(f"/go/{entry.pk}/?s=<script>&r=x", **BROWSER).status_code == 302
    assert client.get("/go/99999999/?s=0123456789abcdef&r=1", **BROWSER).status_code == 404
    buffer.flush()
    assert not SearchClick.objects.exists()


def test_entry_views_are_counted_per_day_without_robots(client):
    entry = an_entry()
    for _ in range(3):
        client.get(entry.get_absolute_url(), **BROWSER)
    client.get(entry.get_absolute_url(), HTTP_USER_AGENT="Mozilla/5.0 (compatible; Googlebot/2.1)")
    client.get(entry.get_absolute_url())  # no user agent at all: a script
    buffer.flush()
    client.get(entry.get_absolute_url(), **BROWSER)
    buffer.flush()
    assert EntryViewDay.objects.get(entry_id=entry.pk).views == 4


def test_feedback_form_works_without_javascript(client):
    entry = an_entry()
    page = client.get(entry.get_absolute_url(), **BROWSER).content.decode()
    assert "这个回答有帮助吗？" in page and 'name="csrfmiddlewaretoken"' in page and "没找到答案？" in page
    url = reverse("insights:feedback", args=[entry.pk])
    assert client.post(url, {"helpful": "1"}).status_code == 200
    response = client.post(url, {"helpful": "0", "reason": "outdated", "comment": "<b>电话13900001111打不通</b>"})
    assert response.status_code == 200
    rows = list(Feedback.objects.order_by("pk").values_list("helpful", "reason", "comment"))
    assert rows == [(True, "", ""), (False, "outdated", "<b>电话139****1111打不通</b>")]


def test_feedback_form_needs_csrf(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    entry = an_entry()
    response = strict.post(reverse("insights:feedback", args=[entry.pk]), {"helpful": "1"})
    assert response.status_code == 403 and "页面已过期" in response.content.decode()
    assert not Feedback.objects.exists()


def test_no_answer_search_offers_the_ask_form_and_messages_reach_the_queue(client):
    page = client.get("/search/", {"q": "火星移民签证办理"}, **BROWSER)
    assert not page.context["results"].answered
    assert "没找到答案？" in page.content.decode()
    response = client.post(
        reverse("insights:ask"),
        {"question": "火星移民签证办理 身份证430102199001011234", "city": "changsha", "contact": "13812345678"},
    )
    assert response.status_code == 200
    message = CitizenMessage.objects.get()
    assert message.status == CitizenMessage.Status.NEW and message.city == "changsha"
    assert "430102********1234" in message.question
    assert client.post(reverse("insights:ask"), {"question": "  "}).status_code == 400
    assert client.post(reverse("insights:ask"), {"question": "x" * 501}).status_code == 400
    assert CitizenMessage.objects.count() == 1
