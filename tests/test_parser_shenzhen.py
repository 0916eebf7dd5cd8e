"""001 深圳社保个人服务中心办事指引: the 26 items, the 社保服务个人网页 Q&A, the centre and its hotlines."""

import re
from pathlib import Path

import pytest

from faq.importer import run_import
from faq.models import Entry, Office, PhoneNumber
from faq.parsers import parser_for
from faq.parsers import shenzhen_guide as parser
from faq.parsers.base import chinese_to_int, cjk_punctuation

SOURCE = Path(__file__).resolve().parent.parent / "fixtures" / "sources" / "001_a2eee361475bec0d.txt"
OTHER_PLACES = ["360docs", "武汉", "淄博", "无锡", "镇江", "上海", "黑龙江", "阳东", "本地宝"]


@pytest.fixture(scope="module")
def doc():
    return parser.parse(SOURCE.read_text(encoding="utf-8"), SOURCE.name)


@pytest.fixture(scope="module")
def by_key(doc):
    return {e.key: e for e in doc.entries}


def entry_text(e):
    return "\n".join([e.question, e.answer, e.conditions, e.materials, e.location, *e.steps])


def test_registry_picks_this_parser():
    assert parser_for(SOURCE.name, SOURCE.read_text(encoding="utf-8")) is parser


def test_26_items_and_3_web_entries(doc):
    keys = [e.key for e in doc.entries]
    assert keys == [f"item{n}" for n in range(1, 27)] + ["web1", "web2", "web3"]
    assert [e.position for e in doc.entries] == list(range(1, 30))
    assert doc.city == "shenzhen" and doc.title == "深圳社保个人服务中心办事指引"
    assert {e.audience for e in doc.entries} == {"personal"}
    assert {tuple(e.topics) for e in doc.entries} == {("social-insurance-services",)}


def test_no_other_city_or_site_furniture(doc):
    for e in doc.entries:
        text = entry_text(e)
        for word in OTHER_PLACES:
            assert word not in text, (e.key, word)
        assert "点击查看" not in text and "相关文档" not in text and "最新文档" not in text
        assert "http" not in text, e.key


def test_titles_are_short_unique_and_from_the_text(doc, by_key):
    titles = [e.question for e in doc.entries]
    assert len(set(titles)) == len(titles)
    for e in doc.entries[:26]:
        assert 4 <= len(e.question) <= 30, e.question
        assert not re.search(r"[,:;?]", e.question), e.question  # full-width punctuation only
    assert by_key["item1"].question == "在哪里办理退（转）保、结算住房公积金业务"
    assert by_key["item3"].question == "身份证已过期怎么办"
    assert "服务热线" in by_key["item26"].question


def test_item_answers_keep_their_follow_on_paragraphs(by_key):
    six = by_key["item6"].answer.split("\n")
    assert len(six) == 2 and six[1].startswith("若因丢失或遗漏而未携带社保卡的员工前来退保")
    nine = by_key["item9"].answer.split("\n")
    assert len(nine) == 3 and nine[2].startswith("参保员工个人帐户上如有未到帐记录")
    assert by_key["item1"].answer.startswith("用人单位在特区内参保的员工")
    # Half-width punctuation between Chinese characters became full-width.
    assert "办理退（转）保、结算住房公积金业务在社保个人服务中心（福田区八卦岭513栋2楼，" in by_key["item1"].answer
    assert by_key["item10"].answer.count("，") >= 3 and "," not in by_key["item10"].answer


def test_hours_and_hotline_items(by_key):
    hours = by_key["item25"].answer
    assert "周一至周五上午9:30—12:00 下午2:00—5:00" in hours
    assert "周末、节假日不办公" in hours and "地址：深圳市八卦岭工业区513栋2楼" in hours
    assert [o.name for o in by_key["item25"].offices] == ["深圳市社保个人服务中心"]
    hotlines = by_key["item26"]
    assert hotlines.answer == "深圳市劳动保障局服务热线：12333\n社会保险基金管理中心服务热线：96888或25924503"
    assert [(p.number, p.label) for p in hotlines.phones] == [
        ("12333", "深圳市劳动保障局服务热线"),
        ("96888", "社会保险基金管理中心服务热线"),
        ("0755-25924503", "社会保险基金管理中心服务热线"),
    ]


