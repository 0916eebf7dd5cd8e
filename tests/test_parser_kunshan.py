"""004 昆山人社高频业务线上办: 26 单位篇 + 20 个人篇 items with sections, conditions and steps."""

from pathlib import Path

import pytest

from faq import taxonomy
from faq.importer import run_import
from faq.models import Entry
from faq.parsers import kunshan_online as parser
from faq.parsers import parser_for
from faq.parsers.base import split_arrow_chain

SOURCE = Path(__file__).resolve().parent.parent / "fixtures" / "sources" / "004_93101f5e3e835c9c.txt"


@pytest.fixture(scope="module")
def doc():
    return parser.parse(SOURCE.read_text(encoding="utf-8"), SOURCE.name)


@pytest.fixture(scope="module")
def by_key(doc):
    return {e.key: e for e in doc.entries}


def test_registry_picks_this_parser():
    assert parser_for(SOURCE.name, SOURCE.read_text(encoding="utf-8")) is parser


def test_counts_keys_and_audiences(doc):
    units = [e for e in doc.entries if e.key.startswith("unit")]
    persons = [e for e in doc.entries if e.key.startswith("person")]
    assert [e.key for e in units] == [f"unit{n}" for n in range(1, 27)]
    assert [e.key for e in persons] == [f"person{n}" for n in range(1, 21)]
    assert len(doc.entries) == 46
    assert {e.audience for e in units} == {"employer"}
    assert {e.audience for e in persons} == {"personal"}
    assert [e.position for e in doc.entries] == list(range(1, 47))
    assert doc.city == "kunshan" and doc.title == "昆山人社高频业务线上办"
    assert len({e.question for e in doc.entries}) == 46


def test_unit1_steps_and_conditions(by_key):
    unit1 = by_key["unit1"]
    assert unit1.question == "用人单位用工登记"
    # A menu path of the 网办 hall: one 线上办理路径 linked to the hall, not five steps.
    assert unit1.steps == []
    assert unit1.online_path == "江苏人社网上办事服务大厅 → 单位办事 → 社会保险 → 社会保险登记 → 用人单位用工参保登记"
    assert unit1.online_url == "https://rs.jshrss.jiangsu.gov.cn"
    assert unit1.conditions == "用人单位与劳动者签订劳动合同"
    assert unit1.answer == (
        "办理条件：用人单位与劳动者签订劳动合同\n"
        "线上办理路径：江苏人社网上办事服务大厅 → 单位办事 → 社会保险 → 社会保险登记 → 用人单位用工参保登记"
    )
    assert by_key["unit13"].question == "机关事业单位养老保险待遇预发"  # "13. " had a space
    assert by_key["unit3"].conditions == ""


def test_multi_line_flows(by_key):
    person9 = by_key["person9"]
    assert len(person9.steps) == 3 and person9.steps[0] == "登录江苏智慧人社APP提交补贴申请"
    assert "“首页→服务→就业创业→就业补贴→失业保险参保职工技能提升补贴申领”" in person9.steps[1]
    person11 = by_key["person11"]
    assert len(person11.steps) == 2
    assert person11.steps[0].startswith("拨打电话12333")
    assert person11.steps[1].startswith("登陆网上调解平台") and "http://jshrss.jiangsu.gov.cn" in person11.steps[1]
    assert [(p.number, p.label) for p in person11.phones] == [("12333", "12333电话咨询服务中心")]
    # Notes after a one-line flow go into the answer, not the steps.
    person13 = by_key["person13"]
    assert (
        person13.steps == [] and person13.online_path == "江苏智慧人社APP → 服务 → 社会保障卡 → 社会保障卡个人首次申请"
    )
    assert person13.online_url == ""  # an app, not the hall's address
    assert person13.answer.endswith("申请办理的社保卡将在规定时间内通过中国邮政速递EMS以到付的方式送达您指定的收件地址")
    person12 = by_key["person12"]
    assert (
        person12.online_path
        == "江苏省人力资源和社会保障厅网址：http://jshrss.jiangsu.gov.cn → 点击“我要办” → 劳动人事争议仲裁申请"
    )
    assert "为提高仲裁案件受理效率" in person12.answer
    assert len(by_key["unit26"].steps) == 10
    assert by_key["person10"].steps[0] == "全国专业技术人员资格考试报名服务平台（http://zg.cpta.com.cn/examfront）"


def test_phones_only_where_a_number_is_to_be_dialled(doc):
    with_phones = [e.key for e in doc.entries if e.phones]
    assert with_phones == ["person11"]  # "掌上12333APP" in person2 is an app's name


def test_sections_and_topic_hints(by_key, doc):
    slugs = {slug for slug, *_ in taxonomy.TOPICS}
    for e in doc.entries:
        assert e.section in parser.SECTIONS
        assert len(e.topics) == 1 and e.topics[0] in slugs
    expected = {
        "unit1": ("社会保险", "employer-services"),
        "unit9": ("社会保险", "work-injury"),
        "unit12": ("社会保险", "pension"),
        "unit19": ("社会保险", "pension"),
        "unit20": ("就业创业", "employment"),
        "unit22": ("人才人事", "training"),
        "person1": ("社会保险", "social-insurance-services"),
        "person2": ("社会保险", "pension"),
        "person3": ("社会保险", "rural-pension"),
        "person5": ("社会保险", "unemployment"),
        "person9": ("人才人事", "training"),
        "person11": ("劳动关系", "labour-relations"),
        "person14": ("社会保障卡", "social-security-card"),
        "person20": ("职业培训", "training"),
    }
    for key, (section, topic) in expected.items():
        assert (by_key[key].section, by_key[key].topics) == (section, [topic]), key


def test_intro_and_closing_are_not_entries(doc):
    for e in doc.entries:
        text = "\n".join([e.question, e.answer, e.conditions, *e.steps])
        for word in ("声明", "来源：", "审核：", "责编", "昆小融", "疫情", "rs.jshrss.jiangsu.gov.cn"):
            assert word not in text, (e.key, word)
        assert "," not in text and ":" not in text.replace("http://", "").replace("https://", "")


def test_arrow_chain_variants():
    assert split_arrow_chain("A → “B” —C→ D") == ["A", "B", "C", "D"]


@pytest.mark.django_db
def test_import_writes_kunshan_records():
    report = run_import([SOURCE])
    entries = Entry.objects.filter(city__slug="kunshan")
    assert entries.count() == 46 and report.get("entry", "created") == 46
    assert entries.filter(audience="employer").count() == 26
    assert entries.filter(audience="personal").count() == 20
    unit1 = entries.get(source_key="unit1")
    assert not unit1.steps.exists() and unit1.online_path.startswith("江苏人社网上办事服务大厅 → 单位办事")
    assert unit1.conditions == "用人单位与劳动者签订劳动合同" and unit1.source_section == "社会保险"
    assert "employer-services" in unit1.topics.values_list("slug", flat=True)
    assert "social-security-card" in entries.get(source_key="person15").topics.values_list("slug", flat=True)
    assert list(entries.get(source_key="person11").phones.values_list("number", flat=True)) == ["12333"]
    assert not entries.filter(answer__contains="声明").exists()

    again = run_import([SOURCE])
    assert not again.changed and again.get("entry", "unchanged") == 46
