"""000 长沙12333热点问题: the parser against the real source file, and one import into the database."""

from pathlib import Path

import pytest

from faq.parsers import changsha_hotspot, parser_for
from faq.parsers.base import split_inline_items

SOURCE = Path(__file__).resolve().parent.parent / "fixtures" / "sources" / "000_79b8e4699b12fd67.txt"


@pytest.fixture(scope="module")
def doc():
    text = SOURCE.read_bytes().decode("utf-8-sig")
    return changsha_hotspot.parse(text, SOURCE.name)


@pytest.fixture(scope="module")
def entries(doc):
    return {e.position: e for e in doc.entries}


def phones_by_label(entry):
    return {p.label: p for p in entry.phones}


def test_registry_picks_this_parser():
    text = SOURCE.read_bytes().decode("utf-8-sig")
    assert parser_for(SOURCE.name, text) is changsha_hotspot


def test_document_header(doc):
    assert (doc.title, doc.city, doc.filename) == ("长沙12333热点问题", "changsha", SOURCE.name)


def test_ninety_entries_in_order(doc):
    assert len(doc.entries) == 90
    assert [e.key for e in doc.entries] == [f"q{n}" for n in range(1, 91)]
    assert [e.position for e in doc.entries] == list(range(1, 91))
    assert all(e.question and e.answer for e in doc.entries)
    assert not any(e.answer.startswith("答") for e in doc.entries)


def test_question_75_without_comma(entries):
    assert entries[75].question == (
        "又到了招聘、应聘旺季，请问用人单位和求职者可以在哪里查到由长沙市就业服务中心发布的求职和招聘信息？"
    )
    assert entries[75].answer.startswith("企业和求职者可在“长沙人社”微信订阅号")


def test_questions_are_trimmed(entries):
    assert entries[5].question == "我退休好多年了，为什么这个月的养老金还没有发呀？"


def test_entry_3_arrow_steps_and_single_notice(entries):
    e = entries[3]
    assert e.steps == [
        "登录长沙市12333公共服务平台(http://www.cs12333.com)",
        "查询需要打印的参保信息",
        "生成参保证明",
        "填写用途",
        "打印参保证明",
    ]
    assert e.answer.count("注意：成功打印的参保证明带有“参保证明专用章”") == 1
    assert e.audience == "general"  # 参保单位/参保人


def test_entry_12_offices_and_two_steps(entries):
    e = entries[12]
    offices = [(o.name, o.address, o.district, o.kind) for o in e.offices]
    assert offices == [
        ("市失业保险中心", "芙蓉中路一段669号市人社局二楼政务中心30号窗口", "", "失业保险经办机构"),
        ("市政务中心", "岳麓区金星路市政府二办市政务中心一楼A34号窗口", "岳麓区", "失业保险经办机构"),
        ("芙蓉区经办机构", "芙蓉区人民东路189号区政务服务中心26号窗口", "芙蓉区", "失业保险经办机构"),
        ("天心区经办机构", "天心区湘府中路258号区政务服务中心19号窗口", "天心区", "失业保险经办机构"),
        ("雨花区经办机构", "雨花区朝晖路499号区人社局二楼大厅11号窗口", "雨花区", "失业保险经办机构"),
        ("开福区经办机构", "开福区盛世路1号区政务服务中心15窗口", "开福区", "失业保险经办机构"),
        ("岳麓区经办机构", "岳麓区金星北路517号区政务服务中心34号窗口", "岳麓区", "失业保险经办机构"),
    ]
    assert len(e.steps) == 2
    assert e.steps[0] == "进行失业登记，到户口所在地、常住地或单位所在地社区进行失业登记"
    assert e.steps[1].startswith("可以通过 “湖南智慧人社”APP")
    # The source table stays a table in the answer.
    assert "| 序号 | 机构名称 | 地址 |" in e.answer
    assert "| 3 | 芙蓉区经办机构 | 芙蓉区人民东路189号区政务服务中心26号窗口 |" in e.answer


