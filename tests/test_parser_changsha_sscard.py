"""003 长沙 社会保障卡: news entry, 办理指南 items, 常见问题, office list, and the import into the database."""

from pathlib import Path

import pytest

from faq.importer import run_import
from faq.models import Entry, Office, PhoneNumber, SourceDocument
from faq.parsers import changsha_sscard, parser_for

SOURCE = Path(__file__).resolve().parent.parent / "fixtures" / "sources" / "003_38d9b0649b1b060b.txt"
NOISE = [
    "煮蛋器厂家",
    "免费服务热线",
    "Free service",
    "hotline",
    "010-00000000",
    "热门搜索",
    "行业资讯",
    "当前位置",
    "发布时间",
    "来源",
    "萌三国破解版",
    "创世仙缘手游",
    "大汉龙腾安卓版",
    "菲狐倚天情缘无限版",
    "本版撰文",
    "陈登辉",
    "本版图片",
    "小刘军",
    "【消息】",
]


@pytest.fixture(scope="module")
def doc():
    text = SOURCE.read_text(encoding="utf-8")
    assert parser_for(SOURCE.name, text) is changsha_sscard
    return changsha_sscard.parse(text, SOURCE.name)


@pytest.fixture(scope="module")
def by_key(doc):
    return {e.key: e for e in doc.entries}


@pytest.fixture(scope="module")
def offices(doc):
    return {o.name: o for o in doc.offices}


def test_document_header_and_counts(doc):
    assert doc.city == "changsha"
    assert doc.title == "长沙市社会保障卡服务指南"
    keys = [e.key for e in doc.entries]
    assert keys == ["news", *(f"guide{n}" for n in range(1, 7)), *(f"faq{n}" for n in range(1, 19))]
    assert [e.position for e in doc.entries] == list(range(1, 26))
    assert len(doc.offices) == 25
    assert all(e.audience == "personal" and "social-security-card" in e.topics for e in doc.entries)


def test_faq_sections(doc):
    sections = [e.section for e in doc.entries if e.key.startswith("faq")]
    assert sections == ["关于社保卡"] * 4 + ["关于领取社保卡"] + ["关于办理社保卡"] * 7 + ["关于使用社保卡"] * 6


def test_faq_questions_and_answers(by_key):
    assert by_key["faq1"].question == "社保卡是什么样子？"
    assert by_key["faq10"].question == "为什么我的社保卡会在外地？我在长沙还能办理社保卡吗？"
    assert by_key["faq18"].question == "社保卡密码是多少？"
    assert by_key["faq9"].answer == "社保卡初次申办需本人到场。"
    assert by_key["faq4"].answer.startswith("长沙市人社局发布了长人社发（2017）23号文件，")
    # #5 has four paragraphs.
    assert len(by_key["faq5"].answer.split("\n")) == 4
    assert by_key["faq18"].answer.endswith("修改密码可前往发卡银行社保卡专柜办理。")


def test_faq7_keeps_its_own_numbered_list(by_key):
    faq7 = by_key["faq7"]
    assert faq7.question == "未成年人如何办理社保卡？"
    lines = faq7.answer.split("\n")
    assert lines[0].endswith("具体要求如下：")
    assert lines[1].startswith("1. 父母是户主的，需提供父母（在同一家庭户口簿内的）有效身份证")
    assert lines[2].startswith("2. 父母不是户主的，")
    assert lines[3] == "七岁以下未成年人暂缓办理。"
    assert by_key["faq8"].question == "在哪里办理社保卡？"


def test_guide_items(doc):
    guides = [e for e in doc.entries if e.key.startswith("guide")]
    assert [g.question for g in guides] == [
        "社会保障卡个人申领",
        "社保密码修改及解锁",
        "社会保障卡金融密码修改及解锁",
        "社会保障卡挂失",
        "社会保障卡补换卡",
        "社会保障卡异常卡重新制卡",
    ]
    assert all(g.section == "社会保障卡日常业务办理指南" and g.materials for g in guides)
    first = guides[0]
    assert first.location == "任一社会保障卡中心服务窗口"
    assert first.materials == "二代身份证（港澳台居民请携带来往大陆/内地通行证，外籍人士请携带护照）"
    assert first.answer == (
        "受理地点：任一社会保障卡中心服务窗口\n"
        "所需资料：二代身份证（港澳台居民请携带来往大陆/内地通行证，外籍人士请携带护照）"
    )
    assert guides[1].location == "任一社会保障卡中心服务窗口、任一合作银行网点社会保障卡服务专柜"
    assert guides[2].location == "任一发卡银行网点柜台"
    assert guides[3].materials == "二代身份证（未满16周岁且未办理身份证的未成年人可凭户口本）"
    assert guides[4].location == "原书面挂失银行网点社会保障卡服务柜台"
    assert all(not g.steps for g in guides[:5])


