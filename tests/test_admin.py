"""Staff editing through the Django admin, as a member of the 编辑 group."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.urls import reverse

from faq.actions import do_approve_change
from faq.importer import import_parsed
from faq.models import Entry, PendingChange
from faq.permissions import ensure_editor_group, ensure_reviewer_group
from tests.admin_forms import form_data


def approve_pending(entry):
    """A 审核 approves what the editor staged (an editor's change to a published entry waits for review)."""
    ensure_reviewer_group()
    reviewer = User.objects.create_user("reviewer", password="pw-reviewer-123", is_staff=True)
    reviewer.groups.add(Group.objects.get(name="审核"))
    change = PendingChange.objects.get(entry=entry, state=PendingChange.State.PENDING)
    do_approve_change(change, User.objects.get(pk=reviewer.pk))


@pytest.fixture
def editor(db):
    ensure_editor_group()  # a transactional test elsewhere may have flushed the migration's data
    user = User.objects.create_user("editor", password="pw-editor-123", is_staff=True)
    user.groups.add(Group.objects.get(name="编辑"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.mark.django_db
class TestEditorGroup:
    def test_editor_saves_entry_with_inline_steps(self, imported, editor_client):
        entry = Entry.objects.get(source__filename__startswith="002_", source_key="q2")
        assert entry.steps.count() == 0
        url = reverse("admin:faq_entry_change", args=[entry.pk])
        data = form_data(
            entry,
            answer="到户籍所在地的村（社区）办理参保登记。",
            **{
                "steps-TOTAL_FORMS": "2",
                "steps-0-order": "1",
                "steps-0-text": "携带身份证和户口簿",
                "steps-1-order": "2",
                "steps-1-text": "到村（社区）服务窗口提交参保登记",
            },
        )
        response = editor_client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        entry.refresh_from_db()
        assert entry.answer != "到户籍所在地的村（社区）办理参保登记。"  # staged: the published version stays
        assert entry.steps.count() == 0
        approve_pending(entry)
        entry.refresh_from_db()
        assert entry.answer == "到户籍所在地的村（社区）办理参保登记。"
        assert [(s.order, s.text) for s in entry.steps.all()] == [
            (1, "携带身份证和户口簿"),
            (2, "到村（社区）服务窗口提交参保登记"),
        ]
        assert entry.edited_by_staff

    def test_staff_edit_is_kept_by_the_next_import(self, imported, parsed_sources, editor_client):
        entry = Entry.objects.get(source__filename__startswith="002_", source_key="q2")
        url = reverse("admin:faq_entry_change", args=[entry.pk])
        editor_client.post(url, form_data(entry, question="如何办理城乡居民养老保险参保登记（已更新）"))
        approve_pending(entry)
        report = import_parsed(parsed_sources)
        entry.refresh_from_db()
        assert entry.question == "如何办理城乡居民养老保险参保登记（已更新）"
        assert report.get("entry", "kept") == 1

    def test_changelist_shows_filters_and_marker(self, imported, editor_client):
        entry = Entry.objects.get(source__filename__startswith="002_", source_key="q2")
        entry.edited_by_staff = True
        entry.save()
        response = editor_client.get(reverse("admin:faq_entry_changelist"), {"edited_by_staff__exact": "1"})
        assert response.status_code == 200
        body = response.content.decode()
        assert entry.question in body
        assert "工作人员已修改" in body
        for label in ["城市", "主题", "服务对象", "状态"]:
            assert label in body
        search = editor_client.get(reverse("admin:faq_entry_changelist"), {"q": "失业保险金"})
        assert "失业保险金" in search.content.decode()

    def test_source_information_is_read_only(self, imported, editor_client):
        entry = Entry.objects.get(source__filename__startswith="000_", source_key="q12")
        body = editor_client.get(reverse("admin:faq_entry_change", args=[entry.pk])).content.decode()
        assert 'name="source_key"' not in body
        assert "q12" in body
        assert "steps-TOTAL_FORMS" in body and "phones-TOTAL_FORMS" in body

    def test_editor_edits_office_with_inline_phones(self, imported, editor_client):
        from faq.models import Office

        office = Office.objects.get(name="长沙市社会保障卡管理服务中心")
        phone = office.phones.get()
        url = reverse("admin:faq_office_change", args=[office.pk])
        data = {
            "city": office.city_id,
            "district": office.district_id,
            "name": office.name,
            "kind": office.kind,
            "address": office.address,
            "hours": "周一至周五 9:00-17:00",
            "phones-TOTAL_FORMS": "1",
            "phones-INITIAL_FORMS": "1",
            "phones-MIN_NUM_FORMS": "0",
            "phones-MAX_NUM_FORMS": "1000",
            "phones-0-id": phone.pk,
            "phones-0-office": office.pk,
            "phones-0-label": phone.label,
            "phones-0-number": "0731-84159983",
            "phones-0-district": office.district_id,
            "phones-0-city": office.city_id,
            "phones-0-order": "0",
        }
        response = editor_client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:2000]
        office.refresh_from_db()
        assert office.hours == "周一至周五 9:00-17:00"
        assert office.phones.get().number == "0731-84159983"
        assert office.edited_by_staff

    def test_editor_cannot_manage_users(self, editor_client):
        assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
        assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403

    def test_admin_is_in_chinese(self, editor_client):
        body = editor_client.get(reverse("admin:index")).content.decode()
        assert "人社知识库管理" in body
        assert 'lang="zh-hans"' in body


def test_editor_group_permissions(db):
    call_command("migrate", verbosity=0, stdout=StringIO())
    ensure_editor_group()
    ensure_editor_group()  # idempotent
    perms = set(Group.objects.get(name="编辑").permissions.values_list("codename", flat=True))
    assert {"add_entry", "change_entry", "add_procedurestep", "change_office", "change_phonenumber"} <= perms
    assert not any(p.endswith("_user") or p.endswith("_group") for p in perms)
