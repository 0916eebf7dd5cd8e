"""Keeping the search index fresh: an ordered change log, applied after commit through a single writer.

haystack's RealtimeSignalProcessor writes to Whoosh inside ``save()``: concurrent saves hit Whoosh's
LockError in the editor's request, and a failed delete is silently dropped.  Here instead:

1. Signals append ``IndexTask`` rows (kind, id) to the change log *in the editor's transaction*, so the
   intent to reindex commits atomically with the edit (and vanishes with a rollback).  On PostgreSQL the
   same transaction sends a NOTIFY, which wakes every node's follower (faq.search.replica) at commit.
2. After commit, ``flush()`` runs: under a per-process lock and Whoosh's write lock (waited for, not failed
   on) it reads this node's unapplied log rows (faq.search.nodes: after its cursor, and ids it has not seen
   yet), re-reads those objects from the database, updates or deletes the documents, commits once and moves
   the node's cursor.  Reading the objects only after taking the write lock means a later edit can never be
   overwritten by an earlier one's stale copy.  Other nodes apply the same rows to their own index.
3. If the lock stays busy (a rebuild or a bulk import in another process), the editor still gets their
   page: a background thread keeps retrying, and the node's follower picks the rows up too.

``deferred()`` batches a bulk import into one set of log rows and one index commit.
"""

import atexit
import logging
import random
import threading
import time
from contextlib import contextmanager

from django.db import DatabaseError, transaction
from django.db import connections as db_connections
from django.db.models import signals
from haystack.signals import BaseSignalProcessor

from faq.models import City, District, Entry, IndexTask, Office, PhoneNumber, ProcedureStep, SimilarQuestion, Topic

from . import nodes
from .documents import MODELS, documents_for
from .engine import get_engine
from .engine.base import EngineBusy

log = logging.getLogger(__name__)

BATCH = 500
CHANNEL = "faq_index_log"  # PostgreSQL LISTEN/NOTIFY channel: "the change log grew"

_write_lock = threading.RLock()
_local = threading.local()
_retrier = None
_retrier_lock = threading.Lock()


# --- what an edit touches --------------------------------------------------------------------------


def targets_for(instance):
    """(kind, id) pairs whose search documents depend on ``instance``."""
    if isinstance(instance, Entry):
        return [("entry", instance.pk)]
    if isinstance(instance, Office):
        # Entries carry their offices' names, addresses and phones in their search text.
        return [("office", instance.pk)] + [("entry", pk) for pk in instance.entries.values_list("pk", flat=True)]
    if isinstance(instance, SimilarQuestion):
        return [("entry", instance.entry_id)]
    if isinstance(instance, (PhoneNumber, ProcedureStep)):
        keys = []
        if getattr(instance, "entry_id", None):
            keys.append(("entry", instance.entry_id))
        if getattr(instance, "office_id", None):
            keys.append(("office", instance.office_id))
            keys += [
                ("entry", pk)
                for pk in Entry.offices.through.objects.filter(office_id=instance.office_id).values_list(
                    "entry_id", flat=True
                )
            ]
        return keys
    if isinstance(instance, (Topic, District)):
        keys = [("entry", pk) for pk in instance.entries.values_list("pk", flat=True)]
        if isinstance(instance, District):
            keys += [("office", pk) for pk in instance.offices.values_list("pk", flat=True)]
        return keys
    if isinstance(instance, City):
        return [("entry", pk) for pk in instance.entries.values_list("pk", flat=True)] + [
            ("office", pk) for pk in instance.offices.values_list("pk", flat=True)
        ]
    return []


def enqueue(keys):
    keys = {(kind, int(pk)) for kind, pk in keys if pk is not None}
    if not keys:
        return
    pending = getattr(_local, "deferred", None)
    if pending is not None:
        pending.update(keys)
        return
    IndexTask.objects.bulk_create(IndexTask(kind=kind, object_id=pk) for kind, pk in sorted(keys))
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")  # delivered at commit, dropped with a rollback
    transaction.on_commit(flush_after_commit)


