"""Citizen-facing pages (issue 4): real HTTP responses through Django's test client."""

import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from faq.keywords import extract_keywords
from faq.models import City, District, Entry, Keyword, Office, PhoneNumber, ProcedureStep, Topic
from faq.queries import with_content
from tests.page_data import make_sample_data


@pytest.fixture(autouse=True)
def hot_questions_cached_as_in_production(settings):
    """热点问题 and 大家常搜 from use are cached in production (INSIGHTS_HOT_CACHE_SECONDS), which the query
    counts here assume; each test starts with an empty cache."""
    from django.core.cache import cache

    settings.INSIGHTS_HOT_CACHE_SECONDS = 300
    cache.clear()


pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    """A parsed page: links, landmarks, the <title>, text; enough to assert on structure instead of substrings."""

    def __init__(self, response):
        super().__init__()
        self.html = response.content.decode()
        self.tags = []  # (tag, attrs)
        self.links = []  # (href, text)
        self.title = ""
        self._in = []
        self._link = None
        self.feed(self.html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "a":
            self._link = [attrs.get("href", ""), ""]
        if tag == "title":
            self._in.append("title")

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], self._link[1].strip()))
            self._link = None
        if tag == "title" and self._in:
            self._in.pop()

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data
        if self._in:
            self.title += data

    def hrefs(self):
        return [h for h, _ in self.links]

    def find(self, tag, **attrs):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def text(self):
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.html))


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return Page(response)


@pytest.fixture
def data():
    return make_sample_data()


# --- every page: base layout --------------------------------------------------------------------------------


def page_urls(d):
    return [
        "/",
        "/topics/",
        "/topics/social-security-card/",
        "/cities/changsha/",
        "/cities/changsha/furong/",
        "/keywords/",
        f"/keywords/{d['keyword'].pk}/",
        f"/entries/{d['lost'].pk}/",
        "/offices/",
        f"/offices/{d['office'].pk}/",
        "/phones/",
    ]


def test_every_page_has_layout_search_box_canonical_and_title(client, data):
    titles = set()
    for url in page_urls(data):
        page = get(client, url)
        assert '<html lang="zh-CN">' in page.html
        for landmark in ("header", "nav", "main", "footer"):
            assert page.find(landmark), (url, landmark)
        assert page.find("a", href="#main", **{"class": "skip-link"})
        form = page.find("form", role="search")[0]
        assert form["action"] == "/search/" and form["method"] == "get"
        search_input = page.find("input", name="q")[0]
        assert page.find("label", **{"for": search_input["id"]}), url
        assert page.find("link", rel="canonical")[0]["href"] == "http://testserver" + url
        assert page.title.endswith("人社问答知识库") and page.title.strip() != "人社问答知识库"
        titles.add(page.title)
        if url != "/":
            crumbs = page.find("nav", **{"aria-label": "当前位置"})
            assert crumbs, url
            assert page.find("span", **{"aria-current": "page"}), url
        assert page.find("link", rel="stylesheet", href="/static/css/portal.css")
        assert page.find("script", src="/static/js/portal.js")
        assets = [a["src"] for a in page.find("script") if "src" in a]
        assets += [a["href"] for t, a in page.tags if t == "link" and a.get("rel") in ("stylesheet", "icon", "preload")]
        assert assets and all(a.startswith("/static/") for a in assets), "no CDN assets"
    assert len(titles) == len(page_urls(data)), "every page has its own title"


def test_static_assets_are_local_files():
    # Found by the staticfiles finders (whitenoise serves them in production); no CDN, no web fonts.
    from django.contrib.staticfiles import finders

    css = Path(finders.find("css/portal.css")).read_text(encoding="utf-8")
    assert "html.elder" in css and "@import" not in css and "url(http" not in css and "@font-face" not in css
    assert "localStorage" in Path(finders.find("js/portal.js")).read_text(encoding="utf-8")
    assert "localStorage" in Path(finders.find("js/mode.js")).read_text(encoding="utf-8")


# --- home -------------------------------------------------------------------------------------------------


