"""Search: query understanding, ranking and result assembly. One ``search()`` serves the page, the API and
the evaluator, so what is measured is what citizens get.

Query understanding
  NFKC (full-width → half-width), OpenCC traditional → simplified, lower case, length cap; jieba precise
  words minus stop words, at most MAX_TERMS of them; synonym groups (SynonymGroup table, cached per
  process) matched on the normalised text, longest first, turn a word into a set of alternatives.

Ranking
  Whoosh BM25F over the question/office name (``title``, boosted) and everything (``text``), OR of all
  query concepts, weighted by how much of the query (IDF-weighted) each document covers, then a re-rank of
  the best by coverage of the title and character-bigram overlap with it.  Full coverage thus comes first
  (AND-first) while partial matches still follow (OR fallback).  Unknown words (typos such as 档案托关)
  fall back to character bigrams of the title.  Scores for all matches at once come from faq.collector
  (Whoosh's postings and BM25F, evaluated as arrays): the cost no longer grows with every OR-ed word.
"""

import heapq
import math
import os
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.safestring import mark_safe
from haystack import connections
from whoosh import query as wq

from . import taxonomy
from .analysis import ChineseAnalyzer, content_words, ensure_jieba, query_fillers, stopwords, sub_words
from .collector import VectorSearcher
from .models import City, Entry, IndexTask, Office, SynonymGroup
from .queries import BadParameter
from .search_backend import highlight_html

MAX_QUERY_CHARS = 100
MAX_TERMS = 12
RERANK_DEPTH = 200  # documents whose titles are read to rank (the best by bm25 · coverage)
MAX_LIMIT = 100
TITLE_BOOST = 3.0
TEXT_BOOST = 1.0
SYNONYM_WEIGHT = 0.9
TITLE_PRECISION_WEIGHT = 1.0
# The most the title factors can lift a bm25 score: (0.2 + full coverage)² · (1 + 1 + 1 + precision weight).
MAX_LIFT = 1.2**2 * (3.0 + TITLE_PRECISION_WEIGHT)
CITY_MISMATCH = 0.3
HUB_WINDOW = 10  # the results _promote_hub_entries looks at
SYNONYM_TTL = 60.0  # other processes see staff edits to synonyms within a minute; the saving one at once

ANALYZER = ChineseAnalyzer()
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

# --- normalisation ---------------------------------------------------------------------------------

_converter = None
_converter_lock = threading.Lock()


def to_simplified(text):
    global _converter
    if _converter is None:
        with _converter_lock:
            if _converter is None:
                import opencc

                _converter = opencc.OpenCC("t2s")
    return _converter.convert(text)


def normalize(text):
    """What we search for: NFKC, simplified Chinese, lower case, single spaces, at most MAX_QUERY_CHARS."""
    text = unicodedata.normalize("NFKC", text or "")
    text = to_simplified(text).lower()
    text = " ".join(text.split())
    return text[:MAX_QUERY_CHARS]


def tokens(text, mode="query"):
    return [t.text for t in ANALYZER(text, mode=mode)]


# --- synonyms --------------------------------------------------------------------------------------

_synonyms = {"groups": None, "expires": 0.0}
_synonyms_lock = threading.Lock()


def synonym_groups():
    """[[term, …], …] normalised; the staff-editable table, or the curated defaults while it is empty."""
    now = time.monotonic()
    groups = _synonyms["groups"]
    if groups is None or now > _synonyms["expires"]:
        rows = [g.term_list() for g in SynonymGroup.objects.all()]
        if not rows:
            rows = [[t.strip() for t in line.split(",") if t.strip()] for line in taxonomy.DEFAULT_SYNONYMS]
        groups = [list(dict.fromkeys(normalize(t) for t in row if normalize(t))) for row in rows]
        groups = [g for g in groups if len(g) > 1]
        with _synonyms_lock:
            _synonyms["groups"], _synonyms["expires"] = groups, now + SYNONYM_TTL
    return groups


_cities = {"names": None, "expires": 0.0}


def city_names():
    """[(slug, name), …] of the portal's cities, cached like the synonyms."""
    now = time.monotonic()
    if _cities["names"] is None or now > _cities["expires"]:
        names = [(slug, normalize(name)) for slug, name in City.objects.values_list("slug", "name") if name]
        _cities["names"], _cities["expires"] = names, now + SYNONYM_TTL
    return _cities["names"]