def test_entry_13_labour_inspection_offices(entries):
    # The list names the 劳动保障监察 offices, one per place, each reachable by its complaint line.
    e = entries[13]
    assert e.phones == []
    offices = {o.name: o for o in e.offices}
    assert len(offices) == 10
    assert {o.kind for o in e.offices} == {"劳动保障监察机构"}
    furong = offices["芙蓉区劳动保障监察机构"]
    assert furong.district == "芙蓉区"
    assert [(p.number, p.label, p.raw) for p in furong.phones] == [
        ("0731-82293155", "芙蓉区劳动保障监察举报投诉电话", "82293155")
    ]
    assert offices["长沙市劳动保障监察机构"].district == ""
    assert offices["长沙市劳动保障监察机构"].phones[0].number == "0731-84428020"
    assert {o.district for o in e.offices} == {
        "",
        "芙蓉区",
        "天心区",
        "岳麓区",
        "开福区",
        "雨花区",
        "望城区",
        "长沙县",
        "浏阳市",
        "宁乡市",
    }
    assert "| 芙蓉区 | 0731-82293155 |" in e.answer
    assert e.audience == "personal"  # 员工应如何投诉维权
    assert "身份证原件及复印件" in e.materials


def test_entry_15_archive_offices_and_materials(entries):
    e = entries[15]
    assert e.phones == []
    offices = {o.name: o for o in e.offices}
    assert len(offices) == 11 and {o.kind for o in e.offices} == {"档案服务机构"}
    gaoxin = offices["高新区档案服务机构"]
    assert (gaoxin.district, gaoxin.phones[0].number) == ("高新区", "0731-88995120")
    assert gaoxin.phones[0].label == "高新区档案服务机构咨询电话"
    assert offices["长沙市档案服务机构"].district == ""
    assert e.materials.splitlines() == [
        "1. 长沙市常住人口提供户口簿内页或长沙市集体户口登记卡原件，或与长沙市非公单位签订的《劳动合同》原件"
        "（应届毕业生可提供《就业协议书》原件）",
        "2. 有效身份证件原件",
        "3. 原单位辞职、辞退或解除（终止）劳动合同（聘用合同）证明原件（限机关事业或国有企业单位职工）",
    ]
    # "--在线办理" is a single link, not a procedure.
    assert e.steps == []


def test_entry_31_benefit_duration_table(entries):
    answer = entries[31].answer
    lines = answer.splitlines()
    header = lines.index("| 累计缴费时间 | 领金期限 |")
    assert lines[header + 1] == "| --- | --- |"
    rows = lines[header + 2 :]
    assert len(rows) == 11
    assert rows[0] == "| 满1年不足2年 | 4个月 |"
    assert rows[-1] == "| 11年及以上 | 24个月 |"
    # The "2." glued to the end of item 1 by spaces starts its own line.
    assert lines[1].startswith("2.失业人员领取失业保险金的期限")


def test_entry_44_health_commission_phones(entries):
    e = entries[44]
    labels = phones_by_label(e)
    assert len(e.phones) == 11
    assert (labels["芙蓉区卫健局人口家庭科"].number, labels["芙蓉区卫健局人口家庭科"].district) == (
        "0731-84683546",
        "芙蓉区",
    )
    assert labels["省卫健委人口家庭处"].district == ""
    assert labels["长沙市卫健委人口家庭处"].district == ""
    assert labels["宁乡市卫健局"].number == "0731-87857716"


def test_entry_46_certification_phones(entries):
    e = entries[46]
    by_district = {p.district: p.number for p in e.phones}
    assert len(e.phones) == 10
    assert by_district["雨花区"] == "0731-85880549"
    assert by_district["望城区"] == "0731-88524223"
    assert by_district["湘江新区"] == "0731-88999321"
    assert any(p.label.startswith("市本级") and p.number == "0731-84907507" and not p.district for p in e.phones)
    assert e.audience == "personal"


