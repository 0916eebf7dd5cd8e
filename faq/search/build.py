"""Rebuilding the index without a moment of stale or half-built search.

The engine writes every document into a new generation; edits saved while the build ran are replayed into
it from the index queue *before* the swap (under the live index's write lock, so no edit can land only in
the old index after that) and again after it.  A crash at any point leaves nothing stale: before the swap
the old index stays live and complete; after it, the new one already holds every edit made during the
build, and tasks still pending are applied when a worker starts (faq.search.queue.recover).  The command (build_search_index, and
rebuild_index which shadows haystack's), the benchmark, restore and the tests all call ``build_index``.
"""

import time
from datetime import timedelta

from django.db.models import Max, Q
from django.utils import timezone

from faq.models import IndexTask

from . import queue
from .documents import all_documents, count_all
from .engine import get_engine

# Edits whose task was written up to this long before the build started are replayed too (a transaction
# may have written its task before the build began and committed after the build read its row).
REPLAY_MARGIN = timedelta(minutes=2)


def build_index(progress=False, stdout=None):
    """Write a complete index, swap it in, replay edits made meanwhile; returns (name, counts, replayed, secs)."""
    t0 = time.monotonic()
    started = timezone.now()
    last_task = IndexTask.objects.aggregate(m=Max("pk"))["m"] or 0
    engine = get_engine()
    counts = {}

    def recent_tasks():
        # Everything committed before we read the rows is in the new index; replay the rest, done or not: a
        # flush that began before the swap wrote into the old index and may mark its tasks done only now.
        # (A task done before the build started was committed before it too, so the build read its rows.)
        recent = IndexTask.objects.filter(Q(pk__gt=last_task) | Q(created_at__gte=started - REPLAY_MARGIN)).filter(
            Q(done_at__isnull=True) | Q(done_at__gte=started)
        )
        return list(recent.order_by("pk").values_list("pk", "kind", "object_id"))

    replayed = []  # the tasks replayed before the swap

    def replay():  # called by the engine before the swap, holding the live index's write lock
        replayed[:] = recent_tasks()
        return queue.changes_for(replayed)()

    documents = all_documents(counts, progress=progress, stdout=stdout)
    target = engine.rebuild(documents, count_all(), replay=replay)
    # Again after the swap, for tasks the first replay did not see (each update leaves a deleted copy that
    # counts in Whoosh's statistics, so not twice).  Any edit committed after this query flushes into the new
    # index itself.
    seen = {pk for pk, _kind, _id in replayed}
    tasks = [task for task in recent_tasks() if task[0] not in seen]
    if tasks:
        queue.apply_with_retry(tasks)
    n_replayed = len({(kind, pk) for _id, kind, pk in replayed + tasks}) + queue.flush()
    engine.cleanup(keep={target})
    return target, counts, n_replayed, time.monotonic() - t0