def test_home_search_first_then_hot_questions_topics_and_cities(client, data):
    page = get(client, "/")
    html = page.html
    assert html.index('role="search"') < html.index("热点问题") < html.index("按主题查找") < html.index("按城市和区县")
    assert f"/entries/{data['lost'].pk}/" in page.hrefs()
    assert f"/entries/{data['draft'].pk}/" not in page.hrefs()
    # Topic grid: counts only published entries (3 social-security-card entries, the draft left out).
    assert re.search(r"社会保障卡</span><span class=\"count\">3 条", html)
    assert re.search(r"养老保险</span><span class=\"count\">1 条", html)
    for city in City.objects.all():
        assert city.get_absolute_url() in page.hrefs()
    # Every district with something on it is linked; an empty one is not (issue: no link to an empty page).
    assert set(page.hrefs()) >= {d.get_absolute_url() for d in with_content(District.objects.select_related("city"))}
    assert "/cities/kunshan/bacheng/" not in page.hrefs()
    main = html[html.index("<main") :]
    assert main.index(">长沙<") < main.index(">深圳<") < main.index(">昆山<")


# --- topics -------------------------------------------------------------------------------------------------


def test_topic_page_groups_entries_by_audience_with_counts(client, data):
    page = get(client, "/topics/social-security-card/")
    html = page.html
    assert "<h1>社会保障卡</h1>" in html
    personal = html[html.index('id="audience-personal"') : html.index('id="audience-employer"')]
    employer = html[html.index('id="audience-employer"') :]
    assert "个人办理" in personal and "2 条" in personal
    assert data["lost"].question in personal and data["activate"].question in personal
    assert data["employer"].question in employer and "1 条" in employer
    assert 'id="audience-general"' not in html  # empty groups are left out
    assert data["draft"].question not in html


def test_topic_index_lists_every_topic_with_description(client, data):
    page = get(client, "/topics/")
    for topic in Topic.objects.all():
        assert topic.get_absolute_url() in page.hrefs()
        assert topic.description in page.html


# --- cities and districts -------------------------------------------------------------------------------------


def test_city_page_lists_districts_hotlines_and_entries_by_topic(client, data):
    page = get(client, "/cities/changsha/")
    assert "<h1>长沙</h1>" in page.html
    assert "/cities/changsha/furong/" in page.hrefs()
    assert "/cities/changsha/liuyang/" not in page.hrefs()  # nothing on it in the sample data
    assert "/cities/shenzhen/futian/" not in page.hrefs()
    assert "tel:12333" in page.hrefs()
    assert "<summary>社会保障卡" in page.html
    assert data["lost"].get_absolute_url() in page.hrefs()
    assert data["rates"].get_absolute_url() not in page.hrefs()  # a Shenzhen entry


def test_district_page_has_offices_tel_links_phones_and_entries(client, data):
    page = get(client, "/cities/changsha/furong/")
    assert "长沙 · 芙蓉区" in page.html
    assert data["office"].get_absolute_url() in page.hrefs()
    assert "长沙市芙蓉区八一路1号政务服务中心一楼" in page.html and "周一至周五 9:00-17:00" in page.html
    tel = {h: t for h, t in page.links if h.startswith("tel:")}
    assert "0731-84111111" in tel["tel:073184111111"]  # the office's phone
    assert "芙蓉区劳动监察" in tel["tel:073184222222"]  # the district's own line
    assert "tel:073189999999" not in tel  # the draft entry's phone stays private
    assert data["lost"].get_absolute_url() in page.hrefs()
    assert data["draft"].get_absolute_url() not in page.hrefs()


def test_district_of_another_city_is_404(client, data):
    page = get(client, "/cities/shenzhen/furong/", status=404)
    assert "页面不存在" in page.html


# --- entry ----------------------------------------------------------------------------------------------------


