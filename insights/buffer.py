"""Writes off the request path: searches, clicks and page views wait in a small in-process buffer that a
background thread flushes every SEARCH_LOG_FLUSH_SECONDS (or sooner, at SEARCH_LOG_BATCH rows) with one
bulk insert, so logging costs a request an append under a lock, never a database round trip.

``flush()`` writes now (tests, the bench, process exit).  With SEARCH_LOG_FLUSH_SECONDS = 0 no thread runs and
rows wait for ``flush()``.  A failed write is logged and dropped: the log must never hurt a citizen's search.
"""

import atexit
import logging
import threading
from collections import Counter

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import F

from .models import EntryViewDay

log = logging.getLogger(__name__)

MAX_PENDING = 50_000  # beyond this (nothing flushing), the oldest rows are dropped


class Buffer:
    def __init__(self):
        self._lock = threading.Lock()
        self._rows = []
        self._views = Counter()  # (entry_id, day) -> views
        self._wake = threading.Event()
        self._thread = None
        self._stopping = False

    def add(self, row):
        with self._lock:
            self._rows.append(row)
            if len(self._rows) > MAX_PENDING:
                del self._rows[: len(self._rows) - MAX_PENDING]
            full = len(self._rows) >= settings.SEARCH_LOG_BATCH
        self._start()
        if full:
            self._wake.set()

    def count_view(self, entry_id, day):
        with self._lock:
            if len(self._views) < MAX_PENDING:
                self._views[(entry_id, day)] += 1
        self._start()

    def pending(self):
        with self._lock:
            return len(self._rows) + len(self._views)

    def discard(self):
        with self._lock:
            self._rows, self._views = [], Counter()

    def flush(self):
        """Write everything buffered; returns how many rows and view counts were written."""
        with self._lock:
            rows, views = self._rows, self._views
            self._rows, self._views = [], Counter()
        by_model = {}
        for row in rows:
            by_model.setdefault(type(row), []).append(row)
        for model, items in by_model.items():
            model.objects.bulk_create(items, batch_size=500)
        for (entry_id, day), n in views.items():
            _add_views(entry_id, day, n)
        return len(rows) + len(views)

    def _start(self):
        if self._thread is not None or settings.SEARCH_LOG_FLUSH_SECONDS <= 0:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="insights-flusher", daemon=True)
                self._thread.start()

    def stop(self, timeout=5):
        """Flush and end the flusher thread (tests; a later write starts a new one)."""
        thread = self._thread
        if thread is not None:
            self._stopping = True
            self._wake.set()
            thread.join(timeout)

    def _run(self):
        while True:
            interval = settings.SEARCH_LOG_FLUSH_SECONDS
            if interval > 0:
                self._wake.wait(interval)
            self._wake.clear()
            stopping = interval <= 0 or self._stopping
            try:
                close_old_connections()
                self.flush()
            except Exception:
                log.exception("search log flush failed; rows dropped")
                connection.close()
            if stopping:  # turned off (SEARCH_LOG_FLUSH_SECONDS = 0) or stopped: this thread ends
                connection.close()
                with self._lock:
                    self._thread, self._stopping = None, False
                return


def _add_views(entry_id, day, n):
    with transaction.atomic():
        if EntryViewDay.objects.filter(entry_id=entry_id, day=day).update(views=F("views") + n):
            return
        try:
            with transaction.atomic():
                EntryViewDay.objects.create(entry_id=entry_id, day=day, views=n)
        except IntegrityError:  # another process created the day's row first
            EntryViewDay.objects.filter(entry_id=entry_id, day=day).update(views=F("views") + n)


buffer = Buffer()
add = buffer.add
count_view = buffer.count_view
flush = buffer.flush


@atexit.register
def _flush_at_exit():
    try:
        if buffer.pending():
            buffer.flush()
    except Exception:  # the database may be gone at exit
        pass
