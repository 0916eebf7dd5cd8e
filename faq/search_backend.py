"""haystack's Whoosh backend, adapted: jieba-aware highlighting and an index directory that can be swapped.

Index layout under the configured PATH: ``build_search_index`` writes a complete index into a fresh
``gen-*`` directory and atomically repoints the ``current`` symlink at it.  Every backend operation first
checks where ``current`` points and reopens the index when it moved, so readers switch from the old
complete index to the new complete index and never see a half-built one.  Without ``current`` (a fresh
checkout, the test settings) PATH itself is the index, exactly as in stock haystack.
"""

import os
from pathlib import Path

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from whoosh.highlight import ContextFragmenter, HtmlFormatter, WholeFragmenter, highlight

from .analysis import ChineseAnalyzer

CURRENT = "current"
ANALYZER = ChineseAnalyzer()


def live_index_dir(root) -> str:
    """The directory that holds the index searches should use right now."""
    current = Path(root) / CURRENT
    return os.path.realpath(current) if current.is_symlink() else str(root)


class MarkFormatter(HtmlFormatter):
    """``<mark>term</mark>``; Whoosh's HtmlFormatter HTML-escapes both the matched and the surrounding text."""

    template = "<%(tag)s>%(t)s</%(tag)s>"

    def __init__(self):
        super().__init__(tagname="mark", between="…")


def query_terms(text, extra=()):
    """The words of a query as the index sees them, for highlighting."""
    terms = {t.text for t in ANALYZER(text or "", mode="query")}
    terms.update(extra)
    return frozenset(terms)


def highlight_html(text, terms, maxchars=160, top=2, fallback_chars=120):
    """An escaped snippet of ``text`` with ``terms`` wrapped in <mark>; the plain start when nothing matches."""
    from django.utils.html import escape

    text = text or ""
    if terms:
        if len(text) <= maxchars:
            fragmenter = WholeFragmenter(charlimit=None)
        else:
            fragmenter = ContextFragmenter(maxchars=maxchars, surround=40)
        html = highlight(text, terms, ANALYZER, fragmenter, MarkFormatter(), top=top, mode="index")
        if html:
            return html
    snippet = text[:fallback_chars]
    return escape(snippet) + ("…" if len(text) > fallback_chars else "")


class JiebaWhooshSearchBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.root = self.path
        self._searcher = None

    def setup(self):
        self.path = live_index_dir(self.root)
        self._searcher = None
        super().setup()

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
