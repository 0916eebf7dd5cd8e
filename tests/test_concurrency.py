"""Concurrency (issue 5 §4): concurrent editors lose nothing, a rebuild under search is never seen half-built,
and two gunicorn workers both see every edit and delete (never going back to a stale view).

The first two tests use real threads, each with its own database connection, against the committed test
database (``transactional_db``); the third starts gunicorn with two workers on a database of its own.
"""

import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse
from pathlib import Path
from unittest import mock

import pytest
import requests
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from haystack import connections as search_connections
from whoosh import query as wq

from faq.importer import import_parsed
from faq.models import City, Entry, IndexTask
from faq.search import queue as indexing
from faq.search.build import build_index
from faq.search.service import search
from tests.admin_forms import form_data, form_fields

ROOT = Path(settings.BASE_DIR)
PYTHON = sys.executable
MUST_MATCH = ["社保卡", "失业保险金", "养老保险"]  # queries the imported sources always answer


# A wait for something that must happen fails after this long: it only stops a broken run from hanging, and is
# no speed bound (the delays are printed; speed is measured by the benchmarks).
HANG_GUARD_SECONDS = 120.0

# --- helpers -----------------------------------------------------------------------------------------------------


def backend():
    return search_connections["default"].get_backend()


def hit_ids(q, **kwargs):
    return [h.obj.pk for h in search(q, limit=50, highlight=False, facets=False, **kwargs).hits]


def live_dir():
    return os.path.realpath(Path(backend().root) / "current")


def indexed(pk):
    """The stored search document of entry ``pk`` in the live index, or None."""
    return backend().live_searcher().document(id=f"faq.entry.{pk}")


def index_ids(word):
    """Ids of the live documents whose text holds ``word`` (deleted documents excluded, unlike doc_frequency)."""
    return [hit["id"] for hit in backend().live_searcher().search(wq.Term("text", word), limit=None)]


def searchable_count():
    """How many documents a complete, fresh index holds."""
    unified = search_connections["default"].get_unified_index()
    return sum(index.index_queryset().count() for index in unified.get_indexes().values())


def missing_docs():
    unified = search_connections["default"].get_unified_index()
    want = {
        f"faq.{i.get_model()._meta.model_name}.{pk}"
        for i in unified.get_indexes().values()
        for pk in i.index_queryset().values_list("pk", flat=True)
    }
    have = {d["id"] for d in backend().live_searcher().all_stored_fields()}
    return sorted(want - have), sorted(have - want)


class Worker(threading.Thread):
    """A thread with its own database connection (closed at its end) that records any exception it sees."""

    def __init__(self, name, body, errors):
        super().__init__(name=name, daemon=True)
        self.body, self.errors = body, errors

    def run(self):
        try:
            self.body()
        except BaseException:
            self.errors.append(f"{self.name}: {traceback.format_exc()}")
        finally:
            connections.close_all()


def run_searches(stop, errors, stats, client=None):
    """Search until ``stop``: every query in MUST_MATCH must answer, always, and nothing may raise."""
    i = 0
    while not stop.is_set():
        q = MUST_MATCH[i % len(MUST_MATCH)]
        i += 1
        if client is not None:
            response = client.get("/api/search/", {"q": q, "limit": 5})
            if response.status_code != 200:
                errors.append(f"/api/search/?q={q}: {response.status_code} {response.content[:300]!r}")
                continue
            found = len(response.json()["results"])
        else:
            found = len(search(q, limit=5, facets=False).hits)
        stats["searches"] = stats.get("searches", 0) + 1
        if not found:
            errors.append(f"{q!r} found nothing (search {i})")
        # A breath between searches: two threads searching flat out in this one process starve the editors' threads
        # of the GIL (saves 5x slower); in production each gunicorn worker is a process with one thread.
        time.sleep(0.01)