def test_single_phones_get_labels(entries):
    assert [(p.number, p.label) for p in entries[5].phones] == [("0731-84907513", "养老金咨询电话")]
    assert [(p.number, p.label) for p in entries[43].phones] == [("0731-84907978", "长沙市人社局专技处")]
    assert [p.number for p in entries[60].phones] == ["0731-84420920"]
    assert entries[60].phones[0].label
    assert phones_by_label(entries[85])["长沙市档案馆"].number == "0731-88668777"
    assert (
        phones_by_label(entries[79])["生存认证咨询电话（长沙市人力资源和社会保障局901办公室）"].number
        == "0731-84907513"
    )
    # 12333 in 长沙市12333公共服务平台 is part of a name, not a phone.
    assert entries[3].phones == []


def test_entry_59_arbitration_offices(entries):
    e = entries[59]
    assert len(e.offices) == 11
    assert all(o.kind == "劳动人事争议仲裁委员会" for o in e.offices)
    by_name = {o.name: o for o in e.offices}
    yuhua = by_name["雨花区劳动人事争议仲裁委员会"]
    assert (yuhua.address, yuhua.district) == ("雨花区朝晖东路499号", "雨花区")
    assert [(p.number, p.label) for p in yuhua.phones] == [("0731-85880234", "雨花区劳动人事争议仲裁委员会")]
    assert by_name["湖南省劳动人事争议仲裁委员会"].district == "天心区"  # from its address
    assert by_name["长沙市劳动人事争议仲裁委员会"].district == "芙蓉区"
    assert by_name["长沙市劳动人事争议仲裁委员会河西庭"].district == "岳麓区"
    assert by_name["芙蓉区劳动人事争议仲裁委员会"].address == "人民东路189号芙蓉区人民政府政务中心3楼"
    # The office list is not repeated line by line in the answer, and not as loose entry phones.
    assert "地址：" not in e.answer and "85880234" not in e.answer
    assert "长沙地区各级劳动人事争议仲裁委员会联系地址及电话见下方办理地点" in e.answer
    assert e.phones == []


def test_step_markers(entries):
    assert entries[40].steps[0] == "下载智慧人社APP或在微信里搜索“智慧人社”公众号"
    assert entries[40].steps[2] == "将首页拉到最下方，点击右下角“+”（加号）选项，进入“菜单定制”页面"
    assert len(entries[40].steps) == 5
    steps_89 = entries[89].steps
    assert len(steps_89) == 2
    assert steps_89[0].startswith("注册：登录长沙人社12333，找到单位参保（补充）登记入口")
    assert steps_89[1].startswith("录入单位信息：录入单位基本信息")
    assert entries[79].steps == [
        "手机应用市场下载安装",
        "用户注册",
        "用户登录",
        "模块进入点击首页：“退休待遇领取资格认证”模块，按提示完成",
    ]


def test_entry_89_converter_numbering_repaired(entries):
    answer = entries[89].answer
    assert "\n1. 登录长沙人社12333" in answer
    assert "\n6. 输入正确的用户名、密码登录。登录成功后进行参保登记信息录入。\n" in answer
    assert "人员减少" not in answer


def test_dash_chains_and_other_procedures(entries):
    assert entries[53].steps[0] == "“掌上12333”APP：登录 → “服务” → “社会保障卡” → “实体卡” → “社会保障卡启用”"
    assert len(entries[53].steps) == 3
    assert entries[70].steps == ["企业提交相关证件", "资质审核", "审核通过后网站预约", "发布岗位信息", "签到招聘"]
    assert entries[17].steps[-1] == "领取人社部门颁发的《创业培训合格证书》"
    assert len(entries[35].steps) == 6  # 途径二 online; 途径一's list is materials
    # A menu path inside quotes is not the procedure.
    assert entries[77].steps == []


def test_condition_lists_are_not_steps(entries):
    for n in (1, 6, 22):
        assert entries[n].steps == []
        assert entries[n].conditions
    assert "1.国内普通高校毕业生" in entries[1].conditions
    cond_6 = entries[6].conditions.splitlines()
    assert cond_6[0] == "失业补助金办理条件："
    assert len(cond_6) == 5
    assert cond_6[-1] == "4.有湖南省内办理的社保卡且已激活。"
    assert "（11）新市民。" in entries[22].conditions
    assert entries[19].conditions.startswith("市本级及内五区除机关事业单位以外")


