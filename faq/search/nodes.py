"""Each web node's place in the index change log: its cursor, the ids it has not seen yet, its heartbeat.

Every node keeps its own index (a replica) and applies the log (``IndexTask``) after its cursor, in id order.
Ids are allocated when a transaction inserts, not when it commits, so id 10 can become visible after id 11:
when a node passes an id it has not seen, the id is kept as a *gap* (ranges ``[first, last, since]``) and
read again on every pass until it shows up or SEARCH_INDEX_GAP_SECONDS pass (its transaction rolled back).
Applying re-reads the current rows, so a change applied twice, or a gap re-read, is harmless.

A node's *position* is the id below which it needs nothing any more (its first gap, else its cursor).  The
log is pruned up to the lowest position of the nodes heard from within SEARCH_NODE_TIMEOUT_SECONDS; a node
silent longer is passed over, its cursor cleared, and it rebuilds its index when it comes back.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone

from faq.models import IndexNode, IndexTask

# Edits whose log row was written up to this long before a build started are replayed into it (a transaction
# may have written its row before the build began and committed after the build read its content).
REPLAY_MARGIN = timedelta(minutes=2)
# Log rows younger than this are kept whatever the cursors say: a build starting now may replay them.
KEEP_RECENT = timedelta(minutes=10)


class NeedsBuild(Exception):
    """This node's index is not described by a usable cursor (new node, replaced index, log pruned past it)."""


def name():
    return settings.NODE_NAME


def current(node_name=None):
    return IndexNode.objects.filter(name=node_name or name()).first()


def is_valid(node, generation):
    return node is not None and node.cursor is not None and node.generation == generation


def position(node):
    """The highest id such that this node needs no change at or below it."""
    if node is None or node.cursor is None:
        return None
    return min([node.cursor] + [lo - 1 for lo, _hi, _since in node.gaps])


def unapplied(node):
    """The log rows this node has yet to apply: after its cursor, and in its gaps."""
    wanted = Q(pk__gt=node.cursor)
    for lo, hi, _since in node.gaps:
        wanted |= Q(pk__range=(lo, hi))
    return IndexTask.objects.filter(wanted)


# --- moving the cursor -----------------------------------------------------------------------------


def _without(gaps, found):
    """``gaps`` with the ids in ``found`` taken out (each range split around them)."""
    left = []
    for lo, hi, since in gaps:
        start = lo
        for ident in sorted(i for i in found if lo <= i <= hi):
            if ident > start:
                left.append([start, ident - 1, since])
            start = ident + 1
        if start <= hi:
            left.append([start, hi, since])
    return left


def advanced(cursor, gaps, applied_ids, now=None):
    """(cursor, gaps) after applying ``applied_ids`` (a batch read in id order from ``unapplied``)."""
    now = time.time() if now is None else now
    fresh = sorted(i for i in applied_ids if i > cursor)
    gaps = _without(gaps, {i for i in applied_ids if i <= cursor})
    previous = cursor
    for ident in fresh:
        if ident > previous + 1:  # ids passed but not seen: a transaction still open, or rolled back
            gaps.append([previous + 1, ident - 1, now])
        previous = ident
    patience = settings.SEARCH_INDEX_GAP_SECONDS
    return (fresh[-1] if fresh else cursor), [g for g in gaps if now - g[2] <= patience]


def save(node, cursor, gaps, applied=False, **fields):
    """Write a new state unless someone else wrote one since ``node`` was read; returns whether it was written."""
    now = timezone.now()
    fields.update(cursor=cursor, gaps=gaps, version=node.version + 1, heartbeat_at=now)
    if applied:
        fields["last_applied_at"] = now
    return bool(IndexNode.objects.filter(pk=node.pk, version=node.version).update(**fields))