@contextmanager
def deferred():
    """Collect index work while the block runs and record it once at the end (one flush, one commit)."""
    outer = getattr(_local, "deferred", None)
    if outer is not None:  # nested: the outermost block records everything
        yield
        return
    _local.deferred = set()
    try:
        yield
    finally:
        keys, _local.deferred = _local.deferred, None
    if transaction.get_connection().in_atomic_block and transaction.get_rollback():
        return  # a dry run (or failed block) that will be rolled back: nothing to index
    enqueue(keys)


# --- applying tasks --------------------------------------------------------------------------------


def apply_tasks(tasks, node=None):
    """Write the current database state of the tasks' objects into the live index in one commit; returns
    the generation written to (nothing is written when ``node``'s state moved meanwhile).  Raises EngineBusy
    when another writer holds the index."""
    changes = changes_for(tasks)
    return get_engine().write(changes if node is None else _unless_moved(node, changes))


def changes_for(tasks):
    """A function returning (documents to upsert, ids to delete) for ``tasks``, reading the rows when called."""
    by_kind = {}
    for _pk, kind, object_id in tasks:
        if kind in MODELS:
            by_kind.setdefault(kind, set()).add(object_id)

    def changes():  # called by the engine once it holds the write lock, so no older copy can win
        upserts, deletes = [], []
        for kind, ids in by_kind.items():
            for ident, doc in documents_for(kind, sorted(ids)):
                if doc is None:
                    deletes.append(ident)
                else:
                    upserts.append(doc)
        return upserts, deletes

    return changes


def apply_with_retry(tasks, patience=60.0):
    """``apply_tasks``, waiting up to ``patience`` seconds for another process's writer to finish."""
    deadline = time.monotonic() + patience
    delay = 0.05
    while True:
        try:
            return apply_tasks(tasks)
        except EngineBusy:
            if time.monotonic() > deadline:
                raise
            time.sleep(delay + random.random() * delay)
            delay = min(delay * 2, 1.0)


def flush(max_batches=None):
    """Apply this node's unapplied log rows to its index; returns how many were applied.  Raises EngineBusy
    when the index stays locked, nodes.NeedsBuild when the node has no usable cursor (build first)."""
    applied = 0
    engine = get_engine()
    with _write_lock:
        batches = 0
        while max_batches is None or batches < max_batches:
            node = nodes.current()
            if not nodes.is_valid(node, engine.generation()):
                raise nodes.NeedsBuild(f"node {nodes.name()} has no cursor for this index")
            tasks = list(nodes.unapplied(node).order_by("pk").values_list("pk", "kind", "object_id")[:BATCH])
            cursor, gaps = nodes.advanced(node.cursor, node.gaps, [t[0] for t in tasks])
            if not tasks:
                if gaps != node.gaps:
                    nodes.save(node, cursor, gaps)  # gaps waited for long enough: rolled back
                break
            written_to = apply_tasks(tasks, node)
            if engine.generation() != written_to:
                continue  # the index was swapped under us: apply the same rows to the new one
            if nodes.save(node, cursor, gaps, applied=True):
                applied += len(tasks)
            batches += 1  # a lost race (another process moved the cursor) re-reads; re-applying is harmless
    return applied


def _unless_moved(node, changes):
    def checked():  # under the write lock: another process of this node may have applied these just now
        if nodes.current().version != node.version:
            return [], []
        return changes()

    return checked


def flush_after_commit():
    """on_commit hook: never lets an indexing problem reach the editor."""
    try:
        flush()
    except EngineBusy:
        log.info("search index busy; pending updates handed to the background retrier")
        start_retrier()
    except nodes.NeedsBuild:
        log.warning("this node's search index has no cursor yet; its follower builds it")
    except DatabaseError as exc:  # the database is down: say so in one line, the retrier keeps trying
        log.warning("search index update waits for the database: %s", exc.__class__.__name__)
        start_retrier()
        return
    except Exception:
        log.exception("search index update failed; will retry in the background")
        start_retrier()


