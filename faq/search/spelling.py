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


@lru_cache(maxsize=4096)
def _alternatives(char):
    """Characters that sound like ``char`` (any of its readings), itself excluded."""
    readings, homophones = _tables()
    return tuple(dict.fromkeys(c for p in readings.get(char, ()) for c in homophones.get(p, ()) if c != char))


def _suspicious(words, known):
    """Character offsets worth correcting: lone CJK characters that are not particles, and words the index
    has never seen."""
    skip = stopwords() | query_fillers()
    spots = set()
    for word, start, end in words:
        if not _CJK.match(word):
            continue
        if (len(word) == 1 and word not in skip) or not known(word):
            spots.update(range(start, end))
    return spots


def correct(text, words, known):
    """A corrected query text, or None.  ``words`` are the query's (word, start, end); ``known(word)`` says
    whether the index holds a word.  Each fix changes one character of a span of 2..MAX_SPAN characters
    around a suspicious one into a dictionary word the index knows; the most frequent fix wins."""
    spots = _suspicious(words, known)
    if not spots:
        return None
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
