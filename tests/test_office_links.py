"""Entries linked to the offices they send citizens to (linking rules, provenance, nearest first), and the
link_report command's share, over the five real sources."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from faq.actions import do_apply_link_rules, do_save_staff_edit
from faq.importer import import_parsed
from faq.models import Entry, EntryOffice, LinkRule, Office
from tests.test_pages import Page, get

pytestmark = pytest.mark.django_db


def entry(prefix, key):
    return Entry.objects.get(source__filename__startswith=prefix, source_key=key)


def test_entry_80_links_every_card_service_point(imported):
    q80 = entry("000_", "q80")
    points = set(Office.objects.filter(kind="社会保障卡服务网点").values_list("pk", flat=True))
    assert len(points) == 25
    links = EntryOffice.objects.filter(entry=q80)
    assert {link.office_id for link in links} == points
    assert {link.origin for link in links} == {EntryOffice.Origin.RULE}
    # 003's "社保卡丢了怎么办" (前往发卡银行) gets them too.
    assert set(entry("003_", "faq13").offices.values_list("pk", flat=True)) == points


def test_rules_link_by_kind_and_narrow_to_named_districts(imported):
    q6 = entry("000_", "q6")  # 芙蓉区、开福区、天心区、雨花区、岳麓区…失业保险经办窗口
    assert {o.kind for o in q6.offices.all()} == {"失业保险经办机构"}
    assert {o.district.name for o in q6.offices.all()} <= {"芙蓉区", "开福区", "天心区", "雨花区", "岳麓区"}
    q13 = entry("000_", "q13")  # 劳动保障监察: its own list, one office per place
    assert q13.offices.filter(kind="劳动保障监察机构").count() == 10
    q15 = entry("000_", "q15")
    assert q15.offices.filter(kind="档案服务机构").count() == 11


def test_entry_card_lists_nearest_points_first_and_links_to_all(imported, client):
    q80 = entry("000_", "q80")
    page = get(client, f"/entries/{q80.pk}/")
    more = [(h, t) for h, t in page.links if t == "查看全部 25 个网点"]
    assert len(more) == 1
    cards = page.html.count('class="card office-card"')
    assert cards == 4
    listing = get(client, more[0][0])
    assert listing.html.count('class="card office-card"') == 25

    response = client.get(f"/entries/{q80.pk}/", {"district": "ningxiang"})
    assert response.status_code == 200
    first = Page(response).html.split('class="card office-card"')[1]
    assert "宁乡市" in first
    assert response.cookies["district"].value == "ningxiang"
    # The remembered choice orders the next page too.
    again = client.get(f"/entries/{q80.pk}/")
    assert "宁乡市" in Page(again).html.split('class="card office-card"')[1]


def test_unknown_district_or_kind_is_a_400(imported, client):
    q80 = entry("000_", "q80")
    assert client.get(f"/entries/{q80.pk}/", {"district": "nowhere"}).status_code == 400
    assert client.get("/offices/", {"kind": "不存在的类别"}).status_code == 400
    assert client.get("/offices/", {"city": "atlantis"}).status_code == 400


def test_staff_links_survive_reimport_and_rule_changes(imported, parsed_sources, admin_user):
    q80 = entry("000_", "q80")
    arbitration = Office.objects.get(name="长沙市劳动人事争议仲裁委员会")
    a_point = q80.offices.filter(kind="社会保障卡服务网点").first()
    # Staff add an office and remove one rule link, through the admin's path (marks the entry edited).
    EntryOffice.objects.create(entry=q80, office=arbitration)  # the admin's default origin: staff
    q80.offices.remove(a_point)
    do_save_staff_edit(q80, admin_user)

    import_parsed(parsed_sources)
    do_apply_link_rules(admin_user)
    link = EntryOffice.objects.get(entry=q80, office=arbitration)
    assert link.origin == EntryOffice.Origin.STAFF
    assert not q80.offices.filter(pk=a_point.pk).exists()  # staff's removal stands


def test_a_rule_staff_add_is_applied_and_a_disabled_rule_is_undone(imported, admin_user):
    q35 = entry("000_", "q35")  # 湖南CA窗口: no rule knows it yet
    assert not q35.offices.exists()
    rule = LinkRule.objects.create(phrases="湖南CA窗口", office_name="长沙市人力资源和社会保障局政务服务中心")
    do_apply_link_rules(admin_user)
    assert list(q35.offices.values_list("name", flat=True)) == ["长沙市人力资源和社会保障局政务服务中心"]
    rule.active = False
    rule.save()
    do_apply_link_rules(admin_user)
    assert not q35.offices.exists()


def test_link_report_share(imported):
    out = StringIO()
    call_command("link_report", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["city"] == "changsha"
    # At least 90 % of the entries that send the citizen somewhere link an office or a local phone.
    assert report["sending"] >= 40 and report["share"] >= 0.9
    unlinked = {item["source_key"] for item in report["unlinked"]}
    assert "q80" not in unlinked and "faq13" not in unlinked
    # An 经办机构 that only acts ("经办机构将于次月暂停其养老保险待遇") sends nobody anywhere: counted only by
    # the literal measure (the 前往/窗口/网点/服务专柜/经办机构: 6 of 46 before linking).
    literal = {item["source_key"] for item in report["literal"]["unlinked"]}
    assert {"q13", "q16"} <= literal - unlinked
    assert report["literal"]["sending"] >= 45 and report["literal"]["share"] >= 0.88
    text = StringIO()
    call_command("link_report", stdout=text)
    # The readable report states both measures: the answers that send the citizen somewhere, and the literal
    # place words.
    lines = text.getvalue().splitlines()
    assert any(line.startswith("changsha 指引前往办事地点的条目: ") and "（" in line for line in lines)
    assert any(line.startswith("changsha 按字面匹配（前往/窗口/网点/服务专柜/经办机构）: ") for line in lines)
    assert "关联了办事机构或非12333电话" in text.getvalue()


def test_link_report_covers_every_city_and_rejects_an_unknown_one(imported):
    out = StringIO()
    call_command("link_report", "--city", "all", "--format", "json", stdout=out)
    reports = {r["city"]: r for r in json.loads(out.getvalue())}
    assert set(reports) == {"changsha", "shenzhen", "kunshan"}
    # 深圳's 办事指引: 退（转）保 is handled at the 社保个人服务中心, and the transfer entry links it.
    item16 = entry("001_", "item16")
    assert list(item16.offices.values_list("name", flat=True)) == ["深圳市社保个人服务中心"]
    assert "item16" not in {u["source_key"] for u in reports["shenzhen"]["unlinked"]}
    # A window the citizen once used ("在社保个人窗口登记的银行账户") is not a place the answer sends them to.
    assert "web1" not in {u["source_key"] for u in reports["shenzhen"]["unlinked"]}
    with pytest.raises(CommandError):
        call_command("link_report", "--city", "atlantis")
