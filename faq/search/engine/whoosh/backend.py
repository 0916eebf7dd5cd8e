"""haystack's Whoosh backend, adapted: jieba-aware highlighting and an index directory that can be swapped.

Index layout under the configured PATH: the rebuild (faq.search.engine.whoosh.generations) writes a complete index into a fresh
``gen-*`` directory and atomically repoints the ``current`` symlink at it.  Every backend operation first
checks where ``current`` points and reopens the index when it moved, so readers switch from the old
complete index to the new complete index and never see a half-built one.  Without ``current`` and without
any ``gen-*`` directory (a fresh checkout, the test settings) PATH itself is the index, created empty on first
use as in stock haystack.  Once generations exist, nothing here ever creates an index: a missing
``current`` (or one pointing at a directory without an index) raises ``IndexMissing`` and the engine falls
back to the previous complete build instead of silently searching a new empty index.
"""

import copy
import os
from pathlib import Path

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from whoosh.fields import STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import FuzzyTermPlugin, QueryParser

from ..base import EngineUnavailable
from .highlight import highlight_html, query_terms

CURRENT = "current"
# Every writer of ours writes plain segment files.  Whoosh 2.7 opens a compound segment by copying each of
# its files into memory (BytesIO over the mmap) and never reuses a reader on refresh, so after each edit
# every search process would copy the whole index again (a quarter of a second and 400 MB at 100k entries).
WRITER_OPTIONS = {"compound": False}


class IndexMissing(EngineUnavailable):
    """The live index directory holds no index (``current`` removed or pointing nowhere)."""


def live_index_dir(root) -> str:
    """The directory that holds the index searches should use right now."""
    current = Path(root) / CURRENT
    return os.path.realpath(current) if current.is_symlink() else str(root)


class JiebaWhooshSearchBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.root = self.path
        self._searcher = None

    def build_schema(self, fields):
        """haystack's schema, minus the copies of the text nobody reads.

        haystack makes every text field sortable (a column holding the whole text again), stored whatever
        the SearchField says, and analysed even with ``indexed=False``; nothing sorts by a text field, so text
        fields get no column and are stored only when their SearchField asks (``stored=False`` on
        title_grams), and ``indexed=False`` fields are only stored.  Build time and index size: make bench.
        """
        content_field_name, schema = super().build_schema(fields)
        declared = {f.index_fieldname: f for f in fields.values()}
        tuned = {}
        for name in schema.names():
            field = copy.copy(schema[name])
            if name in declared and declared[name].indexed is False:
                field = STORED()
            elif isinstance(field, TEXT):
                field.column_type = None
                if name in declared:
                    field.stored = declared[name].stored
            tuned[name] = field
        return content_field_name, Schema(**tuned)

    def setup(self):
        self.path = live_index_dir(self.root)
        self._searcher = None
        if self.path == str(self.root) and not any(Path(self.root).glob("gen-*")):
            super().setup()  # the flat layout: stock haystack, which creates an empty index when there is none
            return
        if not os.path.isdir(self.path) or not FileStorage(self.path).index_exists():
            raise IndexMissing(f"no index at {os.path.basename(self.path) or self.path}")
        self.storage = FileStorage(self.path)
        self.content_field_name, self.schema = self.whoosh_schema()
        self.parser = QueryParser(self.content_field_name, schema=self.schema)
        self.parser.add_plugins([FuzzyTermPlugin])
        self.index = self.storage.open_index(schema=self.schema)
        self.setup_complete = True

    def whoosh_schema(self):
        """(content field name, schema), without opening any index (a rebuild needs no live one)."""
        from haystack import connections

        return self.build_schema(connections[self.connection_alias].get_unified_index().all_searchfields())

    def ensure_current(self):
        """(Re)open the index when the ``current`` symlink was swapped since we opened it."""
        if not self.setup_complete or live_index_dir(self.root) != self.path:
            self.setup_complete = False
            self.setup()

    def live_searcher(self):
        """A Whoosh searcher on the newest committed state of the live index, reused while it is current."""
        self.ensure_current()
        if self._searcher is None:
            self.index = self.index.refresh()
            self._searcher = self.index.searcher()
        else:
            self._searcher = self._searcher.refresh()
        return self._searcher

    def update(self, index, iterable, commit=True):
        self.ensure_current()
        return super().update(index, iterable, commit)

    def remove(self, obj_or_string, commit=True):
        self.ensure_current()
        return super().remove(obj_or_string, commit)

    def clear(self, models=None, commit=True):
        self.ensure_current()
        return super().clear(models, commit)

    def search(self, query_string, **kwargs):
        self.ensure_current()
        return super().search(query_string, **kwargs)

    def more_like_this(self, model_instance, *args, **kwargs):
        self.ensure_current()
        return super().more_like_this(model_instance, *args, **kwargs)

    def _process_results(self, raw_page, highlight=False, query_string="", *args, **kwargs):
        # The stock version highlights with an English stemming analyzer, which finds nothing in Chinese.
        results = super()._process_results(raw_page, False, query_string, *args, **kwargs)
        if highlight:
            terms = query_terms(query_string.replace("(", " ").replace(")", " "))
            for result in results.get("results", []):
                text = getattr(result, self.content_field_name, "") or ""
                result.highlighted = {self.content_field_name: [highlight_html(text, terms)]}
        return results


class JiebaWhooshEngine(WhooshEngine):
    backend = JiebaWhooshSearchBackend
