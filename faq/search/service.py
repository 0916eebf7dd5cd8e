"""Search as citizens get it: one ``search()`` serves the page, the API and the evaluator, so what is
measured is what citizens get.  It understands the query (faq.search.understanding), asks the configured
engine (faq.search.engine) for ranked ids, facets and highlights, and loads the result objects.

When the live index turns out unusable mid-search, the search runs again on the snapshot the engine then
offers (the previous complete build) and the results say ``degraded``; when no index is usable at all,
EngineUnavailable reaches the caller (the page and the API answer 503).
"""

import math
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.safestring import mark_safe

from faq.errors import BadParameter
from faq.models import Entry, IndexTask, Office

from . import nodes, replica, spelling, understanding
from .analysis import content_words, query_fillers, query_words, stopwords
from .engine import get_engine
from .engine.base import EngineQuery, EngineUnavailable
from .memo import LRU

MAX_LIMIT = 100
HUB_WINDOW = 10  # the results _promote_hub_entries looks at
# How well the best result must fit the question (coverage and question fit, _Run.__call__) to count as an
# answer (cross-validated on the labelled answerability set: see README, "Knowing when there is no answer").
ANSWER_MIN_CONFIDENCE = 0.35
BEST_ANSWER_CONFIDENCE = 0.8  # the first hit covers this much of the question: shown as the best-answer card
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
    answered: bool = False  # does the best result answer the question? (confidence, in scope)
    confidence: float = 0.0  # coverage and question fit together: see _Run.__call__
    coverage: float = 0.0  # how much of the question the best result covers (answer_confidence)
    city_fallback: bool = False  # the citizen's city had no answer: these are another city's
    scope: str | None = None  # the city searched first (the citizen's, or one the query names)
    suggestion: str = ""  # 「您是不是要找」: the corrected query these results are for
    ranked: list = field(default_factory=list, repr=False)
    unknown: list = field(default_factory=list)  # words no document holds (typos, other agencies' terms)
    terms: frozenset = frozenset()
    degraded: bool = False  # answered from the previous complete build: the live index is unusable

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.limit)) if self.limit else 1

    @property
    def hit_city_names(self):
        return list(dict.fromkeys(hit.city.name for hit in self.hits))

    def best_answer(self):
        """The first hit, when it answers confidently enough to be shown as a card above the list."""
        if self.answered and self.page == 1 and self.hits and self.coverage >= BEST_ANSWER_CONFIDENCE:
            hit = self.hits[0]
            return hit if hit.kind == "entry" else None
        return None

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


MAX_CACHED_OBJECTS = 128  # result objects (entries, offices, or "gone") remembered per index state: the
# popular answers; a miss costs one pk__in query


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
        qs = Entry.objects.filter(Entry.live_q()).select_related("city").prefetch_related("topics", "similar_questions")
        qs = qs.defer("source_record")  # the raw source row: never shown in a hit, and the largest field
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
    # A remembered entry may have reached its 失效时间 (or a hit its 生效时间 not yet) since: checked on every read.
    now = timezone.now()
    return {
        ident: hit for ident in ids if (hit := kept[ident]) is not None and (hit[0] != "entry" or hit[1].is_live(now))
    }


def _check_int(name, value, low, high=None):
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        upper = f" 到 {high}" if high is not None else " 以上"
        raise BadParameter(f"{name} 必须是 {low}{upper} 的整数")