@receiver(post_save, sender=SynonymGroup, dispatch_uid="search-synonyms-save")
@receiver(post_delete, sender=SynonymGroup, dispatch_uid="search-synonyms-delete")
def invalidate_synonyms(**kwargs):
    with _synonyms_lock:
        _synonyms["groups"] = None


# --- query analysis --------------------------------------------------------------------------------


@dataclass
class Concept:
    """One thing the citizen asked about: a word, or a synonym group of interchangeable words."""

    label: str
    alternatives: list  # [[token, …], …]; the first is what was typed
    idf: float = 1.0

    def all_tokens(self):
        return {t for alt in self.alternatives for t in alt}

    @cached_property
    def spellings(self):
        """(credit, the alternative written out, its words): the typed form first, then the synonyms."""
        return [(1.0 if i == 0 else SYNONYM_WEIGHT, "".join(alt), alt) for i, alt in enumerate(self.alternatives)]


@dataclass
class ParsedQuery:
    raw: str
    text: str
    concepts: list
    unknown: list = field(default_factory=list)  # words the index has never seen (typos, rare words)

    @property
    def highlight_terms(self):
        terms = set()
        for c in self.concepts:
            terms |= c.all_tokens()
        return frozenset(terms)


def analyse(raw):
    """Split a query into concepts: synonym groups matched on whole words (longest first), then the other words.

    A synonym term only counts when it starts and ends on word boundaries, so 养老金 inside the word
    基础养老金 is not widened to 退休金 (the longer word is the more specific one).
    """
    text = normalize(raw)
    words = [(t.text, t.startchar, t.endchar) for t in ANALYZER(text, chars=True, mode="query", removestops=False)]
    starts = {start for _w, start, _e in words}
    ends = {end for _w, _s, end in words}
    claimed = [False] * len(text)
    items = []
    candidates = sorted(((term, group) for group in synonym_groups() for term in group), key=lambda tg: -len(tg[0]))
    for term, group in candidates:
        start = text.find(term)
        while start != -1:
            end = start + len(term)
            if start in starts and end in ends and not any(claimed[start:end]):
                claimed[start:end] = [True] * (end - start)
                alts = [tokens(term)] + [tokens(other) for other in group if other != term]
                alts = [a for a in alts if a]
                if alts:
                    items.append((start, Concept(term, alts)))
            start = text.find(term, end)
    fillers = query_fillers()
    kept = {(t.startchar, t.text) for t in ANALYZER(text, chars=True, mode="query") if t.text not in fillers}
    for word, start, end in words:
        if (start, word) in kept and not any(claimed[start:end]):
            alts = [[word]]
            parts = cover(word)
            if len(parts) > 1:
                # A compound the documents may spell out (城乡居民养老保险 vs 城乡居民基本养老保险).
                alts.append(parts)
            items.append((start, Concept(word, alts)))

    concepts, seen = [], set()
    for _start, concept in sorted(items, key=lambda x: x[0]):
        key = tuple(concept.alternatives[0])
        if key in seen:
            continue
        seen.add(key)
        concepts.append(concept)
    return ParsedQuery(raw=raw, text=text, concepts=concepts[:MAX_TERMS])


def _known_parts(concept, searcher):
    """Concepts for the parts of a word the index has never seen, when jieba glued a particle or modal to a
    word it knows (交了 → 交, 能领 → 领) or the word is a compound of indexed words; nothing otherwise."""
    word = concept.label
    skip = stopwords() | query_fillers()
    parts = [g for _i, g in sub_words(word, ensure_jieba().FREQ) if g not in skip]
    parts = [g for g in parts if doc_frequency(searcher, "text", g)]
    parts = [g for g in parts if not any(g != o and g in o for o in parts)]  # longest pieces only
    if not parts and any(ch in skip for ch in word):
        parts = [ch for ch in word if ch not in skip and doc_frequency(searcher, "text", ch)]
    groups = {term: group for group in synonym_groups() for term in group}
    out = []
    for part in parts:
        others = [o for o in groups.get(part, ()) if o != part]
        alts = [a for a in [[part]] + [tokens(o) for o in others] if a]
        out.append(Concept(part, alts))
    return out


def cover(word):
    """Dictionary words (2+ characters, shorter than ``word``) that spell ``word`` from left to right, greedily."""
    if len(word) < 3:
        return [word]
    freq = ensure_jieba().FREQ
    parts, i = [], 0
    while i < len(word):
        for size in range(len(word) - i - (1 if i == 0 else 0), 1, -1):
            if freq.get(word[i : i + size]):
                parts.append(word[i : i + size])
                i += size
                break
        else:
            i += 1
    return parts or [word]


