"""jieba set-up and Chinese word segmentation, shared by the index, query understanding, keyword extraction
and the importer.  Nothing here knows about a search engine: engines wrap ``words()`` in their own analyzer.

The domain dictionary lives in faq/data/userdict.txt; jieba's cache goes to settings.JIEBA_CACHE_DIR
(a directory the app owns) instead of the system temp dir.

Segmentation keeps real positions and character offsets, adds dictionary sub-words at their parent word's
position in index mode (社保卡 also as 社保) and uses precise words at query time, so a query word never
matches half a word in highlights.
"""

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

import jieba
from django.conf import settings

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
USER_DICT = DATA_DIR / "userdict.txt"
STOPWORDS_FILE = DATA_DIR / "stopwords.txt"
QUERY_FILLERS_FILE = DATA_DIR / "query_fillers.txt"

_lock = threading.Lock()
_ready = False

# A token worth indexing has at least one letter, digit or CJK character.
_WORDLIKE = re.compile(r"\w", re.UNICODE)
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


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


def sub_words(word, freq):
    """Dictionary words of 2..len-1 characters inside ``word``, as (offset, text), like jieba's search mode."""
    found = []
    for size in range(2, len(word)):
        for i in range(len(word) - size + 1):
            gram = word[i : i + size]
            if freq.get(gram):
                found.append((i, gram))
    return found


def words(value, index_mode=False):
    """(word, start, end, position) of jieba's precise words that hold a word character; in index mode also
    the dictionary sub-words of longer words, at their parent's position.  Case is kept."""
    dt = ensure_jieba()
    freq = dt.FREQ
    pos = 0
    for word, start, _end in dt.tokenize(value, mode="default", HMM=True):
        if not _WORDLIKE.search(word):
            continue
        yield word, start, start + len(word), pos
        if index_mode and len(word) > 2:
            for offset, text in sub_words(word, freq):
                yield text, start + offset, start + offset + len(text), pos
        pos += 1


def query_words(text, removestops=True):
    """(word, start, end) of a query or title, lower-cased, stop words dropped unless ``removestops`` is off.
    The same words the index's analyzer produces in query mode."""
    stops = stopwords() if removestops else ()
    out = []
    for word, start, end, _pos in words(text):
        word = word.lower()
        if word not in stops:
            out.append((word, start, end))
    return out


def tokens(text):
    """The words of ``text`` as a query sees them (a new list: callers may keep it)."""
    return list(_tokens(text))


@lru_cache(maxsize=2048)
def _tokens(text):
    # Synonym and thesaurus terms are segmented again for every query that names them: remembered.
    return tuple(w for w, _s, _e in query_words(text))


def content_words(text):
    """The words of a title that say what it is about: query-mode words without stop words and colloquial
    filler, each once.  Indexed with every title (``title_words``), so ranking never segments titles."""
    fillers = query_fillers()
    return tuple(dict.fromkeys(w for w in tokens(text) if w not in fillers))


def bigrams(text):
    """Overlapping character bigrams of each run of word characters (a one-character run stays whole)."""
    grams = []
    for run in _NON_WORD.split(text):
        if len(run) == 1:
            grams.append(run)
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return list(dict.fromkeys(grams))