def wait_until_indexed():
    """Seconds until no index task is pending and no retrier runs (fails if that never happens)."""
    t0 = time.monotonic()
    while indexing.pending_count() or indexing._retrier is not None:
        assert time.monotonic() - t0 < HANG_GUARD_SECONDS, f"{indexing.pending_count()} index task(s) never indexed"
        time.sleep(0.05)
    return time.monotonic() - t0


@pytest.fixture
def corpus(transactional_db, parsed_sources):
    """The sources imported and indexed, committed, so other threads' connections see them."""
    with mock.patch.object(indexing, "flush_after_commit", lambda: None):
        import_parsed(parsed_sources)
    IndexTask.objects.all().delete()  # the build indexes it all; no need to do it twice
    build_index()
    yield
    wait_until_indexed()


SAME_DB_AND_INDEX = """
from portal.settings.test import *  # noqa: F403

DATABASES["default"]["NAME"] = %r  # noqa: F405
HAYSTACK_CONNECTIONS["default"]["PATH"] = %r  # noqa: F405
"""


def same_db_and_index_env(tmp_path):
    """Environment for a manage.py subprocess on this test's (committed) database and search index."""
    (tmp_path / "same_db_and_index.py").write_text(
        SAME_DB_AND_INDEX % (connection.settings_dict["NAME"], backend().root)
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="same_db_and_index",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]),
    )
    return env


@pytest.fixture
def staff(transactional_db):
    return User.objects.create_superuser("editor", password="pw-editor-123")


