"""jieba set-up shared by search, keyword extraction and the importer, and the Whoosh analyzer built on it.

The domain dictionary lives in faq/data/userdict.txt; jieba's cache goes to settings.JIEBA_CACHE_DIR
(a directory the app owns) instead of the system temp dir.

Why our own tokenizer instead of ``jieba.analyse.ChineseAnalyzer``: that one stores character offsets as
positions and ignores Whoosh's ``positions``/``chars``/``tokenize``/``mode`` options, which breaks phrase
queries, wildcard/``.all()`` queries and highlighting.  ``JiebaTokenizer`` keeps real positions and
character offsets, indexes dictionary sub-words at their parent word's position (社保卡 also as 社保) and
uses precise words at query time, so a query word never matches half a word in highlights.
"""

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

import jieba
from django.conf import settings
from whoosh.analysis import LowercaseFilter, StopFilter, Token, Tokenizer

DATA_DIR = Path(__file__).resolve().parent / "data"
USER_DICT = DATA_DIR / "userdict.txt"
STOPWORDS_FILE = DATA_DIR / "stopwords.txt"
QUERY_FILLERS_FILE = DATA_DIR / "query_fillers.txt"

_lock = threading.Lock()
_ready = False

# A token worth indexing has at least one letter, digit or CJK character.
_WORDLIKE = re.compile(r"\w", re.UNICODE)


def ensure_jieba():
    """Load jieba and the domain dictionary once per process; returns jieba's default Tokenizer."""
    global _ready
    if _ready:
        return jieba.dt
    with _lock:
        if not _ready:
            cache_dir = Path(settings.JIEBA_CACHE_DIR)
            cache_dir.mkdir(parents=True, exist_ok=True)
            jieba.setLogLevel(logging.WARNING)
            jieba.dt.tmp_dir = str(cache_dir)
            jieba.initialize()
            jieba.load_userdict(str(USER_DICT))
            _ready = True
    return jieba.dt


def _word_list(path) -> frozenset:
    words = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(line)
    return frozenset(words)


@lru_cache(maxsize=1)
def stopwords() -> frozenset:
    """Dropped from the index and from queries."""
    return _word_list(STOPWORDS_FILE)


@lru_cache(maxsize=1)
def query_fillers() -> frozenset:
    """Colloquial filler dropped from queries (and ignored in titles when ranking) but kept in the index."""
    return _word_list(QUERY_FILLERS_FILE)


def content_words(text):
    """The words of a title that say what it is about: query-mode words without stop words and colloquial
    filler, each once.  Indexed with every title (``title_words``), so ranking never segments titles."""
    fillers = query_fillers()
    return tuple(dict.fromkeys(t.text for t in _analyzer()(text, mode="query") if t.text not in fillers))


@lru_cache(maxsize=1)
def _analyzer():
    return ChineseAnalyzer()


def sub_words(word, freq):
    """Dictionary words of 2..len-1 characters inside ``word``, as (offset, text), like jieba's search mode."""
    found = []
    for size in range(2, len(word)):
        for i in range(len(word) - size + 1):
            gram = word[i : i + size]
            if freq.get(gram):
                found.append((i, gram))
    return found


def whole_value_token(t, value, positions, chars, start_pos, start_char):
    """The whole value as one token: Whoosh asks for this for wildcards, ranges and ID-like terms."""
    t.original = t.text = value
    t.boost = 1.0
    if positions:
        t.pos = start_pos
    if chars:
        t.startchar, t.endchar = start_char, start_char + len(value)
    return t


class JiebaTokenizer(Tokenizer):
    """Whoosh tokenizer on jieba's precise mode.

    ``mode="index"`` adds dictionary sub-words sharing the parent word's position and with their own real
    character offsets; any other mode (query, highlighting) yields precise words only.
    """

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

        dt = ensure_jieba()
        freq = dt.FREQ
        index_mode = mode == "index"
        pos = start_pos
        for word, start, _end in dt.tokenize(value, mode="default", HMM=True):
            if not _WORDLIKE.search(word):
                continue
            emitted = [(0, word)]
            if index_mode and len(word) > 2:
                emitted += sub_words(word, freq)
            for offset, text in emitted:
                t.text = text
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = text
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar = start_char + start + offset
                    t.endchar = t.startchar + len(text)
                yield t
            pos += 1


def ChineseAnalyzer():
    """jieba words, lower-cased Latin, Chinese stop words dropped without renumbering positions."""
    return JiebaTokenizer() | LowercaseFilter() | StopFilter(stoplist=stopwords(), minsize=1, renumber=False)


class BigramTokenizer(Tokenizer):
    """Overlapping character bigrams of each run of word characters: a typo-tolerant second view of the text."""

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
        pos = start_pos
        for run in re.finditer(r"\w+", value):
            text = run.group()
            grams = [text] if len(text) < 2 else [text[i : i + 2] for i in range(len(text) - 1)]
            for i, gram in enumerate(grams):
                t.text = gram.lower()
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = gram
                if positions:
                    t.pos = pos
                if chars:
                    t.startchar = start_char + run.start() + i
                    t.endchar = t.startchar + len(gram)
                yield t
                pos += 1


def BigramAnalyzer():
    return BigramTokenizer()
