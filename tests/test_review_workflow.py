"""Four-eyes review: an editor's change to a published entry waits for a 审核; citizens and search keep the
published version until it is approved; nobody without the permission can approve or publish."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from faq.models import AuditEvent, Entry, PendingChange
from tests.admin_forms import form_data
from tests.lifecycle_helpers import city, commit, editor, ids, make_entry, reviewer  # noqa: F401

pytestmark = pytest.mark.django_db

NEW_ANSWER = "可在线申请补卡，新卡邮寄到湘江驿站领取。"


def login(user):
    client = Client()
    client.force_login(user)
    return client


def stage(entry, editor, commit, **changes):  # noqa: F811
    with commit():
        response = login(editor).post(
            reverse("admin:faq_entry_change", args=[entry.pk]), form_data(entry, answer=NEW_ANSWER, **changes)
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return PendingChange.objects.get(entry=entry, state=PendingChange.State.PENDING)


def test_staged_change_is_invisible_until_approved_then_visible(city, editor, reviewer, commit, client):  # noqa: F811
    with commit():
        entry = make_entry(city)
    change = stage(entry, editor, commit)

    entry.refresh_from_db()
    assert entry.answer == "携带身份证到发卡银行挂失补办。"
    page = client.get(entry.get_absolute_url()).content.decode()
    assert "发卡银行挂失补办" in page and "湘江驿站" not in page
    assert ids("湘江驿站") == []
    assert ids("挂失补办") == [entry.pk]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.STAGE, target_id=entry.pk).count() == 1

    # The reviewer sees it in the queue with its diff, and approves it.
    queue = login(reviewer).get(reverse("admin:faq_pendingchange_changelist")).content.decode()
    assert entry.question in queue
    review = login(reviewer).get(reverse("admin:faq_pendingchange_change", args=[change.pk])).content.decode()
    assert "<ins>" in review and "湘江驿站" in review and "审核通过并发布" in review
    with commit():
        response = login(reviewer).post(reverse("admin:faq_pendingchange_approve", args=[change.pk]))
    assert response.status_code == 302

    entry.refresh_from_db()
    assert entry.answer == NEW_ANSWER
    assert "湘江驿站" in client.get(entry.get_absolute_url()).content.decode()
    assert ids("湘江驿站") == [entry.pk]
    change.refresh_from_db()
    assert change.state == PendingChange.State.APPROVED and change.reviewer == reviewer
    assert AuditEvent.objects.filter(action=AuditEvent.Action.APPROVE, actor=reviewer).count() == 1


def test_an_editor_cannot_approve_or_publish_by_a_crafted_post(city, editor, commit):  # noqa: F811
    with commit():
        entry = make_entry(city)
        draft = make_entry(city, question="社保卡密码忘了怎么办？", status=Entry.Status.DRAFT)
    change = stage(entry, editor, commit)
    client = login(editor)

    assert client.post(reverse("admin:faq_pendingchange_approve", args=[change.pk])).status_code == 403
    assert client.post(reverse("admin:faq_pendingchange_return", args=[change.pk]), {"comment": "x"}).status_code == 403
    change.refresh_from_db()
    assert change.state == PendingChange.State.PENDING

    # Bulk publish is not offered, and a crafted one does nothing.
    changelist = reverse("admin:faq_entry_changelist")
    assert 'value="publish"' not in client.get(changelist).content.decode()
    client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Entry.Status.DRAFT

    # The status field is read-only for an editor: posting status=published on a draft changes nothing.
    response = client.post(
        reverse("admin:faq_entry_change", args=[draft.pk]), form_data(draft, status="published", answer="新答复")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Entry.Status.DRAFT and draft.answer == "新答复"  # a draft is edited directly
    assert ids("新答复") == []


def test_a_returned_change_shows_the_comment_to_the_editor(city, editor, reviewer, commit):  # noqa: F811
    with commit():
        entry = make_entry(city)
    change = stage(entry, editor, commit)
    client = login(reviewer)
    url = reverse("admin:faq_pendingchange_return", args=[change.pk])
    client.post(url, {"comment": ""})
    change.refresh_from_db()
    assert change.state == PendingChange.State.PENDING  # a return needs a comment

    client.post(url, {"comment": "请注明需携带的证件"})
    change.refresh_from_db()
    assert change.state == PendingChange.State.RETURNED
    entry.refresh_from_db()
    assert entry.answer == "携带身份证到发卡银行挂失补办。"

    mine = login(editor)
    form = mine.get(reverse("admin:faq_entry_change", args=[entry.pk])).content.decode()
    assert "您保存的修改会提交审核" in form
    assert "请注明需携带的证件" in mine.get(reverse("admin:faq_pendingchange_changelist")).content.decode()
    assert "请注明需携带的证件" in mine.get(reverse("admin:faq_entry_change", args=[entry.pk])).content.decode()
    # Approving a returned change is refused.
    client.post(reverse("admin:faq_pendingchange_approve", args=[change.pk]))
    entry.refresh_from_db()
    assert entry.answer == "携带身份证到发卡银行挂失补办。"


def test_approval_is_refused_when_the_entry_changed_since(city, editor, reviewer, commit):  # noqa: F811
    with commit():
        entry = make_entry(city)
    change = stage(entry, editor, commit)
    with commit():
        response = login(reviewer).post(
            reverse("admin:faq_entry_change", args=[entry.pk]), form_data(entry, answer="审核人直接修改的答复")
        )
    assert response.status_code == 302
    response = login(reviewer).post(reverse("admin:faq_pendingchange_approve", args=[change.pk]), follow=True)
    assert "无法通过" in response.content.decode()
    entry.refresh_from_db()
    assert entry.answer == "审核人直接修改的答复"


def test_new_entries_by_editors_start_as_drafts_and_go_live_through_review(city, editor, reviewer, commit):  # noqa: F811
    client = login(editor)
    data = form_data(Entry(question="灵活就业人员如何参保？", answer="携带身份证到社保经办窗口登记。", city=city))
    with commit():
        response = client.post(reverse("admin:faq_entry_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = Entry.objects.get(question="灵活就业人员如何参保？")
    assert entry.status == Entry.Status.DRAFT
    assert client.get(entry.get_absolute_url()).status_code == 404

    changelist = reverse("admin:faq_entry_changelist")
    client.post(changelist, {"action": "send_for_review", "_selected_action": [entry.pk]})
    change = PendingChange.objects.get(entry=entry)
    assert change.publish
    with commit():
        login(reviewer).post(reverse("admin:faq_pendingchange_approve", args=[change.pk]))
    entry.refresh_from_db()
    assert entry.status == Entry.Status.PUBLISHED
    assert ids("灵活就业") == [entry.pk]


def test_preview_shows_drafts_and_staged_versions_to_staff_only(city, editor, commit, client):  # noqa: F811
    with commit():
        entry = make_entry(city)
        draft = make_entry(city, question="社保卡密码忘了怎么办？", status=Entry.Status.DRAFT)
    change = stage(entry, editor, commit)
    staff = login(editor)

    draft_url = reverse("faq:preview_entry", args=[draft.pk])
    assert client.get(draft_url).status_code == 404  # citizens
    response = staff.get(draft_url)
    assert response.status_code == 200 and "社保卡密码忘了怎么办" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"

    change_url = reverse("faq:preview_change", args=[change.pk])
    assert client.get(change_url).status_code == 404
    body = staff.get(change_url).content.decode()
    assert "湘江驿站" in body
    # The preview wrote nothing: the entry, its status and the index are as they were.
    draft.refresh_from_db()
    entry.refresh_from_db()
    assert draft.status == Entry.Status.DRAFT and entry.answer == "携带身份证到发卡银行挂失补办。"
    assert ids("湘江驿站") == [] and ids("密码忘了") == []

    # 在站点上查看 on a draft goes to the preview, not a 404.
    form = staff.get(reverse("admin:faq_entry_change", args=[draft.pk])).content.decode()
    assert draft_url in form


@override_settings(EDITORS_PUBLISH_DIRECTLY=True)
def test_small_offices_let_editors_publish_directly(city, editor, commit, client):  # noqa: F811
    with commit():
        entry = make_entry(city)
    with commit():
        response = login(editor).post(
            reverse("admin:faq_entry_change", args=[entry.pk]), form_data(entry, answer=NEW_ANSWER)
        )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.answer == NEW_ANSWER
    assert not PendingChange.objects.exists()
    assert ids("湘江驿站") == [entry.pk]


def test_a_published_entry_s_phone_is_changed_through_the_entry_only(city, editor):  # noqa: F811
    from faq.models import PhoneNumber

    entry = make_entry(city)
    phone = PhoneNumber.objects.create(entry=entry, city=city, number="0731-84159982", label="咨询")
    url = reverse("admin:faq_phonenumber_change", args=[phone.pk])
    client = login(editor)
    client.post(url, {"number": "0731-88888888", "label": "咨询", "city": city.pk, "entry": entry.pk, "order": 0})
    phone.refresh_from_db()
    assert phone.number == "0731-84159982"
    assert client.post(reverse("admin:faq_phonenumber_delete", args=[phone.pk]), {"post": "yes"}).status_code == 403
