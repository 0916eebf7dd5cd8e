"""内容体检 (faq.health_checks): each check on real imported entries or on entries made for it, the command's
text and JSON, the admin page, and the phone validator it uses (faq.validators)."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from faq.health_checks import CHECKS, run_checks
from faq.importer import ensure_taxonomy, import_parsed
from faq.models import City, Entry, Office, PhoneNumber
from faq.validators import phone_number_error, validate_phone_number

HOTSPOT = "000_79b8e4699b12fd67.txt"  # 长沙热点问题: entry 82 (q82) lost its table
SHENZHEN = "001_a2eee361475bec0d.txt"  # 深圳个人服务中心: entry 119 (web3) ends in ……


@pytest.fixture(scope="module")
def two_sources(django_db_setup, django_db_blocker, parsed_sources):
    """The two documents imported once for the module, rolled back after it (like conftest's search_corpus)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            import_parsed([p for p in parsed_sources if p[0].filename in (HOTSPOT, SHENZHEN)])
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def problems_of(entry, check=None):
    return [p for p in run_checks([entry]) if check is None or p.check == check]


def health_json(*args):
    out = StringIO()
    call_command("content_health", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


# --- the two entries the issue names ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_finds_entry_82s_missing_table_and_entry_119s_truncation(two_sources):
    q82 = Entry.objects.get(source__filename=HOTSPOT, source_key="q82")
    web3 = Entry.objects.get(source__filename=SHENZHEN, source_key="web3")
    rows = health_json()
    assert all(set(row) == {"entry_id", "check", "message"} for row in rows)
    assert {"entry_id": q82.pk, "check": "missing_table", "message": rows_for(rows, q82.pk, "missing_table")} in rows
    assert "下表" in rows_for(rows, q82.pk, "missing_table")
    assert "截断" in rows_for(rows, web3.pk, "truncated")
    # An answer whose table survived (q31, 失业保险金) is not reported.
    q31 = Entry.objects.get(source__filename=HOTSPOT, source_key="q31")
    assert not [r for r in rows if r["entry_id"] == q31.pk and r["check"] == "missing_table"]
    # The readable report names the entry and the reason.
    out = StringIO()
    call_command("content_health", "--check", "missing_table", stdout=out)
    assert f"#{q82.pk} {q82.question}" in out.getvalue() and "缺少表格" in out.getvalue()


def rows_for(rows, entry_id, check):
    return next(r["message"] for r in rows if r["entry_id"] == entry_id and r["check"] == check)


@pytest.mark.django_db
def test_old_year_figure_in_real_answers(two_sources, settings):
    q31 = Entry.objects.get(source__filename=HOTSPOT, source_key="q31")  # 从2022年4月1日起 … 1737元/月
    settings.CONTENT_HEALTH_OLD_YEARS = 2
    if timezone.localdate().year - 2 > 2022:
        assert "2022" in problems_of(q31, "old_year_figure")[0].message
    settings.CONTENT_HEALTH_OLD_YEARS = 100  # a lenient threshold: nothing is old
    assert problems_of(q31, "old_year_figure") == []


def test_command_rejects_unknown_city_and_check(db):
    with pytest.raises(CommandError, match="unknown city"):
        call_command("content_health", "--city", "atlantis")
    with pytest.raises(CommandError, match="unknown check"):
        call_command("content_health", "--check", "spelling")


# --- each other check on entries made for it -------------------------------------------------------------------


@pytest.fixture
def changsha(db):
    ensure_taxonomy()
    return City.objects.get(slug="changsha")


def make_entry(city, question="测试问题", answer="测试答复。", **fields):
    return Entry.objects.create(question=question, answer=answer, city=city, **fields)


def test_invalid_phone(changsha):
    entry = make_entry(changsha)
    PhoneNumber.objects.create(number="0512-5757abcd", label="坏号码", city=changsha, entry=entry)
    PhoneNumber.objects.create(number="0731-84159982", label="好号码", city=changsha, entry=entry)
    found = problems_of(entry, "invalid_phone")
    assert len(found) == 1 and "0512-5757abcd" in found[0].message


def test_answer_sending_somewhere_without_office_or_phone(changsha):
    unlinked = make_entry(changsha, answer="请携带身份证前往社保服务窗口办理。")
    assert "前往" in problems_of(unlinked, "unlinked_place")[0].message
    goes_to = make_entry(changsha, answer="可到所在区县人社局办理。")
    assert problems_of(goes_to, "unlinked_place")
    linked = make_entry(changsha, answer="请携带身份证前往社保服务窗口办理。")
    linked.offices.add(Office.objects.create(city=changsha, name="芙蓉区社保服务大厅"))
    assert problems_of(linked, "unlinked_place") == []
    at_home = make_entry(changsha, answer="登录网上办事大厅即可查询。")
    assert problems_of(at_home, "unlinked_place") == []


def test_duplicate_questions_within_a_city(changsha):
    first = make_entry(changsha, question="社保卡丢了怎么补办？")
    second = make_entry(changsha, question="社保卡丢了怎么补办")
    other_city = make_entry(City.objects.get(slug="shenzhen"), question="社保卡丢了怎么补办？")
    reworded = make_entry(changsha, question="请问社保卡丢了如何补办呢？")
    different = make_entry(changsha, question="失业保险金怎么领取？")
    # Similar letters, different question: 成年人 / 未成年人, 挂失 / 挂失解挂.
    adult = make_entry(changsha, question="成年人如何办理社保卡？")
    minor = make_entry(changsha, question="未成年人如何办理社保卡？")
    lost = make_entry(changsha, question="社会保障卡正式挂失")
    unlost = make_entry(changsha, question="社会保障卡正式挂失解挂")
    hire = make_entry(changsha, question="用人单位用工登记")
    fire = make_entry(changsha, question="用人单位退工登记")
    entries = [first, second, other_city, reworded, different, adult, minor, lost, unlost, hire, fire]
    found = [p for p in run_checks(entries) if p.check == "duplicate_question"]
    expected = [second.pk, reworded.pk]
    assert [(p.entry_id, f"#{first.pk}" in p.message) for p in found] == [(pk, True) for pk in expected]


def test_internal_links_to_missing_pages(changsha):
    target = make_entry(changsha, question="存在的条目")
    entry = make_entry(
        changsha,
        answer=f"详见 /entries/{target.pk}/ 与 /entries/99999999/ ，以及 /no-such-page/ 。外部 https://example.org/a/b/ 不算。",
    )
    messages = [p.message for p in problems_of(entry, "broken_internal_link")]
    assert len(messages) == 2
    assert any("/entries/99999999/" in m for m in messages) and any("/no-such-page/" in m for m in messages)
    target.status = Entry.Status.DRAFT  # a draft is no page for citizens
    target.save()
    assert len(problems_of(entry, "broken_internal_link")) == 3


def test_figures_tied_to_an_old_year(changsha, settings):
    settings.CONTENT_HEALTH_OLD_YEARS = 2
    old = timezone.localdate().year - 5
    entry = make_entry(changsha, answer=f"{old}年最低工资标准为每月1700元。")
    assert str(old) in problems_of(entry, "old_year_figure")[0].message
    current = make_entry(changsha, answer=f"{timezone.localdate().year}年最低工资标准为每月1930元。")
    assert problems_of(current, "old_year_figure") == []
    history = make_entry(changsha, answer=f"{old}年起实行社保卡制度。")  # a year without a figure
    assert problems_of(history, "old_year_figure") == []


def test_entries_past_their_review_date(changsha):
    yesterday = timezone.localdate() - timedelta(days=1)
    overdue = make_entry(changsha, review_due=yesterday)
    assert yesterday.isoformat() in problems_of(overdue, "review_overdue")[0].message
    fresh = make_entry(changsha, review_due=timezone.localdate() + timedelta(days=30))
    assert problems_of(fresh, "review_overdue") == []
    flagged = make_entry(changsha, review_reason="政策依据已被替代：《某通知》")
    assert problems_of(flagged, "review_overdue")[0].message.startswith("政策依据已被替代")


def test_every_check_is_registered_with_a_chinese_label():
    names = [name for name, _label, _fn in CHECKS]
    assert len(names) == len(set(names)) == 8
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for _n, label, _f in CHECKS)


# --- the admin page --------------------------------------------------------------------------------------------


def test_admin_page_lists_problems_for_staff_only(changsha, client):
    entry = make_entry(changsha, question="被截断的条目", answer="请点击“供他人查……")
    response = client.get("/admin/content-health/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(User.objects.create_superuser("boss", password="pw-boss-123456"))
    html = client.get("/admin/content-health/").content.decode()
    assert "内容体检" in html and "文字被截断" in html and "被截断的条目" in html
    assert f"/admin/faq/entry/{entry.pk}/change/" in html
    only = client.get("/admin/content-health/?check=missing_table").content.decode()
    assert "被截断的条目" not in only
    # The admin's front page leads there, and to the 需复核 list.
    index = client.get("/admin/").content.decode()
    assert 'href="/admin/content-health/"' in index and "?review=all" in index


# --- the phone validator ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "0731-84159982",
        "073184159982",
        "010-12345678",
        "0755-1234567",
        "12333",
        "96888",
        "12345",
        "0731-12333",
        "13812345678",
        "400-123-4567",
        "95588",
    ],
)
def test_valid_phone_numbers(number):
    validate_phone_number(number)


@pytest.mark.parametrize(
    "number, reason",
    [
        ("0512-5757abcd", "字符"),
        ("84159982", "区号"),
        ("1381234567", "11 位"),
        ("0731-841599", "位数"),
        ("021-1234567", "位数"),
        ("", "填写"),
    ],
)
def test_invalid_phone_numbers(number, reason):
    with pytest.raises(ValidationError):
        validate_phone_number(number)
    assert reason in phone_number_error(number)