def test_entry_page_is_a_guide_card(client, data):
    lost = data["lost"]
    page = get(client, lost.get_absolute_url())
    html = page.html
    assert f'<h1 id="question" data-read-text>{lost.question}</h1>' in html
    headings = re.findall(r"<h2 id=\"[a-z]+-h\">([^<]+)</h2>", html)
    assert headings[:8] == [
        "答复",
        "办理条件",
        "所需材料",
        "受理地点",
        "办理流程",
        "办理地点",
        "咨询电话",
        "相关区县与关键词",
    ]
    steps = re.search(r'<ol class="steps">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r"<li><p>(.*?)</p></li>", steps) == ["挂失原卡", "提交补卡申请", "领取新卡并激活"]
    # The numbered lines of the answer became a list, the URL a nofollow link.
    assert '<ol class="ol-decimal"><li>拨打12333电话挂失；</li>' in html
    link = page.find("a", href="http://www.changsha.gov.cn/csrc_portal/")[0]
    assert link["rel"] == "nofollow noopener"
    assert data["office"].get_absolute_url() in page.hrefs()
    assert "tel:073184333333" in page.hrefs() and "tel:073184111111" in page.hrefs()
    assert "来源：长沙社保卡问答 · 热点问题" in html
    # Not the import date: an entry nobody verified says so (tests/test_policies.py covers the dates).
    assert "最后核实：未核实" in html and "最后更新" not in html
    related = html[html.index('id="related-h"') :]
    assert data["activate"].question in related and data["employer"].question in related
    assert data["draft"].question not in related and data["rates"].question not in related
    assert data["keyword"].get_absolute_url() in page.hrefs()


def test_entry_with_table_renders_a_real_table(client, data):
    page = get(client, data["rates"].get_absolute_url())
    assert len(page.find("table")) == 1 and len(page.find("th", scope="col")) == 4
    assert page.find("div", **{"class": "table-wrap"})
    assert "| ---" not in page.html


def test_entry_without_phones_offers_12333(client, data):
    page = get(client, data["activate"].get_absolute_url())
    assert "tel:12333" in page.hrefs()


def test_staff_html_in_answers_is_shown_as_text(client, data):
    entry = data["activate"]
    entry.answer = '<script>alert("x")</script>\n<img src=x onerror=alert(1)>'
    entry.materials = "<b>身份证</b>"
    entry.save()
    page = get(client, entry.get_absolute_url())
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page.html
    assert not page.find("img") and "<b>身份证</b>" not in page.html
    code = [s for s in page.find("script") if s.get("type") != "application/ld+json"]
    assert len(code) == 4  # base.html's own three and the directory helpers (static)
    assert all(script.get("src", "").startswith("/static/js/") for script in code)
    assert len(page.find("script", type="application/ld+json")) == 1  # schema.org data, never executed
    assert "<script>alert" not in page.html


def test_draft_entry_is_404(client, data):
    get(client, data["draft"].get_absolute_url(), status=404)


# --- keywords, offices, phones ------------------------------------------------------------------------------


def test_keyword_index_and_page(client, data):
    page = get(client, "/keywords/")
    assert (f"/keywords/{data['keyword'].pk}/", "挂失1") in page.links
    assert f"/keywords/{data['draft_keyword'].pk}/" not in page.hrefs()  # only on a draft entry
    page = get(client, f"/keywords/{data['keyword'].pk}/")
    assert "<h1>挂失</h1>" in page.html and data["lost"].get_absolute_url() in page.hrefs()


def test_keyword_index_orders_by_entry_count(client, data):
    common = Keyword.objects.create(name="社保卡")
    for key in ("lost", "activate", "employer"):
        data[key].keywords.add(common)
    page = get(client, "/keywords/")
    names = [t for h, t in page.links if h.startswith("/keywords/") and h != "/keywords/"]
    assert names[:2] == ["社保卡3", "挂失1"]


def test_office_directory_and_office_page(client, data):
    page = get(client, "/offices/")
    html = page.html
    assert html.index('id="city-changsha"') < html.index("芙蓉区社会保障卡服务中心")
    assert "/cities/changsha/furong/" in page.hrefs() and "tel:073184111111" in page.hrefs()
    page = get(client, data["office"].get_absolute_url())
    assert "<h1>芙蓉区社会保障卡服务中心</h1>" in page.html
    assert data["lost"].get_absolute_url() in page.hrefs() and "tel:073184111111" in page.hrefs()


def test_phone_directory_groups_by_city_and_business(client, data):
    page = get(client, "/phones/")
    html = page.html
    changsha = html[html.index('id="city-changsha"') : html.index('id="city-shenzhen"')]
    # By 业务, city-wide numbers before a district's within one 业务.
    assert changsha.index("<caption>长沙 · 社保卡</caption>") < changsha.index("tel:073184111111")
    assert changsha.index("<caption>长沙 · 劳动监察</caption>") < changsha.index("tel:073184222222")
    assert "tel:073189999999" not in html  # a draft entry's phone
    assert data["office"].get_absolute_url() in page.hrefs()


# --- 404 / 500 ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/topics/no-such-topic/",
        "/cities/atlantis/",
        "/cities/changsha/no-such-district/",
        "/entries/999999/",
        "/keywords/999999/",
        "/offices/999999/",
        "/no/such/page/",
        "/entries/99999999999999999999999/",
    ],
)
def test_unknown_pages_give_a_chinese_404(client, data, url):
    page = get(client, url, status=404)
    assert '<html lang="zh-CN">' in page.html
    assert "抱歉，您要找的页面不存在" in page.html
    assert page.find("meta", name="robots", content="noindex")
    assert "/" in page.hrefs() and page.find("form", role="search")


