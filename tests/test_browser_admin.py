"""The admin in real chromium at 360 px: list and edit screens with no field wider than the screen, the
steps' 上移/下移 buttons (static JS under the CSP, no console errors), the selector widget in Chinese."""

import pytest

from tests.test_browser import assert_no_horizontal_scroll, browser, page, screenshot  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE_WIDTH = 360


@pytest.fixture
def admin_site(transactional_db, live_server, page):  # noqa: F811
    from django.contrib.auth.models import User
    from django.test import Client

    from faq.models import City, District, Entry, ProcedureStep, Topic
    from faq.search.build import build_index

    city = City.objects.create(slug="changsha", name="长沙", area_code="0731")
    District.objects.create(city=city, slug="furong", name="芙蓉区")
    Topic.objects.create(slug="social-security-card", name="社会保障卡")
    entry = Entry.objects.create(
        question="社保卡丢了怎么补办？", answer="携带身份证到发卡银行挂失补办。" * 5, city=city
    )
    ProcedureStep.objects.create(entry=entry, order=1, text="带身份证")
    ProcedureStep.objects.create(entry=entry, order=2, text="到银行窗口办理")
    build_index()
    client = Client()
    client.force_login(User.objects.create_superuser("boss", password="pw-boss-123"))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return live_server.url, entry


def fields_past_the_edge(page):  # noqa: F811
    """Form fields (outside the scrolling inline tables) whose right edge is past the viewport."""
    return page.evaluate(
        """(width) => Array.from(document.querySelectorAll('input, select, textarea'))
            .filter(el => el.type !== 'hidden' && el.offsetParent !== null && !el.closest('.tabular'))
            .filter(el => el.getBoundingClientRect().right > width + 1)
            .map(el => el.name || el.id)""",
        PHONE_WIDTH,
    )


def test_list_and_edit_screens_fit_a_phone(admin_site, page):  # noqa: F811
    site, entry = admin_site
    page.goto(site + "/admin/faq/entry/")
    assert page.locator("#result_list").is_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "admin-entries-360")

    page.goto(site + f"/admin/faq/entry/{entry.pk}/change/")
    assert page.locator("#id_question").is_visible()
    assert fields_past_the_edge(page) == []
    assert_no_horizontal_scroll(page)
    # The two-box selector speaks Chinese.
    assert page.get_by_text("全选主题").count() >= 1
    assert page.get_by_text("Choose all").count() == 0
    screenshot(page, "admin-entry-360")


def test_steps_move_up_and_down(admin_site, page):  # noqa: F811
    site, entry = admin_site
    page.goto(site + f"/admin/faq/entry/{entry.pk}/change/")
    texts = lambda: page.eval_on_selector_all(  # noqa: E731
        ".steps-inline tr.form-row:not(.empty-form) input.step-text", "els => els.map(e => e.value).filter(Boolean)"
    )
    orders = lambda: page.eval_on_selector_all(  # noqa: E731
        ".steps-inline tr.form-row:not(.empty-form) input.step-order", "els => els.map(e => e.value)"
    )
    assert texts() == ["带身份证", "到银行窗口办理"]
    page.locator(".steps-inline .step-move[data-direction=down]").first.click()
    assert texts() == ["到银行窗口办理", "带身份证"]
    assert orders()[:2] == ["1", "2"]
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()
    from faq.models import ProcedureStep

    assert [s.text for s in ProcedureStep.objects.filter(entry=entry).order_by("order")] == [
        "到银行窗口办理",
        "带身份证",
    ]
