"""Ranking on the Whoosh index: BM25F over the question/office name (``title``, boosted) and everything
(``text``), OR of all query concepts, weighted by how much of the query (IDF-weighted) each document
covers, then a re-rank of the best by coverage of the title and character-bigram overlap with it.

Full coverage thus comes first (AND-first) while partial matches still follow (OR fallback).  Scores for
all matches at once come from the collector (Whoosh's postings and BM25F, evaluated as arrays): the cost no
longer grows with every OR-ed word.
"""

import heapq
import math
import time
from functools import lru_cache

import numpy as np
from whoosh import query as wq

from faq.search.analysis import bigrams, content_words
from faq.search.memo import LRU
from faq.search.understanding import SYNONYM_WEIGHT

RERANK_DEPTH = 200  # documents whose titles are read to rank (the best by bm25 · coverage)
TITLE_BOOST = 3.0
TEXT_BOOST = 1.0
SIMILAR_BOOST = 2.0  # a 相似问法 is a question too, but the entry's own question stays the strongest field
SIMILAR_WEIGHT = 0.95  # a 相似问法 ranks a hair below the same words in the question itself
TITLE_PRECISION_WEIGHT = 1.0
# The most the title factors can lift a bm25 score: (0.2 + full coverage)² · (1 + 1 + 1 + precision weight).
MAX_LIFT = 1.2**2 * (3.0 + TITLE_PRECISION_WEIGHT)
CITY_MISMATCH = 0.3
LONG_QUERY_CONCEPTS = 4  # from this many concepts a query is a situation, not a keyword search
TAIL_SHARE = 0.5  # ... and its weak OR matches (under half the best coverage) are cut,
KEEP_HEAD = 20  # except among the best this-many by bm25 · coverage, which the title factors may still lift
TITLE_MEMO = 8192  # titles whose words and bigrams are remembered (functools.lru_cache)
MAX_IDF = 10_000  # words whose idf is remembered per index state
MAX_TITLE_RECORDS = 20_000  # candidates whose questions are kept split per index state


def _alt_query(fieldname, alt, boost):
    if len(alt) == 1:
        return wq.Term(fieldname, alt[0], boost=boost)
    return wq.And([wq.Term(fieldname, t) for t in alt], boost=boost)


def concept_query(concept, weight=1.0):
    parts = []
    for i, alt in enumerate(concept.alternatives):
        w = weight * (1.0 if i == 0 else SYNONYM_WEIGHT)
        parts.append(_alt_query("title", alt, TITLE_BOOST * w))
        parts.append(_alt_query("similar", alt, SIMILAR_BOOST * w))
        parts.append(_alt_query("text", alt, TEXT_BOOST * w))
    return wq.Or(parts)


def whoosh_query(query, vectors):
    """The Whoosh query tree for an understood query: every concept OR-ed, plus title bigrams for typos."""
    clauses = [concept_query(c) for c in query.concepts]
    grams = [wq.Term("title_grams", g) for g in query.fallback_grams if vectors.doc_frequency("title_grams", g)]
    if grams:
        clauses.append(wq.Or(grams, boost=0.5))
    return wq.Or(clauses) if clauses else None


def filter_query(filters):
    parts = [wq.Term(name, value) for name, value in sorted(filters.items()) if value]
    return wq.And(parts) if parts else None


def _spellings(concept):
    """(credit, written, parts) of each spelling of a concept for ``_title_coverage``: ``parts`` only when
    there are several (one part is the written form itself, already tried)."""
    return [(credit, written, words if len(words) > 1 else ()) for credit, written, words in concept.spellings]


def _title_coverage(concepts, title):
    """Σ idf · credit over (idf, spellings) pairs: a concept's credit is 1 when the typed form is in the title,
    SYNONYM_WEIGHT for a synonym, else 0.

    A plain substring is enough (robust to segmentation: 用 in 用处); ``_coverage`` credits whole index words.
    """
    total = 0
    for idf, spellings in concepts:
        credit = 0.0
        for value, written, parts in spellings:
            if written in title or (parts and all(t in title for t in parts)):
                credit = value
                break
        total += idf * credit
    return total


