"""Search as citizens get it: one ``search()`` serves the page, the API and the evaluator, so what is
measured is what citizens get.  It understands the query (faq.search.understanding), asks the configured
engine (faq.search.engine) for ranked ids, facets and highlights, and loads the result objects.

When the live index turns out unusable mid-search, the search runs again on the snapshot the engine then
offers (the previous complete build) and the results say ``degraded``; when no index is usable at all,
EngineUnavailable reaches the caller (the page and the API answer 503).
"""

import math
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.safestring import mark_safe

from faq.errors import BadParameter
from faq.models import Entry, IndexTask, Office

from . import queue, understanding
from .engine import get_engine
from .engine.base import EngineQuery, EngineUnavailable
from .memo import LRU

MAX_LIMIT = 100
HUB_WINDOW = 10  # the results _promote_hub_entries looks at
MAX_QUERY_CHARS = understanding.MAX_QUERY_CHARS
MAX_TERMS = understanding.MAX_TERMS


# --- results ---------------------------------------------------------------------------------------


@dataclass
class Hit:
    kind: str  # "entry" | "office"
    obj: object
    score: float
    title_html: str = ""
    snippet_html: str = ""

    @property
    def city(self):
        return self.obj.city

    @property
    def topics(self):
        return list(self.obj.topics.all()) if self.kind == "entry" else []

    @property
    def title(self):
        return self.obj.question if self.kind == "entry" else self.obj.name

    @property
    def text(self):
        if self.kind == "entry":
            return self.obj.answer
        phones = "；".join(str(p) for p in self.obj.phones.all())
        return "\n".join(part for part in (self.obj.address, phones) if part)

    @property
    def url(self):
        return self.obj.get_absolute_url()


@dataclass
class SearchResults:
    query: str
    normalized: str
    total: int
    page: int
    limit: int
    hits: list
    facets: dict  # {"city": {slug: n}, "topic": {slug: n}}
    concepts: list
    degraded: bool = False  # answered from the previous complete build: the live index is unusable

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.limit)) if self.limit else 1

    def paginator(self):
        """Django's Paginator over the matches (page links, previous/next), without materialising them."""
        return Paginator(range(self.total), self.limit, allow_empty_first_page=True)


def _promote_hub_entries(ranked, parsed, window=HUB_WINDOW):
    """When several offices lead (one per district) and the query names none of their districts, the entry
    that lists those offices answers better than any single office: move it just above the first office."""
    top = ranked[:window]
    office_ids = [int(ident.rsplit(".", 1)[1]) for _s, ident in top if ident.startswith("faq.office.")]
    if len(office_ids) < 2:
        return
    for office in Office.objects.filter(pk__in=office_ids).select_related("district"):
        if office.district_id and any(n in parsed.text for n in [office.district.name, *office.district.alias_list()]):
            return  # the citizen asked about a particular district's office
    links = {}
    for entry_id, office_id in Entry.offices.through.objects.filter(office_id__in=office_ids).values_list(
        "entry_id", "office_id"
    ):
        links.setdefault(entry_id, set()).add(office_id)
    hubs = {f"faq.entry.{e}" for e, offices in links.items() if len(offices) >= 2}
    first_office = next(i for i, (_s, ident) in enumerate(ranked) if ident.startswith("faq.office."))
    for i, (_score, ident) in enumerate(ranked):
        if ident in hubs and i > first_office:
            item = ranked.pop(i)
            item[0] = ranked[first_office][0] * 1.01
            ranked.insert(first_office, item)
            return


MAX_CACHED_OBJECTS = 5000  # result objects (entries, offices, or "gone") remembered per index state


def _load(ids, snapshot):
    """Result objects for haystack ids ("faq.entry.12"), in one query per kind; None for ids no longer there.

    Kept on the searcher, i.e. for one committed state of the index: every change to what a hit shows (an
    entry, office, phone, step, topic, district or city saved or deleted) is indexed, which gives a new
    searcher and so a fresh memo.  Popular answers come back page after page without the database.
    """
    memo = snapshot.memo("objects", lambda: LRU(MAX_CACHED_OBJECTS))
    kept = {ident: memo.get(ident, memo) for ident in ids}  # ``memo`` itself marks "not remembered"
    wanted = {"entry": [], "office": []}
    for ident in ids:
        if kept[ident] is memo:
            _app, kind, pk = ident.split(".")
            wanted[kind].append(int(pk))
    found = {}
    if wanted["entry"]:
        qs = Entry.objects.filter(status=Entry.Status.PUBLISHED).select_related("city").prefetch_related("topics")
        for obj in qs.filter(pk__in=wanted["entry"]):
            found[f"faq.entry.{obj.pk}"] = ("entry", obj)
    if wanted["office"]:
        qs = Office.objects.select_related("city", "district").prefetch_related("phones")
        for obj in qs.filter(pk__in=wanted["office"]):
            found[f"faq.office.{obj.pk}"] = ("office", obj)
    for kind, pks in wanted.items():
        for pk in pks:
            ident = f"faq.{kind}.{pk}"
            kept[ident] = found.get(ident)
            memo.put(ident, kept[ident])
    return {ident: kept[ident] for ident in ids if kept[ident] is not None}


