"""The directories in real chromium at phone width: the phone filter narrows rows as you type, the copy
button appears (static JS under the strict CSP, no console errors), the entry card stays within 360 px."""

import pytest

from tests.test_browser import assert_no_horizontal_scroll, browser, page, screenshot, site  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_phone_filter_narrows_rows_as_you_type(site, page):  # noqa: F811
    page.goto(site + "/phones/")
    rows = page.locator("tr.phone-row")
    total = rows.count()
    box = page.get_by_label("筛选：")
    assert box.is_visible()
    box.fill("仲裁 岳麓")
    visible = page.locator("tr.phone-row:not([hidden])")
    assert 0 < visible.count() < total
    assert all("岳麓" in t for t in visible.all_inner_texts())
    box.fill("")
    assert page.locator("tr.phone-row:not([hidden])").count() == total
    screenshot(page, "phones-360")


def test_office_card_copy_button_and_entry_card_at_phone_width(site, page):  # noqa: F811
    from faq.models import Entry

    q80 = Entry.objects.get(source__filename__startswith="000_", source_key="q80")
    page.goto(site + q80.get_absolute_url())
    assert page.locator(".copy-button").first.is_visible()
    assert page.get_by_role("link", name="查看全部 25 个网点").is_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "entry-offices-360")