def pick_entries(n):
    """``n`` published entries that each answer 社保卡 or not, taken from across the corpus."""
    pks = list(Entry.objects.filter(status=Entry.Status.PUBLISHED).order_by("pk").values_list("pk", flat=True))
    step = max(1, len(pks) // n)
    return pks[::step][:n]


# --- 1. concurrent editing ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_concurrent_admin_edits_and_deletes_while_searching(corpus, staff):
    editors, per_editor, deletes = 8, 3, 4
    pks = pick_entries(editors * per_editor + deletes)
    assert len(pks) == editors * per_editor + deletes
    # Keep every query in MUST_MATCH answerable: never delete the last entry that matches it.
    protected = {pk for q in MUST_MATCH for pk in hit_ids(q)[:3]}
    to_delete = [pk for pk in pks if pk not in protected][-deletes:]
    to_edit = [pk for pk in pks if pk not in to_delete][: editors * per_editor]
    assert len(to_delete) == deletes and len(to_edit) == editors * per_editor

    errors, stats, stop = [], {}, threading.Event()
    final = {}  # pk -> the marker its question ends with
    superseded = {}  # pk -> a marker a later save replaced
    responses = []
    start = threading.Barrier(editors + 1)

    def editor(n):
        client = Client()
        client.force_login(staff)
        mine = to_edit[n * per_editor : (n + 1) * per_editor]
        start.wait(timeout=HANG_GUARD_SECONDS)
        # Each entry once, then the first one again: the later save must win in the index.
        for round_, pk in enumerate([*mine, mine[0]]):
            entry = Entry.objects.get(pk=pk)
            marker = f"mk{n}r{round_}q{secrets.token_hex(3)}"
            question = entry.question.split(" mk")[0] + f" {marker}"
            response = client.post(reverse("admin:faq_entry_change", args=[pk]), form_data(entry, question=question))
            responses.append(response.status_code)
            if response.status_code != 302:
                errors.append(f"editor {n}: {response.status_code} {response.content.decode()[:500]}")
                continue
            if pk in final:
                superseded[pk] = final[pk]
            final[pk] = marker

    def deleter():
        client = Client()
        client.force_login(staff)
        start.wait(timeout=HANG_GUARD_SECONDS)
        for pk in to_delete:
            response = client.post(reverse("admin:faq_entry_delete", args=[pk]), {"post": "yes"})
            responses.append(response.status_code)
            if response.status_code != 302:
                errors.append(f"delete {pk}: {response.status_code} {response.content.decode()[:500]}")

    searchers = [
        Worker("search-fn", lambda: run_searches(stop, errors, stats), errors),
        Worker("search-api", lambda: run_searches(stop, errors, stats, client=Client()), errors),
    ]
    writers = [Worker(f"editor-{n}", lambda n=n: editor(n), errors) for n in range(editors)]
    writers.append(Worker("deleter", deleter, errors))
    for t in searchers:
        t.start()
    t0 = time.monotonic()
    for t in writers:
        t.start()
    for t in writers:
        t.join(timeout=HANG_GUARD_SECONDS)
    edit_seconds = time.monotonic() - t0
    settle = wait_until_indexed()
    stop.set()
    for t in searchers:
        t.join(timeout=HANG_GUARD_SECONDS)
    assert not any(t.is_alive() for t in writers + searchers), errors

    assert errors == []
    assert responses.count(302) == len(responses) == editors * (per_editor + 1) + deletes
    assert stats["searches"] >= 10
    print(
        f"{len(responses)} admin saves/deletes in {edit_seconds:.2f}s, settled {settle:.2f}s later, "
        f"{stats['searches']} searches meanwhile"
    )

    assert sorted(final) == sorted(to_edit)
    for pk, marker in final.items():
        assert Entry.objects.get(pk=pk).question.endswith(marker)
        assert hit_ids(marker) == [pk], marker  # ranked first (and only) by its marker
        assert marker in indexed(pk)["title"]
    for pk, marker in superseded.items():
        # (A search for it still finds look-alike markers through the typo fallback, so ask the index.)
        assert index_ids(marker) == [], f"a stale copy of entry {pk} won: {marker}"
        assert final[pk] in indexed(pk)["title"]
    for pk in to_delete:
        assert not Entry.objects.filter(pk=pk).exists()
        assert indexed(pk) is None, f"deleted entry {pk} is still in the index"
    assert backend().live_searcher().doc_count() == searchable_count(), missing_docs()


# --- 2. rebuild under search -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_rebuild_under_search_and_edits_during_it(corpus, staff, tmp_path):
    log = []
    errors, stats, stop = [], {}, threading.Event()
    final, deleted, during = {}, [], []
    building, built = threading.Event(), threading.Event()
    pks = pick_entries(12)
    protected = {pk for q in MUST_MATCH for pk in hit_ids(q)[:3]}
    victims = [pk for pk in pks if pk not in protected][:2]
    targets = [pk for pk in pks if pk not in victims][:6]

    def rebuild():
        # In a process of its own, as in production (and so its Whoosh commit never waits for the GIL held by this
        # process's searching threads); on the same committed test database and index directory.
        building.set()
        try:
            result = subprocess.run(
                [PYTHON, "manage.py", "rebuild_index", "--noinput", "--quiet-progress", "-v", "1"],
                cwd=ROOT,
                env=same_db_and_index_env(tmp_path),
                capture_output=True,
                text=True,
                timeout=HANG_GUARD_SECONDS,
            )
            assert result.returncode == 0, result.stderr[-3000:]
            log.append(result.stdout.strip())
        finally:
            built.set()

    def edit_during_build():
        client = Client()
        client.force_login(staff)
        assert building.wait(HANG_GUARD_SECONDS)
        n = 0
        # Edit round and round until the rebuild is over, so edits land before, across and after the swap.
        while not built.is_set() or n < len(targets):
            pk = targets[n % len(targets)]
            entry = Entry.objects.get(pk=pk)
            marker = f"rb{n}q{secrets.token_hex(3)}"
            question = entry.question.split(" rb")[0] + f" {marker}"
            response = client.post(reverse("admin:faq_entry_change", args=[pk]), form_data(entry, question=question))
            assert response.status_code == 302, response.content.decode()[:500]
            final[pk] = marker
            during.append(not built.is_set())
            if n < len(victims):
                response = client.post(reverse("admin:faq_entry_delete", args=[victims[n]]), {"post": "yes"})
                assert response.status_code == 302
                deleted.append(victims[n])
            n += 1

    searchers = [
        Worker("search-fn", lambda: run_searches(stop, errors, stats), errors),
        Worker("search-api", lambda: run_searches(stop, errors, stats, client=Client()), errors),
    ]
    for t in searchers:
        t.start()
    first = os.path.realpath(Path(backend().root) / "current")
    builder = Worker("rebuild", rebuild, errors)
    edits = Worker("editor", edit_during_build, errors)
    t0 = time.monotonic()
    builder.start()
    edits.start()
    builder.join(timeout=HANG_GUARD_SECONDS)
    edits.join(timeout=HANG_GUARD_SECONDS)
    seconds = time.monotonic() - t0
    wait_until_indexed()
    stop.set()
    for t in searchers:
        t.join(timeout=HANG_GUARD_SECONDS)
    assert not any(t.is_alive() for t in (builder, edits, *searchers)), errors

    assert errors == []
    assert os.path.realpath(Path(backend().root) / "current") != first
    print(
        f"rebuild in {seconds:.2f}s with {len(during)} edits ({sum(during)} while it ran), {len(deleted)} deletes; "
        f"{stats['searches']} searches meanwhile, none empty; {log[0]}"
    )
    assert stats["searches"] >= 10 and sum(during) >= 3
    assert sorted(final) == sorted(targets) and deleted == victims
    for pk, marker in final.items():
        assert hit_ids(marker) == [pk], marker
    for pk in deleted:
        assert indexed(pk) is None
    assert backend().live_searcher().doc_count() == searchable_count(), missing_docs()


def test_an_edit_flushed_into_the_old_index_during_a_rebuild_reaches_the_new_one(transactional_db, monkeypatch):
    """The tightest interleaving, made deterministic: the build has read every row; an editor saves and its flush
    writes into the old index and moves the node's cursor past the change (so a replay that started from the
    cursor would skip it).  From the replay before the swap on, the build holds the live index's write lock, so
    this is the last moment such an edit can land in the old index."""
    from faq.search.engine.whoosh import generations as command

    real_write, real_flush = command.write_generation, indexing.flush
    city = City.objects.create(slug="changsha", name="长沙")
    entry = Entry.objects.create(city=city, question="社保卡丢了怎么补办？", answer="到发卡银行挂失补办。")
    build_index()
    swapped = []

    def write_generation(*args, **kwargs):
        ix = real_write(*args, **kwargs)
        entry.question += " swapmarker"
        with mock.patch.object(indexing, "flush", real_flush):
            entry.save()  # autocommit: its flush runs now, into the index that is still live
        assert index_ids("swapmarker") == [f"faq.entry.{entry.pk}"]
        swapped.append(True)
        return ix

    monkeypatch.setattr(command, "write_generation", write_generation)
    target, _counts, _replayed, _seconds = build_index()
    assert live_dir() == str(target)
    assert index_ids("swapmarker") == [f"faq.entry.{entry.pk}"]
    assert hit_ids("swapmarker") == [entry.pk]


# --- 3. two gunicorn workers -------------------------------------------------------------------------------------

PID_WSGI = '''
import os

from portal.wsgi import application as portal


def application(environ, start_response):
    """The portal, telling which worker answered (test only)."""

    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Worker-Pid", str(os.getpid()))], exc_info)

    return portal(environ, start)
'''

PREPARE = """
import django
django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
call_command("collectstatic", verbosity=0, interactive=False)
call_command("import_sources", verbosity=0)
call_command("build_search_index", verbosity=0, quiet_progress=True)
User.objects.create_superuser("editor", password=%r)
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server_db():
    """A database of its own for the gunicorn test (a live server cannot see the test's transaction)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield None  # a SQLite file under the test's tmp_path
        return
    import psycopg2

    parts = urllib.parse.urlsplit(url)
    name = f"portal_concurrency_{os.getpid()}"
    admin = psycopg2.connect(url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


class Portal:
    """A logged-in staff session against the gunicorn server, with every response's worker pid."""

    def __init__(self, base, password):
        self.base, self.session = base, requests.Session()
        html = self.get("/admin/login/").text
        token = dict(form_fields(html, "login-form")).get("csrfmiddlewaretoken")
        assert token, html[:3000]
        response = self.post(
            "/admin/login/", {"username": "editor", "password": password, "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 302, response.text[:500]

    def get(self, path, **params):
        return self.session.get(self.base + path, params=params, timeout=10, allow_redirects=False)

    def post(self, path, data):
        return self.session.post(self.base + path, data=data, timeout=10, allow_redirects=False)

    def search(self, q, limit=5):
        # A fresh connection each time (no keep-alive), so the kernel hands it to either worker.
        response = requests.get(self.base + "/api/search/", params={"q": q, "limit": limit}, timeout=10)
        assert response.status_code == 200, response.text[:500]
        return int(response.headers["X-Worker-Pid"]), response.json()

    def edit(self, pk, marker):
        path = f"/admin/faq/entry/{pk}/change/"
        fields = form_fields(self.get(path).text, "entry_form")
        data = [(k, f"{v} {marker}" if k == "question" else v) for k, v in fields] + [("_save", "保存")]
        response = self.session.post(self.base + path, data=data, timeout=10, allow_redirects=False)
        assert response.status_code == 302, response.text[:1500]
        return int(response.headers["X-Worker-Pid"])

    def delete(self, pk):
        path = f"/admin/faq/entry/{pk}/delete/"
        assert self.get(path).status_code == 200  # the confirmation page
        response = self.post(path, {"post": "yes", "csrfmiddlewaretoken": self.session.cookies["csrftoken"]})
        assert response.status_code == 302, response.text[:500]
        return int(response.headers["X-Worker-Pid"])


def poll_workers(portal, query, check, workers, pollers=3):
    """Seconds after which each worker in ``workers`` first answered ``query`` with ``check(json)`` true (a worker
    that never does is missing from the answer).

    Several threads poll, each request on a new connection, so both workers answer.  A worker that answers
    "not yet" after it answered "yes" (back to a stale view) fails the test.
    """
    t0 = time.monotonic()
    first, errors, lock = {}, [], threading.Lock()

    def loop():
        while time.monotonic() - t0 < HANG_GUARD_SECONDS and not set(first) >= workers:
            pid, body = portal.search(query)
            ok = check(body)
            with lock:
                if ok:
                    first.setdefault(pid, time.monotonic() - t0)
                elif pid in first:
                    errors.append(f"worker {pid} answered stale after answering fresh")

    threads = [threading.Thread(target=loop) for _ in range(pollers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return first


def healthz(base):
    response = requests.get(base + "/healthz", timeout=10)
    return int(response.headers["X-Worker-Pid"]), response.json()


@pytest.mark.slow
def test_two_gunicorn_workers_both_see_every_edit_and_delete(tmp_path, server_db):
    password = secrets.token_urlsafe(16)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        PORTAL_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        DATABASE_URL=server_db or f"sqlite:///{tmp_path / 'var' / 'db.sqlite3'}",
        WORKERS="2",
        GUNICORN_ACCESS_LOG=os.devnull,  # quiet: hundreds of polls
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]),
    )
    env.pop("WHOOSH_INDEX_DIR", None)  # the index lives in PORTAL_VAR_DIR
    (tmp_path / "pid_wsgi.py").write_text(PID_WSGI)
    prepared = subprocess.run(
        [PYTHON, "-c", PREPARE % password], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert prepared.returncode == 0, prepared.stderr[-3000:]
    assert (tmp_path / "var" / "whoosh_index" / "current").is_symlink()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "pid_wsgi:application",
                "-c",
                "portal/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        workers = set()
        while len(workers) < 2:  # up, and both workers have answered (each has its searcher open)
            try:
                workers.add(healthz(base)[0])
            except requests.ConnectionError:
                assert server.poll() is None, log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, f"gunicorn did not start 2 workers: {log_path.read_text()[-3000:]}"
            time.sleep(0.05)
        if not server_db:  # the master forked its workers without an open connection to share with them
            master_fds = [os.readlink(fd) for fd in Path(f"/proc/{server.pid}/fd").iterdir() if fd.exists()]
            assert not [fd for fd in master_fds if "db.sqlite3" in fd]

        portal = Portal(base, password)
        _pid, found = portal.search("社保卡", limit=20)
        pks = [r["id"] for r in found["results"] if r["type"] == "entry"][1:]
        assert len(pks) >= 12
        editors, timings = set(), []
        for n, pk in enumerate(pks):  # until each worker has served an edit (and at least two edits)
            if editors >= workers and n >= 2:
                break
            marker = "zq" + "".join(secrets.choice("abcdefghijklmnoprstuvwxy") for _ in range(8))
            t0 = time.monotonic()
            editors.add(portal.edit(pk, marker))
            saved = time.monotonic() - t0

            def fresh(body, pk=pk):
                return bool(body["results"]) and body["results"][0]["id"] == pk

            seen = poll_workers(portal, marker, fresh, workers)
            assert set(seen) == workers, f"edit of {pk} never seen by every worker: {seen}"
            timings.append(max(seen.values()) + saved)
        assert editors == workers, "each worker served at least one edit"

        _pid, before = healthz(base)
        docs = before["search"]["documents"]
        assert docs == before["entries"] + before["offices"]
        victim = pks[0]
        t0 = time.monotonic()
        portal.delete(victim)
        saved = time.monotonic() - t0
        seen, start = {}, time.monotonic()
        while set(seen) < workers and time.monotonic() - start < HANG_GUARD_SECONDS:
            pid, body = healthz(base)
            if body["search"]["documents"] == docs - 1 and not body["search"]["pending_updates"]:
                seen.setdefault(pid, time.monotonic() - start)
            elif pid in seen:
                raise AssertionError(f"worker {pid} saw the deleted entry again: {body}")
        assert set(seen) == workers, f"the delete of {victim} never reached every worker: {seen}"
        delete_seconds = max(seen.values()) + saved
        for _ in range(6):
            _pid, body = portal.search("社保卡")
            assert victim not in [r["id"] for r in body["results"]]
        print(
            f"2 workers {sorted(workers)}; edits seen by both after {[round(t, 3) for t in timings]} s, "
            f"the delete after {delete_seconds:.3f} s"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Traceback" not in log_path.read_text()


def test_rows_deleted_while_the_build_reads_do_not_hide_later_rows(transactional_db, monkeypatch):
    """Offset pages would skip live rows once earlier ones are deleted mid-build; the build pages by key."""
    from faq.search import documents

    city = City.objects.create(slug="changsha", name="长沙")
    entries = [Entry.objects.create(city=city, question=f"社保卡问题{i}", answer="答复") for i in range(7)]
    monkeypatch.setattr(documents, "CHUNK", 2)
    index = search_connections["default"].get_unified_index().get_index(Entry)
    real_prepare = index.full_prepare

    def prepare_then_delete(obj):
        doc = real_prepare(obj)
        if obj.pk == entries[1].pk and entries[0].pk is not None:  # the first page is read: an editor
            entries[0].delete()  # deletes a row from it (once: the replay prepares the same rows again)
        return doc

    monkeypatch.setattr(index, "full_prepare", prepare_then_delete)
    _target, counts, _replayed, _seconds = build_index()
    assert counts["entry"] == 7  # read before its delete, which the build then replays
    assert sorted(index_ids("答复")) == sorted(f"faq.entry.{e.pk}" for e in entries[1:])
