"""002 长沙 城乡居民基本养老保险常见问题解答: parser output and import into the database."""

from pathlib import Path

import pytest

from faq.importer import run_import
from faq.models import Entry, SourceDocument
from faq.parsers import changsha_rural_pension, parser_for

SOURCE = Path(__file__).resolve().parent.parent / "fixtures" / "sources" / "002_47b1b9a0f8db3381.txt"
NOISE = [
    "无忧保",
    "个人社保网",
    "0571-22931819",
    "标签",
    "声明",
    "qq:",
    "QQ群",
    "shebaoonline",
    "长沙12333为市民解答",
    "荣誉",
    "城乡居保缴费越高实惠越多",
    "宣传月",
    "答:",
    "答：",
]


@pytest.fixture(scope="module")
def doc():
    text = SOURCE.read_text(encoding="utf-8")
    assert parser_for(SOURCE.name, text) is changsha_rural_pension
    return changsha_rural_pension.parse(text, SOURCE.name)


@pytest.fixture(scope="module")
def by_key(doc):
    return {e.key: e for e in doc.entries}


def entry_texts(entry):
    return [entry.question, entry.answer, entry.conditions, entry.materials, entry.location, entry.section]


def test_document_header(doc):
    assert doc.city == "changsha"
    assert doc.title == "长沙城乡居民基本养老保险常见问题解答"
    assert doc.offices == [] and doc.phones == []


def test_sixteen_numbered_entries_in_order(doc):
    assert [e.key for e in doc.entries] == [f"q{n}" for n in range(1, 17)]
    assert [e.position for e in doc.entries] == list(range(1, 17))
    assert all(e.audience == "personal" and e.topics == ["rural-pension"] for e in doc.entries)


def test_sections_without_inner_spaces(doc):
    sections = [e.section for e in doc.entries]
    assert sections == ["参保"] * 3 + ["缴费"] * 6 + ["待遇"] * 7


def test_questions_lose_their_number_and_get_full_width_punctuation(by_key):
    assert by_key["q1"].question == "哪些人可以参加我市城乡居民基本养老保险？"
    assert by_key["q3"].question == "办理参保登记时，需要提供哪些资料？"
    assert by_key["q5"].question == "政府对居民参保缴费有补贴吗？补贴标准是多少？"
    assert by_key["q16"].question == "待遇领取人员未参加资格认证的将作何处理？"


def test_answers_drop_the_answer_prefix(by_key):
    assert by_key["q2"].answer == "到户籍所在地的村（社区）、乡镇（街道）或者区县（市）经办机构办理参保登记。"
    assert by_key["q4"].answer.startswith("长沙市城乡居民基本养老保险共有14个档次的缴费标准：100元、200元")
    assert "具体补贴标准为：100元补贴30元，200元补贴40元" in by_key["q5"].answer


def test_inline_sub_items_go_on_their_own_lines(by_key):
    assert by_key["q3"].answer.split("\n") == [
        "（1）本人第二代身份证原件及复印件；",
        "（2）本人户口簿原件及复印件；",
        "（3）城乡“三无”人员、重度残疾人、纳入国家计划生育特别扶助制度的对象、低保人员等缴费困难群体"
        "还需提供相关证明材料原件及复印件。",
    ]
    lines = by_key["q13"].answer.split("\n")
    assert lines[0].endswith("包括：")
    assert lines[1:6] == [
        "（1）个人缴纳的养老保险费；",
        "（2）集体补助；",
        "（3）政府补贴；",
        "（4）其他社会经济组织、公益慈善组织、个人对参保居民的缴费资助；",
        "（5）其他收入。",
    ]
    assert lines[6] == "个人账户储存额按国家规定计息。"
    # The continuation paragraph after the 答 paragraph belongs to #13 too.
    assert lines[7].startswith("参保居民个人账户资金全额积累")


@pytest.mark.parametrize(
    "key, count, first, last",
    [
        ("q9", 3, "（1）城乡“三无”人员", "（3）对其他缴费困难群体"),
        ("q10", 4, "参保居民年满60周岁且符合下列条件之一的", "（3）2010年7月1日前已年满60周岁"),
        ("q12", 3, "（1）2017年1月1日起", "（3）随着经济的不断发展"),
    ],
)
def test_continuation_paragraphs_stay_with_their_answer(by_key, key, count, first, last):
    lines = by_key[key].answer.split("\n")
    assert len(lines) == count
    assert lines[0].startswith(first)
    assert lines[-1].startswith(last)


def test_formula_paragraph_of_q11(by_key):
    lines = by_key["q11"].answer.split("\n")
    assert (
        lines[1]
        == "个人月享受城乡居民基本养老保险待遇=基础养老金+个人账户月养老金[（个人缴费+政府补贴+集体补助+其他）÷139]"
    )


def test_materials_and_conditions(by_key, doc):
    assert by_key["q3"].materials == by_key["q3"].answer
    assert by_key["q1"].conditions.startswith("具有本市户籍、年满16周岁（不含在校学生）")
    assert "（1）累计缴费年限满15年的；" in by_key["q10"].conditions
    assert {e.key for e in doc.entries if e.materials} == {"q3"}
    assert {e.key for e in doc.entries if e.conditions} == {"q1", "q10"}


def test_no_news_or_advert_text_in_any_entry(doc):
    for entry in doc.entries:
        for text in entry_texts(entry):
            for word in NOISE:
                assert word not in text, (entry.key, word)
    # The last entry ends where the advert starts.
    assert doc.entries[-1].answer.endswith("移送司法机关依法追究刑事责任。")


@pytest.mark.django_db
def test_import_writes_sixteen_entries_and_is_idempotent():
    report = run_import([SOURCE])
    assert report.get("entry", "created") == 16
    source = SourceDocument.objects.get(filename=SOURCE.name)
    assert source.city.slug == "changsha"
    entries = Entry.objects.filter(source=source)
    assert entries.count() == 16
    q3 = entries.get(source_key="q3")
    assert q3.source_section == "参保" and q3.source_position == 3 and q3.audience == "personal"
    assert q3.materials.startswith("（1）本人第二代身份证原件及复印件；")
    assert all("rural-pension" in {t.slug for t in e.topics.all()} for e in entries)

    again = run_import([SOURCE])
    assert not again.changed
    assert again.get("entry", "unchanged") == 16
    assert Entry.objects.filter(source=source).count() == 16
