"""A vectorised collector for Whoosh: BM25F scores of a whole query for every document at once.

Whoosh's own collector walks a tree of matchers one document at a time in Python, so an OR of a dozen
common words over 100k documents costs millions of Python calls (seconds for a long query).  Here each
query term's postings are decoded once into numpy arrays and the query tree (Term / And / Or, with
boosts) is evaluated with array arithmetic over all documents.

The scores are Whoosh's own: BM25F with the searcher's idf, average field lengths, the index's
byte-quantised field lengths and the query's boosts, so the ranking equals ``searcher.search()``'s
(``tests/test_search_collector.py`` checks that).  Only the traversal is ours; the index, its postings
and statistics are Whoosh's.

Caching: a segment's postings never change once written (an edit adds a segment and marks the old
document deleted), so decoded postings are cached per segment id, across searcher refreshes, with a
bound on the postings held.  Deletions are applied per searcher.  Every memo is bounded (``memo.LRU``,
the bounds are the constants below): a word nobody indexed, once looked up, ages out like any other.
"""

import bisect
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.columns import NumericColumn
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

from faq.search.memo import LRU

MAX_CACHED_POSTINGS = 16_000_000  # 8 bytes each (int32 id, float32 weight as stored): at most ~130 MB
MAX_CACHED_DOCS = 50_000  # stored fields (titles of ranked documents), all segments together
# Per searcher (one state of the index):
MAX_TERMS = 4096  # whole-index postings of the words searched lately …
MAX_TERM_POSTINGS = 4_000_000  # … holding at most this many postings (~32 MB; usually views of the above)
MAX_DF = 4096  # document frequencies (a few hundred bytes each)
MAX_LEXICONS = 8  # decoded terms of the facet fields
# What one cached posting list costs beyond its postings (key, tuple, two array headers: ~256 bytes), in
# postings: a stream of words no document holds, each cached as an empty list, stays within the bound too.
ENTRY_OVERHEAD = 32
_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_EMPTY_IDS = np.zeros(0, dtype=np.int32)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float32)


class UnsupportedQuery(TypeError):
    """A query node the collector does not evaluate (phrases, wildcards…: faq.search never builds them)."""


# --- per-segment cache -----------------------------------------------------------------------------


class _SegmentCache:
    """Decoded postings (LRU) and field lengths of one immutable segment."""

    def __init__(self):
        self.postings = OrderedDict()  # (field, bytes) -> (ids int32, weights float32)
        self.lengths = {}  # field -> float64 array, Whoosh's quantised lengths (one per schema field)
        self.size = 0


_cache = {}  # segment id -> _SegmentCache
_stored = LRU(MAX_CACHED_DOCS)  # (segment id, docnum, names) -> tuple of stored values
_cache_size = [0]
_lock = threading.Lock()


def _segment_cache(reader):
    segid = reader.segment().segment_id()
    with _lock:
        cache = _cache.get(segid)
        if cache is None:
            cache = _cache[segid] = _SegmentCache()
    return cache


def forget_segments(keep):
    """Drop cached segments whose ids are not in ``keep`` (merged away or from an older index build)."""
    with _lock:
        for segid in list(_cache):
            if segid not in keep:
                _cache_size[0] -= _cache.pop(segid).size
    if not keep:
        _stored.clear()  # (otherwise an old segment's stored fields simply age out)


def _decode(matcher):
    """(ids, weights) of a posting list.  W3 blocks are decoded whole; anything else posting by posting."""
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        # The segment's deletions: we mask deleted documents ourselves (VectorSearcher.alive).
        matcher = matcher.child
        matcher.reset()
    if isinstance(matcher, W3LeafMatcher):
        ids, weights = [], []
        while True:
            if matcher._data is None:
                matcher._read_data()
            block_ids, block_weights = matcher._data[0], matcher._data[1]
            n = len(block_ids)
            ids.append(np.cumsum(block_ids, dtype=np.int32))  # delta-encoded within the block
            if block_weights is None:
                weights.append(np.ones(n, dtype=np.float32))
            elif isinstance(block_weights, float):
                weights.append(np.full(n, block_weights, dtype=np.float32))
            else:
                weights.append(np.asarray(block_weights, dtype=np.float32))  # Whoosh stores them as float32
            if matcher._lastblock:
                break
            matcher._goto(matcher._nextoffset)
        return np.concatenate(ids), np.concatenate(weights)
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32)


