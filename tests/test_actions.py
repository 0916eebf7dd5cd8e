"""faq.actions: every write is one transaction with its audit record; the admin and the importer use them."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from faq.actions import do_import_sources, do_save_staff_edit, do_set_status
from faq.models import AuditEvent, Entry
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = User.objects.create_superuser("boss", password="pw-boss-123")
    client.force_login(user)
    return client, user


def test_admin_edit_is_saved_marked_and_audited(imported, admin_client):
    client, user = admin_client
    entry = Entry.objects.get(source__filename__startswith="000_", source_key="q1")
    url = reverse("admin:faq_entry_change", args=[entry.pk])
    response = client.post(url, form_data(entry, answer="新的答复"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.answer == "新的答复" and entry.edited_by_staff
    event = AuditEvent.objects.get(action="edit", target_id=entry.pk)
    assert event.actor == user and event.target_type == "entry" and entry.question[:20] in event.summary


def test_admin_bulk_unpublish_and_publish_go_through_the_action(imported, admin_client):
    client, _user = admin_client
    ids = list(Entry.objects.order_by("pk").values_list("pk", flat=True)[:3])
    url = reverse("admin:faq_entry_changelist")
    client.post(url, {"action": "unpublish", "_selected_action": ids})
    assert set(Entry.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"draft"}
    assert AuditEvent.objects.filter(action="unpublish").count() == 3
    client.post(url, {"action": "publish", "_selected_action": ids})
    assert set(Entry.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"published"}
    assert AuditEvent.objects.filter(action="publish").count() == 3


def test_admin_delete_is_audited(imported, admin_client):
    client, _user = admin_client
    entry = Entry.objects.order_by("pk").first()
    client.post(reverse("admin:faq_entry_delete", args=[entry.pk]), {"post": "yes"})
    assert not Entry.objects.filter(pk=entry.pk).exists()
    assert AuditEvent.objects.filter(action="delete", target_id=entry.pk).exists()


def test_a_failed_save_leaves_no_audit_record(imported):
    entry = Entry.objects.order_by("pk").first()

    def broken_save():
        entry.save()
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        do_save_staff_edit(entry, None, save=broken_save)
    assert not AuditEvent.objects.exists()


def test_status_action_skips_entries_already_in_that_state(imported):
    entries = list(Entry.objects.order_by("pk")[:2])
    assert do_set_status(entries, Entry.Status.PUBLISHED, None) == 0
    assert not AuditEvent.objects.exists()


def test_import_writes_one_audit_record_and_a_dry_run_none():
    paths = sorted(Path(settings.SOURCES_DIR).glob("*.txt"))
    do_import_sources(paths, dry_run=True)
    assert not Entry.objects.exists() and not AuditEvent.objects.exists()
    report = do_import_sources(paths)
    assert Entry.objects.count() == 206
    event = AuditEvent.objects.get(action="import")
    assert event.actor is None and next(iter(report.lines()))[:20] in event.summary
