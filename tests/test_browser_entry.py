"""An entry page in real chromium: printed it is a one-page 办事清单 without navigation or URLs in brackets,
and the share button copies the page's link with a visible confirmation (or uses the Web Share API)."""

import pytest

from tests.test_browser import browser, page, screenshot, site  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def entry(prefix, key):
    from faq.models import Entry

    return Entry.objects.get(source__filename__startswith=prefix, source_key=key)


def pdf_pages(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def test_print_view_is_a_checklist_without_navigation(site, page):  # noqa: F811
    q12 = entry("000_", "q12")  # 失业保险金申领: steps, seven offices, a phone
    page.goto(site + q12.get_absolute_url())
    assert page.locator(".site-nav").is_visible()
    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-nav", ".site-footer", ".breadcrumbs", ".share-box", ".related"):
        assert not page.locator(hidden).first.is_visible(), hidden
    # What the citizen takes along stays: the question, the steps, where (address, hours) and the phones.
    assert page.get_by_role("heading", name=q12.question).is_visible()
    assert page.locator("ol.steps").is_visible()
    card = page.locator(".office-card").first
    assert card.is_visible() and "办公时间" in card.inner_text()
    assert page.locator("#phones-h").is_visible()
    # No URLs in brackets after links.
    after = page.evaluate(
        "[...document.querySelectorAll('main a[href]')].map(a => getComputedStyle(a, '::after').content)"
    )
    assert after and all(c in ("none", "normal") for c in after), set(after)
    assert "(http" not in page.locator("main").inner_text()
    screenshot(page, "entry-print")
    assert pdf_pages(page.pdf(format="A4")) == 1


def test_print_view_shows_material_counts(site, page):  # noqa: F811
    from faq.models import Material

    material = Material.objects.filter(copies__isnull=False, entry__status="published").select_related("entry").first()
    page.goto(site + material.entry.get_absolute_url())
    page.emulate_media(media="print")
    table = page.locator("table.materials")
    assert table.is_visible()
    assert f"{material.copies} 份" in table.inner_text()
    assert not page.locator(".site-nav").is_visible()


def test_share_copies_the_link_with_a_visible_confirmation(site, browser):  # noqa: F811
    q80 = entry("000_", "q80")
    context = browser.new_context(viewport={"width": 360, "height": 780}, locale="zh-CN")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    tab = context.new_page()
    errors = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    # Desktop chromium has no Web Share API here: the link is copied.
    tab.add_init_script("delete Navigator.prototype.share;")
    tab.goto(site + q80.get_absolute_url() + "?district=ningxiang")
    button = tab.get_by_role("button", name="分享本页")
    assert button.is_visible()
    button.click()
    status = tab.locator("#share-status")
    status.wait_for(state="visible")
    url = site + q80.get_absolute_url()
    assert "链接已复制" in status.inner_text() and url in status.inner_text()
    assert tab.evaluate("navigator.clipboard.readText()") == url  # the canonical link, without ?district=
    context.close()
    assert not errors, errors


def test_share_uses_the_web_share_api_where_there_is_one(site, page):  # noqa: F811
    q80 = entry("000_", "q80")
    page.add_init_script(
        "window.__shared = null;"
        "Navigator.prototype.share = function (data) { window.__shared = data; return Promise.resolve(); };"
    )
    page.goto(site + q80.get_absolute_url())
    page.get_by_role("button", name="分享本页").click()
    page.wait_for_function("window.__shared !== null")
    shared = page.evaluate("window.__shared")
    assert shared["url"] == site + q80.get_absolute_url()
    assert q80.question in shared["title"]


def test_without_javascript_the_link_is_still_shown(site, browser):  # noqa: F811
    q80 = entry("000_", "q80")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 780})
    tab = context.new_page()
    tab.goto(site + q80.get_absolute_url())
    assert not tab.get_by_role("button", name="分享本页").is_visible()
    link = tab.get_by_label("本页链接")
    assert link.is_visible() and link.input_value() == site + q80.get_absolute_url()
    context.close()