def segment_postings(reader, fieldname, btext):
    """Cached (ids, weights) of ``btext`` in ``fieldname`` of one segment reader (deleted documents included)."""
    cache = _segment_cache(reader)
    key = (fieldname, btext)
    with _lock:
        hit = cache.postings.get(key)
        if hit is not None:
            cache.postings.move_to_end(key)
            return hit
    try:
        matcher = reader.postings(fieldname, btext)
    except TermNotFound:
        # Not remembered: words no document holds are what a stream of unique queries is made of, and the
        # term index answers "not here" without decoding anything.
        return (_EMPTY_IDS, _EMPTY_WEIGHTS)
    value = _decode(matcher)
    n = len(value[0]) + ENTRY_OVERHEAD
    with _lock:
        if key not in cache.postings:
            cache.postings[key] = value
            cache.size += n
            _cache_size[0] += n
        _evict()
    return value


def _evict():
    """Oldest postings first, across segments, until the cache is within its bound (caller holds _lock)."""
    for segcache in list(_cache.values()):
        while _cache_size[0] > MAX_CACHED_POSTINGS and segcache.postings:
            _key, (ids, _w) = segcache.postings.popitem(last=False)
            segcache.size -= len(ids) + ENTRY_OVERHEAD
            _cache_size[0] -= len(ids) + ENTRY_OVERHEAD


def segment_lengths(reader, fieldname):
    """Whoosh's stored (byte-quantised) length of ``fieldname`` for every document of one segment."""
    cache = _segment_cache(reader)
    lengths = cache.lengths.get(fieldname)
    if lengths is None:
        n = reader.doc_count_all()
        raw = np.zeros(n, dtype=np.uint8)
        column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if isinstance(column, NumericColumn.Reader) and column._typecode == "B":
            stored = column._dbfile.get(column._basepos, min(column._count, n))  # one byte per document
            raw[: len(stored)] = np.frombuffer(stored, dtype=np.uint8)
        elif column is not None:
            values = np.asarray(column.load(), dtype=np.uint8)[:n]
            raw[: len(values)] = values
        lengths = cache.lengths[fieldname] = _BYTE_TO_LENGTH[raw]
    return lengths


# --- one searcher's view ---------------------------------------------------------------------------


@dataclass
class Evaluated:
    scores: np.ndarray  # float64 per document (0 where not matched)
    matched: np.ndarray  # bool per document


