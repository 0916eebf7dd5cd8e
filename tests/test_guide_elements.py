"""The 办事指南 elements (faq.cards): parsed from the sources, on the card only when set, in the API's
``guide`` object, and what is missing shown and filterable in the admin."""

import pytest

from faq.cards import CARD_FIELD_NAMES, EXPECTED_ELEMENTS
from faq.models import Entry
from faq.parsers.base import ParsedEntry, consult_phone, fill_guide, material_items, promised_time_limit
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


class TestConsultPhone:
    """咨询电话 only where the text labels a number as such (snippets from the real sources)."""

    def test_several_numbers_after_the_label(self):
        text = (
            "现场办理：企业携带相关证件，前往长沙市芙蓉中路一段669号长沙市人力资源和社会保障局3楼304办公室办理。"
            "咨询电话：0731-84907720、0731-84907725。\n网络办理：登录长株潭人力资源网（www.cztrlzy.cn）并注册。"
        )
        assert consult_phone(text) == "0731-84907720、0731-84907725"

    def test_one_number_and_the_verb_form(self):
        assert consult_phone("否则养老金就会被停发。咨询电话：0731-84907513。") == "0731-84907513"
        assert consult_phone(
            "您可向企业注册所在地区、县人社部门申报，具体要求请以文件为准。\n具体可以咨询0731-84907633。"
        ) == ("0731-84907633")
        assert consult_phone("员工在办理业务之前可先拨打咨询电话96888或登录社保网站等方式查询个人社保资料") == "96888"

    def test_a_table_below_a_label_that_ends_its_line(self):
        text = (
            "市、区县（市）人力资源公共服务中心档案服务机构咨询电话：\n| 名称 | 电话 |\n| --- | --- |\n"
            "| 长沙市 | 0731-84420920 |\n| 芙蓉区 | 0731-84683265 |\n| 高新区 | 0731-88995120 |\n下一段"
        )
        assert consult_phone(text) == "长沙市：0731-84420920；芙蓉区：0731-84683265；高新区：0731-88995120"
        heading = "五、咨询电话\n| 名称 | 电话 |\n| --- | --- |\n| 市本级 | 0731-84907507 |\n| 雨花区 | 0731-85880549 |"
        assert consult_phone(heading) == "市本级：0731-84907507；雨花区：0731-85880549"

    def test_numbers_without_the_label_are_not_taken(self):
        assert (
            consult_phone("社保卡激活或信息变更后，到失业保险窗口或拨打电话0731-84907661申请备案，次月补发待遇。") == ""
        )
        assert consult_phone("寻找原招工材料、调配材料（原劳动局出具）：可咨询长沙市档案馆（电话：88668777）。") == ""
        assert consult_phone("长沙市各级劳动监察机构举报投诉电话：\n| 名称 | 电话 |\n| 长沙市 | 0731-84428020 |") == ""
        assert consult_phone("关于奖励金的相关事宜请咨询本人奖励金申报地的卫健部门。") == ""


class TestPromisedTimeLimit:
    """承诺办理时限: the office's own deadline, never one set for the citizen or another body."""

    def test_the_offices_review_time(self):
        text = "若符合以上条件网上申领失业待遇，审核时间为7个工作日，也可到现场办理。"
        assert promised_time_limit(text) == "7个工作日"
        assert promised_time_limit("社会保险经办机构自受理之日起15个工作日内办结。") == "15个工作日"
        assert promised_time_limit("经办机构应在十个工作日内作出是否同意的决定。") == "十个工作日"
        assert promised_time_limit("人社部门在5个工作日内完成审核并公示。") == "5个工作日"

    def test_deadlines_of_the_citizen_the_employer_or_another_body_are_not_promises(self):
        negatives = [
            # another body's deadline: the 镇农保办 sends the forms to the bank
            "并将《参保信息登记表》和户口簿、居民身份证复印件等材料在5个工作日内送邮储银行网点办理参保登记手续。",
            # the employer's
            "所在单位应当自事故伤害发生之日或者被诊断、鉴定为职业病之日起30日内，向统筹地区社会保险行政部门提出"
            "工伤认定申请。",
            # the citizen's
            "社保补缴和材料补充均需在自补贴发放起始月起27个月内完成，否则将影响补贴足额发放。",
            "如退休人员在超期6个月内，通过线上自助认证，系统自动恢复养老待遇发放。",
            "邮储银行网点在5个工作日内完成审核。",
            "申请人应在10个工作日内作出书面答复。",
        ]
        for text in negatives:
            assert promised_time_limit(text) == "", text

    def test_a_labelled_time_limit_comes_first(self):
        entry = ParsedEntry(key="x", position=1, question="?", answer="办理时限：3个工作日。审核时间为7个工作日。")
        fill_guide(entry)
        assert entry.promised_time_limit == "3个工作日"


@pytest.mark.django_db
class TestCardAndApi:
    def test_imported_entries_carry_their_consult_phone_and_time_limit(self, imported, client):
        q70 = Entry.objects.get(source__filename__startswith="000_", source_key="q70")
        assert q70.consult_phone == "0731-84907720、0731-84907725"
        page = get(client, f"/entries/{q70.pk}/")
        section = page.html.split('id="consult_phone-h"')[1].split("</section>")[0]
        assert "咨询电话</h2>" in section
        # Each number is tap-to-call on a phone.
        assert '<a class="tel" href="tel:073184907720"><span class="tel-number">0731-84907720</span></a>、' in section
        assert 'href="tel:073184907725"' in section
        guide = client.get(f"/api/entries/{q70.pk}/").json()["guide"]
        assert guide["consult_phone"] == "0731-84907720、0731-84907725"
        assert "咨询电话" not in guide["missing"]
        q46 = Entry.objects.get(source__filename__startswith="000_", source_key="q46")
        assert q46.consult_phone.startswith("市本级：0731-84907507；雨花区：0731-85880549；")
        assert q46.consult_phone.count("0731-") == 10
        q6 = Entry.objects.get(source__filename__startswith="000_", source_key="q6")
        assert client.get(f"/api/entries/{q6.pk}/").json()["guide"]["promised_time_limit"] == "7个工作日"
        # No label, no 咨询电话: an entry that only quotes a 备案 number keeps the element empty.
        q26 = Entry.objects.get(source__filename__startswith="000_", source_key="q26")
        assert q26.consult_phone == ""

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