def dice(a, b):
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def rank(vectors, query, depth):
    """Whoosh BM25F matches for ``query``, ranked by weighted query coverage and title similarity.

    score = bm25 · (0.2 + coverage)² · (1 + title coverage + title/query bigram Dice + title precision)
            · city
    Documents covering the whole query come first (AND-first) but partial matches stay (OR fallback); a title
    saying just what was asked (precision: its words are the query's) beats a long one that merely mentions
    the words; a city named in the query demotes the other cities' results.

    BM25F and coverage are computed for every matching document at once; the title factors, which need the
    title's text, only for the ``depth`` best by bm25 · (0.2 + coverage)², in that order, and only until no
    document left can reach the ``query.needed`` best scores so far (a score is at most bm25 · MAX_LIFT).
    Returns the ranked [score, id] list, exact for its first ``needed``, the mask of every matching
    document (for totals and facets) and how much of the query (0..1, idf-weighted) each ranked document
    covers, in its text or its best-fitting question.
    """
    q = whoosh_query(query, vectors)
    if q is None:
        return [], np.zeros(vectors.n, dtype=bool), {}
    evaluated = vectors.evaluate(q)
    flt = filter_query(query.filters)
    matched = evaluated.matched if flt is None else evaluated.matched & vectors.mask(flt)
    total_weight = sum(c.idf for c in query.concepts) or 1.0
    coverage = _coverage(vectors, query.concepts) / total_weight
    prerank = evaluated.scores * (0.2 + coverage) ** 2
    if len(query.concepts) >= LONG_QUERY_CONCEPTS and matched.any():
        # A situation told in a sentence shares a word or two with half the knowledge base: past the best
        # KEEP_HEAD candidates, keep only documents covering a fair share of what the best one covers, so
        # totals and facets mean something.
        strong = coverage >= TAIL_SHARE * float(coverage[matched].max())
        strong[vectors.top(prerank, np.flatnonzero(matched), KEEP_HEAD)] = True
        matched = matched & strong
    docs = vectors.top(prerank, np.flatnonzero(matched), depth)
    scorer = _TitleScorer(vectors, query, total_weight)
    bm25s = evaluated.scores[docs]
    # The highest bound among candidates i, i+1, …; Python floats from here on (numpy scalars are slow).
    best_left = np.maximum.accumulate((bm25s * MAX_LIFT)[::-1])[::-1].tolist()
    candidates = zip(docs.tolist(), bm25s.tolist(), coverage[docs].tolist(), best_left, strict=True)
    ranked, kept, covered = [], [], {}  # kept: min-heap of the ``needed`` best scores so far
    for docnum, bm25, doc_coverage, bound in candidates:
        if len(kept) >= query.needed and bound < kept[0]:
            break
        ident, score, covered[ident] = scorer(docnum, bm25, doc_coverage)
        ranked.append([score, ident])
        if len(kept) < query.needed:
            heapq.heappush(kept, score)
        elif score > kept[0]:
            heapq.heapreplace(kept, score)
    ranked.sort(key=lambda x: -x[0])
    return ranked, matched, covered


TITLE_FIELDS = ("id", "title", "city", "title_words", "similar", "similar_words")


def title_records(vectors):
    """The memo of split questions for one state of the index."""
    return vectors.kept("titles", lambda: LRU(MAX_TITLE_RECORDS))


def title_record(vectors, records, docnum):
    """(id, cities, [(question, its words, its bigrams), …]): the entry's question, then its 相似问法,
    read and split once per index state rather than once per query."""
    record = records.get(docnum)
    if record is None:
        ident, title, city, words, similar, similar_words = vectors.stored(docnum, TITLE_FIELDS)
        title = (title or "").lower()
        words = words.split() if words is not None else title_words(title)
        questions = [(title, words, title_bigrams(title))]
        if similar:
            lines = zip(similar.lower().split("\n"), (similar_words or "").split("|"), strict=False)
            questions += [(line, line_words.split(), frozenset(bigrams(line))) for line, line_words in lines]
        record = (ident, frozenset((city or "").split(",")), questions)
        records.put(docnum, record)
    return record


def warm_titles(vectors, deadline, notify=None):
    """Split the questions of the first live documents (up to the memo's bound) before any search needs them;
    returns how many."""
    records = title_records(vectors)
    n = 0
    for docnum in np.flatnonzero(vectors.alive)[:MAX_TITLE_RECORDS].tolist():
        if time.monotonic() > deadline:
            break
        title_record(vectors, records, docnum)
        n += 1
        if notify is not None and n % 2000 == 0:
            notify()
    return n