def test_server_error_page_is_chinese_and_standalone(rf):
    from faq.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "服务暂时出了点问题" in response.content.decode() and "tel:12333" in response.content.decode()


# --- sitemap ----------------------------------------------------------------------------------------------------


def test_sitemap_lists_every_public_page(client, data):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {el.text for el in ElementTree.fromstring(response.content).findall("s:url/s:loc", ns)}
    expected = {"http://testserver" + u for u in page_urls(data)}
    expected |= {"http://testserver" + e.get_absolute_url() for e in Entry.objects.filter(status="published")}
    expected |= {
        "http://testserver" + d.get_absolute_url() for d in with_content(District.objects.select_related("city"))
    }
    expected |= {"http://testserver" + t.get_absolute_url() for t in Topic.objects.all()}
    assert expected <= locs
    assert "http://testserver" + data["draft"].get_absolute_url() not in locs
    assert "http://testserver" + data["draft_keyword"].get_absolute_url() not in locs
    assert not any("/search/" in loc for loc in locs)


# --- bounded queries (§5) ------------------------------------------------------------------------------------


def grow(data, n=6):
    """More of everything the pages list, so an N+1 would show as more queries."""
    changsha, furong, card = data["changsha"], data["furong"], data["card"]
    keyword = data["keyword"]
    for i in range(n):
        office = Office.objects.create(city=changsha, district=furong, name=f"芙蓉区服务点{i}", address=f"{i}号")
        PhoneNumber.objects.create(
            number=f"0731-8500000{i}", label=f"服务点{i}", city=changsha, district=furong, office=office
        )
        entry = Entry.objects.create(question=f"问题{i}？", answer=f"答复{i}", city=changsha, source_position=10 + i)
        entry.topics.set([card, data["pension"]])
        entry.districts.set([furong])
        entry.offices.set([office, data["office"]])
        entry.keywords.add(keyword)
        ProcedureStep.objects.create(entry=entry, order=1, text="步骤")
        PhoneNumber.objects.create(
            number=f"0731-8600000{i}", label=f"咨询{i}", city=changsha, district=furong, entry=entry
        )
        data["lost"].keywords.add(Keyword.objects.create(name=f"词{i}"))
    data["lost"].offices.add(*Office.objects.filter(name__startswith="芙蓉区服务点"))


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


BOUNDED = {
    "home": ("/", 6),
    "topic": ("/topics/social-security-card/", 3),
    "district": ("/cities/changsha/furong/", 6),
    "entry": (None, 13),  # one of them the 政策依据 (policy documents)
    "city": ("/cities/changsha/", 6),
    "keyword": (None, 3),
    "office_index": ("/offices/", 5),
    "phone_index": ("/phones/", 2),
}


@pytest.mark.parametrize("name", list(BOUNDED))
def test_page_query_count_is_small_and_does_not_grow_with_data(client, data, name, django_assert_max_num_queries):
    url, limit = BOUNDED[name]
    url = url or {"entry": data["lost"].get_absolute_url(), "keyword": data["keyword"].get_absolute_url()}[name]
    client.get(url)  # warm-up: content types, first-request work
    before = count_queries(client, url)
    grow(data)
    with django_assert_max_num_queries(limit):
        client.get(url)
    assert count_queries(client, url) == before, f"{name}: queries grew with the data (N+1)"


# --- keywords (jieba TF-IDF) -------------------------------------------------------------------------------


