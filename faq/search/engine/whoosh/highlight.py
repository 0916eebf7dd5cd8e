"""Highlighting with Whoosh's fragmenters: escaped snippets with the query's words in <mark>, segmenting only
the text near a match (segmenting whole answers was most of the cost of a result page)."""

import re
from functools import lru_cache

from django.utils.html import escape
from whoosh.analysis import Token
from whoosh.highlight import (
    FIRST,
    BasicFragmentScorer,
    ContextFragmenter,
    HtmlFormatter,
    WholeFragmenter,
    top_fragments,
)

from .analysis import ANALYZER

SURROUND = 40  # characters of context around the highlighted words of a snippet
SNIPPET_SPAN = 4  # snippets come from the first this-many fragment lengths after the first query word
HIGHLIGHT_MEMO = 1000  # runs of text whose segmentation is remembered (functools.lru_cache)


def query_terms(text, extra=()):
    """The words of a query as the index sees them, for highlighting."""
    terms = {t.text for t in ANALYZER(text or "", mode="query")}
    terms.update(extra)
    return frozenset(terms)


class MarkFormatter(HtmlFormatter):
    """``<mark>term</mark>``; Whoosh's HtmlFormatter HTML-escapes both the matched and the surrounding text."""

    template = "<%(tag)s>%(t)s</%(tag)s>"

    def __init__(self):
        super().__init__(tagname="mark", between="…")


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
        terms, context, size = self.terms, self.context, self.chunk
        # Each token says whether it is a query word (``matched``): what Whoosh's set_matched_filter would
        # add, without another generator around every token.
        for run in _RUN.finditer(value, begin):
            start, end = run.span()
            if start >= stop:
                break
            if 1 in near[start:end]:
                for text, lo, hi in _run_offsets(run.group(), mode):
                    matched = text in terms
                    if context or matched:
                        chunk.text, chunk.matched = text, matched
                        chunk.startchar, chunk.endchar = start + lo, start + hi
                        yield chunk
            elif context:
                for i in range(start, end, size):
                    chunk.startchar, chunk.endchar = i, min(end, i + size)
                    chunk.text = lowered[i : chunk.endchar]
                    chunk.matched = chunk.text in terms
                    yield chunk


def snippet_tokens(terms, maxchars):
    """Tokens for the fragmenter of a long text.  A fragment reaches SURROUND characters of words beyond a
    match; punctuation between words does not count, so the margin that is cut with jieba is twice that."""
    return _HighlightTokens(terms, margin=2 * SURROUND, span=SNIPPET_SPAN * maxchars)


@lru_cache(maxsize=HIGHLIGHT_MEMO)
def _run_offsets(run, mode):
    """(word, startchar, endchar) of one run of word characters; runs recur across answers (the same clauses,
    the same answer on the next search), so their segmentation is remembered."""
    return tuple((t.text, t.startchar, t.endchar) for t in ANALYZER(run, chars=True, mode=mode, removestops=False))


def highlight_html(text, terms, maxchars=160, top=2, fallback_chars=120):
    """An escaped snippet of ``text`` with ``terms`` wrapped in <mark>; the plain start when nothing matches."""
    text = text or ""
    lowered = text.lower()
    if terms and any(t in lowered for t in terms):
        if len(text) <= maxchars:
            tokens = _HighlightTokens(terms, margin=0, context=False)
            fragmenter = WholeFragmenter(charlimit=None)
        else:
            tokens = snippet_tokens(terms, maxchars)
            fragmenter = ContextFragmenter(maxchars=maxchars, surround=SURROUND)
        # whoosh.highlight.highlight() with its defaults, minus set_matched_filter (the tokens say it).
        fragments = fragmenter.fragment_tokens(text, tokens(text, chars=True, mode="index", removestops=False))
        html = MarkFormatter()(text, top_fragments(fragments, top, BasicFragmentScorer(), FIRST, minscore=1))
        if html:
            return html
    snippet = text[:fallback_chars]
    return escape(snippet) + ("…" if len(text) > fallback_chars else "")
