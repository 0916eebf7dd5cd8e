"""The 办事指南 elements (faq.cards): parsed from the sources, on the card only when set, in the API's
``guide`` object, and what is missing shown and filterable in the admin."""

import pytest

from faq.cards import CARD_FIELD_NAMES, EXPECTED_ELEMENTS
from faq.models import Entry
from faq.parsers.base import ParsedEntry, fill_guide, material_items
from tests.test_pages import get


def test_material_rows_count_originals_and_copies():
    rows = material_items(
        "（1）《湖南CA单位数字证书业务申请表与责任书》（一式两份，加盖公章）；\n"
        "（2）法定代表人有效身份证件复印件1份（加盖公章）；\n"
        "（3）身份证原件及复印件\n"
        "（4）身份证、户口簿本人页复印件（男满50周岁、女满40周岁的需提供）"
    )
    assert [(r.originals, r.copies, r.required) for r in rows] == [
        (2, None, True),
        (None, 1, True),
        (1, 1, True),
        (None, 1, False),
    ]
    assert rows[0].name.startswith("《湖南CA单位数字证书")


def test_elements_come_from_the_text_and_never_overwrite_the_parser():
    entry = ParsedEntry(
        key="x",
        position=1,
        question="?",
        answer="请在工作日前往窗口办理，办理时间：周一至周五9:00-17:00。也可登录 http://www.cs12333.com 网上办理，不收取任何费用。",
        online_url="https://parser.example/",
    )
    fill_guide(entry)
    assert entry.service_hours == "周一至周五9:00-17:00"
    assert entry.charged == "不收费"
    assert entry.service_forms == "窗口、网上"
    assert entry.online == "可网上办理"
    assert entry.online_url == "https://parser.example/"  # the parser's own value stands
    assert entry.legal_time_limit == ""  # not stated: left empty


@pytest.mark.django_db
class TestCardAndApi:
    def test_parsed_hours_on_the_card_and_in_the_api(self, imported, client):
        q69 = Entry.objects.get(source__filename__startswith="000_", source_key="q69")
        assert q69.service_hours == "工作日的每周一、三、五上午9:00-12:00"
        page = get(client, f"/entries/{q69.pk}/")
        assert page.find("h2", id="service_hours-h")
        assert not page.find("h2", id="fee_standard-h")  # no value, no section
        guide = client.get(f"/api/entries/{q69.pk}/").json()["guide"]
        assert set(CARD_FIELD_NAMES) <= set(guide)
        assert guide["service_hours"] == q69.service_hours
        assert "办理时限" in guide["missing"] and "办理时间" not in guide["missing"]

    def test_material_rows_on_the_card_and_in_the_api(self, imported, client):
        q35 = Entry.objects.get(source__filename__startswith="000_", source_key="q35")
        page = get(client, f"/entries/{q35.pk}/")
        table = page.html.split('<table class="materials">')[1].split("</table>")[0]
        assert "<caption>材料清单</caption>" in table and "2 份" in table
        items = client.get(f"/api/entries/{q35.pk}/").json()["guide"]["material_items"]
        assert items[0]["originals"] == 2 and items[0]["required"] is True
        assert any(i["copies"] == 1 for i in items)

    def test_kunshan_online_entry_links_its_hall(self, imported, client):
        unit1 = Entry.objects.get(source__filename__startswith="004_", source_key="unit1")
        guide = client.get(f"/api/entries/{unit1.pk}/").json()["guide"]
        assert guide["online"] == "可网上办理" and guide["service_forms"] == "网上"
        assert guide["online_url"] == "https://rs.jshrss.jiangsu.gov.cn"

    def test_office_items_carry_hours_where_known(self, imported, client):
        data = client.get("/api/offices/", {"city": "shenzhen"}).json()
        assert data["results"][0]["hours"].startswith("周一至周五")
        q80 = Entry.objects.get(source__filename__startswith="000_", source_key="q80")
        offices = client.get(f"/api/entries/{q80.pk}/").json()["offices"]
        assert offices and all("hours" in o for o in offices)

    def test_admin_shows_and_filters_missing_elements(self, imported, admin_client):
        page = admin_client.get("/admin/faq/entry/")
        assert page.status_code == 200
        assert "缺少：" in page.content.decode()
        q69 = Entry.objects.get(source__filename__startswith="000_", source_key="q69")
        link = f"/admin/faq/entry/{q69.pk}/change/"
        has_hours = admin_client.get("/admin/faq/entry/", {"missing": "办理时间", "q": q69.question})
        assert has_hours.status_code == 200 and link not in has_hours.content.decode()
        no_limit = admin_client.get("/admin/faq/entry/", {"missing": "办理时限", "q": q69.question})
        assert link in no_limit.content.decode()
        assert "办理时间" in EXPECTED_ELEMENTS