def search(q, city=None, topic=None, page=1, limit=10, highlight=True, facets=True, clamp_page=False, home_city=None):
    """Ranked, highlighted results for a citizen's query; ``page`` is 1-based.

    Any text is a valid query (it is normalised, stripped of syntax and capped); ``page`` must be an int ≥ 1
    (pages past the end are empty) and ``limit`` an int in 1..MAX_LIMIT, else ``queries.BadParameter``
    (a ValueError) is raised.  Unknown ``city``/``topic`` slugs simply match nothing.  With ``clamp_page`` a
    page past the end shows the last page instead (the ranking is exact that far: see EngineQuery.needed).

    ``city`` filters strictly.  ``home_city`` (the citizen's own city), or a city the query names, scopes the
    search instead: when that city has no answer but another city does, the other city's results come back
    with ``city_fallback`` set, never as if they were local.  When nothing answers and a homophone typo fix
    does (挂矢 → 挂失), the fixed query's results come back with ``suggestion`` set.
    """
    _check_int("page", page, 1)
    _check_int("limit", limit, 1, MAX_LIMIT)
    replica.recover()  # once per process: this node catches up with the change log, then follows it
    run = _Run(topic=topic, page=page, limit=limit, facets=facets, clamp_page=clamp_page)
    parsed = understanding.analyse(q)
    typed_pinyin = run.from_pinyin(parsed.text)
    if typed_pinyin:
        parsed = understanding.analyse(typed_pinyin)
    named = understanding.mentioned_cities(parsed.text)
    scope = city or (next(iter(named)) if len(named) == 1 else None) or home_city
    if scope and scope in named:
        # The city is the filter now: its name is no longer something for the answer to contain.
        parsed = understanding.analyse(understanding.without_city_names(q) or q)
    found = run(q, parsed, scope)
    corrected = None
    if not found.answered or found.unknown:
        corrected = spelling.correct(parsed.text, query_words(parsed.text), run.known)
        if corrected:
            fixed = run(q, understanding.analyse(corrected), scope)
            if fixed.answered and fixed.confidence > found.confidence:
                found, found.suggestion = fixed, corrected
    if not found.answered and scope and not city:
        # Looking in the other cities: the scoped city's name is no longer part of the question.
        for text in dict.fromkeys(t for t in (found.suggestion, corrected, q) if t):
            elsewhere = run(q, understanding.analyse(understanding.without_city_names(text) or text), None)
            if elsewhere.answered:
                # Another city's answer is no answer for this city: say so, never show it as if it were local.
                elsewhere.city_fallback, elsewhere.answered = True, False
                # How well this city's own best result answers: what the no-answer threshold was held to.
                elsewhere.confidence = found.confidence
                elsewhere.suggestion = text if text != q else ""
                found = elsewhere
                break
    found.scope = scope
    if typed_pinyin and not found.suggestion:
        found.suggestion = typed_pinyin
    return run.finish(found, highlight)