def bigrams(text):
    grams = []
    for run in _NON_WORD.split(text):
        if len(run) == 1:
            grams.append(run)
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return list(dict.fromkeys(grams))


# --- whoosh queries --------------------------------------------------------------------------------


def _alt_query(fieldname, alt, boost):
    if len(alt) == 1:
        return wq.Term(fieldname, alt[0], boost=boost)
    return wq.And([wq.Term(fieldname, t) for t in alt], boost=boost)


def concept_query(concept, weight=1.0):
    parts = []
    for i, alt in enumerate(concept.alternatives):
        w = weight * (1.0 if i == 0 else SYNONYM_WEIGHT)
        parts.append(_alt_query("title", alt, TITLE_BOOST * w))
        parts.append(_alt_query("text", alt, TEXT_BOOST * w))
    return wq.Or(parts)


def doc_frequency(searcher, fieldname, text):
    return VectorSearcher.of(searcher).doc_frequency(fieldname, text)


def _df(searcher, concept):
    best = 0
    for alt in concept.alternatives:
        best = max(best, min((doc_frequency(searcher, "text", t) for t in alt), default=0))
    return best


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
    fallback: str = ""  # "", "or" or "typo": how the results were found

    @property
    def pages(self):
        return max(1, math.ceil(self.total / self.limit)) if self.limit else 1


def _backend():
    return connections["default"].get_backend()


def _filters(city, topic):
    parts = []
    if city:
        parts.append(wq.Term("city", city))
    if topic:
        parts.append(wq.Term("topics", topic))
    return wq.And(parts) if parts else None


def _covered(concept, title):
    """Credit for a concept in a title: 1 when the typed form is in it, SYNONYM_WEIGHT for a synonym, else 0.

    A plain substring is enough (robust to segmentation: 用 in 用处); ``_coverage`` credits whole index words.
    """
    for credit, written, words in concept.spellings:
        if written in title or all(t in title for t in words):
            return credit
    return 0.0


def dice(a, b):
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _rank(searcher, parsed, q, flt, depth, needed):
    """Whoosh BM25F matches for ``q``, ranked by weighted query coverage and title similarity.

    score = bm25 · (0.2 + coverage)² · (1 + title coverage + title/query bigram Dice + title precision)
            · city
    Documents covering the whole query come first (AND-first) but partial matches stay (OR fallback); a title
    saying just what was asked (precision: its words are the query's) beats a long one that merely mentions
    the words; a city named in the query demotes the other cities' results.

    BM25F and coverage are computed for every matching document at once (faq.collector); the title factors,
    which need the title's text, only for the ``depth`` best by bm25 · (0.2 + coverage)², in that order,
    and only until no document left can reach the ``needed`` best scores so far (a score is at most
    bm25 · MAX_LIFT).  Returns the ranked [score, haystack id] list, exact for its first ``needed``, and the
    mask of every matching document (for totals and facets).
    """
    vectors = VectorSearcher.of(searcher)
    evaluated = vectors.evaluate(q)
    matched = evaluated.matched if flt is None else evaluated.matched & vectors.mask(flt)
    total_weight = sum(c.idf for c in parsed.concepts) or 1.0
    coverage = _coverage(vectors, parsed.concepts) / total_weight
    docs = vectors.top(evaluated.scores * (0.2 + coverage) ** 2, np.flatnonzero(matched), depth)
    query_grams = set(bigrams(parsed.text))
    query_tokens = frozenset(parsed.highlight_terms)
    precision_of = _TitlePrecision(query_tokens, _IdfMemo.of(searcher))
    cities = mentioned_cities(parsed.text)
    bound = evaluated.scores[docs] * MAX_LIFT
    best_left = np.maximum.accumulate(bound[::-1])[::-1]  # the highest bound among candidates i, i+1, …
    ranked, kept = [], []  # kept: min-heap of the ``needed`` best scores so far
    for i, docnum in enumerate(docs.tolist()):
        if len(kept) >= needed and best_left[i] < kept[0]:
            break
        ident, title, city, words = vectors.stored(docnum, ("id", "title", "city", "title_words"))
        title = (title or "").lower()
        words = words.split() if words is not None else title_words(title)
        title_cov = sum(c.idf * _covered(c, title) for c in parsed.concepts) / total_weight
        cov = max(float(coverage[docnum]), title_cov)
        similarity = dice(query_grams, title_bigrams(title))
        precision = precision_of(words)
        bm25 = float(evaluated.scores[docnum])
        score = bm25 * (0.2 + cov) ** 2 * (1.0 + title_cov + similarity + TITLE_PRECISION_WEIGHT * precision)
        if cities and not cities & set((city or "").split(",")):
            score *= CITY_MISMATCH
        ranked.append([score, ident])
        if len(kept) < needed:
            heapq.heappush(kept, score)
        elif score > kept[0]:
            heapq.heapreplace(kept, score)
    ranked.sort(key=lambda x: -x[0])
    _promote_hub_entries(ranked, parsed)
    return ranked, matched


