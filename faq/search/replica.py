"""This node's index as a replica of the change log: caught up at start, then following the log.

Every web node (NODE_NAME, its own PORTAL_VAR_DIR and index) applies the log after its own cursor
(faq.search.nodes).  ``recover()`` runs once per process (gunicorn's post_worker_init, or the first search of
any other process): it applies what the node has not yet applied before the worker serves, then starts a
follower thread.  One follower per node (an flock on the index directory) applies the log as it grows: on
PostgreSQL a LISTEN on the log's channel wakes it when an edit commits on any node, and it polls every
SEARCH_INDEX_POLL_SECONDS as the fallback (and on SQLite).  The same thread sends the node's heartbeat and
prunes the log rows every live node has passed.  A node with no usable cursor (new, its index replaced, or
silent for so long the log was pruned past it) builds its index from the database first (faq.search.build,
which records where in the log the build began); /healthz says "degraded" until it has.

Other workers of the node see the follower's commits on their next search (a new index state).
"""

import contextlib
import fcntl
import logging
import os
import select
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, OperationalError
from django.db import connections as db_connections

from . import nodes, queue
from .build import build_index
from .engine.base import EngineBusy

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
PRUNE_SECONDS = 60.0
NOTIFY_DELAY = 0.05

_started_in = None  # the pid that ran recover() (a forked worker runs it again)


def catch_up():
    """Apply every change after this node's cursor; build the index from the database first if need be."""
    try:
        return queue.flush()
    except nodes.NeedsBuild as exc:
        log.warning("%s: building the search index from the database", exc)
        build_index()
        return queue.flush()


def recover():
    """Once per process: catch up with the log, then follow it.

    Off when SEARCH_INDEX_WATCH_SECONDS is 0 (the test settings: tests flush explicitly)."""
    global _started_in
    interval = getattr(settings, "SEARCH_INDEX_WATCH_SECONDS", 0)
    if not interval or _started_in == os.getpid():
        return
    _started_in = os.getpid()
    try:
        nodes.heartbeat()  # a new node is known (and reported as building) from its first worker on
        queue.flush()  # before this worker serves: a node that was down answers with its edits applied
    except nodes.NeedsBuild:
        pass  # a whole build is too long for a worker's start: the follower does it, /healthz says degraded
    except DatabaseError as exc:  # the database is down: one line, not a traceback; the follower retries
        log.warning("search index catch-up waits for the database: %s", exc.__class__.__name__)
    except Exception:
        log.warning("search index catch-up at start failed; the follower retries", exc_info=True)
    threading.Thread(target=_follow, args=(interval,), name="search-index-follower", daemon=True).start()


def _applier_lock():
    """An exclusive lock per index directory, held while this process is its node's follower (or None)."""
    root = Path(settings.HAYSTACK_CONNECTIONS["default"]["PATH"])
    root.mkdir(parents=True, exist_ok=True)
    fd = os.open(root / ".follower.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd  # released by the kernel when this process dies, however it dies


def _follow(interval):
    lock = None
    while True:
        try:
            lock = lock if lock is not None else _applier_lock()
            if lock is not None:
                _follow_log()
        except DatabaseError as exc:
            log.warning("search index follower waits for the database: %s", exc.__class__.__name__)
        except Exception:
            log.exception("search index follower failed; starting again")
        finally:
            db_connections.close_all()  # this thread's own connection
        time.sleep(interval if lock is None else 1.0)


def _listener():
    """A connection LISTENing on the log's channel (PostgreSQL), or None (poll only)."""
    connection = db_connections["default"]
    if connection.vendor != "postgresql":
        return None
    import psycopg2  # noqa: PLC0415  (PostgreSQL only)

    try:
        listener = psycopg2.connect(**connection.get_connection_params())
    except psycopg2.OperationalError as exc:  # reported like any database outage (one line, then retried)
        raise OperationalError(str(exc)) from exc
    listener.autocommit = True
    with listener.cursor() as cursor:
        cursor.execute(f"LISTEN {queue.CHANNEL}")
    return listener


def _wait(listener, seconds):
    if listener is None:
        time.sleep(seconds)
        return
    if select.select([listener], [], [], seconds)[0]:
        listener.poll()
        listener.notifies.clear()
        time.sleep(NOTIFY_DELAY)  # the node that took the edit applies it itself, right after its commit


def _follow_log():
    """Apply the log as it grows, beat and prune, until an error (the caller starts again)."""
    listener = _listener()
    beat = prune = 0.0
    try:
        while True:
            with contextlib.suppress(EngineBusy):  # a rebuild or a bulk import holds the index: next round
                catch_up()
            now = time.monotonic()
            if now - beat >= HEARTBEAT_SECONDS:
                nodes.heartbeat()
                beat = now
            if now - prune >= PRUNE_SECONDS:
                nodes.prune()
                prune = now
            _wait(listener, settings.SEARCH_INDEX_POLL_SECONDS)
    finally:
        if listener is not None:
            listener.close()
