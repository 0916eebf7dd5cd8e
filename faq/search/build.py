"""Rebuilding the index without a moment of stale or half-built search, and bootstrapping a node's index.

The engine writes every document into a new generation; edits saved while the build ran are replayed into
it from the change log *before* the swap (under the live index's write lock, so no edit can land only in
the old index after that).  The build then becomes this node's state in the log (faq.search.nodes): the
cursor is where the build's own read of the database plus its replay reach, and ids passed but not seen
yet are gaps, applied when their transactions commit.  Everything after is applied by ``queue.flush``.

A crash at any point leaves nothing stale: before the swap the old index stays live and complete and the
node's state still describes it; after the swap, the new index holds every edit made during the build, and a
node whose state names another index builds again when a worker starts (faq.search.replica).  The command
(build_search_index, and rebuild_index which shadows haystack's), the benchmark, restore, a new node's
bootstrap and the tests all call ``build_index``.
"""

import time

from faq.models import IndexTask

from . import nodes, queue
from .documents import all_documents, count_all
from .engine import get_engine
from .engine.base import EngineBusy


def build_index(progress=False, stdout=None):
    """Write a complete index, swap it in, replay edits made meanwhile; returns (name, counts, replayed, secs)."""
    t0 = time.monotonic()
    # Everything up to ``since`` committed before we read the database (this also holds the rows after it
    # back from pruning until we are done).
    since, _node = nodes.build_started()
    engine = get_engine()
    counts = {}
    replayed = []  # the log rows replayed before the swap

    def replay():  # called by the engine before the swap (last while holding the live index's write lock)
        rows = IndexTask.objects.filter(pk__gt=since).order_by("pk").values_list("pk", "kind", "object_id")
        seen = {pk for pk, _kind, _id in replayed}
        fresh = [row for row in rows if row[0] not in seen]  # a gap's row may commit between two calls
        replayed.extend(fresh)
        return queue.changes_for(fresh)()

    documents = all_documents(counts, progress=progress, stdout=stdout)
    target = engine.rebuild(documents, count_all(), replay=replay)
    nodes.build_finished(since, [pk for pk, _kind, _id in replayed], engine.generation())
    n_replayed = len({(kind, pk) for _id, kind, pk in replayed})
    try:
        n_replayed += queue.flush()  # whatever committed after the replay
    except EngineBusy:
        queue.start_retrier()
    engine.cleanup(keep={target})
    return target, counts, n_replayed, time.monotonic() - t0
