"""Import conflicts instead of silence (faq.importer, faq.actions): a changed source never overwrites a staff
edit, an editor's save during an import survives (SQLite and PostgreSQL), a staff deletion survives a
re-import and can be undone."""

import copy
import hashlib
import sqlite3
import threading
import time

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections

from faq import importer
from faq.actions import do_delete, do_resolve_conflict, do_save_staff_edit
from faq.importer import import_parsed
from faq.models import AuditEvent, Entry, EntryTombstone, ImportConflict

SOURCE = "002_47b1b9a0f8db3381.txt"  # 长沙12333 (16 entries): small enough to import several times a test
STAFF_ANSWER = "工作人员核实后的答复：请携带身份证到社保经办窗口办理。"
SOURCE_ANSWER = "来源文档更新后的答复。"
HANG_GUARD_SECONDS = 120  # only stops a broken run from hanging; no speed bound


@pytest.fixture
def source_doc(parsed_sources):
    return next(p for p in parsed_sources if p[0].filename == SOURCE)


@pytest.fixture
def staff(db):
    return User.objects.create_superuser("reviewer", password="pw-reviewer-123")


def changed_source(source_doc, key, answer=SOURCE_ANSWER):
    """The document as if its source had changed the answer of entry ``key``."""
    doc, sha = source_doc
    doc = copy.deepcopy(doc)
    next(e for e in doc.entries if e.key == key).answer = answer
    return doc, hashlib.sha256((sha + answer).encode()).hexdigest()


def edited_entry(source_doc, staff):
    doc, _sha = source_doc
    entry = Entry.objects.get(source__filename=SOURCE, source_key=doc.entries[0].key)
    entry.answer = STAFF_ANSWER
    do_save_staff_edit(entry, staff)
    return entry


@pytest.mark.django_db
def test_source_change_on_staff_edited_entry_gives_a_conflict_never_an_overwrite(source_doc, staff):
    import_parsed([source_doc])
    entry = edited_entry(source_doc, staff)
    original = entry.source_record["answer"]

    report = import_parsed([changed_source(source_doc, entry.source_key)])
    assert report.get("entry", "conflict") == 1 and report.get("entry", "updated") == 0
    entry.refresh_from_db()
    assert entry.answer == STAFF_ANSWER and entry.edited_by_staff
    conflict = ImportConflict.objects.get(entry=entry)
    assert conflict.source_before["answer"] == original
    assert conflict.source_now["answer"] == SOURCE_ANSWER
    assert conflict.staff_version["answer"] == STAFF_ANSWER
    assert conflict.resolution == ""

    # The same change again is the same open conflict, not a second one.
    import_parsed([changed_source(source_doc, entry.source_key)])
    assert ImportConflict.objects.filter(entry=entry).count() == 1
    # An unchanged source on a staff-edited entry is simply kept: no conflict.
    other = Entry.objects.get(source__filename=SOURCE, source_key=source_doc[0].entries[1].key)
    other.question += "（已核实）"
    do_save_staff_edit(other, staff)
    import_parsed([changed_source(source_doc, entry.source_key)])
    assert not ImportConflict.objects.filter(entry=other).exists()


@pytest.mark.django_db
def test_take_the_sources_version(source_doc, staff):
    import_parsed([source_doc])
    entry = edited_entry(source_doc, staff)
    changed = changed_source(source_doc, entry.source_key)
    import_parsed([changed])
    conflict = ImportConflict.objects.get(entry=entry)

    do_resolve_conflict(conflict, ImportConflict.Resolution.SOURCE, staff)
    entry.refresh_from_db()
    conflict.refresh_from_db()
    assert entry.answer == SOURCE_ANSWER and not entry.edited_by_staff
    assert conflict.resolution == "source" and conflict.resolved_by == staff
    assert AuditEvent.objects.filter(action="resolve", target_id=entry.pk).exists()
    # The entry now follows the source again: the next import finds it unchanged.
    report = import_parsed([changed])
    assert report.get("entry", "conflict") == 0 and report.get("entry", "unchanged") == len(changed[0].entries)


@pytest.mark.django_db
def test_keep_mine_settles_the_conflict(source_doc, staff):
    import_parsed([source_doc])
    entry = edited_entry(source_doc, staff)
    changed = changed_source(source_doc, entry.source_key)
    import_parsed([changed])
    do_resolve_conflict(ImportConflict.objects.get(entry=entry), ImportConflict.Resolution.KEPT, staff)

    report = import_parsed([changed])
    entry.refresh_from_db()
    assert entry.answer == STAFF_ANSWER
    assert report.get("entry", "conflict") == 0 and report.get("entry", "kept") == 1
    # A later source change is a new conflict whose "before" is the version staff kept theirs against.
    import_parsed([changed_source(source_doc, entry.source_key, "来源又一次修改了答复。")])
    newest = ImportConflict.objects.filter(entry=entry, resolution="").get()
    assert newest.source_before["answer"] == SOURCE_ANSWER


