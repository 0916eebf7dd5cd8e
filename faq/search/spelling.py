"""Chinese IME typos are homophones (挂矢 for 挂失, 密马 for 密码, 失业斤 for 失业金): a character the citizen
typed is replaced by another with the same toneless pinyin when that turns a lone or unknown character into
a word the dictionary and the index both know.  pypinyin supplies the readings; nothing is downloaded."""

import re
import threading
from functools import lru_cache

from .analysis import ensure_jieba, query_fillers, stopwords

_CJK = re.compile(r"[\u4e00-\u9fff]")
_lock = threading.Lock()
_readings = None  # {char: {toneless pinyin}}
_homophones = None  # {toneless pinyin: [chars]}
MAX_SPAN = 4
MAX_SPOTS = 4  # suspicious words tried per query: a typo or two, not a page of noise (bounded cost)
MAX_TEXT = 40  # longer queries are sentences; their words carry them without fixing one character
MIN_WORD_FREQ = 5  # jieba dictionary frequency a correction must reach (rare words are not corrections)


def _tables():
    global _readings, _homophones
    if _homophones is None:
        with _lock:
            if _homophones is None:
                from pypinyin import Style, pinyin_dict
                from pypinyin.style import convert

                readings, homophones = {}, {}
                for code, marks in pinyin_dict.pinyin_dict.items():
                    char = chr(code)
                    if not _CJK.match(char):
                        continue
                    plain = {convert(m, Style.NORMAL, strict=False) for m in marks.split(",")}
                    readings[char] = plain
                    for p in plain:
                        homophones.setdefault(p, []).append(char)
                _readings, _homophones = readings, homophones
    return _readings, _homophones


def warm():
    """Load the pinyin tables now rather than on the first query that needs them."""
    _tables()
    pinyin_of("社保")


@lru_cache(maxsize=4096)
def _alternatives(char):
    """Characters that sound like ``char`` (any of its readings), itself excluded."""
    readings, homophones = _tables()
    return tuple(dict.fromkeys(c for p in readings.get(char, ()) for c in homophones.get(p, ()) if c != char))


def _suspicious(words, known):
    """The words worth correcting, as (start, end): lone CJK characters that are not particles, and words
    the index has never seen."""
    skip = stopwords() | query_fillers()
    return [
        (start, end)
        for word, start, end in words
        if _CJK.match(word) and ((len(word) == 1 and word not in skip) or not known(word))
    ]


def correct(text, words, known):
    """A corrected query text, or None.  ``words`` are the query's (word, start, end); ``known(word)`` says
    whether the index holds a word.  Each fix changes one character of a span of 2..MAX_SPAN characters
    around a suspicious one into a dictionary word the index knows; the most frequent fix wins."""
    if len(text) > MAX_TEXT:
        return None
    suspects = _suspicious(words, known)
    if not suspects or len(suspects) > MAX_SPOTS:
        return None
    spots = {pos for start, end in suspects for pos in range(start, end)}
    freq = ensure_jieba().FREQ
    chars = list(text)
    changed = False
    for pos in sorted(spots):
        best = None
        for size in range(2, MAX_SPAN + 1):
            for start in range(max(0, pos - size + 1), min(pos, len(chars) - size) + 1):
                span = "".join(chars[start : start + size])
                if not all(_CJK.match(c) for c in span) or freq.get(span):
                    continue  # already a word: nothing to fix here
                for alt in _alternatives(chars[pos]):
                    fixed = span[: pos - start] + alt + span[pos - start + 1 :]
                    f = freq.get(fixed, 0)
                    if f >= MIN_WORD_FREQ and (best is None or f > best[0]) and known(fixed):
                        best = (f, alt)
        if best is not None:
            chars[pos] = best[1]
            changed = True
    corrected = "".join(chars)
    return corrected if changed and corrected != text else None


_PINYIN_QUERY = re.compile(r"^[a-z' ]{4,}$")
MAX_PINYIN_WORD = 24  # letters in one word's pinyin (社会保障卡: shehuibaozhangka, 16)


def looks_like_pinyin(text):
    return bool(_PINYIN_QUERY.match(text))


@lru_cache(maxsize=20_000)
def pinyin_of(word):
    """Toneless pinyin of a word, letters only (社保卡 → shebaoka); "" when a character has none."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(word, style=Style.NORMAL, errors=lambda chars: [""] * len(chars))
    return "".join(syllables) if all(syllables) else ""


def pinyin_table(words):
    """{pinyin: the most frequent word spelled so} for a vocabulary (the index's question words)."""
    freq = ensure_jieba().FREQ
    table = {}
    for word in words:
        key = pinyin_of(word)
        if key and len(key) <= MAX_PINYIN_WORD and freq.get(word, 0) >= freq.get(table.get(key, ""), 0):
            table[key] = word
    return table


def from_pinyin(text, table):
    """Chinese for a toneless pinyin query (``shebaoka buban`` → 社保卡补办), or None.  Each space-separated
    part is split into the fewest vocabulary words (dynamic programming over the letters)."""
    words = []
    for part in text.replace("'", " ").split():
        best = [None] * (len(part) + 1)  # best[i]: fewest words spelling part[:i]
        best[0] = []
        for i in range(1, len(part) + 1):
            for j in range(max(0, i - MAX_PINYIN_WORD), i):
                word = table.get(part[j:i])
                if word and best[j] is not None and (best[i] is None or len(best[j]) + 1 < len(best[i])):
                    best[i] = best[j] + [word]
        if best[-1] is None:
            return None
        words.extend(best[-1])
    return "".join(words) or None
