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

    import_parsed(parsed_sources)
    call_command("extract_keywords", verbosity=0)
    try:
        from faq.search.queue import flush

        flush()
    except ImportError:
        pass
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


def test_large_text_persists_across_pages_and_reloads(site, page):
    page.goto(site + "/")
    toggle = page.locator("#text-size-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    size_before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true"
    size_after = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size_after >= size_before * 1.2

    page.get_by_role("link", name="主题分类").first.click()
    page.wait_for_url("**/topics/")
    assert page.evaluate("document.documentElement.classList.contains('large-text')")
    assert page.locator("#text-size-toggle").get_attribute("aria-pressed") == "true"
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") == size_after

    page.reload()
    assert page.evaluate("document.documentElement.classList.contains('large-text')")
    assert_no_horizontal_scroll(page)
    screenshot(page, "topics-large-text-360")

    page.locator("#text-size-toggle").click()
    page.reload()
    assert not page.evaluate("document.documentElement.classList.contains('large-text')")


def test_large_text_is_applied_before_first_paint(site, browser):
    # With the setting saved, the class is on <html> before any stylesheet or script of the body runs.
    context = browser.new_context(viewport=PHONE)
    context.add_init_script("localStorage.setItem('portal-large-text', '1')")
    page = context.new_page()
    seen = []
    page.on("console", lambda msg: seen.append(msg.text))
    context.add_init_script(
        "document.addEventListener('readystatechange', () => { if (document.readyState === 'interactive') "
        "console.log('interactive:' + document.documentElement.className) }, {once: true})"
    )
    page.goto(site + "/")
    context.close()
    assert "interactive:large-text" in seen


def test_no_horizontal_scroll_at_360px(site, page):
    from faq.models import Office

    table_entry = entry_with({"answer__contains": "| --- |"})
    urls = {
        "home": "/",
        "entry-table": table_entry.get_absolute_url(),
        "district": "/cities/changsha/furong/",
        "offices": "/offices/",
        "phones": "/phones/",
        "office": Office.objects.order_by("pk").first().get_absolute_url(),
    }
    for name, url in urls.items():
        page.goto(site + url)
        assert_no_horizontal_scroll(page)
        screenshot(page, f"{name}-360")
    # The table scrolls inside its own box when it is wider than the phone, never the page.
    page.goto(site + urls["entry-table"])
    overflow = page.evaluate("getComputedStyle(document.querySelector('.table-wrap')).overflowX")
    assert overflow == "auto"
    # The same with large text on.
    page.evaluate("localStorage.setItem('portal-large-text', '1')")
    for name in ("home", "entry-table", "district"):
        page.goto(site + urls[name])
        assert_no_horizontal_scroll(page)
        screenshot(page, f"{name}-large-360")