def _coverage(vectors, concepts):
    """Σ idf · credit over the concepts, for every document: a concept's credit is 1 when the document has
    the typed words (title or text), SYNONYM_WEIGHT when it has a synonym's, else 0."""
    presence = {}

    def has(token):
        mask = presence.get(token)
        if mask is None:
            mask = presence[token] = np.zeros(vectors.n, dtype=bool)
            for fieldname in ("title", "text"):
                mask[vectors.postings(fieldname, token)[0]] = True
        return mask

    total = np.zeros(vectors.n)
    for concept in concepts:
        best = np.zeros(vectors.n)
        for i, alt in enumerate(concept.alternatives):
            found = has(alt[0])
            for token in alt[1:]:
                found = found & has(token)
            np.maximum(best, found * (1.0 if i == 0 else SYNONYM_WEIGHT), out=best)
        total += concept.idf * best
    return total


class _IdfMemo(dict):
    """Memo of words' inverse document frequency in the ``text`` field, for one state of the index: the
    backend reuses one searcher until the index changes, and a refreshed searcher starts a fresh memo."""

    @classmethod
    def of(cls, searcher):
        return VectorSearcher.of(searcher).kept("idf", lambda: cls(searcher))

    def __init__(self, searcher):
        super().__init__()
        self.searcher = searcher
        self.n_docs = max(searcher.doc_count(), 1)

    def __missing__(self, word):
        value = self[word] = math.log(1 + self.n_docs / max(doc_frequency(self.searcher, "text", word), 1))
        return value


@lru_cache(maxsize=8192)
def title_words(title):
    """content_words() of a title whose index entry predates the stored ``title_words`` field."""
    return content_words(title)


@lru_cache(maxsize=8192)
def title_bigrams(title):
    return frozenset(bigrams(title))


class _TitlePrecision:
    """IDF-weighted share of a title's content words that the query asked about (one query, many titles).

    A word counts when it is a query word, part of one (算 / 计算) or contains a query word of two or more
    characters (社保 / 社保卡); a one-character query word inside a longer word counts half: it may be the
    same word (发 / 发放) or another one (用 / 启用).  How a word counts is remembered for the query.
    """

    def __init__(self, query_tokens, idf):
        self.idf = idf
        self.credit = {}
        self.parts = {t[i:j] for t in query_tokens for i in range(len(t)) for j in range(i + 1, len(t) + 1)}
        self.long_tokens = [t for t in query_tokens if len(t) > 1]
        self.chars = {t for t in query_tokens if len(t) == 1}

    def word_credit(self, word):
        credit = self.credit.get(word)
        if credit is None:
            if word in self.parts or any(t in word for t in self.long_tokens):
                credit = 1.0
            elif any(ch in self.chars for ch in word):
                credit = 0.5
            else:
                credit = 0.0
            self.credit[word] = credit
        return credit

    def __call__(self, words):
        total = matched = 0.0
        for word in words:
            weight = self.idf[word]
            total += weight
            matched += weight * self.word_credit(word)
        return matched / total if total else 0.0


def mentioned_cities(text):
    """Slugs of the cities a normalised query names (长沙, 深圳市 …)."""
    return {slug for slug, name in city_names() if name in text}


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


def _facets(searcher, matched):
    """{"city": {slug: n}, "topic": {slug: n}} over the matching documents, most frequent first."""
    vectors = VectorSearcher.of(searcher)
    out = {}
    for name, fieldname in (("city", "city"), ("topic", "topics")):
        counts = vectors.facet_counts(fieldname, matched)
        out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out


MAX_CACHED_OBJECTS = 5000