class _Run:
    """One search request against one state of the index: runs understood queries, keeps the answer check
    and the result loading consistent across the tries ``search`` makes."""

    def __init__(self, topic, page, limit, facets, clamp_page):
        self.engine = get_engine()
        self.snapshot = self.engine.snapshot()  # EngineUnavailable when no index is usable at all
        self.topic, self.page, self.limit, self.facets, self.clamp_page = topic, page, limit, facets, clamp_page

    def from_pinyin(self, text):
        """Chinese for a query typed in toneless pinyin (shebaoka buban), from the indexed questions' words."""
        if not spelling.looks_like_pinyin(text):
            return None
        table = self.snapshot.memo(
            "pinyin", lambda: spelling.pinyin_table(self.snapshot.question_words() | query_fillers() | stopwords())
        )
        return spelling.from_pinyin(text, table)

    def known(self, word):
        return self.snapshot.doc_frequency("text", word) > 0

    def __call__(self, q, parsed, city):
        empty = SearchResults(q, parsed.text, 0, self.page, self.limit, [], {"city": {}, "topic": {}}, [])
        if not parsed.concepts and not parsed.text.strip():
            return empty
        parsed, found = self.ask_engine(q, parsed, {"city": city, "topics": self.topic})
        page = self.page
        if self.clamp_page and page > 1 and (page - 1) * self.limit >= found.total:
            page = max(1, math.ceil(found.total / self.limit))
        _promote_hub_entries(found.ranked, parsed)
        results = SearchResults(q, parsed.text, found.total, page, self.limit, [], found.facets, parsed.concepts)
        results.ranked, results.terms, results.unknown = found.ranked, parsed.highlight_terms, parsed.unknown
        results.degraded = self.snapshot.degraded
        results.coverage = answer_confidence(found, parsed)
        # Both ways: the answer covers what was asked, and what its question is about was asked.
        fit = self.question_fit(found, parsed) if results.coverage else 0.0
        results.confidence = 2 * results.coverage * fit / (results.coverage + fit) if fit else 0.0
        results.answered = results.confidence >= ANSWER_MIN_CONFIDENCE and self.in_scope(found, parsed, q)
        return results

    def ask_engine(self, q, parsed, filters):
        """(parsed query, engine results).  A snapshot found unusable while searching is marked broken by the
        engine, whose next snapshot is the fallback: one more try, with the query analysed afresh (``resolve``
        fits it to one index)."""
        for attempt in (1, 2):
            try:
                grams = understanding.resolve(parsed, self.snapshot)
                query = EngineQuery(
                    text=parsed.text,
                    concepts=parsed.concepts,
                    fallback_grams=grams,
                    filters=filters,
                    prefer_cities=understanding.mentioned_cities(parsed.text),
                    needed=max(self.page * self.limit, HUB_WINDOW),
                )
                return parsed, self.snapshot.search(query, facets=self.facets)
            except EngineUnavailable:
                if attempt == 2:
                    raise
                self.snapshot = self.engine.snapshot()
                parsed = understanding.analyse(parsed.raw)

    def top_object(self, found):
        """(kind, object) of the best result, or None."""
        if not found.ranked:
            return None
        top = _load([found.ranked[0][1]], self.snapshot)
        return next(iter(top.values()), None)

    def question_fit(self, found, parsed):
        """How much of what the best result's question (or its best 相似问法) is about the citizen asked
        (0..1, idf-weighted).  An answer that merely mentions the query's words in passing is about something
        else: 生育津贴怎么计算 covers 计算 in 如何计算城乡居民基本养老保险养老金待遇, whose subject was not asked.
        An office's official name is never typed in full: offices fit."""
        top = self.top_object(found)
        if top is None:
            return 0.0
        kind, obj = top
        if kind != "entry":
            return 1.0
        asked = {t for c in parsed.concepts for alt in c.alternatives for t in alt}
        long_asked = [t for t in asked if len(t) > 1]
        short_asked = [t for t in asked if len(t) == 1]
        cities = [name for _slug, name in understanding.city_names()]
        n_docs = max(self.snapshot.doc_count(), 1)
        best = 0.0
        for question in [obj.question, *(s.text for s in obj.similar_questions.all())]:
            total = covered = 0.0
            for word in content_words(understanding.normalize(question)):
                if any(name in word for name in cities):
                    continue  # the city is the search's filter, not something asked
                # The engine keeps document frequencies (bounded): no memo of its own here.
                weight = math.log(1 + n_docs / max(self.snapshot.doc_frequency("text", word), 1))
                total += weight
                if word in asked or word in parsed.text or any(t in word for t in long_asked):
                    covered += weight
                elif any(t in word for t in short_asked):
                    covered += weight / 2  # 办 in 代办: maybe the same word, maybe not (用 / 启用)
            if total:
                best = max(best, covered / total)
        return best

    def in_scope(self, found, parsed, q):
        """False when the query is about another agency's business (公积金, 户口 …) or another place, and the
        best result does not speak of it at all: the other words may fit, but the answer is not about it."""
        groups = understanding.out_of_scope(parsed.text, q)
        if not groups:
            return True
        top = self.top_object(found)
        if top is None:
            return False
        kind, obj = top
        hit = Hit(kind, obj, 0)
        if kind == "entry":
            # Its question or a 相似问法: an answer listing 身份证 among the papers to bring is not about 身份证.
            text = understanding.normalize("\n".join([obj.question, *(s.text for s in obj.similar_questions.all())]))
        else:
            text = understanding.normalize(hit.title) + understanding.normalize(hit.text)
        return all(any(t in text for t in group) for group in groups)

    def finish(self, results, highlight):
        """Load and highlight the page's hits (only for the results that are returned)."""
        ranked = results.ranked
        page_ids = [
            ident for _score, ident in ranked[(results.page - 1) * results.limit : results.page * results.limit]
        ]
        scores = {ident: score for score, ident in ranked}
        objects = _load(page_ids, self.snapshot)
        for ident in page_ids:
            if ident not in objects:
                continue  # deleted since the index was written; its task is on its way
            kind, obj = objects[ident]
            hit = Hit(kind, obj, round(scores[ident], 4))
            if highlight:
                # highlight() escapes everything but its own <mark> tags.
                hit.title_html = mark_safe(
                    self.engine.highlight(hit.title, results.terms, maxchars=300, top=1, fallback_chars=300)
                )
                hit.snippet_html = mark_safe(self.engine.highlight(hit.text, results.terms))
            results.hits.append(hit)
        return results


