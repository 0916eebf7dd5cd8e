"""Revisions (faq.revisions): every staff save records the whole entry with its inlines; any two revisions
compare field by field; restoring makes a new revision; a stale form never overwrites a newer save."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from faq.models import AuditEvent, Entry, Office, PhoneNumber
from faq.revisions import diff, latest_revision, revisions_for
from tests.admin_forms import form_data
from tests.lifecycle_helpers import city, commit, make_entry  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db):
    user = User.objects.create_superuser("boss", password="pw-boss-123")
    client = Client()
    client.force_login(user)
    return client


def save(client, entry, **changes):
    response = client.post(reverse("admin:faq_entry_change", args=[entry.pk]), form_data(entry, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    entry.refresh_from_db()
    return response


def with_steps(*texts):
    data = {"steps-TOTAL_FORMS": str(len(texts))}
    for i, text in enumerate(texts):
        data.update({f"steps-{i}-order": str(i + 1), f"steps-{i}-text": text})
    return data


def test_each_save_records_the_whole_entry_and_the_diff_marks_old_and_new(city, boss):  # noqa: F811
    entry = make_entry(city)
    save(boss, entry, answer="携带身份证到发卡银行<b>挂失</b>补办。", **with_steps("带身份证", "到银行办理"))
    save(boss, entry, answer="携带身份证和社保卡到发卡银行<b>挂失</b>补办。")

    revisions = list(revisions_for(entry))
    # The content before the first staff save, then one revision per save, newest first.
    assert [r.comment for r in revisions] == ["修改", "修改", "修改前的内容（导入或更早的版本）"]
    assert revisions[0].user.username == "boss"
    first_save = revisions[1]
    assert {v.content_type.model for v in first_save.version_set.all()} == {"entry", "procedurestep"}

    rows = {label: (old, new) for label, old, new in diff(revisions[2], revisions[1])}
    assert set(rows) == {"答复", "办理流程"}
    old, new = rows["答复"]
    assert new == "携带身份证到发卡银行<ins>&lt;b&gt;</ins>挂失<ins>&lt;/b&gt;</ins>补办。"  # escaped, never markup
    assert rows["办理流程"][1] == "<ins>带身份证\n到银行办理</ins>"

    page = boss.get(
        reverse("admin:faq_entry_revision_diff", args=[entry.pk]), {"old": revisions[1].pk, "new": revisions[0].pk}
    ).content.decode()
    assert "<ins>和社保卡</ins>" in page
    listing = boss.get(reverse("admin:faq_entry_revisions", args=[entry.pk])).content.decode()
    assert "恢复此版本" in listing and "boss" in listing
    # Django's history button leads to the revisions.
    assert boss.get(reverse("admin:faq_entry_history", args=[entry.pk])).url.endswith("/revisions/")


def test_restore_brings_back_fields_and_inlines_as_a_new_revision(city, boss, commit):  # noqa: F811
    entry = make_entry(city)
    save(boss, entry, **with_steps("带身份证", "到银行办理"))
    kept = latest_revision(entry)
    steps = list(entry.steps.all())
    removal = {"steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "2"}
    for i, step in enumerate(steps):
        removal.update({f"steps-{i}-id": step.pk, f"steps-{i}-entry": entry.pk, f"steps-{i}-DELETE": "on"})
        removal.update({f"steps-{i}-order": step.order, f"steps-{i}-text": step.text})
    save(boss, entry, question="社保卡丢了怎么办？", answer="先打 12333 挂失。", **removal)
    assert entry.steps.count() == 0

    with commit():
        response = boss.post(reverse("admin:faq_entry_revision_restore", args=[entry.pk, kept.pk]))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.question == "社保卡丢了怎么补办？" and entry.answer == "携带身份证到发卡银行挂失补办。"
    assert [s.text for s in entry.steps.all()] == ["带身份证", "到银行办理"]
    newest = latest_revision(entry)
    assert newest.pk > kept.pk and newest.comment == f"恢复到版本 #{kept.pk}"
    assert diff(kept, newest) == []
    assert AuditEvent.objects.filter(action=AuditEvent.Action.RESTORE, target_id=entry.pk).exists()
    assert boss.get(reverse("admin:faq_entry_revision_restore", args=[entry.pk, kept.pk])).status_code == 405


def test_a_stale_form_is_refused_with_a_link_to_the_diff(city, boss):  # noqa: F811
    entry = make_entry(city)
    url = reverse("admin:faq_entry_change", args=[entry.pk])
    token = re.search(r'name="version_token" value="([^"]+)"', boss.get(url).content.decode()).group(1)

    other = Client()
    other.force_login(User.objects.create_superuser("colleague", password="pw-colleague-123"))
    mine_token = token
    save(other, entry, answer="同事刚保存的答复。", version_token=token)

    response = boss.post(url, form_data(entry, answer="我基于旧页面的答复。", version_token=mine_token))
    assert response.status_code == 200
    body = response.content.decode()
    assert "保存未生效" in body and "其他人已修改并保存了这条记录" in body
    link = re.search(r'href="([^"]*revisions/diff/\?old=\d+&amp;new=\d+)"', body)
    assert link, "the message links to the diff"
    entry.refresh_from_db()
    assert entry.answer == "同事刚保存的答复。"
    diff_page = boss.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert "同事刚保存的答复" in diff_page

    # With the current token the same save goes through.
    fresh = re.search(r'name="version_token" value="([^"]+)"', boss.get(url).content.decode()).group(1)
    save(boss, entry, answer="我基于旧页面的答复。", version_token=fresh)
    assert entry.answer == "我基于旧页面的答复。"


def test_offices_and_their_phones_have_revisions_too(city, boss):  # noqa: F811
    office = Office.objects.create(city=city, name="芙蓉区社保卡服务中心", address="芙蓉中路一段")
    PhoneNumber.objects.create(office=office, city=city, number="0731-84159982", label="咨询")
    url = reverse("admin:faq_office_change", args=[office.pk])
    data = {
        "city": city.pk,
        "name": office.name,
        "kind": "",
        "address": "芙蓉中路二段",
        "hours": "",
        "phones-TOTAL_FORMS": "0",
        "phones-INITIAL_FORMS": "0",
        "phones-MAX_NUM_FORMS": "1000",
    }
    response = boss.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    revisions = list(revisions_for(office))
    assert len(revisions) == 2
    rows = {label: (old, new) for label, old, new in diff(revisions[1], revisions[0])}
    assert "<ins>二</ins>" in rows["地址"][1]
    assert "0731-84159982" in " ".join(v.serialized_data for v in revisions[1].version_set.all())
    Entry.objects.none()  # (entries are covered above)


def test_restoring_an_office_brings_back_its_phones(city, boss):  # noqa: F811
    office = Office.objects.create(city=city, name="芙蓉区社保卡服务中心", address="芙蓉中路一段")
    phone = PhoneNumber.objects.create(office=office, city=city, number="0731-84159982", label="咨询")
    url = reverse("admin:faq_office_change", args=[office.pk])
    data = {"city": city.pk, "name": office.name, "kind": "", "address": "芙蓉中路二段", "hours": ""}
    data.update({"phones-TOTAL_FORMS": "1", "phones-INITIAL_FORMS": "1", "phones-MAX_NUM_FORMS": "1000"})
    data.update({"phones-0-id": phone.pk, "phones-0-office": office.pk, "phones-0-DELETE": "on"})
    data.update({"phones-0-number": phone.number, "phones-0-label": phone.label, "phones-0-order": "0"})
    assert boss.post(url, data).status_code == 302
    assert not office.phones.exists()
    before = list(revisions_for(office))[-1]  # the content before the first staff save
    boss.post(reverse("admin:faq_office_revision_restore", args=[office.pk, before.pk]))
    office.refresh_from_db()
    assert office.address == "芙蓉中路一段"
    assert [p.number for p in office.phones.all()] == ["0731-84159982"]


def test_concurrent_saves_from_the_same_form_keep_exactly_one(transactional_db, city):  # noqa: F811
    """Six staff members opened the same form and save at once: one save wins, the others are refused, and
    nothing is silently overwritten (the check runs under the row lock inside the admin's transaction)."""
    import threading

    from django.db import connections

    entry = make_entry(city)
    users = [User.objects.create_superuser(f"staff{i}", password=f"pw-staff{i}-123") for i in range(6)]
    url = reverse("admin:faq_entry_change", args=[entry.pk])
    token = entry.updated_at.isoformat()
    start, results = threading.Barrier(len(users)), {}

    def post(i):
        try:
            client = Client()
            client.force_login(users[i])
            start.wait(timeout=30)
            response = client.post(url, form_data(entry, answer=f"第{i}位的答复", version_token=token))
            results[i] = (response.status_code, "保存未生效" in response.content.decode())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(users))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    codes = sorted(results.values())
    assert codes == [(200, True)] * (len(users) - 1) + [(302, False)], codes
    winner = next(i for i, (code, _) in results.items() if code == 302)
    entry.refresh_from_db()
    assert entry.answer == f"第{winner}位的答复"


def test_backups_keep_revisions_and_pending_changes(city, boss, tmp_path):  # noqa: F811
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    from faq.actions import do_stage_current
    from faq.models import PendingChange

    entry = make_entry(city)
    save(boss, entry, answer="工作人员修改后的答复。")
    do_stage_current(entry, User.objects.get(username="boss"), publish=False)
    before = [(r.comment, r.version_set.count()) for r in revisions_for(entry)]
    path = tmp_path / "kb.json"
    call_command("backup_data", output=str(path), stdout=StringIO())
    connection.check_constraints()
    call_command("flush", interactive=False, verbosity=0)
    call_command("restore_data", str(path), interactive=False, skip_index=True, stdout=StringIO())

    entry = Entry.objects.get(pk=entry.pk)
    assert [(r.comment, r.version_set.count()) for r in revisions_for(entry)] == before
    change = PendingChange.objects.get(entry=entry)
    assert diff(change.base, change.proposal) == []  # proposed as it was
    edited = {label: new for label, _old, new in diff(list(revisions_for(entry))[-1], change.base)}
    assert "工作人员修改后的答复" in edited["答复"]
