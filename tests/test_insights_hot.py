"""热点问题 from opened results and views over the last 30 days, per city, with staff pins and hides; 大家常搜
as editable data; the curated lists on a fresh install."""

from datetime import timedelta

import pytest
from django.utils import timezone

from faq import queries
from faq.models import City, Entry
from insights import buffer
from insights.models import EntryViewDay, HotQuestionRule, PopularSearch, SearchClick

BROWSER = {"HTTP_USER_AGENT": "Mozilla/5.0 (Windows NT 10.0) Chrome/126.0 Safari/537.36"}


@pytest.fixture
def entries(db):
    buffer.buffer.discard()
    cs = City.objects.create(slug="changsha", name="长沙", order=1)
    sz = City.objects.create(slug="shenzhen", name="深圳", order=2)
    made = {}
    for city in (cs, sz):
        for i in range(8):
            made[(city.slug, i)] = Entry.objects.create(
                question=f"{city.name}的第{i}个问题？", answer="答复。", city=city, source_position=i
            )
    return made


def hot_ids(page):
    return [e.pk for e in page.context["hot_entries"]]


def test_a_fresh_install_shows_the_curated_lists(client, entries):
    page = client.get("/")
    assert hot_ids(page) == [e.pk for e in queries.curated_hot_entries()]
    assert page.context["popular_searches"] == queries.POPULAR_SEARCHES
    assert "?q=%E7%A4%BE%E4%BF%9D%E5%8D%A1%E8%A1%A5%E5%8A%9E" in page.content.decode()  # 社保卡补办


def test_views_and_opened_results_make_questions_hot_per_city(client, entries):
    viewed, opened = entries[("changsha", 7)], entries[("changsha", 6)]
    for _ in range(3):
        client.get(viewed.get_absolute_url(), **BROWSER)
    for _ in range(5):
        client.get(viewed.get_absolute_url(), HTTP_USER_AGENT="Baiduspider/2.0")  # robots do not count
    buffer.flush()
    SearchClick.objects.bulk_create(
        SearchClick(at=timezone.now(), token=f"{i:016x}", entry_id=opened.pk, rank=1) for i in range(5)
    )
    home = hot_ids(client.get("/"))
    assert home[:2] == [opened.pk, viewed.pk]
    assert hot_ids(client.get("/cities/changsha/"))[:2] == [opened.pk, viewed.pk]
    shenzhen = hot_ids(client.get("/cities/shenzhen/"))
    assert opened.pk not in shenzhen and shenzhen  # filled from the curated list
    # Older than the window: forgotten.
    EntryViewDay.objects.update(day=timezone.localdate() - timedelta(days=40))
    SearchClick.objects.update(at=timezone.now() - timedelta(days=40))
    assert hot_ids(client.get("/")) == [e.pk for e in queries.curated_hot_entries()]


def test_staff_pin_and_hide(client, entries):
    pinned, hidden = entries[("shenzhen", 5)], entries[("changsha", 0)]
    assert hidden.pk in hot_ids(client.get("/"))
    HotQuestionRule.objects.create(entry=pinned, action=HotQuestionRule.Action.PIN)
    HotQuestionRule.objects.create(entry=hidden, action=HotQuestionRule.Action.HIDE)
    home = hot_ids(client.get("/"))
    assert home[0] == pinned.pk and hidden.pk not in home
    assert pinned.pk not in hot_ids(client.get("/cities/changsha/"))  # another city's entry stays off its page
    assert hot_ids(client.get("/cities/shenzhen/"))[0] == pinned.pk


def test_popular_searches_are_editable(client, entries):
    PopularSearch.objects.create(text="医保转移", order=1)
    PopularSearch.objects.create(text="灵活就业参保", order=2)
    PopularSearch.objects.create(text="不显示的", active=False)
    PopularSearch.objects.create(text="深圳专属", city="shenzhen")
    assert client.get("/").context["popular_searches"] == ["医保转移", "灵活就业参保"]
    client.cookies["city"] = "shenzhen"
    assert client.get("/").context["popular_searches"] == ["深圳专属"]


def test_staff_changes_show_at_once_even_with_the_cache_on(client, entries, settings):
    from django.core.cache import cache

    cache.clear()
    settings.INSIGHTS_HOT_CACHE_SECONDS = 300
    first = hot_ids(client.get("/"))
    HotQuestionRule.objects.create(entry_id=first[0], action=HotQuestionRule.Action.HIDE)
    assert first[0] not in hot_ids(client.get("/"))


def test_an_unpublished_entry_leaves_the_cached_list_at_once(client, entries, settings):
    from django.core.cache import cache

    cache.clear()
    settings.INSIGHTS_HOT_CACHE_SECONDS = 300
    first = Entry.objects.get(pk=hot_ids(client.get("/"))[0])
    first.status = Entry.Status.DRAFT
    first.save()
    assert first.pk not in hot_ids(client.get("/"))
