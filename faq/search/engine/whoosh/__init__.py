"""The embedded engine: a Whoosh index on disk (through haystack's backend, subclassed in ``backend``),
scored as arrays by ``collector`` and ranked by ``ranking``; rebuilt as swapped ``generations``."""

import bisect
import os
import random
from pathlib import Path

from haystack import connections
from whoosh.index import LockError

from ..base import EngineBusy, EngineResults, SearchEngine, Snapshot
from . import generations, ranking
from .backend import WRITER_OPTIONS
from .collector import VectorSearcher
from .highlight import highlight_html

LOCK_WAIT = 1.5  # seconds an editor's request may wait for the write lock before handing over to the retrier


class WhooshSnapshot(Snapshot):
    def __init__(self, searcher):
        self.searcher = searcher
        self.vectors = VectorSearcher.of(searcher)

    def doc_count(self):
        return self.searcher.doc_count()

    def doc_frequency(self, fieldname, text):
        return self.vectors.doc_frequency(fieldname, text)

    def memo(self, name, factory):
        return self.vectors.kept(name, factory)

    def search(self, query, facets=True):
        depth = min(max(ranking.RERANK_DEPTH, query.needed), max(self.doc_count(), 1))
        ranked, matched, coverage = ranking.rank(self.vectors, query, depth)
        counts = ranking.facets(self.vectors, matched) if facets else {"city": {}, "topic": {}}
        return EngineResults(ranked=ranked, total=int(matched.sum()), facets=counts, coverage=coverage)

    def suggest(self, prefix, city=None, limit=8):
        return self.memo("suggestions", lambda: Suggestions(self.searcher)).find(prefix, city, limit)


class Suggestions:
    """Every question and 相似问法 of one index state, sorted for prefix look-ups (bisect), with a scan for
    questions holding every typed word when the prefixes are too few."""

    def __init__(self, searcher):
        rows = []
        for fields in searcher.all_stored_fields():
            ident, cities = fields.get("id"), tuple((fields.get("city") or "").split(","))
            for text in [fields.get("title") or "", *(fields.get("similar") or "").split("\n")]:
                if text:
                    rows.append((text.lower(), text, ident, cities))
        rows.sort()
        self.rows = rows
        self.keys = [r[0] for r in rows]

    def find(self, prefix, city, limit, words=()):
        prefix = prefix.lower()
        out, seen = [], set()

        def take(row):
            if (city is None or city in row[3]) and row[2] not in seen and len(out) < limit:
                seen.add(row[2])
                out.append((row[1], row[2]))

        for row in self.rows[bisect.bisect_left(self.keys, prefix) :]:
            if not row[0].startswith(prefix) or len(out) >= limit:
                break
            take(row)
        if len(out) < limit and prefix:
            for row in self.rows:
                if prefix in row[0]:
                    take(row)
                if len(out) >= limit:
                    break
        return out


class WhooshEngine(SearchEngine):
    @property
    def backend(self):
        # haystack keeps one backend per thread; each holds its own open searcher.
        return connections["default"].get_backend()

    def snapshot(self):
        return WhooshSnapshot(self.backend.live_searcher())

    def generation(self):
        backend = self.backend
        backend.ensure_current()
        return backend.path

    def write(self, changes):
        backend = self.backend
        backend.ensure_current()
        written_to = backend.path
        ix = backend.index.refresh()
        try:
            writer = ix.writer(timeout=LOCK_WAIT, delay=0.05 + random.random() * 0.05, **WRITER_OPTIONS)
        except LockError as exc:
            raise EngineBusy(str(exc)) from exc
        try:
            upserts, deletes = changes()
            for ident in deletes:
                writer.delete_by_term("id", ident)
            for doc in upserts:
                writer.update_document(**self._whoosh_doc(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        backend._searcher = None
        return written_to

    def _whoosh_doc(self, doc):
        return {key: self.backend._from_python(value) for key, value in doc.items()}

    def rebuild(self, documents, n_docs):
        backend = self.backend
        backend.ensure_current()
        target = generations.new_generation(backend.root)
        generations.write_generation(target, backend.schema, (self._whoosh_doc(d) for d in documents), n_docs)
        generations.swap(backend.root, target)
        return str(target)

    def cleanup(self, keep):
        generations.cleanup(self.backend.root, keep={Path(k).name for k in keep})

    def highlight(self, text, terms, maxchars=160, top=2, fallback_chars=120):
        return highlight_html(text, terms, maxchars=maxchars, top=top, fallback_chars=fallback_chars)

    def state(self):
        backend = self.backend
        searcher = backend.live_searcher()
        state = {
            "documents": searcher.doc_count(),
            "generation": backend.index.latest_generation(),
            "build": os.path.basename(backend.path) if backend.path != backend.root else None,
        }
        state["status"] = "ok" if state["documents"] else "empty"
        return state