def answer_confidence(found, parsed):
    """How much of what the citizen asked the best result covers (0..1, idf-weighted, in its text or its best
    question), scaled down by the weight of words no document holds (北京, 驾照 …)."""
    if not found.ranked:
        return 0.0
    known = sum(c.idf for c in parsed.concepts)
    if not known:
        return 0.0
    covered = found.coverage.get(found.ranked[0][1], 0.0)
    return covered * known / (known + parsed.unmatched_weight)


def warm(seconds=None, notify=None):
    """Fill this process's search caches before it serves its first citizen (gunicorn's post_worker_init):
    what every search reads is then in memory from the start, so a worker's memory is what it is after
    start-up plus the small per-query memos, rather than growing for hours as new words come in.  Bounded
    by SEARCH_WARM_SECONDS (0: off); ``notify`` keeps the process supervisor from taking it for stuck."""
    seconds = settings.SEARCH_WARM_SECONDS if seconds is None else seconds
    if seconds <= 0:
        return {}
    spelling.warm()  # pypinyin's dictionaries (~50 MB), otherwise loaded by the first typo
    try:
        return get_engine().snapshot().warm(time.monotonic() + seconds, notify)
    except EngineUnavailable:
        return {}  # nothing usable to warm: the first search reports it


def index_state():
    """A small summary of the search index and this node's place in the change log, for /healthz; ``reason``
    says why it is not "ok"/"empty".

    Degraded: the live index is unusable (searches use the previous build, or none); or this node is being
    built from the database, is more than SEARCH_NODE_MAX_LAG_CHANGES changes behind, or a change has waited
    longer than SEARCH_INDEX_MAX_LAG_SECONDS (nothing is applying the log).
    """
    try:
        state = get_engine().state()
    except Exception as exc:  # health must answer even when the index is broken
        state = {"status": "unavailable", "reason": f"search index unreadable ({exc.__class__.__name__})"}
    node = nodes.current()
    changes, lag = nodes.lag(node)
    if changes is None:  # no cursor yet: everything in the log is ahead of this node
        changes = IndexTask.objects.count()
        oldest = IndexTask.objects.order_by("pk").values_list("created_at", flat=True).first()
        lag = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    state["node"] = {
        "name": nodes.name(),
        "cursor": node.cursor if node else None,
        "lag_changes": changes,
        "lag_seconds": round(lag, 1),
        "last_applied_at": node.last_applied_at.isoformat() if node and node.last_applied_at else None,
    }
    state["pending_updates"], state["oldest_pending_seconds"] = changes, round(lag, 1)
    if state["status"] not in ("ok", "empty"):
        return state
    if node is not None and node.cursor is None:
        state.update(status="degraded", reason=f"node {node.name}: index being built from the database")
    elif changes > settings.SEARCH_NODE_MAX_LAG_CHANGES:
        state.update(status="degraded", reason=f"node {nodes.name()}: {changes} index changes behind")
    elif lag > settings.SEARCH_INDEX_MAX_LAG_SECONDS:
        state.update(status="degraded", reason=f"index changes waiting for {lag:.0f} s")
    return state


MAX_SUGGESTIONS = 8


def suggest(q, city=None, limit=MAX_SUGGESTIONS):
    """Up to ``limit`` questions and 相似问法 starting with (or holding) what was typed so far, one per
    entry or office: [{"text", "url"}].  Normalised like a query; no spelling or synonyms (it is a prefix)."""
    text = understanding.normalize(q).strip()
    if not text:
        return []
    found = get_engine().snapshot().suggest(text, city=city, limit=limit)
    return [{"text": title, "url": _url_of(ident)} for title, ident in found]


def _url_of(ident):
    from django.urls import reverse

    _app, kind, pk = ident.split(".")
    return reverse(f"faq:{kind}", args=[int(pk)])