class VectorSearcher:
    """Array views of one Whoosh searcher (one committed state of the index); kept on the searcher."""

    @classmethod
    def of(cls, searcher):
        vs = getattr(searcher, "_faq_vectors", None)
        if vs is None:
            vs = searcher._faq_vectors = cls(searcher)
        return vs

    def __init__(self, searcher):
        self.searcher = searcher
        # An empty index has one leaf with no segment (Whoosh's EmptyReader): it holds nothing to score.
        self.leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        self.leaves = [(reader, offset) for reader, offset in self.leaves if reader.segment() is not None]
        self._offsets = [offset for _r, offset in self.leaves]  # ascending: bisect finds a document's leaf
        self._segment_ids = [reader.segment().segment_id() for reader, _o in self.leaves]
        self.n = searcher.doc_count_all()
        self.schema = searcher.schema
        weighting = searcher.weighting
        if not isinstance(weighting, BM25F):
            raise UnsupportedQuery(f"weighting {type(weighting).__name__} is not BM25F")
        self.weighting = weighting
        self._lengths = {}  # one per schema field
        self._terms = LRU(MAX_TERMS, MAX_TERM_POSTINGS, weigh=lambda value: len(value[0]) + ENTRY_OVERHEAD)
        self._df = LRU(MAX_DF)
        self._idf = LRU(MAX_DF)  # instead of the searcher's own idf cache, which keeps every word forever
        self._lexicons = LRU(MAX_LEXICONS)
        self._kept = {}  # a few named memos (result objects, idf), each bounded by its owner
        alive = np.ones(self.n, dtype=bool)
        for reader, offset in self.leaves:
            if reader.has_deletions():
                deleted = np.fromiter(reader.segment().deleted_docs(), dtype=np.int32)
                alive[deleted + offset] = False
        self.alive = alive
        # Segments merged away or from an older build are dropped; a thread still searching them re-reads.
        forget_segments({reader.segment().segment_id() for reader, _o in self.leaves})

    def warm_postings(self, fieldnames, deadline, notify=None):
        """Decode every term of ``fieldnames`` into the segment caches, until they are nearly full or the
        deadline passes; returns the number of posting lists read."""
        n = 0
        for fieldname in fieldnames:
            self.lengths(fieldname)
            for reader, _offset in self.leaves:
                for btext in reader.lexicon(fieldname):
                    if _cache_size[0] >= 0.9 * MAX_CACHED_POSTINGS or time.monotonic() > deadline:
                        return n
                    segment_postings(reader, fieldname, btext)
                    n += 1
                    if notify is not None and n % 2000 == 0:
                        notify()
        return n

    def kept(self, name, factory):
        """``factory()``, made once for this state of the index (callers keep their memos here too)."""
        value = self._kept.get(name)
        if value is None:
            value = self._kept[name] = factory()
        return value

    # postings over the whole index, global document numbers
    def postings(self, fieldname, text):
        key = (fieldname, text)
        hit = self._terms.get(key)
        if hit is not None:
            return hit
        try:
            btext = self.schema[fieldname].to_bytes(text)
        except (KeyError, ValueError):  # no such field / not a value of its type: Whoosh matches nothing too
            return (_EMPTY_IDS, _EMPTY_WEIGHTS)
        parts = [segment_postings(reader, fieldname, btext) for reader, _o in self.leaves]
        if not any(len(ids) for ids, _w in parts):
            return (_EMPTY_IDS, _EMPTY_WEIGHTS)  # a miss is not remembered (see segment_postings)
        if len(parts) == 1:
            value = parts[0]
        else:
            value = (
                np.concatenate([ids + offset for (ids, _w), (_r, offset) in zip(parts, self.leaves, strict=True)]),
                np.concatenate([w for _ids, w in parts]),
            )
        self._terms.put(key, value)
        return value

    def lengths(self, fieldname):
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            parts = [segment_lengths(reader, fieldname) for reader, _o in self.leaves]
            lengths = np.concatenate(parts) if parts else np.zeros(0)
            self._lengths[fieldname] = lengths
        return lengths

    def stored(self, docnum, names):
        """Stored values of ``names`` (a tuple) for a global document number, cached with the segment."""
        leaf = bisect.bisect_right(self._offsets, docnum) - 1
        reader, offset = self.leaves[leaf]
        key = (self._segment_ids[leaf], docnum - offset, names)
        values = _stored.get(key)
        if values is None:
            fields = reader.stored_fields(docnum - offset)
            values = tuple(fields.get(name) for name in names)
            _stored.put(key, values)
        return values

    def doc_frequency(self, fieldname, text):
        """Whoosh's document frequency (deleted documents included, as in its idf), remembered: each lookup in
        the term index is a file read."""
        key = (fieldname, text)
        n = self._df.get(key)
        if n is None:
            n = self.searcher.doc_frequency(fieldname, text)
            self._df.put(key, n)
        return n

    def idf(self, fieldname, text):
        """Whoosh's BM25F idf of a word (what ``searcher.idf`` gives), remembered within MAX_DF."""
        key = (fieldname, text)
        value = self._idf.get(key)
        if value is None:
            value = self.weighting.idf(self.searcher, fieldname, text)
            self._idf.put(key, value)
        return value

    def lexicon(self, fieldname):
        """The field's terms (decoded), remembered: the facets' values, read once per index state."""
        terms = self._lexicons.get(fieldname)
        if terms is None:
            terms = [t.decode("utf-8") for t in self.searcher.lexicon(fieldname)]
            self._lexicons.put(fieldname, terms)
        return terms

    def doc_ids(self, fieldname, text):
        """Global numbers of the live documents that contain ``text`` in ``fieldname``."""
        ids, _w = self.postings(fieldname, text)
        return ids[self.alive[ids]]

    def term_scores(self, fieldname, text, boost=1.0):
        """(ids, BM25F scores) of one term, as ``whoosh.query.Term(fieldname, text, boost=boost)`` scores it."""
        ids, weights = self.postings(fieldname, text)
        if not len(ids):
            return ids, weights
        field = self.schema[fieldname]
        if not field.scorable:
            return ids, weights.astype(np.float64) * boost
        searcher = self.searcher
        idf = self.idf(fieldname, text)
        avgfl = searcher.avg_field_length(fieldname) or 1
        B = self.weighting._field_B.get(fieldname, self.weighting.B)
        K1 = self.weighting.K1
        weights = weights.astype(np.float64)
        fl = self.lengths(fieldname)[ids]
        scores = idf * ((weights * (K1 + 1)) / (weights + K1 * ((1 - B) + B * fl / avgfl)))
        return ids, scores * boost if boost != 1.0 else scores

    def evaluate(self, q):
        """Dense scores and match mask of a Term / And / Or tree, as Whoosh would score it."""
        result = self._eval(q)
        result.matched &= self.alive
        result.scores[~result.matched] = 0.0
        return result

    def _eval(self, q):
        result = Evaluated(np.zeros(self.n), np.zeros(self.n, dtype=bool))
        self._add(q, result)
        return result

    def _add(self, q, into):
        """Add ``q``'s scores to ``into.scores`` and its matches to ``into.matched`` (an OR into the total)."""
        if isinstance(q, wq.Term):
            ids, scores = self.term_scores(q.fieldname, q.text, q.boost)
            into.scores[ids] += scores  # a posting list has each document once
            into.matched[ids] = True
            return
        if type(q) not in (wq.Or, wq.And):
            raise UnsupportedQuery(type(q).__name__)
        subs = q.subqueries
        if isinstance(q, wq.Or) and q.scale:
            raise UnsupportedQuery("Or(scale=…)")
        if len(subs) == 1:
            self._add(subs[0], into)  # Whoosh ignores a one-child compound's boost too
        elif isinstance(q, wq.Or) and q.boost == 1.0:
            for sub in subs:
                self._add(sub, into)
        elif isinstance(q, wq.Or):
            part = self._eval(wq.Or(subs))  # the same children, unboosted
            into.scores += part.scores * q.boost
            into.matched |= part.matched
        else:
            parts = [self._eval(sub) for sub in subs]
            both = parts[0].matched
            total = parts[0].scores
            for part in parts[1:]:
                both &= part.matched
                total += part.scores
            into.scores[both] += total[both] * q.boost
            into.matched |= both

    def mask(self, q):
        """The live documents a filter query (Term / And / Or of keyword terms) allows."""
        return self.evaluate(q).matched

    def top(self, scores, candidates, k):
        """Global numbers of the best ``k`` of ``candidates`` by score, ties by document number (Whoosh's order)."""
        if len(candidates) > k:
            part = np.argpartition(-scores[candidates], k - 1)[:k]
            # Ties at the cut: keep Whoosh's lower-docnum-first rule for the k-th score.
            kth = scores[candidates[part]].min()
            above = candidates[scores[candidates] > kth]
            tied = candidates[scores[candidates] == kth][: k - len(above)]
            candidates = np.concatenate([above, tied])
        order = np.lexsort((candidates, -scores[candidates]))
        return candidates[order]

    def _facet_ids(self, fieldname):
        """[(value, live documents with it), …] of a facet field: read once per index state, not per search."""
        return [(text, self.doc_ids(fieldname, text)) for text in self.lexicon(fieldname)]

    def facet_counts(self, fieldname, docs_mask):
        """{value: documents in ``docs_mask`` with that value} for a keyword field (multi-valued: each counts)."""
        counts = {}
        for text, ids in self.kept(("facet", fieldname), lambda: self._facet_ids(fieldname)):
            n = int(np.count_nonzero(docs_mask[ids]))
            if n:
                counts[text] = n
        return counts
