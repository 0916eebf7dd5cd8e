"""The portal in a real browser (issue 4 §4): Playwright driving Debian's chromium against live_server.

Needs /usr/bin/chromium (``apt-get install chromium``); never ``playwright install``.
Phone-width screenshots go to test-artifacts/ (gitignored).
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
PHONE = {"width": 360, "height": 780}


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(f"chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` (CI does)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django's ORM calls from the tests are still
    # synchronous, so its async-safety check is switched off for this module only.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site(transactional_db, live_server, parsed_sources):
    """The five real sources imported (and indexed) behind a live server; returns its URL."""
    from django.core.management import call_command

    from faq.importer import import_parsed
    from faq.search.build import build_index

    import_parsed(parsed_sources)
    call_command("extract_keywords", verbosity=0)
    build_index()
    return live_server.url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    # CSP violations and script errors show up here.
    assert not errors, errors


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def assert_no_horizontal_scroll(page):
    scroll, client = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert scroll <= client, f"{page.url}: page is {scroll}px wide in a {client}px viewport"


def entry_with(text_filter):
    from faq.models import Entry

    return Entry.objects.filter(status="published").filter(**text_filter).order_by("pk").first()


def entry_showing_a_table():
    """An entry whose page shows a table: its answer has one that did not become its offices or steps."""
    from faq.display import answer_text
    from faq.models import Entry

    for entry in Entry.objects.filter(status="published", answer__contains="| --- |").order_by("pk"):
        steps = [s.text for s in entry.steps.all()]
        offices = [o.name for o in entry.offices.all()]
        if "| --- |" in answer_text(entry, steps, offices):
            return entry
    raise AssertionError("no entry shows a table")


def test_search_from_the_home_page_lands_on_highlighted_results(site, page):
    page.goto(site + "/")
    box = page.get_by_label("搜索问题")
    box.fill("社保卡挂失")
    box.press("Enter")
    page.wait_for_url("**/search/?q=*")
    marks = page.locator("main mark")
    assert marks.count() > 0, "results highlight the query words"
    assert any(word in marks.all_inner_texts()[0] for word in ("社保卡", "挂失", "社会保障卡"))
    assert_no_horizontal_scroll(page)
    screenshot(page, "search-360")


def test_entry_page_shows_numbered_steps(site, page):
    from faq.models import Entry

    entry = Entry.objects.filter(status="published", steps__isnull=False).distinct().order_by("pk").first()
    topic = entry.topics.order_by("order").first()
    page.goto(site + topic.get_absolute_url())
    page.locator(f"main a[href='{entry.get_absolute_url()}']").first.click()
    page.wait_for_url("**" + entry.get_absolute_url())
    assert page.locator("h1").inner_text() == entry.question
    steps = page.locator("ol.steps > li")
    assert steps.count() == entry.steps.count() >= 1
    assert page.get_by_role("heading", name="办理流程").is_visible()
    # A real ordered list (numbered by CSS counters), in the stored order.
    first = entry.steps.order_by("order").first().text
    assert page.evaluate("document.querySelector('ol.steps').tagName") == "OL"
    assert steps.first.inner_text().strip() == first.strip()
    assert page.evaluate("getComputedStyle(document.querySelector('ol.steps')).counterReset").startswith("step")
    assert_no_horizontal_scroll(page)
    screenshot(page, "entry-steps-360")


def test_district_page_has_tap_to_call_links(site, page):
    page.goto(site + "/cities/changsha/")
    page.get_by_role("link", name="芙蓉区").first.click()
    page.wait_for_url("**/cities/changsha/furong/")
    tel = page.locator("main a[href^='tel:']")
    assert tel.count() > 0
    href = tel.first.get_attribute("href")
    assert href.startswith("tel:") and href[4:].isdigit()
    assert_no_horizontal_scroll(page)
    screenshot(page, "district-360")


def body_px(page):
    return page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")


def test_elder_mode_switch_says_its_state_and_persists(site, page):
    page.goto(site + "/")
    toggle = page.get_by_role("button", name="长辈模式")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert toggle.inner_text().replace("\n", "") in ("长辈模式：关",)
    assert body_px(page) >= 18, "main text at least 18 px in normal mode"
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    assert "长辈模式：开" in toggle.inner_text()
    assert body_px(page) >= 24, "main text at least 24 px in elder mode"

    page.get_by_role("link", name="主题分类").first.click()
    page.wait_for_url("**/topics/")
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert "长辈模式：开" in page.locator("#elder-toggle").inner_text()
    assert page.locator("#elder-toggle").get_attribute("aria-pressed") == "true"
    assert body_px(page) >= 24

    # A new visit (another page of the same browser profile) still has it.
    other = page.context.new_page()
    other.goto(site + "/offices/")
    assert other.evaluate("document.documentElement.classList.contains('elder')")
    other.close()
    page.reload()
    assert_no_horizontal_scroll(page)
    screenshot(page, "topics-elder-360")

    page.locator("#elder-toggle").click()
    page.reload()
    assert not page.evaluate("document.documentElement.classList.contains('elder')")
    assert "长辈模式：关" in page.locator("#elder-toggle").inner_text()


def test_elder_mode_scales_headings_badges_and_tables(site, page):
    table_entry = entry_showing_a_table()
    sizes = {}
    for mode in ("normal", "elder"):
        page.evaluate("localStorage.setItem('portal-elder', '1')") if mode == "elder" else None
        page.goto(site + table_entry.get_absolute_url())
        sizes[mode] = page.evaluate(
            """() => Object.fromEntries([['body', 'body'], ['h1', 'h1'], ['h2', 'main h2'], ['badge', '.tag'],
                 ['cell', '.table-wrap td']].map(([k, sel]) => [k,
                 parseFloat(getComputedStyle(document.querySelector(sel)).fontSize)]))"""
        )
    assert sizes["elder"]["body"] >= 24
    for key in ("h1", "h2", "badge", "cell"):
        assert sizes["elder"][key] >= sizes["normal"][key] * 1.3, (key, sizes)
        assert sizes["elder"][key] >= 18, (key, sizes)
    assert sizes["elder"]["h1"] > sizes["elder"]["body"]


def test_elder_mode_is_applied_before_first_paint(site, browser):
    # With the setting saved, the class is on <html> before any stylesheet or script of the body runs.
    context = browser.new_context(viewport=PHONE)
    context.add_init_script("localStorage.setItem('portal-elder', '1')")
    page = context.new_page()
    seen = []
    page.on("console", lambda msg: seen.append(msg.text))
    context.add_init_script(
        "document.addEventListener('readystatechange', () => { if (document.readyState === 'interactive') "
        "console.log('interactive:' + document.documentElement.className) }, {once: true})"
    )
    page.goto(site + "/")
    context.close()
    assert "interactive:elder" in seen


def test_tables_become_labelled_cards_on_phones(site, page):
    table_entry = entry_showing_a_table()
    for mode in ("normal", "elder"):
        if mode == "elder":
            page.evaluate("localStorage.setItem('portal-elder', '1')")
        page.goto(site + table_entry.get_absolute_url())
        cell = page.locator(".table-wrap td[data-label]").first
        box = cell.bounding_box()
        table = page.locator(".table-wrap").first.bounding_box()
        # A cell spans the card's width (not a squeezed column), with its column name shown above the value.
        assert box["width"] >= table["width"] * 0.9, (mode, box, table)
        label = page.evaluate(
            "getComputedStyle(document.querySelector('.table-wrap td[data-label]'), '::before').content"
        )
        assert cell.get_attribute("data-label") in label
        assert (
            not page.locator(".table-wrap thead").first.is_visible()
            or page.locator(".table-wrap thead").first.bounding_box()["height"] <= 1
        )
        assert page.locator(".table-wrap caption").first.inner_text().startswith("表格")
        assert_no_horizontal_scroll(page)
        screenshot(page, f"table-cards-{mode}-360")
    # Screen readers still get a table, with its caption as its name.
    snapshot = page.locator(".table-wrap").first.aria_snapshot()
    assert "table" in snapshot and "表格" in snapshot


def test_breadcrumb_separators_are_hidden_from_screen_readers(site, page):
    page.goto(site + "/offices/")
    snapshot = page.locator("nav.breadcrumbs").aria_snapshot()
    assert "首页" in snapshot and "办事机构" in snapshot
    assert "›" not in snapshot
    assert "›" in page.evaluate(
        "getComputedStyle(document.querySelector('.breadcrumbs li + li'), '::before').content"
    ), "still shown on screen"
    page.goto(site + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "长沙·深圳·昆山人社政策问答"


FAKE_VOICES = """
(() => {
  const log = window.__speech = [];
  const synth = {
    speaking: false,
    getVoices: () => [{lang: 'zh-CN', name: '中文', default: true, localService: true, voiceURI: 'zh'}],
    speak: (u) => log.push(['speak', u.text, u.lang]),
    pause: () => log.push(['pause']),
    resume: () => log.push(['resume']),
    cancel: () => log.push(['cancel']),
    addEventListener: () => {},
  };
  Object.defineProperty(window, 'speechSynthesis', {value: synth});
  window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
})();
"""


def test_read_aloud_is_hidden_without_voices_and_reads_pauses_stops_with_them(site, page, browser):
    entry = entry_with({"steps__isnull": False})
    # Headless chromium has no voices at all: the control must not be offered.
    page.goto(site + entry.get_absolute_url())
    assert page.locator("#read-aloud").is_hidden()

    # A browser with a Chinese voice (the platform's synthesiser replaced by a recorder).
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    context.add_init_script(FAKE_VOICES)
    voiced = context.new_page()
    errors = []
    voiced.on("pageerror", lambda exc: errors.append(str(exc)))
    voiced.goto(site + entry.get_absolute_url())
    start = voiced.get_by_role("button", name="朗读")
    assert start.is_visible() and start.get_attribute("aria-pressed") == "false"
    assert voiced.get_by_role("button", name="暂停").is_hidden()
    start.click()
    spoken = voiced.evaluate("window.__speech")
    texts = [item[1] for item in spoken if item[0] == "speak"]
    assert texts[0] == entry.question and all(item[2] == "zh-CN" for item in spoken if item[0] == "speak")
    said = "".join(texts)
    assert entry.steps.order_by("order").first().text.strip()[:10] in said
    assert "来源" not in said, "reads the entry, not the page furniture"
    assert voiced.locator("[data-read=start]").get_attribute("aria-pressed") == "true"
    voiced.get_by_role("button", name="暂停").click()
    assert voiced.evaluate("window.__speech.at(-1)") == ["pause"]
    voiced.get_by_role("button", name="继续").click()
    assert voiced.evaluate("window.__speech.at(-1)") == ["resume"]
    voiced.get_by_role("button", name="停止").click()
    assert voiced.evaluate("window.__speech.at(-1)") == ["cancel"]
    assert voiced.locator("[data-read=start]").get_attribute("aria-pressed") == "false"
    assert voiced.get_by_role("button", name="暂停").is_hidden()
    context.close()
    assert not errors, errors


# Standalone controls per page (inline links inside sentences are exempt, as in WCAG 2.5.8).
TAP_TARGETS = {
    "/": [
        ".site-name",
        "#elder-toggle",
        ".site-nav a",
        ".search-row button",
        ".chips a",
        ".entry-item > a",
        ".topic-grid a",
        ".district-list a",
        ".link-tiles a",
        ".footer-links a",
        ".city-form select",
        ".city-form button",
    ],
    "/topics/social-security-card/?city=kunshan&audience=employer": [".filters .chips a"],
    "/search/?q=社保": [".breadcrumbs a", ".search-facets a", "a.badge-topic", ".pagination a", ".pagination span"],
    "entry": [".breadcrumbs a", ".tag", ".tel-list a.tel", ".related .entry-item > a"],
    "/offices/": [".breadcrumbs a", ".district-heading a", ".office-card h3 a", ".tel-list a.tel"],
    "/phones/": [".phone-row a.tel", ".tel-office"],
    "/topics/": [".topic-cards h2 a"],
}
MEASURE = """(selectors) => selectors.map(sel => [sel, Array.from(document.querySelectorAll(sel))
  .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
  .map(el => { const r = el.getBoundingClientRect();
               return [el.textContent.trim().slice(0, 12), Math.round(r.width), Math.round(r.height)]; })])"""


def measure_targets(page, site, entry_url):
    found = {}
    for url, selectors in TAP_TARGETS.items():
        page.goto(site + (entry_url if url == "entry" else url))
        for sel, boxes in page.evaluate(MEASURE, selectors):
            assert boxes, f"{url}: nothing matches {sel}"
            found[f"{url} {sel}"] = boxes
    return found


def test_tap_targets_are_44px_and_60px_in_elder_mode(site, page):
    import json

    entry = entry_with({"steps__isnull": False, "phones__isnull": False})
    figures = {}
    for mode, least in (("normal", 44), ("elder", 60)):
        if mode == "elder":
            page.evaluate("localStorage.setItem('portal-elder', '1')")
        found = measure_targets(page, site, entry.get_absolute_url())
        small = {k: [b for b in v if b[1] < 44 or b[2] < least] for k, v in found.items()}
        assert not any(small.values()), (mode, {k: v for k, v in small.items() if v})
        figures[mode] = {k: [min(b[1] for b in v), min(b[2] for b in v)] for k, v in found.items()}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "tap-targets.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")

    # A list row is clickable across its whole height and width, not just its text: click its far right edge.
    page.evaluate("localStorage.removeItem('portal-elder')")
    page.goto(site + entry.get_absolute_url())
    row = page.locator(".related .entry-item").first
    link = row.locator("a")
    href = link.get_attribute("href")
    row.scroll_into_view_if_needed()
    row_box, link_box = row.bounding_box(), link.bounding_box()
    assert link_box["height"] >= row_box["height"] - 1 and link_box["width"] >= row_box["width"] - 1
    page.mouse.click(row_box["x"] + row_box["width"] - 3, row_box["y"] + row_box["height"] - 3)
    page.wait_for_url("**" + href)


def test_no_horizontal_scroll_at_360px(site, page):
    from django.db.models.functions import Length

    from faq.models import Entry, Office

    table_entry = entry_showing_a_table()
    # The longest 咨询电话 element: a district table of numbers, each a tap-to-call link.
    phones_entry = Entry.objects.exclude(consult_phone="").order_by(Length("consult_phone").desc()).first()
    urls = {
        "home": "/",
        "entry-table": table_entry.get_absolute_url(),
        "entry-phones": phones_entry.get_absolute_url(),
        "district": "/cities/changsha/furong/",
        "offices": "/offices/",
        "phones": "/phones/",
        "office": Office.objects.order_by("pk").first().get_absolute_url(),
    }
    for name, url in urls.items():
        page.goto(site + url)
        assert_no_horizontal_scroll(page)
        screenshot(page, f"{name}-360")
    # On a wide screen the table stays a table and scrolls inside its own box if needed, never the page.
    page.set_viewport_size({"width": 1024, "height": 780})
    page.goto(site + urls["entry-table"])
    assert page.evaluate("getComputedStyle(document.querySelector('.table-wrap')).overflowX") == "auto"
    assert page.evaluate("getComputedStyle(document.querySelector('.table-wrap td')).display") == "table-cell"
    page.set_viewport_size(PHONE)
    # The same in elder mode (set under the key of the earlier 大字模式 switch, which still counts).
    page.evaluate("localStorage.setItem('portal-large-text', '1')")
    for name in urls:
        page.goto(site + urls[name])
        assert page.evaluate("document.documentElement.classList.contains('elder')")
        assert_no_horizontal_scroll(page)
        screenshot(page, f"{name}-elder-360")


# --- accessibility: axe-core (from npm, `make test` installs it) on every page type ---------------------------

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""


def page_type_urls():
    from faq.models import District, Entry, Keyword, Office, Topic

    entry = Entry.objects.filter(status="published", steps__isnull=False, topics__isnull=False).order_by("pk").first()
    table = entry_showing_a_table()
    district = District.objects.filter(offices__isnull=False).select_related("city").order_by("pk").first()
    keyword = Keyword.objects.filter(entries__status="published").order_by("pk").first()
    return {
        "home": "/",
        "search": "/search/?q=社保卡挂失",
        "search-empty": "/search/?q=火星移民",
        "entry": entry.get_absolute_url(),
        "entry-table": table.get_absolute_url(),
        "topic": Topic.objects.order_by("order").first().get_absolute_url(),
        "topic-kunshan-employer": "/topics/social-security-card/?city=kunshan&audience=employer",
        "topics": "/topics/",
        "city": "/cities/kunshan/",
        "district": district.get_absolute_url(),
        "keyword": keyword.get_absolute_url(),
        "keywords": "/keywords/",
        "offices": "/offices/",
        "office": Office.objects.order_by("pk").first().get_absolute_url(),
        "phones": "/phones/",
        "404": "/no/such/page/",
        "offline": "/offline/",
    }


def test_axe_finds_no_serious_violations_at_360px_in_either_mode(site, browser):
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: `make node-deps` (part of `make test`) installs axe-core with npm ci")
    # axe is injected as a script element, which the strict CSP would (rightly) refuse: bypass it for this check
    # only; every other browser test runs under the real policy.
    context = browser.new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    problems, checked = {}, 0
    urls = page_type_urls()
    for mode in ("normal", "elder"):
        if mode == "elder":
            page.evaluate("localStorage.setItem('portal-elder', '1')")
        for name, url in urls.items():
            page.goto(site + url)
            assert page.evaluate("document.documentElement.classList.contains('elder')") == (mode == "elder")
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(AXE_RUN)
            checked += 1
            serious = [v for v in violations if v["impact"] in ("serious", "critical")]
            if serious:
                problems[f"{mode} {name} {url}"] = serious
    # The check itself works: the same run on a page with a known critical fault reports it.
    page.evaluate("document.querySelector('main').append(Object.assign(document.createElement('img'), {src: 'x.png'}))")
    assert any(v["id"] == "image-alt" and v["impact"] == "critical" for v in page.evaluate(AXE_RUN))
    context.close()
    assert checked == 2 * len(urls)
    assert not problems, problems


def test_city_chooser_works_without_javascript_and_scopes_topics(site, browser):
    from faq.models import Entry

    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/")
    page.get_by_label("我的城市").select_option("kunshan")
    page.get_by_role("button", name="切换").click()
    page.wait_for_url(site + "/")
    assert "昆山热点问题" in page.locator("#hot-heading").inner_text()
    # A later visit remembers it (the cookie), and every hot question is 昆山's.
    page.goto(site + "/offices/")
    page.goto(site + "/")
    assert page.get_by_label("我的城市").input_value() == "kunshan"
    badges = page.locator("#hot-heading ~ .entry-list .badge").all_inner_texts()
    assert badges and set(badges) == {"昆山"}
    # An employer picks a topic from the home page, then 我是单位: 单位办理 comes first, only 昆山's.
    topic = (
        Entry.objects.filter(city__slug="kunshan", audience="employer", status="published")
        .values_list("topics__slug", flat=True)
        .first()
    )
    page.locator(f".topic-grid a[href^='/topics/{topic}/']").click()
    page.get_by_role("link", name="我是单位").click()
    first = page.locator("main section h2").first.inner_text()
    assert first.startswith("单位办理"), first
    assert "个人办理" not in page.locator("main").inner_text().split("另有")[0]
    urls = page.locator("main .entry-list a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    ids = [int(u.strip("/").split("/")[-1]) for u in urls]
    assert ids and set(Entry.objects.filter(pk__in=ids).values_list("city__slug", flat=True)) == {"kunshan"}
    assert_no_horizontal_scroll(page)
    screenshot(page, "topic-kunshan-employer-360")
    context.close()


def test_offline_reading_keeps_opened_entries_and_offers_an_offline_page(site, browser):
    from faq.models import Entry

    first, second, never = Entry.objects.filter(status="published").order_by("pk")[:3]
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(site + "/")
    # The worker installs (caching the shell) and takes control of this page.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    assert page.locator("#offline-note").is_hidden()
    for entry in (first, second):
        page.goto(site + entry.get_absolute_url())
        page.wait_for_function(
            "url => caches.keys().then(names => Promise.all(names.filter(n => n.startsWith('pages-'))"
            ".map(n => caches.open(n).then(c => c.match(url))))).then(found => found.some(Boolean))",
            arg=site + entry.get_absolute_url(),
        )
    assert page.locator("#offline-note").is_hidden(), "online pages carry no note"

    context.set_offline(True)
    page.reload()
    assert page.locator("h1").inner_text() == second.question
    note = page.locator("#offline-note")
    assert note.is_visible() and note.inner_text() == "离线浏览：内容可能不是最新"
    assert page.evaluate("getComputedStyle(document.body).fontSize") != "16px", "the cached stylesheet applies"
    screenshot(page, "offline-entry-360")

    page.goto(site + never.get_absolute_url())
    assert page.locator("h1").inner_text() == "暂时无法联网"
    cached = page.locator("#cached-pages a")
    assert cached.all_inner_texts() == [
        f"{second.question}（{second.city.name}）",
        f"{first.question}（{first.city.name}）",
    ]
    cached.first.click()
    page.wait_for_url("**" + second.get_absolute_url())
    assert page.locator("#offline-note").is_visible()
    screenshot(page, "offline-fallback-360")
    context.set_offline(False)
    context.close()


def test_a_new_version_replaces_the_caches(site, browser, monkeypatch):
    from faq import views

    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(site + "/")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    names = page.evaluate("caches.keys()")
    version = names[0].split("-", 1)[1]
    assert names and all(name.endswith("-" + version) for name in names)
    # A deploy (here: the worker as a changed static file would make it): the browser's update check finds a
    # different script, the new worker activates and deletes every cache of the old version.
    source = views.service_worker_source().replace(version, "nextversion1")
    monkeypatch.setattr(views, "service_worker_source", lambda: source)
    page.evaluate("navigator.serviceWorker.getRegistration().then(r => r.update())")
    page.wait_for_function("() => caches.keys().then(k => k.length > 0 && k.every(n => n.endsWith('-nextversion1')))")
    context.close()