def test_extract_keywords_drops_numbers_single_characters_and_generic_words():
    text = "社保卡丢失了怎么补办？社保卡挂失后到服务网点补办社保卡，需要提供身份证。2023年12333热线可以咨询办理。"
    words = extract_keywords(text, top_k=6)
    assert "社保卡" in words and ("挂失" in words or "补办" in words)
    assert all(len(w) >= 2 and not re.search(r"\d", w) for w in words)
    assert not {"办理", "需要", "可以", "咨询"} & set(words)


def test_extract_keywords_command_stores_keywords_and_keeps_staff_edits(data):
    staff = data["activate"]
    staff.edited_by_staff = True
    staff.save()
    staff.keywords.set([Keyword.objects.create(name="人工关键词")])
    call_command("extract_keywords", "--dry-run", verbosity=0)
    assert list(data["lost"].keywords.values_list("name", flat=True)) == ["挂失"]  # dry run wrote nothing

    call_command("extract_keywords", verbosity=0)
    lost_words = set(data["lost"].keywords.values_list("name", flat=True))
    assert "社保卡" in lost_words and len(lost_words) <= 6
    assert list(staff.keywords.values_list("name", flat=True)) == ["人工关键词"]
    assert not data["draft"].keywords.exclude(name="草稿词").exists()  # drafts are not processed

    from io import StringIO

    out = StringIO()
    call_command("extract_keywords", verbosity=1, stdout=out, stderr=StringIO())
    assert "updated 0 entries" in out.getvalue() and "kept 1" in out.getvalue()


# --- the real sources ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_pages_on_the_imported_sources(client, imported):
    call_command("extract_keywords", verbosity=0)
    entries = list(Entry.objects.filter(status="published").order_by("pk"))
    assert len(entries) > 100
    for entry in entries:
        page = get(client, entry.get_absolute_url())
        assert entry.question in page.html.replace("&quot;", '"').replace("&#x27;", "'")
    # The answers with pipe tables render real tables (unless the table became the entry's offices, #12).
    tables = [e for e in entries if "| --- |" in e.answer and not e.offices.exists()]
    assert tables
    assert get(client, tables[0].get_absolute_url()).find("table")
    # Districts with offices show tap-to-call links; every district and city page renders.
    for district in with_content(District.objects.select_related("city")):
        page = get(client, district.get_absolute_url())
        if district.offices.filter(phones__isnull=False).exists():
            assert any(h.startswith("tel:") for h in page.hrefs()), district
    for url in [
        "/",
        "/topics/",
        "/keywords/",
        "/offices/",
        "/phones/",
        *[c.get_absolute_url() for c in City.objects.all()],
    ]:
        get(client, url)
    assert len(get(client, "/keywords/").find("span", **{"class": "count"})) >= 20
    assert count_queries(client, entries[0].get_absolute_url()) <= BOUNDED["entry"][1]
    assert count_queries(client, "/") <= BOUNDED["home"][1]


# --- city-first browsing ---------------------------------------------------------------------------------------


def test_city_chooser_sets_a_cookie_and_returns_to_the_page(client, data):
    page = get(client, "/")
    form = page.find("form", **{"class": "city-form"})[0]
    assert form["action"] == "/city/" and form["method"] == "get"
    assert page.find("label", **{"for": "city-select"}) and page.find("option", value="kunshan")
    response = client.get("/city/", {"city": "kunshan", "next": "/topics/pension/?city=changsha&audience=employer"})
    assert response.status_code == 302 and response["Location"] == "/topics/pension/?audience=employer"
    cookie = response.cookies["city"]
    assert cookie.value == "kunshan" and cookie["max-age"] >= 365 * 24 * 3600 and cookie["samesite"] == "Lax"
    assert "selected" in get(client, "/").find("option", value="kunshan")[0]
    # Somewhere else, or an unknown city: back home; "all cities" forgets the choice.
    assert client.get("/city/", {"city": "kunshan", "next": "https://evil.example/"})["Location"] == "/"
    response = client.get("/city/", {"city": "", "next": "/offices/"})
    assert response["Location"] == "/offices/" and response.cookies["city"].value == ""
    assert client.get("/city/", {"city": "atlantis"}).cookies["city"].value == ""