@pytest.mark.django_db
def test_admin_shows_three_versions_and_saves_a_merge(source_doc, staff, client):
    import_parsed([source_doc])
    entry = edited_entry(source_doc, staff)
    import_parsed([changed_source(source_doc, entry.source_key)])
    conflict = ImportConflict.objects.get(entry=entry)
    client.force_login(staff)
    url = f"/admin/faq/importconflict/{conflict.pk}/change/"

    html = client.get(url).content.decode()
    for text in ("来源旧版本", "来源新版本", "工作人员版本", STAFF_ANSWER, SOURCE_ANSWER):
        assert text in html
    assert entry.source_record["answer"].splitlines()[0] in html

    merged = "合并后的答复：" + SOURCE_ANSWER
    response = client.post(url, {"resolution": "merged", "question": entry.question, "answer": merged})
    assert response.status_code == 302
    entry.refresh_from_db()
    conflict.refresh_from_db()
    assert entry.answer == merged and entry.edited_by_staff and conflict.resolution == "merged"
    # A resolved conflict cannot be resolved again by a replayed POST.
    assert client.post(url, {"resolution": "source"}).status_code == 403
    entry.refresh_from_db()
    assert entry.answer == merged


@pytest.mark.django_db
def test_a_staff_deletion_survives_a_reimport_and_can_be_undone(source_doc, staff, client):
    import_parsed([source_doc])
    entry = edited_entry(source_doc, staff)
    key, pk = entry.source_key, entry.pk
    do_delete(entry, staff)

    report = import_parsed([source_doc])
    assert report.get("entry", "tombstoned") == 1
    assert not Entry.objects.filter(source__filename=SOURCE, source_key=key).exists()
    tombstone = EntryTombstone.objects.get(source_key=key)
    assert tombstone.deleted_by == staff and tombstone.snapshot["answer"] == STAFF_ANSWER

    # Undo from the admin (list action on 已删除条目).
    client.force_login(staff)
    response = client.post(
        "/admin/faq/entrytombstone/", {"action": "restore", "_selected_action": [tombstone.pk]}, follow=True
    )
    assert response.status_code == 200 and "已恢复 1 条条目" in response.content.decode()
    restored = Entry.objects.get(source__filename=SOURCE, source_key=key)
    assert restored.pk != pk and restored.answer == STAFF_ANSWER and restored.edited_by_staff
    assert restored.steps.count() == len(tombstone.snapshot.get("steps", []))
    assert not EntryTombstone.objects.exists()
    assert AuditEvent.objects.filter(action="restore", target_id=restored.pk).exists()
    # The restored entry is the one the next import sees: no duplicate, the staff text stays.
    import_parsed([source_doc])
    assert Entry.objects.filter(source__filename=SOURCE, source_key=key).count() == 1
    assert Entry.objects.get(source__filename=SOURCE, source_key=key).answer == STAFF_ANSWER


@pytest.mark.django_db
def test_admin_bulk_delete_leaves_tombstones(source_doc, staff, client):
    import_parsed([source_doc])
    entries = list(Entry.objects.filter(source__filename=SOURCE)[:2])
    client.force_login(staff)
    client.post(
        "/admin/faq/entry/",
        {"action": "delete_selected", "_selected_action": [e.pk for e in entries], "post": "yes"},
    )
    assert EntryTombstone.objects.count() == 2
    assert import_parsed([source_doc]).get("entry", "tombstoned") == 2


@pytest.mark.django_db
def test_a_write_between_read_and_save_is_detected(source_doc, monkeypatch):
    """The conditional update itself: a save that lands between the importer's read and its write (simulated on
    the importer's own connection, so no database lock is involved) makes the importer keep that save."""
    import_parsed([source_doc])
    entry = Entry.objects.get(source__filename=SOURCE, source_key=source_doc[0].entries[0].key)
    Entry.objects.filter(pk=entry.pk).update(source_hash="stale")  # the import will rewrite it

    def editor_saves(obj):
        if obj.pk == entry.pk:
            Entry.objects.filter(pk=obj.pk).update(answer=STAFF_ANSWER, edited_by_staff=True)

    monkeypatch.setattr(importer, "between_read_and_write", editor_saves)
    report = import_parsed([source_doc])
    entry.refresh_from_db()
    assert entry.answer == STAFF_ANSWER
    assert report.get("entry", "updated") == 0 and report.get("entry", "conflict") == 1


def waits_for_this_connection(pid):
    """Whether PostgreSQL backend ``pid`` waits for a lock this connection's transaction holds."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid() = ANY(pg_blocking_pids(%s))", [pid])
        return cur.fetchone()[0]


def sqlite_write_locked():
    """Whether SQLite's one write lock is taken (a write from another connection would have to wait)."""
    probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    else:
        probe.rollback()
        return False
    finally:
        probe.close()