def test_materials(entries):
    assert entries[61].materials.splitlines()[0].startswith("1.《长沙市劳动能力鉴定申请表》原件")
    assert len(entries[61].materials.splitlines()) == 3
    assert entries[35].materials.splitlines()[0].startswith("（1）《湖南CA单位数字证书业务申请表与责任书》")
    assert entries[54].materials.startswith("《单位注销申请表》（加盖公章）")
    assert entries[61].steps == []


def test_audience(entries):
    for n in (35, 50, 54, 87, 89, 90, 19, 42, 70):
        assert entries[n].audience == "employer", n
    for n in (5, 6, 9, 11, 13, 20, 24, 40, 46, 62, 85):
        assert entries[n].audience == "personal", n
    for n in (3, 12, 31, 75):
        assert entries[n].audience == "general", n


def test_no_noise_anywhere(doc):
    for e in doc.entries:
        texts = [e.question, e.answer, e.conditions, e.materials, *e.steps]
        texts += [p.label for p in e.phones] + [o.name + o.address for o in e.offices]
        for text in texts:
            for noise in ("[bookmark", "[image", "IMG_", "\t", "OLE_LINK"):
                assert noise not in text, (e.key, noise)
            assert all(line == line.strip() for line in text.splitlines()), e.key


def test_topics_left_to_importer(doc):
    assert all(e.topics == [] for e in doc.entries)


def test_split_inline_items_ignores_decimals():
    assert split_inline_items("1.甲；2.乙。后文") == ["甲", "乙"]
    assert split_inline_items("1.增加1.2元，再增加1.4%") == ["增加1.2元，再增加1.4%"]


def test_bad_numbering_is_a_parse_error():
    from faq.parsers.base import ParseError

    with pytest.raises(ParseError):
        changsha_hotspot.parse("热点问题1、甲？\n答：乙\n热点问题3、丙？\n答：丁\n", "x.txt")


@pytest.mark.django_db
def test_import_writes_records_and_second_run_is_unchanged(doc):
    from faq.importer import run_import
    from faq.models import Entry, Office, PhoneNumber

    first = run_import([SOURCE])
    assert first.get("entry", "created") == 90
    assert Entry.objects.filter(source__filename=SOURCE.name).count() == 90
    # 7 失业保险 + 11 仲裁 offices, 10 劳动监察 + 11 档案 from the phone lists, 4 named in answers
    # (faq/data/offices.json).
    assert Office.objects.count() == 43
    entry_phones = sum(len(e.phones) for e in doc.entries)
    assert PhoneNumber.objects.filter(entry__isnull=False).count() == entry_phones
    assert PhoneNumber.objects.filter(office__isnull=False).count() == 34
    assert PhoneNumber.objects.count() == entry_phones + 34

    furong = PhoneNumber.objects.get(label="芙蓉区劳动保障监察举报投诉电话")
    assert (furong.number, furong.district.name, furong.office.name) == (
        "0731-82293155",
        "芙蓉区",
        "芙蓉区劳动保障监察机构",
    )
    assert Entry.objects.get(source_key="q13").offices.count() == 10
    yuhua = Office.objects.get(name="雨花区劳动人事争议仲裁委员会")
    assert (yuhua.district.name, [p.number for p in yuhua.phones.all()]) == ("雨花区", ["0731-85880234"])
    q12 = Entry.objects.get(source_key="q12")
    assert q12.offices.count() == 7
    assert [s.text for s in q12.steps.order_by("order")][0].startswith("进行失业登记")

    second = run_import([SOURCE])
    assert second.get("entry", "created") == 0
    assert second.get("entry", "unchanged") == 90
    assert not second.changed
    assert Entry.objects.count() == 90 and Office.objects.count() == 43
    assert PhoneNumber.objects.count() == entry_phones + 34