def test_service_centre_office(doc):
    assert len(doc.offices) == 1
    office = doc.offices[0]
    assert office.name == "深圳市社保个人服务中心"
    assert office.address == "深圳市福田区八卦岭工业区513栋2楼"
    assert office.district == "福田区"
    assert office.hours == "周一至周五上午9:30—12:00 下午2:00—5:00；周末、节假日不办公"
    assert {p.number for p in office.phones} == {"96888", "0755-25924503"}


def test_standalone_hotlines(doc):
    assert [p.number for p in doc.phones] == ["12333", "96888", "0755-25924503"]
    assert doc.phones[0].label == "深圳市劳动保障局服务热线"
    assert doc.phones[2].raw == "25924503"


def test_web_entries(by_key):
    web1, web2, web3 = by_key["web1"], by_key["web2"], by_key["web3"]
    assert web1.question == "如何注册社保服务个人网页？"
    assert web2.question == "目前社保服务个人网页有什么功能？"
    assert web3.question == "注册成功后，如何打印本人的社保参保证明？"
    assert len(web1.steps) == 6
    assert web1.steps[0] == "通过互联网输入网址，显示“社会保险服务个人网页（试用版）”。"
    assert web1.steps[1].startswith("首次使用请点击“立即注册”")
    assert web1.steps[5].startswith("点击“完成”，系统提示注册成功并返回主页面")
    assert web1.answer.split("\n")[2].startswith("第三步，阅读并确认服务条款")
    assert web2.steps == [] and web2.answer.startswith("目前已经开通以下项目：一是生成和打印")
    # Cut short in the source: what is there is kept, the page furniture after it is not.
    assert "选择左列的“社保证明”" in web3.answer and web3.answer.endswith("……")
    assert web1.section.startswith("关于社保服务个人网页注册、使用及打印")


def test_cjk_punctuation_helper():
    assert cjk_punctuation("地址:深圳, 福田(八卦岭)?") == "地址：深圳，福田（八卦岭）？"
    assert cjk_punctuation("上午9:30—12:00 见 http://a.cn/x?y=1,2") == "上午9:30—12:00 见 http://a.cn/x?y=1,2"
    assert cjk_punctuation("(1)拨打电话") == "（1）拨打电话"
    assert [chinese_to_int(n) for n in ("一", "十", "十六", "二十", "二十六")] == [1, 10, 16, 20, 26]


@pytest.mark.django_db
def test_import_writes_shenzhen_records():
    report = run_import([SOURCE])
    entries = Entry.objects.filter(city__slug="shenzhen")
    assert entries.count() == 29 and report.get("entry", "created") == 29
    assert not entries.exclude(audience="personal").exists()
    web1 = entries.get(source_key="web1")
    assert list(web1.steps.values_list("order", flat=True)) == [1, 2, 3, 4, 5, 6]
    office = Office.objects.get(city__slug="shenzhen", name="深圳市社保个人服务中心")
    assert office.district.name == "福田区" and office.address == "深圳市福田区八卦岭工业区513栋2楼"
    assert set(office.phones.values_list("number", flat=True)) == {"96888", "0755-25924503"}
    standalone = PhoneNumber.objects.filter(source__filename=SOURCE.name)
    assert sorted(standalone.values_list("number", flat=True)) == ["0755-25924503", "12333", "96888"]
    item26 = entries.get(source_key="item26")
    assert sorted(item26.phones.values_list("number", flat=True)) == ["0755-25924503", "12333", "96888"]
    assert entries.get(source_key="item1").offices.get() == office
    assert set(entries.get(source_key="item22").topics.values_list("slug", flat=True)) >= {"pension"}
    for entry in entries:
        assert entry.topics.exists()
        for word in OTHER_PLACES:
            assert word not in entry.question + entry.answer

    again = run_import([SOURCE])
    assert not again.changed and again.get("entry", "unchanged") == 29