def build_started():
    """A build begins: (the id up to which the build's own read covers everything, the node row).

    Rows older than REPLAY_MARGIN, and everything this node had applied, committed before the build reads
    the database; the rows after that are held back from pruning until the build has replayed them."""
    settled = IndexTask.objects.filter(created_at__lt=timezone.now() - REPLAY_MARGIN).aggregate(m=Max("pk"))["m"]
    node = current()
    since = max(settled or 0, position(node) or 0)
    now = timezone.now()
    node, _ = IndexNode.objects.update_or_create(
        name=name(), defaults={"building_since": now, "building_from": since, "heartbeat_at": now}
    )
    return since, node


def build_finished(since, replayed_ids, generation):
    """The build's index holds every change up to ``since`` and those it replayed: that is the new state
    (written whatever an applier wrote meanwhile: that described the old index)."""
    cursor, gaps = advanced(since, [], replayed_ids)
    now = timezone.now()
    IndexNode.objects.filter(name=name()).update(
        cursor=cursor,
        gaps=gaps,
        generation=generation,
        version=F("version") + 1,
        building_since=None,
        building_from=None,
        heartbeat_at=now,
        last_applied_at=now,
    )


def heartbeat():
    now = timezone.now()
    if not IndexNode.objects.filter(name=name()).update(heartbeat_at=now):
        IndexNode.objects.get_or_create(name=name(), defaults={"heartbeat_at": now})


# --- lag and status --------------------------------------------------------------------------------


def lag(node):
    """(changes not applied yet, seconds the oldest of them has waited); (None, None) without a cursor."""
    if node is None or node.cursor is None:
        return None, None
    pending = unapplied(node)
    oldest = pending.aggregate(m=Min("created_at"))["m"]
    return pending.count(), (timezone.now() - oldest).total_seconds() if oldest else 0.0


def is_live(node, now=None):
    now = now or timezone.now()
    limit = timedelta(seconds=settings.SEARCH_NODE_TIMEOUT_SECONDS)
    return node.heartbeat_at is not None and now - node.heartbeat_at <= limit


def describe(node):
    changes, seconds = lag(node)
    return {
        "name": node.name,
        "cursor": node.cursor,
        "position": position(node),
        "gaps": len(node.gaps),
        "lag_changes": changes,
        "lag_seconds": None if seconds is None else round(seconds, 1),
        "last_applied_at": node.last_applied_at.isoformat() if node.last_applied_at else None,
        "heartbeat_at": node.heartbeat_at.isoformat() if node.heartbeat_at else None,
        "live": is_live(node),
        "building": node.building_since is not None,
    }


def status():
    """Every node known to the database, with its lag; and the log's size."""
    return {
        "log": IndexTask.objects.aggregate(first=Min("pk"), last=Max("pk")),
        "nodes": [describe(node) for node in IndexNode.objects.order_by("name")],
    }


# --- pruning ---------------------------------------------------------------------------------------


def _holds(node, now):
    """The id up to which ``node`` lets the log be pruned (None: it holds nothing back)."""
    if not is_live(node, now):
        return None
    holds = [] if node.cursor is None else [position(node)]
    limit = timedelta(seconds=settings.SEARCH_NODE_TIMEOUT_SECONDS)
    if node.building_since is not None and now - node.building_since <= limit:
        holds.append(node.building_from or 0)
    return min(holds) if holds else None


def prune():
    """Delete log rows every live node has passed (and older than KEEP_RECENT); returns how many."""
    now = timezone.now()
    with transaction.atomic():
        nodes = list(IndexNode.objects.select_for_update().order_by("pk"))
        holds = [h for h in (_holds(n, now) for n in nodes) if h is not None]
        if not holds:
            return 0
        doomed = IndexTask.objects.filter(pk__lte=min(holds), created_at__lt=now - KEEP_RECENT)
        upto = doomed.aggregate(m=Max("pk"))["m"]
        if upto is None:
            return 0
        for node in nodes:  # silent nodes passed over: their next start rebuilds
            if not is_live(node, now) and node.cursor is not None and position(node) < upto:
                IndexNode.objects.filter(pk=node.pk).update(cursor=None, gaps=[], version=node.version + 1)
        deleted, _ = doomed.delete()
    return deleted