def _load(ids, searcher):
    """Result objects for haystack ids ("faq.entry.12"), in one query per kind; None for ids no longer there.

    Kept on the searcher, i.e. for one committed state of the index: every change to what a hit shows (an
    entry, office, phone, step, topic, district or city saved or deleted) is indexed, which gives a new
    searcher and so a fresh memo.  Popular answers come back page after page without the database.
    """
    memo = VectorSearcher.of(searcher).kept("objects", dict)
    if len(memo) > MAX_CACHED_OBJECTS:
        memo.clear()
    wanted = {"entry": [], "office": []}
    for ident in ids:
        if ident not in memo:
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
            memo[ident] = found.get(ident)
    return {ident: memo[ident] for ident in ids if memo[ident] is not None}


def _check_int(name, value, low, high=None):
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        upper = f" 到 {high}" if high is not None else " 以上"
        raise BadParameter(f"{name} 必须是 {low}{upper} 的整数")


def search(q, city=None, topic=None, page=1, limit=10, highlight=True, facets=True):
    """Ranked, highlighted results for a citizen's query; ``page`` is 1-based.

    Any text is a valid query (it is normalised, stripped of syntax and capped); ``page`` must be an int ≥ 1
    (pages past the end are empty) and ``limit`` an int in 1..MAX_LIMIT, else ``queries.BadParameter``
    (a ValueError) is raised.  Unknown ``city``/``topic`` slugs simply match nothing.
    """
    _check_int("page", page, 1)
    _check_int("limit", limit, 1, MAX_LIMIT)
    parsed = analyse(q)
    empty = SearchResults(q, parsed.text, 0, page, limit, [], {"city": {}, "topic": {}}, parsed.concepts)
    if not parsed.concepts and not parsed.text.strip():
        return empty

    backend = _backend()
    searcher = backend.live_searcher()
    n_docs = max(searcher.doc_count(), 1)
    known = []
    for concept in parsed.concepts:
        if _df(searcher, concept):
            known.append(concept)
        else:
            parsed.unknown.append(concept.label)
            known.extend(_known_parts(concept, searcher))
    for concept in known:
        concept.idf = math.log(1 + n_docs / max(_df(searcher, concept), 1))
    known = list({tuple(c.alternatives[0]): c for c in reversed(known)}.values())[::-1]
    flt = _filters(city, topic)

    fallback = ""
    clauses = [concept_query(c) for c in known]
    if parsed.unknown or not known:
        # Typo / segmentation fallback: character bigrams of the whole query against titles.
        grams = [g for g in bigrams(parsed.text) if len(g) == 2]
        gram_terms = [wq.Term("title_grams", g) for g in grams if doc_frequency(searcher, "title_grams", g)]
        if gram_terms:
            clauses.append(wq.Or(gram_terms, boost=0.5))
            fallback = "typo"
    if not clauses:
        return empty
    parsed.concepts = known
    q_all = wq.Or(clauses)

    depth = min(max(RERANK_DEPTH, page * limit), n_docs)  # a page past the end must not size a huge heap
    ranked, matched = _rank(searcher, parsed, q_all, flt, depth, needed=max(page * limit, HUB_WINDOW))
    facet_counts = _facets(searcher, matched) if facets else {"city": {}, "topic": {}}
    total = int(np.count_nonzero(matched))
    page_ids = [ident for _score, ident in ranked[(page - 1) * limit : page * limit]]
    scores = {ident: score for score, ident in ranked}
    objects = _load(page_ids, searcher)
    terms = parsed.highlight_terms
    hits = []
    for ident in page_ids:
        if ident not in objects:
            continue  # deleted since the index was written; its task is on its way
        kind, obj = objects[ident]
        hit = Hit(kind, obj, round(scores[ident], 4))
        if highlight:
            # highlight_html escapes everything but its own <mark> tags.
            hit.title_html = mark_safe(highlight_html(hit.title, terms, maxchars=300, top=1, fallback_chars=300))
            hit.snippet_html = mark_safe(highlight_html(hit.text, terms))
        hits.append(hit)
    return SearchResults(q, parsed.text, total, page, limit, hits, facet_counts, known, fallback)


# --- health ----------------------------------------------------------------------------------------


def index_state():
    """A small summary of the search index for /healthz."""
    try:
        backend = _backend()
        searcher = backend.live_searcher()
        state = {
            "documents": searcher.doc_count(),
            "generation": backend.index.latest_generation(),
            "build": os.path.basename(backend.path) if backend.path != backend.root else None,
            "pending_updates": IndexTask.objects.filter(done_at__isnull=True).count(),
        }
        state["status"] = "ok" if state["documents"] else "empty"
        return state
    except Exception as exc:  # health must answer even when the index is broken
        return {"status": "error", "error": exc.__class__.__name__}
