"""The search engine interface, in the spirit of wagtail's ``search/backends/base.py``.

Query understanding (faq.search.understanding: normalisation, synonyms, 相似问法, the thesaurus) happens
above this interface, so every engine gets it; an engine turns an understood query into ranked document
ids with totals, facets and highlights, and keeps its index in line with the documents it is given.

An engine is chosen by settings.SEARCH_ENGINE (a dotted path to a ``SearchEngine`` subclass).  The
embedded default is ``faq.search.engine.whoosh.WhooshEngine``; a server engine (haystack's Elasticsearch 7
backend with a Chinese analyzer) would be one more module implementing these methods.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field


class EngineBusy(Exception):
    """The index is being written by someone else; try again shortly (the index queue retries)."""


class EngineUnavailable(Exception):
    """The index cannot be read (missing or corrupt); callers answer 503 or use a fallback."""


@dataclass
class EngineQuery:
    """An understood query.  ``concepts`` are faq.search.understanding.Concept objects (each a set of
    alternative spellings, with an idf weight the engine fills in); ``fallback_grams`` are character bigrams
    to match against titles when some words are unknown to the index (typos)."""

    text: str
    concepts: list
    fallback_grams: list = field(default_factory=list)
    filters: dict = field(default_factory=dict)  # {"city": slug, "topics": slug}
    prefer_cities: frozenset = frozenset()  # cities the query names: the others' results are demoted
    needed: int = 10  # how many ranked results must be exact (page × limit)


@dataclass
class EngineResults:
    ranked: list  # [(score, "faq.entry.12"), …], best first; at least ``needed`` long when there are so many
    total: int
    facets: dict  # {"city": {slug: n}, "topic": {slug: n}}
    coverage: dict = field(default_factory=dict)  # {id: share of the query's weight the document covers, 0..1}


class Snapshot(ABC):
    """One consistent state of the index: statistics, search and per-state memos all read the same state.

    ``degraded``: this is not the live index but the engine's fallback (the live one is unusable).  A read
    that finds the index damaged raises EngineUnavailable; the engine's next snapshot is then a fallback.
    """

    degraded = False

    @abstractmethod
    def doc_count(self) -> int: ...

    def warm(self, deadline: float, notify=None) -> dict:
        """Load what every search reads (postings, per-document fields) into this process's caches, up to
        their bounds or until ``time.monotonic()`` passes ``deadline``; ``notify()`` now and then.  Returns
        what was loaded.  An engine that keeps nothing in process has nothing to do."""
        return {}

    @abstractmethod
    def doc_frequency(self, fieldname: str, text: str) -> int:
        """How many documents hold the word ``text`` in ``fieldname`` ("text", "title" or "title_grams")."""

    @abstractmethod
    def search(self, query: EngineQuery, facets: bool = True) -> EngineResults: ...

    @abstractmethod
    def suggest(self, prefix: str, city: str | None = None, limit: int = 8) -> list:
        """Up to ``limit`` (title, identifier) pairs whose title starts with or holds ``prefix``."""

    @abstractmethod
    def question_words(self) -> set:
        """The content words of every indexed question and 相似问法 (for pinyin queries)."""

    @abstractmethod
    def memo(self, name: str, factory):
        """A cache kept for this state of the index only (result objects, idf); a new state starts empty."""


class SearchEngine(ABC):
    """What the portal needs from a search engine: index, delete, search (through a snapshot), state."""

    @abstractmethod
    def snapshot(self) -> Snapshot: ...

    @abstractmethod
    def write(self, changes) -> str:
        """Take the index's write lock, then call ``changes()`` for (documents to upsert, ids to delete) and
        apply them in one commit; returns the name of the index generation written to.  Reading the rows
        only under the lock means a later edit can never be overwritten by an earlier one's stale copy.
        Raises EngineBusy when the write lock stays held elsewhere."""

    @abstractmethod
    def generation(self) -> str:
        """The index generation searches use right now (changes when a rebuild is swapped in)."""

    @abstractmethod
    def rebuild(self, documents, n_docs: int, replay=None) -> str:
        """Write every document (an iterable of about ``n_docs``) into a new generation, apply ``replay()``'s
        (upserts, deletes) to it, and swap it in atomically; returns the new generation's name.  ``replay()``
        returns the edits not returned yet: an engine may call it more than once, and its last call is while
        no edit can reach the live index.  A crash at any point leaves the old or the new generation live,
        whole."""

    @abstractmethod
    def cleanup(self, keep) -> None:
        """Remove generations no reader needs any more."""

    @abstractmethod
    def highlight(self, text: str, terms, maxchars=160, top=2, fallback_chars=120) -> str:
        """An HTML-escaped snippet of ``text`` with ``terms`` in <mark>; the plain start when none matches."""

    @abstractmethod
    def state(self) -> dict:
        """A small summary for /healthz: documents, generation, status."""