def test_home_page_is_scoped_to_the_chosen_city(client, data):
    client.cookies["city"] = "shenzhen"
    response = client.get("/")
    assert "Cookie" in response["Vary"]
    page = Page(response)
    assert "正在看<strong>深圳</strong>的 1 条" in page.html
    entries = [h for h in page.hrefs() if h.startswith("/entries/")]
    assert entries == [data["rates"].get_absolute_url()]  # only Shenzhen's hot questions
    assert re.search(r"养老保险</span><span class=\"count\">1 条", page.html)
    assert re.search(r"社会保障卡</span><span class=\"count\">0 条", page.html)
    assert "/topics/pension/?city=shenzhen" in page.hrefs()
    main = page.html[page.html.index("<main") :]
    assert main.index(">深圳<") < main.index(">长沙<")
    client.cookies["city"] = "nowhere"  # a stale or forged cookie is ignored
    assert "收录长沙、深圳、昆山" in get(client, "/").html


def test_topic_page_filters_by_city_and_puts_the_audience_first(client, data):
    url = "/topics/social-security-card/"
    html = get(client, url + "?city=changsha&audience=employer").html
    assert "<h1>长沙 · 社会保障卡</h1>" in html
    assert html.index('id="audience-employer"') < html.find("单位如何办理社保卡批量申领")
    assert data["lost"].question not in html and 'id="audience-personal"' not in html
    assert "另有 2 条不属于单位办理" in html
    assert 'class="badge badge-changsha"' not in html, "no city badge on every row of a one-city list"
    # The Chinese label works too, and the default order is unchanged without an audience.
    assert get(client, url + "?city=changsha&audience=单位").html.count('<section id="audience-') == 1
    plain = get(client, url + "?city=changsha").html
    assert plain.index('id="audience-personal"') < plain.index('id="audience-employer"')


def test_topic_page_empty_combination_offers_other_cities(client, data):
    page = get(client, "/topics/social-security-card/?city=shenzhen&audience=employer")
    assert "深圳暂无“单位办理”的社会保障卡问答" in page.html
    assert ("?city=changsha&audience=employer", "长沙（1 条）") in page.links
    assert not [h for h in page.hrefs() if h.startswith("/entries/")]


def test_topic_page_uses_the_chosen_city_unless_the_link_says_otherwise(client, data):
    client.cookies["city"] = "shenzhen"
    response = client.get("/topics/social-security-card/")
    assert "Cookie" in response["Vary"] and "深圳暂无" in response.content.decode()
    html = get(client, "/topics/social-security-card/?city=all").html
    assert data["lost"].question in html and data["employer"].question in html


# --- offline reading ----------------------------------------------------------------------------------------------


def test_service_worker_is_served_at_the_root_with_a_version_from_the_static_files(client, monkeypatch, tmp_path):
    from django.contrib.staticfiles import finders

    from faq import views

    response = client.get("/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    version = re.search(r'var VERSION = "([0-9a-f]{12})";', body).group(1)
    assert '"/static/css/portal.css"' in body and '"/offline/"' in body
    # Changing any shell file changes the version (so the browser installs a new worker and drops old caches).
    changed = tmp_path / "portal.css"
    changed.write_text(Path(finders.find("css/portal.css")).read_text(encoding="utf-8") + "\n/* v2 */")
    real_find = finders.find
    monkeypatch.setattr(
        finders, "find", lambda name, **kw: str(changed) if name == "css/portal.css" else real_find(name)
    )
    views.service_worker_source.cache_clear()
    try:
        assert version not in views.service_worker_source()
    finally:
        monkeypatch.undo()
        views.service_worker_source.cache_clear()


def test_offline_page_and_manifest(client):
    page = get(client, "/offline/")
    assert "暂时无法联网" in page.html and page.find("ul", id="cached-pages")
    assert page.find("meta", name="robots", content="noindex")
    manifest = page.find("link", rel="manifest")[0]["href"]
    import json

    from django.contrib.staticfiles import finders

    data = json.loads(Path(finders.find(manifest.removeprefix("/static/"))).read_text(encoding="utf-8"))
    assert data["start_url"] == "/" and data["scope"] == "/" and data["lang"] == "zh-CN"
    # Every page carries the (hidden) offline note the worker reveals.
    assert page.find("p", id="offline-note", hidden=None)
