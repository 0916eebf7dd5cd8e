"""The embedded engine: a Whoosh index on disk (through haystack's backend, subclassed in ``backend``),
scored as arrays by ``collector`` and ranked by ``ranking``; rebuilt as swapped ``generations``.

Degrade, don't fail: a live index that is missing (``current`` removed), unreadable or damaged (a
truncated or deleted segment file, found by ``generations.verify`` or by a read that fails) is remembered
as broken for that state of the index, and searches use the newest other complete generation, flagged
``degraded``.  Only when no complete generation is usable does ``snapshot()`` raise EngineUnavailable.
"""

import functools
import logging
import os
import random
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

from haystack import connections
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.util.filelock import try_for

from ... import memo
from ..base import EngineBusy, EngineResults, EngineUnavailable, SearchEngine, Snapshot
from . import generations, ranking
from .backend import WRITER_OPTIONS, live_index_dir
from .collector import UnsupportedQuery, VectorSearcher
from .highlight import highlight_html
from .suggest import Suggestions

LOCK_WAIT = 1.5  # seconds an editor's request may wait for the write lock before handing over to the retrier
STATES_KEPT = 64  # index states whose check results are remembered
WARM_FIELDS = ("title", "similar", "text")  # what every query's terms are looked up in (ranking.concept_query)
REBUILD_LOCK_WAIT = 60.0  # seconds a rebuild waits for editors to finish before its replay and swap

log = logging.getLogger(__name__)


def _guarded(method):
    """A read that fails on a damaged index marks that index state broken and raises EngineUnavailable."""

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (EngineUnavailable, UnsupportedQuery):
            raise
        except Exception as exc:
            log.exception("search index %s unreadable", self.key[0])
            self.engine.mark_broken(self.key, f"{Path(self.key[0]).name}: {exc.__class__.__name__}")
            raise EngineUnavailable(f"index {Path(self.key[0]).name} unreadable") from exc

    return guarded


class WhooshSnapshot(Snapshot):
    def __init__(self, searcher, engine, key, degraded=False):
        self.searcher = searcher
        self.engine = engine
        self.key = key  # (index directory, TOC generation): what a failure marks broken
        self.degraded = degraded
        self.vectors = self._vectors(searcher)

    @_guarded
    def _vectors(self, searcher):
        return VectorSearcher.of(searcher)

    @_guarded
    def warm(self, deadline, notify=None):
        # Questions first (every search's re-rank reads them), then the postings of the searched fields.
        self.engine._warmed_state = self.key
        titles = ranking.warm_titles(self.vectors, deadline, notify)
        postings = self.vectors.warm_postings(WARM_FIELDS, deadline, notify)
        return {"title_records": titles, "posting_lists": postings}

    @_guarded
    def doc_count(self):
        return self.searcher.doc_count()

    @_guarded
    def doc_frequency(self, fieldname, text):
        return self.vectors.doc_frequency(fieldname, text)

    def memo(self, name, factory):
        return self.vectors.kept(name, factory)

    @_guarded
    def search(self, query, facets=True):
        depth = min(max(ranking.RERANK_DEPTH, query.needed), max(self.doc_count(), 1))
        ranked, matched, coverage = ranking.rank(self.vectors, query, depth)
        counts = ranking.facets(self.vectors, matched) if facets else {"city": {}, "topic": {}}
        return EngineResults(ranked=ranked, total=int(matched.sum()), facets=counts, coverage=coverage)

    @_guarded
    def question_words(self):
        def collect():
            words = set()
            for fields in self.searcher.all_stored_fields():
                words.update((fields.get("title_words") or "").split())
                words.update((fields.get("similar_words") or "").replace("|", " ").split())
            return words

        return self.memo("question_words", collect)

    @_guarded
    def suggest(self, prefix, city=None, limit=8):
        return self.memo("suggestions", lambda: Suggestions(self.searcher)).find(prefix, city, limit)


