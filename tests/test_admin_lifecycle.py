"""The editor's admin: phone validation (model, admin, importer), phone rows and districts scoped to the
entry's city, one-line steps, bulk actions, the audit log for reviewers, Chinese widget text."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from faq.importer import Importer
from faq.models import AuditEvent, District, Entry, PendingChange, PhoneNumber, ProcedureStep, Topic
from faq.parsers.base import ParsedPhone
from faq.validators import is_valid_phone, validate_phone
from tests.admin_forms import form_data
from tests.lifecycle_helpers import city, commit, editor, make_entry, reviewer  # noqa: F401

pytestmark = pytest.mark.django_db

VALID = ["0731-84159982", "0512-57572233", "0755-12345678", "010-12345678", "07318415998", "13812345678"]
VALID += ["12333", "96888", "12345", "400-123-4567", "0731-84159982-8001", "0731-84159982转12"]
INVALID = ["0512-5757abcd", "5757", "0512-575", "84159982", "1381234567", "138123456789", "0731-841599821", ""]


@pytest.mark.parametrize("number", VALID)
def test_dialable_numbers_pass(number):
    assert is_valid_phone(number)
    validate_phone(number)


@pytest.mark.parametrize("number", INVALID)
def test_numbers_no_one_could_dial_are_refused(number):
    assert not is_valid_phone(number)
    with pytest.raises(ValidationError, match="区号"):
        validate_phone(number)


def login(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def boss(db):
    return login(User.objects.create_superuser("boss", password="pw-boss-123"))


def phone_rows(*rows):
    data = {"phones-TOTAL_FORMS": str(len(rows))}
    for i, row in enumerate(rows):
        data.update({f"phones-{i}-{k}": v for k, v in row.items()})
    return data


def test_the_admin_shows_the_phone_error_next_to_the_field_and_takes_the_city_from_the_entry(city, boss):  # noqa: F811
    entry = make_entry(city)
    url = reverse("admin:faq_entry_change", args=[entry.pk])
    bad = phone_rows({"label": "社保卡", "number": "0512-5757abcd", "order": "0"})
    response = boss.post(url, form_data(entry, **bad))
    assert response.status_code == 200
    body = response.content.decode()
    error = body.index("电话号码格式不正确")
    assert body.rfind("errorlist", 0, error) > body.rfind("<tr", 0, error)  # in the phone's own row
    assert not PhoneNumber.objects.exists()

    good = phone_rows({"label": "社保卡", "number": "0731-84159982", "order": "0"})  # no city chosen
    response = boss.post(url, form_data(entry, **good))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PhoneNumber.objects.get(entry=entry).city == city


def test_the_importer_leaves_out_numbers_no_one_could_dial(city):  # noqa: F811
    importer = Importer.__new__(Importer)
    from faq.importer import ImportReport

    importer.report = ImportReport()
    phones = [ParsedPhone(number="0512-5757abcd", raw="0512-5757abcd"), ParsedPhone(number="12333", raw="12333")]
    assert [p.number for p in importer.valid_phones(phones)] == ["12333"]
    assert importer.report.get("phone", "rejected") == 1


def test_districts_are_those_of_the_entry_s_city_and_steps_are_one_line(city, boss):  # noqa: F811
    entry = make_entry(city)
    ProcedureStep.objects.create(entry=entry, order=1, text="带身份证")
    ProcedureStep.objects.create(entry=entry, order=2, text="第一行\n第二行")
    body = boss.get(reverse("admin:faq_entry_change", args=[entry.pk])).content.decode()
    assert "芙蓉区" in body and "福田区" not in body
    assert 'type="text" name="steps-0-text"' in body and "<textarea" in body.split('name="steps-1-text"')[0][-200:]
    assert "admin_steps" in body and "css/admin.css" in body  # up/down buttons and narrow-screen styles

    futian = District.objects.get(name="福田区")
    response = boss.post(reverse("admin:faq_entry_change", args=[entry.pk]), form_data(entry, districts=[futian.pk]))
    assert response.status_code == 200  # not a choice for a 长沙 entry
    assert not entry.districts.exists()


def test_bulk_set_topic_uses_an_intermediate_form_and_stages_for_editors(city, editor, commit):  # noqa: F811
    topic = Topic.objects.get(slug="social-security-card")
    published = make_entry(city)
    draft = make_entry(city, question="社保卡密码忘了怎么办？", status=Entry.Status.DRAFT)
    client = login(editor)
    changelist = reverse("admin:faq_entry_changelist")
    selected = {"action": "set_topic", "_selected_action": [published.pk, draft.pk]}
    form = client.post(changelist, selected)
    assert form.status_code == 200 and "设置主题" in form.content.decode() and 'name="topic"' in form.content.decode()

    with commit():
        done = client.post(changelist, {**selected, "apply": "1", "topic": topic.pk, "replace": "0"}, follow=True)
    assert "已为 1 条设置主题" in done.content.decode()
    assert list(draft.topics.all()) == [topic]
    assert not published.topics.exists()  # staged: the published entry waits for review
    change = PendingChange.objects.get(entry=published)
    proposed = change.proposal.version_set.get(content_type__model="entry").field_dict
    assert proposed["topics"] == [topic.pk]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.BULK).exists()


def test_bulk_publish_and_unpublish_for_those_who_may(city, reviewer, boss):  # noqa: F811
    draft = make_entry(city, status=Entry.Status.DRAFT)
    client = login(reviewer)
    changelist = reverse("admin:faq_entry_changelist")
    assert 'value="publish"' in client.get(changelist).content.decode()
    client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Entry.Status.PUBLISHED
    client.post(changelist, {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Entry.Status.DRAFT
    assert AuditEvent.objects.filter(actor__username="reviewer", action=AuditEvent.Action.PUBLISH).count() == 1


def test_the_audit_log_is_for_reviewers_and_read_only(city, editor, reviewer):  # noqa: F811
    AuditEvent.objects.create(action=AuditEvent.Action.PUBLISH, summary="发布了一条")
    url = reverse("admin:faq_auditevent_changelist")
    assert login(editor).get(url).status_code == 403
    response = login(reviewer).get(url)
    assert response.status_code == 200 and "发布了一条" in response.content.decode()
    event = AuditEvent.objects.get()
    assert (
        login(reviewer).post(reverse("admin:faq_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )


def test_the_two_box_selector_speaks_chinese(boss):
    catalog = boss.get(reverse("admin:jsi18n")).content.decode()
    assert "Choose all %s" in catalog and "\\u5168\\u9009%s" in catalog  # 全选%s