def test_abnormal_card_steps(by_key):
    item = by_key["guide6"]
    assert item.steps == [
        "先到任一社会保障卡中心服务窗口办理信息更改业务",
        "随后凭业务回执单前往发卡银行开户网点社会保障卡服务专柜进行金融及社保账户注销业务",
        "最后致电业务受理的办卡大厅要求重新制卡",
    ]
    assert item.materials == "二代身份证、错卡复印件及信息更改证明（未满16周岁且未办理身份证的未成年人可凭户口本）"
    assert item.answer.startswith("参保人员领卡时，发现照片、姓名或身份证号码等个人基础信息与卡面信息不符的为异常卡。")
    assert "\n2. 随后凭业务回执单" in item.answer and "\n所需资料：二代身份证" in item.answer


def test_news_entry_is_clean(by_key):
    news = by_key["news"]
    assert news.question == "2018年1月1日开始所有长沙参保人员必须凭社保卡享受待遇"
    paragraphs = news.answer.split("\n")
    assert paragraphs[0].startswith("2017年5月1日起，长沙市正式启用社保卡")
    assert "医疗、工伤、生育登记结算时使用的密码是社保账户密码" in news.answer
    # Lede and photo caption repeat sentences of the article; each sentence appears once.
    assert news.answer.count("目前全市已制卡超过640万张") == 1
    assert news.answer.count("微信和支付宝平台发挥了巨大作用") == 1


def test_central_office(offices):
    centre = offices["长沙市社会保障卡管理服务中心"]
    assert centre.address == "芙蓉区建湘路151号长沙银行华龙支行2楼"
    assert centre.district == "芙蓉区"
    assert centre.kind == "社会保障卡服务网点"
    assert [(p.number, p.label, p.district) for p in centre.phones] == [
        ("0731-84159982", "长沙市社会保障卡管理服务中心", "芙蓉区")
    ]


def test_office_with_two_phones(offices):
    tianxin = offices["天心区社会保障卡管理服务中心"]
    assert tianxin.district == "天心区"
    assert [p.number for p in tianxin.phones] == ["0731-85894188", "0731-85899272"]
    assert [p.raw for p in tianxin.phones] == ["85894188", "85899272"]
    assert [p.number for p in offices["宁乡市社会保障卡管理服务中心"].phones] == ["0731-88981921", "0731-88981922"]


def test_office_districts(doc, offices):
    districts = [o.district for o in doc.offices]
    assert districts.count("宁乡市") == 6
    assert districts.count("岳麓区") == 6  # 华丰受理点 is in 岳麓区 by its address
    assert offices["高新区社会保障卡管理服务中心"].district == "高新区"
    assert offices["长沙县社会保障卡管理服务中心路口分中心"].district == "长沙县"
    # Name says 宁乡市, address does not.
    assert offices["宁乡市社会保障卡管理服务中心农商银行黄材支行分中心"].address == "黄材镇青羊村"
    assert offices["浏阳市社会保障卡管理服务中心"].address == "浏阳市市民之家二楼（浏阳市白沙东路8号市公安局对面）"
    assert all(o.district and o.address and o.phones for o in doc.offices)
    assert all(p.number.startswith("0731-") and len(p.number) == 13 for o in doc.offices for p in o.phones)


def test_no_noise_in_any_entry_or_office(doc):
    texts = []
    for e in doc.entries:
        texts += [e.question, e.answer, e.conditions, e.materials, e.location, e.section, *e.steps]
    for o in doc.offices:
        texts += [o.name, o.address, o.hours, *(p.label for p in o.phones)]
    for text in texts:
        for word in NOISE:
            assert word not in text, (word, text[:40])
    assert not any(o.name in ("长沙市社保卡", "管理服务大厅联络表", "常见问题答疑") for o in doc.offices)


@pytest.mark.django_db
def test_import_writes_entries_offices_and_phones():
    report = run_import([SOURCE])
    assert report.get("entry", "created") == 25
    # The 25 service points, and the 4 offices other 长沙 answers name (faq/data/offices.json).
    assert report.get("office", "created") == 29
    source = SourceDocument.objects.get(filename=SOURCE.name)
    assert Entry.objects.filter(source=source).count() == 25
    assert Office.objects.filter(source=source).count() == 25
    assert PhoneNumber.objects.filter(office__source=source).count() == 27

    centre = Office.objects.get(name="长沙市社会保障卡管理服务中心")
    assert centre.city.slug == "changsha" and centre.district.name == "芙蓉区"
    assert centre.address == "芙蓉区建湘路151号长沙银行华龙支行2楼"
    phone = centre.phones.get()
    assert (phone.number, phone.label, phone.district.name) == ("0731-84159982", centre.name, "芙蓉区")
    assert Office.objects.filter(source=source, district__name="宁乡市").count() == 6

    guide = Entry.objects.get(source=source, source_key="guide6")
    assert [s.text for s in guide.steps.order_by("order")][0] == "先到任一社会保障卡中心服务窗口办理信息更改业务"
    assert Entry.objects.get(source=source, source_key="guide1").location == "任一社会保障卡中心服务窗口"

    again = run_import([SOURCE])
    assert not again.changed
    assert again.get("entry", "unchanged") == 25 and again.get("office", "unchanged") == 29
    assert PhoneNumber.objects.filter(office__source=source).count() == 27