class WhooshEngine(SearchEngine):
    def __init__(self):
        # (directory, TOC generation) -> why: index states found unusable in this process; and those checked.
        # Every edit makes a new state, so both are trimmed to the last few.
        self._broken = {}
        self._verified = set()
        self._warned = set()
        self._local = threading.local()  # this thread's fallback searcher
        self._schema = None
        self._warmed_state = None  # the state this process warmed at start (and froze: memo.freeze_startup)

    @property
    def backend(self):
        # haystack keeps one backend per thread; each holds its own open searcher.
        return connections["default"].get_backend()

    def schema(self):
        if self._schema is None:
            self._schema = self.backend.whoosh_schema()[1]
        return self._schema

    def mark_broken(self, key, reason):
        if len(self._broken) >= STATES_KEPT:
            self._broken.pop(next(iter(self._broken)))
        self._broken[key] = reason

    # --- reading ---------------------------------------------------------------------------------

    def snapshot(self):
        backend = self.backend
        try:
            searcher = backend.live_searcher()
            key = (backend.path, searcher.reader().generation())
            self._check(key)
        except EngineUnavailable as exc:
            return self._fallback(backend.root, exc)
        except Exception as exc:  # an unreadable TOC or segment header: Whoosh raises many kinds
            log.exception("search index unreadable")
            return self._fallback(backend.root, exc)
        return WhooshSnapshot(searcher, self, key)

    def _check(self, key):
        """Raise EngineUnavailable if this index state is known broken or its files fail verification."""
        if key in self._broken:
            raise EngineUnavailable(self._broken[key])
        if key not in self._verified:
            if self._warmed_state is not None and key != self._warmed_state:
                memo.thaw()  # the warmed state is being replaced: its objects must be collectable again
            reason = generations.verify(key[0], self.schema())
            if reason:
                self.mark_broken(key, reason)
                raise EngineUnavailable(reason)
            if len(self._verified) >= STATES_KEPT:
                self._verified.clear()
            self._verified.add(key)

    def _fallback(self, root, cause):
        """A degraded snapshot of the newest usable complete generation other than the live one."""
        live = live_index_dir(root)
        for path in generations.complete_generations(root):
            if str(path) == live:
                continue
            try:
                searcher = self._fallback_searcher(str(path))
                key = (str(path), searcher.reader().generation())
                self._check(key)
                if key not in self._warned:
                    self._warned.add(key)
                    log.warning("search index degraded (%s): searching the previous build %s", cause, path.name)
                return WhooshSnapshot(searcher, self, key, degraded=True)
            except Exception as exc:
                log.warning("previous build %s unusable too: %s", path.name, exc)
        raise EngineUnavailable(f"no usable search index ({cause})") from cause

    def _fallback_searcher(self, path):
        cached = getattr(self._local, "fallback", None)
        if cached is None or cached[0] != path:
            ix = FileStorage(path).open_index(schema=self.schema())
            cached = self._local.fallback = (path, ix.searcher())
        return cached[1]

    def problem(self):
        """Why searches are degraded or unavailable right now, or None; re-checks the live index's files."""
        backend = self.backend
        live = live_index_dir(backend.root)
        if live == str(backend.root) and not generations.has_generations(backend.root):
            return None  # the flat layout of a fresh checkout: nothing to fall back to or to check
        reason = generations.verify(live, self.schema())
        if reason is None:
            broken = [why for (path, _gen), why in self._broken.items() if path == live]
            reason = broken[-1] if broken else None
        return reason

    # --- writing ---------------------------------------------------------------------------------

    def generation(self):
        backend = self.backend
        backend.ensure_current()
        return backend.path

    def write(self, changes):
        backend = self.backend
        backend.ensure_current()
        written_to = backend.path
        self._apply(backend.index.refresh(), changes, LOCK_WAIT)
        backend._searcher = None
        return written_to

    def _apply(self, ix, changes, timeout, optimize=False):
        try:
            writer = ix.writer(timeout=timeout, delay=0.05 + random.random() * 0.05, **WRITER_OPTIONS)
        except LockError as exc:
            raise EngineBusy(str(exc)) from exc
        try:
            upserts, deletes = changes()
            if not upserts and not deletes:
                writer.cancel()  # an empty commit would still make a new index state (cold caches everywhere)
                return
            for ident in deletes:
                writer.delete_by_term("id", ident)
            for doc in upserts:
                writer.update_document(**self._whoosh_doc(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(optimize=optimize)

    def _whoosh_doc(self, doc):
        return {key: self.backend._from_python(value) for key, value in doc.items()}

    def rebuild(self, documents, n_docs, replay=None):
        """Write a new generation and apply ``replay()``'s changes to it; then, holding the live index's write
        lock (so no edit can land only in the old index from here on), apply what ``replay()`` returns now
        (the edits since its first call), mark it complete and swap it in."""
        backend = self.backend
        schema = self.schema()
        target = generations.new_generation(backend.root)
        ix = generations.write_generation(target, schema, (self._whoosh_doc(d) for d in documents), n_docs)
        try:
            if replay is not None:
                # Most edits made meanwhile, before taking the lock, merged into one segment: a replaced
                # document would otherwise stay in the segment as deleted, and Whoosh counts deleted
                # documents in idf and field lengths (right after an import, that is every document).
                changes = replay()
                if changes[0] or changes[1]:
                    self._apply(ix, lambda: changes, REBUILD_LOCK_WAIT, optimize=True)
            with self._live_write_lock(backend.root):
                changes = replay() if replay is not None else ([], [])
                if changes[0] or changes[1]:  # an empty commit could still merge the build's segments
                    self._apply(ix, lambda: changes, REBUILD_LOCK_WAIT)
                generations.mark_complete(target)
                generations.swap(backend.root, target)
        except BaseException:
            if live_index_dir(backend.root) != str(target):
                shutil.rmtree(target, ignore_errors=True)
            raise
        return str(target)

    @contextmanager
    def _live_write_lock(self, root):
        live = live_index_dir(root)
        try:
            ix = FileStorage(live).open_index(schema=self.schema())
        except Exception:
            yield  # no readable live index: nobody can write to it either
            return
        if live != str(root) and generations.marker(live) is None and not generations.verify(live, self.schema()):
            generations.mark_complete(live)  # swapped in by an older build: complete, so a valid fallback
        lock = ix.lock("WRITELOCK")
        if not try_for(lock.acquire, timeout=REBUILD_LOCK_WAIT, delay=0.05):
            raise EngineBusy("the live index stayed locked")
        try:
            yield
        finally:
            lock.release()

    def cleanup(self, keep):
        generations.cleanup(self.backend.root, keep={Path(k).name for k in keep})

    def highlight(self, text, terms, maxchars=160, top=2, fallback_chars=120):
        return highlight_html(text, terms, maxchars=maxchars, top=top, fallback_chars=fallback_chars)

    def state(self):
        try:
            snapshot = self.snapshot()
            documents = snapshot.doc_count()
        except EngineUnavailable as exc:
            return {"status": "unavailable", "reason": str(exc), "documents": 0, "build": None}
        state = {"documents": documents, "build": os.path.basename(snapshot.key[0]) or None}
        if state["build"] and not state["build"].startswith("gen-"):
            state["build"] = None
        reason = self.problem() if not snapshot.degraded else (self.problem() or "live index unusable")
        if reason:
            state.update(status="degraded", reason=reason)
        else:
            state["status"] = "ok" if documents else "empty"
        return state