def _retry_loop():
    global _retrier
    delay = 0.2
    try:
        while True:
            time.sleep(delay + random.random() * delay)
            try:
                flush()
                return
            except nodes.NeedsBuild:
                return  # the follower builds the index, which includes this change
            except EngineBusy:
                delay = min(delay * 2, 5.0)
            except DatabaseError as exc:
                log.warning("search index retry waits for the database: %s", exc.__class__.__name__)
                delay = min(delay * 2, 30.0)
            except Exception:
                log.exception("search index retry failed")
                delay = min(delay * 2, 30.0)
    finally:
        with _retrier_lock:
            _retrier = None
        db_connections.close_all()  # this thread's own connections; nobody else would ever close them


def start_retrier():
    global _retrier
    with _retrier_lock:
        if _retrier is None:
            _retrier = threading.Thread(target=_retry_loop, name="search-index-retrier", daemon=True)
            _retrier.start()


@atexit.register
def _drain_at_exit():
    # A management command (import, shell script) must not exit with index work only in a daemon thread.
    if _retrier is not None:
        try:
            flush()
        except Exception:
            log.warning("search index updates still pending at exit; the next writer will apply them")


def pending_count():
    """Log rows this node has not applied yet (every row while it has no cursor)."""
    node = nodes.current()
    if node is None or node.cursor is None:
        return IndexTask.objects.count()
    return nodes.unapplied(node).count()


# --- the haystack signal processor -----------------------------------------------------------------


class QueuedSignalProcessor(BaseSignalProcessor):
    """HAYSTACK_SIGNAL_PROCESSOR: turns saves, deletes and relation changes into queued index tasks."""

    WATCHED = (Entry, Office, PhoneNumber, ProcedureStep, SimilarQuestion, Topic, District, City)

    def setup(self):
        for model in self.WATCHED:
            signals.post_save.connect(self.handle_save, sender=model, dispatch_uid=f"search-save-{model.__name__}")
            signals.post_delete.connect(
                self.handle_delete, sender=model, dispatch_uid=f"search-delete-{model.__name__}"
            )
        for field in ("topics", "districts", "offices"):
            through = getattr(Entry, field).through
            signals.m2m_changed.connect(self.handle_m2m, sender=through, dispatch_uid=f"search-m2m-{field}")
        # Deleting an office removes its entry links without m2m_changed: note the entries while we still can.
        signals.pre_delete.connect(self.handle_pre_delete, sender=Office, dispatch_uid="search-predelete-office")

    def teardown(self):
        for model in self.WATCHED:
            signals.post_save.disconnect(sender=model, dispatch_uid=f"search-save-{model.__name__}")
            signals.post_delete.disconnect(sender=model, dispatch_uid=f"search-delete-{model.__name__}")
        for field in ("topics", "districts", "offices"):
            signals.m2m_changed.disconnect(sender=getattr(Entry, field).through, dispatch_uid=f"search-m2m-{field}")
        signals.pre_delete.disconnect(sender=Office, dispatch_uid="search-predelete-office")

    def handle_pre_delete(self, sender, instance, **kwargs):
        enqueue(targets_for(instance))

    def handle_save(self, sender, instance, raw=False, **kwargs):
        if not raw:  # loaddata: the rebuild indexes fixtures
            enqueue(targets_for(instance))

    def handle_delete(self, sender, instance, **kwargs):
        if isinstance(instance, (Topic, District, City)):
            return  # the entries' own deletes/m2m changes cover it
        if isinstance(instance, Office):
            enqueue([("office", instance.pk)])  # its entries were noted in pre_delete
            return
        enqueue(targets_for(instance))

    def handle_m2m(self, sender, instance, action, reverse, model, pk_set, **kwargs):
        if action == "pre_clear" and reverse:
            # After the clear we could no longer tell which entries were linked.
            _local.cleared = (
                [("entry", pk) for pk in instance.entries.values_list("pk", flat=True)]
                if hasattr(instance, "entries")
                else []
            )
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if not reverse:
            keys = [("entry", instance.pk)]
            if model is Office and pk_set:
                keys += [("office", pk) for pk in pk_set]  # an office's topics come from its entries
        elif action == "post_clear":
            keys = getattr(_local, "cleared", [])
            _local.cleared = []
        else:
            keys = [("entry", pk) for pk in pk_set or ()]
            if isinstance(instance, Office):
                keys.append(("office", instance.pk))
        enqueue(keys)
