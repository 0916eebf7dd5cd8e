"""Crash recovery of the search index: real processes killed with SIGKILL at each dangerous moment, then a
new process (its first search runs faq.search.queue.recover, as gunicorn's post_worker_init does) finds
every edit in the index.  Each process runs on this test's own database and index directory.
"""

import json
import os
import signal
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PYTHON = sys.executable

SETTINGS = """
from portal.settings.test import *  # noqa: F403

HAYSTACK_CONNECTIONS["default"]["PATH"] = %r  # noqa: F405
SEARCH_INDEX_WATCH_SECONDS = 1
"""

PREAMBLE = """
import json, os, sys, time
import django
django.setup()
from faq.models import City, Entry, IndexTask
from faq.search import queue
from faq.search.build import build_index
from faq.search.engine.whoosh import generations
from faq.search.service import search


def ready(*words):
    print("READY", *words, flush=True)


def block():
    time.sleep(600)  # until SIGKILL
"""

PREPARE = """
from django.core.management import call_command
call_command("migrate", verbosity=0, interactive=False)
city = City.objects.create(slug="changsha", name="长沙", area_code="0731")
with queue.deferred():
    for i in range(30):
        Entry.objects.create(city=city, question=f"第{i}个社保卡问题", answer=f"答复{i}：到网点办理。")
IndexTask.objects.all().delete()
for _ in range(int(sys.argv[1])):
    build_index()
"""

CHECK = """
first = [h.obj.pk for h in search(sys.argv[1], limit=5, highlight=False).hits]
print(json.dumps({"hits": first, "pending": queue.pending_count()}))
"""

EDIT = """
def edit(marker):
    entry = Entry.objects.order_by("pk")[3]
    entry.question = f"社保卡问题 {marker}"
    entry.save()  # autocommit: its flush runs now
    return entry.pk
"""

# 1. An edit waits for the index lock (another process holds it) when its process is killed.
HOLD_LOCK = """
from haystack import connections
backend = connections["default"].get_backend()
backend.ensure_current()
writer = backend.index.refresh().writer()
ready()
block()
"""
EDIT_WHILE_LOCKED = """
pk = edit(sys.argv[1])  # the flush waits for the lock, gives up and hands over to the retrier thread
ready(pk)
block()
"""

# 2. The rebuild is killed right after the swap, before its replay; an edit was flushed into the old index
#    during the build (and marked done).
KILL_AFTER_SWAP = """
real_write, real_swap = generations.write_generation, generations.swap
edited = []

def write_generation(*args, **kwargs):
    ix = real_write(*args, **kwargs)
    edited.append(edit(sys.argv[1]))  # flushed into the old index, still live, and marked done
    return ix

def swap(root, target):
    real_swap(root, target)
    ready(edited[0])
    block()

generations.write_generation, generations.swap = write_generation, swap
build_index()
"""

# 3. The rebuild is killed while writing documents (a partial gen-* directory, newer than every complete one).
KILL_MID_BUILD = """
from faq.search import build

real_documents = build.all_documents

def documents(*args, **kwargs):
    for i, doc in enumerate(real_documents(*args, **kwargs)):
        if i == 10:
            pk = edit(sys.argv[1])  # flushed into the live index meanwhile
            ready(pk)
            block()
        yield doc

build.all_documents = documents
build_index()
"""

REBUILD = """
build_index()
print(json.dumps({"hits": [h.obj.pk for h in search(sys.argv[1], limit=5, highlight=False).hits]}))
"""


@pytest.fixture
def env(tmp_path):
    """Environment for processes on a database and an index directory of this test's own."""
    (tmp_path / "crash_settings.py").write_text(SETTINGS % str(tmp_path / "index"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="crash_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]),
        PORTAL_VAR_DIR=str(tmp_path / "var"),
    )
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
        yield env
        return
    import psycopg2

    name = f"portal_crash_{os.getpid()}"
    admin = psycopg2.connect(url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path=f"/{name}"))
    try:
        yield env
    finally:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run(env, script, *args):
    done = subprocess.run(
        [PYTHON, "-c", PREAMBLE + EDIT + script, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def start(env, script, *args):
    """A process that prints READY (and maybe a value) at the moment to kill it; returns (process, words)."""
    proc = subprocess.Popen(
        [PYTHON, "-c", PREAMBLE + EDIT + script, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    if not line.startswith("READY"):
        proc.kill()
        pytest.fail(f"no READY: {line!r} {proc.stderr.read()[-3000:]}")
    return proc, line.split()[1:]


def kill9(proc):
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def check(env, marker):
    return json.loads(run(env, CHECK, marker).strip().splitlines()[-1])


def index_dir(env):
    return Path(env["PYTHONPATH"].split(os.pathsep)[0]) / "index"


@pytest.mark.slow
def test_killed_while_the_edit_waits_for_the_lock(env):  # fault #6
    run(env, PREPARE, "1")
    holder, _ = start(env, HOLD_LOCK)
    try:
        editor, (pk,) = start(env, EDIT_WHILE_LOCKED, "zqlockwait")
        kill9(editor)
    finally:
        kill9(holder)  # the lock dies with its holder
    # A new process: its first search applies what the killed one left pending.
    assert check(env, "zqlockwait") == {"hits": [int(pk)], "pending": 0}


@pytest.mark.slow
def test_killed_after_the_swap_before_the_replay(env):  # fault #7
    run(env, PREPARE, "1")
    builder, (pk,) = start(env, KILL_AFTER_SWAP, "zqafterswap")
    kill9(builder)
    assert check(env, "zqafterswap") == {"hits": [int(pk)], "pending": 0}


@pytest.mark.slow
def test_killed_mid_build_leaves_no_partial_generation_behind(env):  # fault #11
    run(env, PREPARE, "2")
    root = index_dir(env)
    complete = sorted(p.name for p in root.glob("gen-*"))
    live = os.path.realpath(root / "current")
    builder, (pk,) = start(env, KILL_MID_BUILD, "zqmidbuild")
    kill9(builder)
    partial = [p for p in root.glob("gen-*") if p.name not in complete]
    assert len(partial) == 1 and not (partial[0] / "COMPLETE").exists()
    assert os.path.realpath(root / "current") == live  # the old build stays live, whole
    assert check(env, "zqmidbuild") == {"hits": [int(pk)], "pending": 0}

    # The next build removes the partial directory (newer than every complete one) and keeps the newest
    # complete previous build, not the partial one.
    assert json.loads(run(env, REBUILD, "zqmidbuild").strip().splitlines()[-1]) == {"hits": [int(pk)]}
    left = sorted(p.name for p in root.glob("gen-*"))
    assert partial[0].name not in left
    assert Path(live).name in left and len(left) == 2
    assert all((root / name / "COMPLETE").exists() for name in left)