class _TitleScorer:
    """The title factors of ``rank`` for one query: reads each candidate's stored title fields."""

    def __init__(self, vectors, query, total_weight):
        self.vectors = vectors
        self.query = query
        self.total_weight = total_weight
        self.query_grams = set(bigrams(query.text))
        terms = frozenset(t for c in query.concepts for alt in c.alternatives for t in alt)
        self.precision_of = _TitlePrecision(terms, _IdfMemo.of(vectors))
        self.records = title_records(vectors)
        self.concepts = [(c.idf, _spellings(c)) for c in query.concepts]

    def record(self, docnum):
        return title_record(self.vectors, self.records, docnum)

    def __call__(self, docnum, bm25, coverage):
        ident, cities_of_doc, questions = self.record(docnum)
        (title, words, grams), similar = questions[0], questions[1:]
        lift, fit = self.lift(title, words, grams, coverage)
        score = bm25 * lift
        # The entry is asked in other ways too: rank it by whichever of its questions fits best.
        for line, line_words, line_grams in similar:
            lift, line_fit = self.lift(line, line_words, line_grams, coverage)
            if bm25 * SIMILAR_WEIGHT * lift > score:
                score, fit = bm25 * SIMILAR_WEIGHT * lift, line_fit
        cities = self.query.prefer_cities
        if cities and not cities & cities_of_doc:
            score *= CITY_MISMATCH
        return ident, score, fit

    def lift(self, title, words, grams, coverage):
        """(0.2 + coverage)² · (1 + title coverage + title/query bigram Dice + title precision) for one title,
        and the coverage it used."""
        title_cov = _title_coverage(self.concepts, title) / self.total_weight
        cov = max(coverage, title_cov)
        similarity = dice(self.query_grams, grams)
        precision = self.precision_of(words)
        lift = (0.2 + cov) ** 2 * (1.0 + title_cov + similarity + TITLE_PRECISION_WEIGHT * precision)
        return lift, cov


def _coverage(vectors, concepts):
    """Σ idf · credit over the concepts, for every document: a concept's credit is 1 when the document has
    the typed words (title or text), SYNONYM_WEIGHT when it has a synonym's, else 0."""
    presence = {}

    def has(token):
        mask = presence.get(token)
        if mask is None:
            mask = presence[token] = np.zeros(vectors.n, dtype=bool)
            for fieldname in ("title", "similar", "text"):
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


class _IdfMemo:
    """Memo (bounded: MAX_IDF) of words' inverse document frequency in the ``text`` field, for one state of
    the index: the backend reuses one searcher until the index changes, and a refreshed searcher starts a
    fresh memo."""

    @classmethod
    def of(cls, vectors):
        return vectors.kept("idf", lambda: cls(vectors))

    def __init__(self, vectors):
        self.vectors = vectors
        self.n_docs = max(vectors.searcher.doc_count(), 1)
        self.memo = LRU(MAX_IDF)

    def __len__(self):
        return len(self.memo)

    def __getitem__(self, word):
        value = self.memo.get(word)
        if value is None:
            df = self.vectors.doc_frequency("text", word)
            value = math.log(1 + self.n_docs / max(df, 1))
            self.memo.put(word, value)
        return value


@lru_cache(maxsize=TITLE_MEMO)
def title_words(title):
    """content_words() of a title whose index entry predates the stored ``title_words`` field."""
    return content_words(title)


@lru_cache(maxsize=TITLE_MEMO)
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
        self.weights = {}  # word -> (idf, idf · credit) for this query: one look-up per word, not two
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

    def weight(self, word):
        weight = self.idf[word]
        value = self.weights[word] = (weight, weight * self.word_credit(word))
        return value

    def __call__(self, words):
        total = matched = 0.0
        weights = self.weights
        for word in words:
            weight, credited = weights.get(word) or self.weight(word)
            total += weight
            matched += credited
        return matched / total if total else 0.0


def facets(vectors, matched):
    """{"city": {slug: n}, "topic": {slug: n}} over the matching documents, most frequent first."""
    out = {}
    for name, fieldname in (("city", "city"), ("topic", "topics")):
        counts = vectors.facet_counts(fieldname, matched)
        out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return out
