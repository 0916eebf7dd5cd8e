"""Data safety (issue 5 §5): backup/restore round trip with staff edits, reversible migrations, the fixture."""

import json
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from faq import backup
from faq.models import City, Entry, Office, PhoneNumber, ProcedureStep
from faq.permissions import ensure_editor_group


@pytest.fixture
def knowledge_base(imported):
    """The five sources imported through faq.importer (tests/conftest.py)."""
    assert Entry.objects.exists() and Office.objects.exists() and PhoneNumber.objects.exists()


def staff_edit():
    """What an editor does in the admin: rewrite an entry and its steps (the admin sets the marker)."""
    entry = Entry.objects.filter(steps__isnull=False).distinct().order_by("pk").first() or Entry.objects.first()
    entry.question = "【已编辑】" + entry.question
    entry.answer = "工作人员修改的答复 <script>alert(1)</script>"
    entry.edited_by_staff = True
    entry.save()
    entry.steps.all().delete()
    ProcedureStep.objects.bulk_create(
        [
            ProcedureStep(entry=entry, order=1, text="第一步：登录"),
            ProcedureStep(entry=entry, order=2, text="第二步：提交"),
        ]
    )
    return entry.pk


def snapshot():
    """Everything a backup must bring back, independent of user/group ids."""
    data = {}
    for label in backup.knowledge_base_labels():
        model = apps.get_model(label)
        rows = []
        for obj in model.objects.order_by("pk"):
            row = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields}
            for m2m in model._meta.many_to_many:
                row[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
            rows.append(row)
        data[label] = rows
    data["users"] = [
        (u.username, u.password, u.is_staff, u.is_superuser, sorted(u.groups.values_list("name", flat=True)))
        for u in User.objects.order_by("username")
    ]
    data["groups"] = [
        (g.name, sorted(g.permissions.values_list("content_type__app_label", "codename")))
        for g in Group.objects.order_by("name")
    ]
    return data


def test_backup_and_restore_round_trip_all_data_with_staff_edits(knowledge_base, tmp_path, client):
    edited = staff_edit()
    editor = User.objects.create_user("editor", password="correct horse battery", is_staff=True)
    editor.groups.add(ensure_editor_group())
    User.objects.create_superuser("admin", password="another good secret")
    before = snapshot()

    out = StringIO()
    path = tmp_path / "backups" / "kb.json"
    call_command("backup_data", output=str(path), stdout=out)
    assert str(path) in out.getvalue()
    dumped = json.loads(path.read_text(encoding="utf-8"))
    assert "【已编辑】" in path.read_text(encoding="utf-8")  # readable UTF-8, not \\u escapes
    assert not any(o["model"] == "faq.indextask" for o in dumped)
    user_rows = [o for o in dumped if o["model"] == "auth.user"]
    assert user_rows and all("pk" not in o for o in user_rows)  # natural keys: ids may differ elsewhere

    # Lose everything, including the content types and permissions the backup refers to by name.
    connection.check_constraints()  # PostgreSQL: no TRUNCATE with this test transaction's checks pending
    call_command("flush", interactive=False, verbosity=0)
    assert not Entry.objects.exists() and not User.objects.exists() and not Group.objects.exists()
    City.objects.create(slug="leftover", name="残留")  # restore replaces, it does not merge

    call_command("restore_data", str(path), interactive=False, skip_index=True, stdout=StringIO())
    assert snapshot() == before
    entry = Entry.objects.get(pk=edited)
    assert entry.question.startswith("【已编辑】") and entry.edited_by_staff
    assert [s.text for s in entry.steps.all()] == ["第一步：登录", "第二步：提交"]
    assert not City.objects.filter(slug="leftover").exists()
    # The restored editor can still sign in and edit.
    assert client.login(username="editor", password="correct horse battery")
    assert client.get(f"/admin/faq/entry/{edited}/change/").status_code == 200


def test_restore_is_all_or_nothing_and_names_a_bad_file(knowledge_base, tmp_path):
    before = snapshot()
    with pytest.raises(CommandError, match="nope.json"):
        call_command("restore_data", str(tmp_path / "nope.json"), interactive=False, skip_index=True)
    broken = tmp_path / "broken.json"
    broken.write_text('[{"model": "faq.entry", "pk": 1, "fields": {"question": "x", "city": 999999}}]')
    with pytest.raises(Exception):  # noqa: B017 - the database's own integrity error
        call_command("restore_data", str(broken), interactive=False, skip_index=True)
    assert snapshot() == before
    alien = tmp_path / "alien.json"
    alien.write_text('[{"model": "sessions.session", "pk": "x", "fields": {}}]')
    with pytest.raises(CommandError, match="sessions.session"):
        call_command("restore_data", str(alien), interactive=False, skip_index=True)


def test_backup_default_path_is_timestamped_under_var_backups(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("backup_data", stdout=StringIO())
    [written] = (tmp_path / "backups").glob("*.json")
    assert len(written.stem) == len("20240101-120000")
    assert isinstance(json.loads(written.read_text(encoding="utf-8")), list)


def test_exported_fixture_loads_into_a_fresh_database(knowledge_base, tmp_path):
    before = snapshot()
    path = tmp_path / "knowledge_base.json"
    call_command("export_fixture", output=str(path), stdout=StringIO())
    text = path.read_text(encoding="utf-8")
    assert text.startswith('[\n{\n "model": ') and text.endswith("}\n]\n")  # indent 1
    assert Entry.objects.first().question in text  # ensure_ascii False: readable Chinese
    models = {o["model"] for o in json.loads(text)}
    assert {"faq.entry", "faq.procedurestep", "faq.office", "faq.phonenumber", "faq.city"} <= models
    assert not models & {"auth.user", "auth.group", "faq.indextask"}

    backup.wipe(backup.knowledge_base_labels())
    assert not Entry.objects.exists()
    call_command("loaddata", str(path), verbosity=0)
    after = snapshot()
    assert {k: v for k, v in after.items() if k.startswith("faq.")} == {
        k: v for k, v in before.items() if k.startswith("faq.")
    }


def test_models_have_no_missing_migrations(db):
    out = StringIO()
    call_command("makemigrations", "faq", check=True, dry_run=True, stdout=out)


@pytest.mark.django_db(transaction=True)
def test_every_faq_migration_reverses_and_reapplies():
    """Step the faq app back one migration at a time down to zero, then forward again."""
    loader = MigrationLoader(connection)
    plan = [key for key in loader.graph.forwards_plan(loader.graph.leaf_nodes("faq")[0]) if key[0] == "faq"]
    assert len(plan) >= 2
    faq_tables = {m._meta.db_table for m in apps.get_app_config("faq").get_models()}
    try:
        for index in range(len(plan) - 1, -1, -1):
            target = plan[index - 1][1] if index else "zero"
            call_command("migrate", "faq", target, verbosity=0, interactive=False)
            applied = {k for k in MigrationExecutor(connection).loader.applied_migrations if k[0] == "faq"}
            assert applied == set(plan[:index]), target
        assert not faq_tables & set(connection.introspection.table_names())
        assert not Group.objects.filter(name="编辑").exists()  # 0002's data went with it
    finally:
        call_command("migrate", verbosity=0, interactive=False)
    assert faq_tables <= set(connection.introspection.table_names())
    assert Group.objects.get(name="编辑").permissions.filter(codename="change_entry").exists()


MALFORMED_BACKUPS = {
    "not JSON": "这不是备份",
    "empty": "",
    "truncated": '[{"model": "faq.city", "pk": 1, "fields": {"name": "长沙"',
    "binary": b"\xff\xfe\x00\x01",
    "an object, not a list": '{"model": "faq.city"}',
    "a list of strings": '["faq.city"]',
    "model not a string": '[{"model": 5, "fields": {}}]',
    "model a list": '[{"model": ["faq.city"], "fields": {}}]',
    "fields not an object": '[{"model": "faq.city", "fields": []}]',
    "unknown model": '[{"model": "auth.permission", "fields": {}}]',
    "no such app": '[{"model": "nosuch.thing", "fields": {}}]',
    "bad primary key": '[{"model": "faq.city", "pk": "abc", "fields": {"name": "长沙", "slug": "changsha"}}]',
    "missing reference": '[{"model": "faq.district", "pk": 1, "fields": {"city": ["nowhere"], "name": "某区"}}]',
    "bad field value": '[{"model": "auth.user", "fields": {"username": "x", "date_joined": "not a date"}}]',
}


@pytest.mark.parametrize("kind", [*MALFORMED_BACKUPS, "missing file", "a directory"])
def test_restore_reports_every_malformed_file_as_a_clean_error(knowledge_base, tmp_path, kind):
    before = Entry.objects.count()
    path = tmp_path / "backup.json"
    if kind == "a directory":
        path.mkdir()
    elif kind != "missing file":
        content = MALFORMED_BACKUPS[kind]
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    with pytest.raises(CommandError) as raised:
        call_command("restore_data", str(path), interactive=False, skip_index=True, stdout=StringIO())
    assert str(path) in str(raised.value)
    assert Entry.objects.count() == before