@pytest.mark.django_db(transaction=True)
def test_an_editors_save_during_an_import_is_never_overwritten(source_doc, monkeypatch):
    """The red-team race: the importer has read an entry it will rewrite and pauses; an editor saves that entry
    from another thread (its own connection).  Run on SQLite and with DATABASE_URL=postgres://… as well."""
    import_parsed([source_doc])
    entry = Entry.objects.get(source__filename=SOURCE, source_key=source_doc[0].entries[0].key)
    Entry.objects.filter(pk=entry.pk).update(source_hash="stale")  # the source "changed": the import rewrites it
    editor = User.objects.create_superuser("racer", password="pw-racer-123456")
    state = {}

    def edit():
        try:
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:  # this thread's own connection
                    cur.execute("SELECT pg_backend_pid()")
                    state["pid"] = cur.fetchone()[0]
            mine = Entry.objects.get(pk=entry.pk)
            mine.answer = STAFF_ANSWER
            do_save_staff_edit(mine, editor)
            state["saved"] = True
        except Exception as exc:  # reported below; a thread's exception would otherwise vanish
            state["error"] = exc
        finally:
            connections.close_all()

    def hold_window_open(obj):
        if obj.pk == entry.pk and "thread" not in state:
            postgres = connection.vendor == "postgresql"
            # SQLite: the import's transaction holds the write lock (taken before the editor starts, so it is ours).
            locked = not postgres and sqlite_write_locked()
            state["thread"] = threading.Thread(target=edit)
            state["thread"].start()
            # Without protection the editor commits inside this window; with it, the save waits for the import.
            # Go on once the editor is seen waiting for the import's lock, or once it is done.
            deadline = time.monotonic() + HANG_GUARD_SECONDS
            while not (locked or (postgres and "pid" in state and waits_for_this_connection(state["pid"]))):
                if not state["thread"].is_alive():
                    break  # it saved (or failed) inside the window
                assert time.monotonic() < deadline, "the editor's save neither finished nor waited"
                time.sleep(0.01)
            state["waited"] = state["thread"].is_alive()

    monkeypatch.setattr(importer, "between_read_and_write", hold_window_open)
    import_parsed([source_doc])
    state["thread"].join(timeout=60)
    assert "error" not in state and state.get("saved")
    entry.refresh_from_db()
    assert entry.answer == STAFF_ANSWER and entry.edited_by_staff
    assert state["waited"], "the editor's save should have waited for the import's lock"


@pytest.mark.django_db
def test_import_sources_command_reports_conflicts(source_paths, staff, tmp_path):
    """End to end, through the parser: the source file itself changes under a staff edit."""
    from io import StringIO

    from django.core.management import call_command

    original = next(p for p in source_paths if p.name == SOURCE)
    call_command("import_sources", str(original), stdout=StringIO())
    entry = Entry.objects.filter(source__filename=SOURCE).order_by("source_position").first()
    sentence = entry.answer[:6]  # a few words the parser leaves as they are written
    entry.answer = STAFF_ANSWER
    do_save_staff_edit(entry, staff)

    changed = tmp_path / SOURCE
    text = original.read_text(encoding="utf-8-sig")
    assert sentence in text
    changed.write_text(text.replace(sentence, sentence + "（新规定）", 1), encoding="utf-8")
    out = StringIO()
    call_command("import_sources", str(changed), stdout=out)
    assert "1 entry conflict(s)" in out.getvalue() and "导入冲突" in out.getvalue()
    entry.refresh_from_db()
    assert entry.answer == STAFF_ANSWER
    assert "（新规定）" in ImportConflict.objects.get(entry=entry).source_now["answer"]


@pytest.mark.django_db
def test_editors_resolve_conflicts_viewers_cannot(source_doc, staff, client):
    from django.contrib.auth.models import Group, Permission

    from faq.permissions import ensure_editor_group

    import_parsed([source_doc])
    entry = edited_entry(source_doc, staff)
    import_parsed([changed_source(source_doc, entry.source_key)])
    conflict = ImportConflict.objects.get(entry=entry)
    url = f"/admin/faq/importconflict/{conflict.pk}/change/"

    viewer = User.objects.create_user("viewer", password="pw-viewer-123", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_importconflict"))
    client.force_login(viewer)
    page = client.get(url)
    assert page.status_code == 200 and "保留我的版本" not in page.content.decode()  # no buttons to press
    assert client.post(url, {"resolution": "source"}).status_code == 403  # and a crafted POST is refused
    entry.refresh_from_db()
    assert entry.answer == STAFF_ANSWER

    ensure_editor_group()
    editor = User.objects.create_user("editor", password="pw-editor-123", is_staff=True)
    editor.groups.add(Group.objects.get(name="编辑"))
    client.force_login(editor)
    assert "保留我的版本" in client.get(url).content.decode()
    assert client.post(url, {"resolution": "kept"}).status_code == 302
    conflict.refresh_from_db()
    assert conflict.resolution == "kept" and conflict.resolved_by == editor
