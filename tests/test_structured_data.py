"""schema.org JSON-LD on entry pages (faq.structured_data): it parses, its types are schema.org types with their
required properties, HowTo only for real procedures, GovernmentOffice for the offices, and the strict CSP
still holds (the block is data, not script)."""

import json
import re

import pytest

from faq.models import Entry
from tests.test_hardening_settings import allowed_inline_blocks, csp_directives

pytestmark = pytest.mark.django_db

LD_RE = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


def json_ld(client, entry):
    response = client.get(f"/entries/{entry.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    blocks = LD_RE.findall(html)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    assert data["@context"] == "https://schema.org"
    return (
        {node["@type"]: node for node in data["@graph"] if node["@type"] != "GovernmentOffice"},
        [node for node in data["@graph"] if node["@type"] == "GovernmentOffice"],
        response,
    )


def entry(prefix, key):
    return Entry.objects.get(source__filename__startswith=prefix, source_key=key)


def test_faq_page_with_question_and_accepted_answer(imported, client):
    q80 = entry("000_", "q80")
    nodes, offices, _ = json_ld(client, q80)
    assert set(nodes) == {"FAQPage"}  # no steps: no HowTo
    faq = nodes["FAQPage"]
    assert faq["url"].endswith(f"/entries/{q80.pk}/") and faq["url"].startswith("http")
    (question,) = faq["mainEntity"]
    assert question["@type"] == "Question" and question["name"] == q80.question
    assert question["acceptedAnswer"]["@type"] == "Answer"
    assert question["acceptedAnswer"]["text"] == q80.answer


def test_a_table_in_the_answer_is_plain_text_in_the_json_ld():
    from faq.structured_data import plain_answer

    text = "缴费比例如下：\n| 险种 | 单位 | 个人 |\n| --- | --- | --- |\n| 养老保险 | 16% | 8% |\n以公布为准。"
    assert plain_answer(text) == "缴费比例如下：\n险种，单位，个人\n养老保险，16%，8%\n以公布为准。"


def test_linked_offices_are_government_offices_with_address_and_telephone(imported, client):
    q80 = entry("000_", "q80")
    nodes, offices, _ = json_ld(client, q80)
    assert len(offices) == q80.offices.count() == 25
    by_name = {o["name"]: o for o in offices}
    centre = by_name["长沙市社会保障卡管理服务中心"]
    assert centre["address"]["@type"] == "PostalAddress"
    assert centre["address"]["streetAddress"] and centre["address"]["addressLocality"].startswith("长沙")
    assert centre["telephone"] == "0731-84159982"
    assert centre["url"].endswith(f"/offices/{q80.offices.get(name='长沙市社会保障卡管理服务中心').pk}/")
    # The FAQ page says which offices it is about.
    assert {ref["@id"] for ref in nodes["FAQPage"]["about"]} == {o["@id"] for o in offices}


def test_howto_only_for_a_real_procedure(imported, client):
    unit26 = entry("004_", "unit26")  # ten numbered steps
    nodes, _offices, _ = json_ld(client, unit26)
    howto = nodes["HowTo"]
    assert howto["name"] == unit26.question
    assert [s["position"] for s in howto["step"]] == list(range(1, 11))
    assert all(s["@type"] == "HowToStep" and s["text"] for s in howto["step"])
    # A 网办 menu path is not a procedure.
    registration = Entry.objects.get(city__slug="kunshan", question__contains="用人单位用工登记")
    nodes, _offices, _ = json_ld(client, registration)
    assert "HowTo" not in nodes


def test_office_hours_are_described_where_known(imported, client):
    item1 = entry("001_", "item1")  # 深圳社保个人服务中心: hours from the 办事指引
    _nodes, offices, _ = json_ld(client, item1)
    (office,) = offices
    assert "9:30" in office["hoursAvailable"]["description"]
    assert office["address"]["streetAddress"] == "深圳市福田区八卦岭工业区513栋2楼"


def test_answer_text_cannot_close_the_script_element_and_the_csp_holds(imported, client):
    q80 = entry("000_", "q80")
    q80.answer = "挂失后补办。</script><script>alert(1)</script> & 其他"
    q80.save()
    nodes, _offices, response = json_ld(client, q80)
    assert nodes["FAQPage"]["mainEntity"][0]["acceptedAnswer"]["text"] == q80.answer
    html = response.content.decode()
    assert "</script><script>alert(1)" not in html
    # No executable inline script was added: every inline block is data or allowed by the policy.
    assert [b for b in allowed_inline_blocks(html, csp_directives(response)) if not b[2]] == []
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
