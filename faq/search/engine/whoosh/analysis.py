"""Whoosh analyzers over faq.search.analysis: one shared instance of each, used by the schema, the writer
and highlighting.

Why our own tokenizer instead of ``jieba.analyse.ChineseAnalyzer``: that one stores character offsets as
positions and ignores Whoosh's ``positions``/``chars``/``tokenize``/``mode`` options, which breaks phrase
queries, wildcard/``.all()`` queries and highlighting.
"""

import re

from whoosh.analysis import LowercaseFilter, StopFilter, Token, Tokenizer

from faq.search.analysis import stopwords, words


def whole_value_token(t, value, positions, chars, start_pos, start_char):
    """The whole value as one token: Whoosh asks for this for wildcards, ranges and ID-like terms."""
    t.original = t.text = value
    t.boost = 1.0
    if positions:
        t.pos = start_pos
    if chars:
        t.startchar, t.endchar = start_char, start_char + len(value)
    return t


class _Tokenizer(Tokenizer):
    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            yield whole_value_token(t, value, positions, chars, start_pos, start_char)
            return
        for text, start, end, pos in self.pieces(value, mode):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


class JiebaTokenizer(_Tokenizer):
    """jieba's precise words; ``mode="index"`` adds dictionary sub-words sharing the parent word's position."""

    def pieces(self, value, mode):
        return words(value, index_mode=mode == "index")


class BigramTokenizer(_Tokenizer):
    """Overlapping character bigrams of each run of word characters: a typo-tolerant second view of the text."""

    def pieces(self, value, mode):
        pos = 0
        for run in re.finditer(r"\w+", value):
            text = run.group()
            grams = [text] if len(text) < 2 else [text[i : i + 2] for i in range(len(text) - 1)]
            for i, gram in enumerate(grams):
                yield gram.lower(), run.start() + i, run.start() + i + len(gram), pos
                pos += 1


def ChineseAnalyzer():
    """jieba words, lower-cased Latin, Chinese stop words dropped without renumbering positions."""
    return JiebaTokenizer() | LowercaseFilter() | StopFilter(stoplist=stopwords(), minsize=1, renumber=False)


def BigramAnalyzer():
    return BigramTokenizer()


# The one instance of each that everything shares (the schema compares analyzers by class).
ANALYZER = ChineseAnalyzer()
BIGRAM_ANALYZER = BigramAnalyzer()
