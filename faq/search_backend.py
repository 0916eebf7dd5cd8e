"""haystack's Whoosh backend, adapted: jieba-aware highlighting and an index directory that can be swapped.

Index layout under the configured PATH: ``build_search_index`` writes a complete index into a fresh
``gen-*`` directory and atomically repoints the ``current`` symlink at it.  Every backend operation first
checks where ``current`` points and reopens the index when it moved, so readers switch from the old
complete index to the new complete index and never see a half-built one.  Without ``current`` (a fresh
checkout, the test settings) PATH itself is the index, exactly as in stock haystack.
"""

import copy
import os
import re
from functools import lru_cache
from pathlib import Path

from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from whoosh.analysis import Token
from whoosh.fields import STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter, WholeFragmenter, highlight

from .analysis import ChineseAnalyzer

CURRENT = "current"
# Every writer of ours writes plain segment files.  Whoosh 2.7 opens a compound segment by copying each of
# its files into memory (BytesIO over the mmap) and never reuses a reader on refresh, so after each edit
# every search process would copy the whole index again (a quarter of a second and 400 MB at 100k entries).
WRITER_OPTIONS = {"compound": False}
SURROUND = 40  # characters of context around the highlighted words of a snippet
SNIPPET_SPAN = 4  # snippets come from the first this-many fragment lengths after the first query word
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


_RUN = re.compile(r"[\w+#&._%-]+")  # jieba.re_han_default's characters and \w (jieba keeps ① as a word)


class _HighlightTokens:
    """The analyzer Whoosh's ``highlight()`` calls, segmenting only the text a fragment can contain.

    Segmenting whole answers was most of the cost of a result page.  A fragment only holds matched words
    and the context the fragmenter adds around them (``surround`` characters), so the runs of word
    characters within ``margin`` of an occurrence of a query term are cut with jieba and the others become
    plain chunks that only move the fragmenter along.  A run ends at a character that separates jieba's
    blocks (``jieba.re_han_default``) and is no word character, so jieba cuts it exactly as within the
    whole text.  With ``span``, tokens stop ``span`` characters after the first occurrence: snippets come
    from where the answer starts talking about the query, whatever its length.  Without ``context`` (a
    short text shown whole) only the matching words are yielded.
    """

    def __init__(self, terms, margin, span=None, context=True):
        self.terms = terms
        self.margin = margin
        self.span = span
        self.context = context
        self.chunk = max(1, margin // 2)  # far from any match: context nobody shows, in as few tokens as may be

    def __call__(self, value, chars=True, mode="query", removestops=False, **kwargs):
        lowered = value.lower()
        near = bytearray(len(value))
        first = len(value)
        for term in self.terms:
            at = lowered.find(term)
            first = min(first, at) if at != -1 else first
            while at != -1:
                lo, hi = max(0, at - self.margin), min(len(value), at + len(term) + self.margin)
                near[lo:hi] = b"\1" * (hi - lo)
                at = lowered.find(term, at + 1)
        stop = len(value) if self.span is None else first + self.span
        chunk = Token(chars=True, removestops=removestops, mode=mode)
        chunk.boost, chunk.stopped = 1.0, False
        begin = max(0, first - self.margin)
        while begin > 0 and _RUN.match(value, begin - 1, begin):
            begin -= 1  # back to the start of the run: a run is cut whole or not at all
        for run in _RUN.finditer(value, begin):
            start, end = run.span()
            if start >= stop:
                break
            if 1 in near[start:end]:
                for chunk.text, chunk.startchar, chunk.endchar in _run_words(run.group(), mode, start):
                    if self.context or chunk.text in self.terms:
                        yield chunk
            elif self.context:
                for i in range(start, end, self.chunk):
                    chunk.startchar, chunk.endchar = i, min(end, i + self.chunk)
                    chunk.text = lowered[chunk.startchar : chunk.endchar]
                    yield chunk


def snippet_tokens(terms, maxchars):
    """Tokens for the fragmenter of a long text.  A fragment reaches SURROUND characters of words beyond a
    match; punctuation between words does not count, so the margin that is cut with jieba is twice that."""
    return _HighlightTokens(terms, margin=2 * SURROUND, span=SNIPPET_SPAN * maxchars)


@lru_cache(maxsize=50_000)
def _run_offsets(run, mode):
    return tuple((t.text, t.startchar, t.endchar) for t in ANALYZER(run, chars=True, mode=mode, removestops=False))


def _run_words(run, mode, start):
    """(word, startchar, endchar) of one run of word characters at ``start``; runs recur across answers
    (the same clauses, the same answer on the next search), so their segmentation is remembered."""
    for text, lo, hi in _run_offsets(run, mode):
        yield text, start + lo, start + hi


def highlight_html(text, terms, maxchars=160, top=2, fallback_chars=120):
    """An escaped snippet of ``text`` with ``terms`` wrapped in <mark>; the plain start when nothing matches."""
    from django.utils.html import escape

    text = text or ""
    lowered = text.lower()
    if terms and any(t in lowered for t in terms):
        if len(text) <= maxchars:
            tokens = _HighlightTokens(terms, margin=0, context=False)
            fragmenter = WholeFragmenter(charlimit=None)
        else:
            tokens = snippet_tokens(terms, maxchars)
            fragmenter = ContextFragmenter(maxchars=maxchars, surround=SURROUND)
        html = highlight(text, terms, tokens, fragmenter, MarkFormatter(), top=top, mode="index")
        if html:
            return html
    snippet = text[:fallback_chars]
    return escape(snippet) + ("…" if len(text) > fallback_chars else "")


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