def _check_int(name, value, low, high=None):
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        upper = f" 到 {high}" if high is not None else " 以上"
        raise BadParameter(f"{name} 必须是 {low}{upper} 的整数")


def search(q, city=None, topic=None, page=1, limit=10, highlight=True, facets=True, clamp_page=False):
    """Ranked, highlighted results for a citizen's query; ``page`` is 1-based.

    Any text is a valid query (it is normalised, stripped of syntax and capped); ``page`` must be an int ≥ 1
    (pages past the end are empty) and ``limit`` an int in 1..MAX_LIMIT, else ``queries.BadParameter``
    (a ValueError) is raised.  Unknown ``city``/``topic`` slugs simply match nothing.  With ``clamp_page`` a
    page past the end shows the last page instead (the ranking is exact that far: see EngineQuery.needed).
    """
    _check_int("page", page, 1)
    _check_int("limit", limit, 1, MAX_LIMIT)
    parsed = understanding.analyse(q)
    empty = SearchResults(q, parsed.text, 0, page, limit, [], {"city": {}, "topic": {}}, parsed.concepts)
    if not parsed.concepts and not parsed.text.strip():
        return empty

    queue.recover()  # once per process: what a killed process left pending reaches the index
    engine = get_engine()
    filters = {"city": city, "topics": topic}
    snapshot, parsed, found = _ask_engine(engine, q, parsed, filters, max(page * limit, HUB_WINDOW), facets)
    degraded = snapshot.degraded
    if not found.ranked and not found.total:
        return SearchResults(q, parsed.text, 0, page, limit, [], found.facets, parsed.concepts, degraded)
    ranked = found.ranked
    if clamp_page and page > 1 and (page - 1) * limit >= found.total:
        page = max(1, math.ceil(found.total / limit))
    _promote_hub_entries(ranked, parsed)
    page_ids = [ident for _score, ident in ranked[(page - 1) * limit : page * limit]]
    scores = {ident: score for score, ident in ranked}
    objects = _load(page_ids, snapshot)
    terms = parsed.highlight_terms
    hits = []
    for ident in page_ids:
        if ident not in objects:
            continue  # deleted since the index was written; its task is on its way
        kind, obj = objects[ident]
        hit = Hit(kind, obj, round(scores[ident], 4))
        if highlight:
            # highlight() escapes everything but its own <mark> tags.
            hit.title_html = mark_safe(engine.highlight(hit.title, terms, maxchars=300, top=1, fallback_chars=300))
            hit.snippet_html = mark_safe(engine.highlight(hit.text, terms))
        hits.append(hit)
    return SearchResults(q, parsed.text, found.total, page, limit, hits, found.facets, parsed.concepts, degraded)


def _ask_engine(engine, q, parsed, filters, needed, facets):
    """(snapshot, parsed query, engine results).  A snapshot found unusable while searching is marked broken
    by the engine, whose next snapshot is the fallback: one more try (with the query analysed afresh, as
    ``resolve`` fits it to one index)."""
    for attempt in (1, 2):
        snapshot = engine.snapshot()  # EngineUnavailable when no index is usable at all
        try:
            grams = understanding.resolve(parsed, snapshot)
            query = EngineQuery(
                text=parsed.text,
                concepts=parsed.concepts,
                fallback_grams=grams,
                filters=filters,
                prefer_cities=understanding.mentioned_cities(parsed.text),
                needed=needed,
            )
            return snapshot, parsed, snapshot.search(query, facets=facets)
        except EngineUnavailable:
            if attempt == 2:
                raise
            parsed = understanding.analyse(q)


def index_state():
    """A small summary of the search index for /healthz; ``reason`` says why it is not "ok"/"empty".

    Degraded: the live index is unusable (searches use the previous build, or none), or an index change
    has waited longer than SEARCH_INDEX_MAX_LAG_SECONDS (nothing is applying the queue).
    """
    try:
        state = get_engine().state()
    except Exception as exc:  # health must answer even when the index is broken
        state = {"status": "unavailable", "reason": f"search index unreadable ({exc.__class__.__name__})"}
    pending = IndexTask.objects.filter(done_at__isnull=True)
    state["pending_updates"] = pending.count()
    oldest = pending.order_by("pk").values_list("created_at", flat=True).first()
    lag = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    state["oldest_pending_seconds"] = round(lag, 1)
    if lag > settings.SEARCH_INDEX_MAX_LAG_SECONDS and state["status"] in ("ok", "empty"):
        state.update(status="degraded", reason=f"index changes waiting for {lag:.0f} s")
    return state
