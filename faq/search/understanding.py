"""Query understanding, above every engine: what the citizen typed becomes concepts to search for.

NFKC (full-width → half-width), OpenCC traditional → simplified, lower case, length cap; jieba precise
words minus stop words, at most MAX_TERMS of them; synonym groups (SynonymGroup table, cached per
process) matched on the normalised text, longest first, turn a word into a set of alternatives.  Words the
index has never seen (typos, rare words) are split into known parts or left to the engine's character
bigram fallback.
"""

import math
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from faq import taxonomy
from faq.models import SynonymGroup, ThesaurusTerm, vocabulary_changed

from .analysis import DATA_DIR, bigrams, ensure_jieba, query_fillers, query_words, stopwords, sub_words, tokens

MAX_QUERY_CHARS = 100
MAX_TERMS = 12
SYNONYM_WEIGHT = 0.9
ASPECT_PARTICLES = "了过着"  # jieba glues them to a verb (交了, 领过); the verb is what the answers hold
MODALS = "能会要可想"  # … and these in front of one (能领, 想办)
SYNONYM_TTL = 60.0  # other processes see staff edits to synonyms within a minute; the saving one at once

# --- normalisation ---------------------------------------------------------------------------------

_converter = None
_converter_lock = threading.Lock()


def to_simplified(text):
    global _converter
    if _converter is None:
        with _converter_lock:
            if _converter is None:
                import opencc

                _converter = opencc.OpenCC("t2s")
    return _converter.convert(text)


def normalize(text):
    """What we search for: NFKC, simplified Chinese, lower case, single spaces, at most MAX_QUERY_CHARS."""
    text = unicodedata.normalize("NFKC", text or "")
    text = to_simplified(text).lower()
    text = " ".join(text.split())
    return text[:MAX_QUERY_CHARS]


# --- synonyms --------------------------------------------------------------------------------------

_synonyms = {"expansions": None, "expires": 0.0}
_synonyms_lock = threading.Lock()


def _expansion_rows():
    """(term, [what it widens to]) pairs: every synonym group two-way, the thesaurus one-way unless marked."""
    groups = [g.term_list() for g in SynonymGroup.objects.all()]
    if not groups:
        groups = [[t.strip() for t in line.split(",") if t.strip()] for line in taxonomy.DEFAULT_SYNONYMS]
    for group in groups:
        for term in group:
            yield term, [other for other in group if other != term]
    for row in ThesaurusTerm.objects.all():
        officials = row.official_list()
        yield row.colloquial, officials
        if row.two_way:
            for official in officials:
                yield official, [row.colloquial]


def expansions():
    """{term: [other terms it widens to, …]} normalised, from the staff-editable synonym groups and the
    colloquial thesaurus (the curated defaults while the synonym table is empty); cached per process."""
    now = time.monotonic()
    table = _synonyms["expansions"]
    if table is None or now > _synonyms["expires"]:
        table = {}
        for term, others in _expansion_rows():
            key = normalize(term)
            widened = table.setdefault(key, []) if key else []
            for other in others:
                other = normalize(other)
                if other and other != key and other not in widened:
                    widened.append(other)
        table = {term: others for term, others in table.items() if others}
        with _synonyms_lock:
            _synonyms["expansions"], _synonyms["expires"] = table, now + SYNONYM_TTL
    return table


def _longest_first(table):
    """The expansion table's (term, others) pairs, longest term first: sorted once per table, not per query."""
    cached = _synonyms.get("sorted")
    if cached is None or cached[0] is not table:
        cached = _synonyms["sorted"] = (table, sorted(table.items(), key=lambda tg: -len(tg[0])))
    return cached[1]


@lru_cache(maxsize=1)
def city_names():
    """[(slug, name), …] of the portal's cities, as faq.taxonomy declares them."""
    return [(c.slug, normalize(c.name)) for c in taxonomy.CITIES]


@receiver(post_save, sender=SynonymGroup, dispatch_uid="search-synonyms-save")
@receiver(post_delete, sender=SynonymGroup, dispatch_uid="search-synonyms-delete")
@receiver(post_save, sender=ThesaurusTerm, dispatch_uid="search-thesaurus-save")
@receiver(post_delete, sender=ThesaurusTerm, dispatch_uid="search-thesaurus-delete")
@receiver(vocabulary_changed, dispatch_uid="search-vocabulary-bulk")
def invalidate_synonyms(**kwargs):
    with _synonyms_lock:
        _synonyms["expansions"] = None


# --- query analysis --------------------------------------------------------------------------------


@dataclass
class Concept:
    """One thing the citizen asked about: a word, or a synonym group of interchangeable words."""

    label: str
    alternatives: list  # [[token, …], …]; the first is what was typed
    idf: float = 1.0

    def all_tokens(self):
        return {t for alt in self.alternatives for t in alt}

    @cached_property
    def spellings(self):
        """(credit, the alternative written out, its words): the typed form first, then the synonyms."""
        return [(1.0 if i == 0 else SYNONYM_WEIGHT, "".join(alt), alt) for i, alt in enumerate(self.alternatives)]


@dataclass
class ParsedQuery:
    raw: str
    text: str
    concepts: list
    unknown: list = field(default_factory=list)  # words the index has never seen (typos, rare words)
    unmatched_weight: float = 0.0  # idf weight of unknown words with no known part: what no answer covers

    @property
    def highlight_terms(self):
        terms = set()
        for c in self.concepts:
            terms |= c.all_tokens()
        return frozenset(terms)


def analyse(raw):
    """Split a query into concepts: synonym groups matched on whole words (longest first), then the other words.

    A synonym term only counts when it starts and ends on word boundaries, so 养老金 inside the word
    基础养老金 is not widened to 退休金 (the longer word is the more specific one).
    """
    text = normalize(raw)
    words = query_words(text, removestops=False)
    starts = {start for _w, start, _e in words}
    ends = {end for _w, _s, end in words}
    claimed = [False] * len(text)
    items = []
    candidates = _longest_first(expansions())
    for term, others in candidates:
        start = text.find(term)
        while start != -1:
            end = start + len(term)
            if start in starts and end in ends and not any(claimed[start:end]):
                claimed[start:end] = [True] * (end - start)
                alts = [tokens(term)] + [tokens(other) for other in others]
                alts = [a for a in alts if a]
                if alts:
                    items.append((start, Concept(term, alts)))
            start = text.find(term, end)
    fillers = query_fillers()
    stops = stopwords()
    kept = {(start, word) for word, start, _end in words if word not in fillers and word not in stops}
    for word, start, end in words:
        if (start, word) in kept and not any(claimed[start:end]):
            word = _bare_verb(word)
            alts = [[word]]
            parts = cover(word)
            if len(parts) > 1:
                # A compound the documents may spell out (城乡居民养老保险 vs 城乡居民基本养老保险).
                alts.append(parts)
            items.append((start, Concept(word, alts)))

    concepts, seen = [], set()
    for _start, concept in sorted(items, key=lambda x: x[0]):
        key = tuple(concept.alternatives[0])
        if key in seen:
            continue
        seen.add(key)
        concepts.append(concept)
    return ParsedQuery(raw=raw, text=text, concepts=concepts[:MAX_TERMS])


def _bare_verb(word):
    """交了 → 交, 能领 → 领: jieba's HMM glues an aspect particle or a modal to a verb; the answers hold the verb.
    Dictionary words (要求, 过去) are left alone."""
    if len(word) < 2 or ensure_jieba().FREQ.get(word):
        return word
    if word[-1] in ASPECT_PARTICLES:
        return word[:-1]
    if len(word) == 2 and word[0] in MODALS:
        return word[1:]
    return word


def _known_parts(concept, snapshot):
    """Concepts for the parts of a word the index has never seen, when jieba glued a particle or modal to a
    word it knows (交了 → 交, 能领 → 领) or the word is a compound of indexed words; nothing otherwise."""
    word = concept.label
    skip = stopwords() | query_fillers()
    parts = [g for _i, g in sub_words(word, ensure_jieba().FREQ) if g not in skip]
    parts = [g for g in parts if snapshot.doc_frequency("text", g)]
    parts = [g for g in parts if not any(g != o and g in o for o in parts)]  # longest pieces only
    if not parts and any(ch in skip for ch in word):
        parts = [ch for ch in word if ch not in skip and snapshot.doc_frequency("text", ch)]
    table = expansions()
    out = []
    for part in parts:
        others = table.get(part, ())
        alts = [a for a in [[part]] + [tokens(o) for o in others] if a]
        out.append(Concept(part, alts))
    return out


def cover(word):
    """Dictionary words (2+ characters, shorter than ``word``) that spell ``word`` from left to right, greedily."""
    if len(word) < 3:
        return [word]
    freq = ensure_jieba().FREQ
    parts, i = [], 0
    while i < len(word):
        for size in range(len(word) - i - (1 if i == 0 else 0), 1, -1):
            if freq.get(word[i : i + size]):
                parts.append(word[i : i + size])
                i += size
                break
        else:
            i += 1
    return parts or [word]


def _df(snapshot, concept):
    best = 0
    for alt in concept.alternatives:
        best = max(best, min((snapshot.doc_frequency("text", t) for t in alt), default=0))
    return best


def _glued(word):
    """A string jieba's HMM made of characters that are no word together (但卡, 人能): no term that no answer
    holds, just a sentence cut in an odd place.  Numbers and Latin words are what they say."""
    return not ensure_jieba().FREQ.get(word) and all("\u4e00" <= ch <= "\u9fff" for ch in word)


def resolve(parsed, snapshot):
    """Fit the concepts to what the index knows: words it has never seen are noted in ``parsed.unknown``
    and replaced by their known parts; each concept gets its idf.  Returns the typo fallback's bigrams."""
    n_docs = max(snapshot.doc_count(), 1)
    known = []
    for concept in parsed.concepts:
        if _df(snapshot, concept):
            known.append(concept)
        else:
            parsed.unknown.append(concept.label)
            parts = _known_parts(concept, snapshot)
            known.extend(parts)
            if not parts and not _glued(concept.label):
                parsed.unmatched_weight += math.log(1 + n_docs)
    for concept in known:
        concept.idf = math.log(1 + n_docs / max(_df(snapshot, concept), 1))
    parsed.concepts = list({tuple(c.alternatives[0]): c for c in reversed(known)}.values())[::-1]
    if parsed.unknown or not parsed.concepts:
        # Typo / segmentation fallback: character bigrams of the whole query against titles.
        return [g for g in bigrams(parsed.text) if len(g) == 2]
    return []


def without_city_names(text):
    """The query with the portal's city names taken out (长沙市 → "")."""
    text = normalize(text)
    for _slug, name in city_names():
        text = text.replace(name + "市", " ").replace(name, " ")
    return " ".join(text.split())


@lru_cache(maxsize=1)
def out_of_scope_terms():
    """[[term, synonym, …], …] of other agencies' business (faq/data/out_of_scope.txt)."""
    return [[normalize(t) for t in line.split(",") if t.strip()] for line in _data_lines("out_of_scope.txt")]


@lru_cache(maxsize=1)
def other_places():
    return [[normalize(line)] for line in _data_lines("other_places.txt")]


def _data_lines(name):
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield line


def out_of_scope(text, raw=None):
    """What a normalised query asks about that the knowledge base's answers are not about unless their own
    question says so: other agencies' business (公积金, 户口 …) and, when it names none of the portal's
    cities, another place (广州, 上海 …).  A list of synonym groups.  ``raw``: the query as typed, when
    ``text`` is that query with the city it is scoped to taken out (住在广州…长沙的… names 长沙 all the same)."""
    groups = [group for group in out_of_scope_terms() if any(t in text for t in group)]
    if not mentioned_cities(text) and not (raw and mentioned_cities(normalize(raw))):
        groups += [group for group in other_places() if group[0] in text]
    return groups


@lru_cache(maxsize=1)
def district_names():
    """[(city slug, district name), …]: full names only (天心区, 福田区), as the aliases (芙蓉, 光明) are
    everyday words too."""
    return [(slug, normalize(name)) for slug, rows in taxonomy.DISTRICTS.items() for _d, name, _aliases in rows]


def mentioned_cities(text):
    """Slugs of the cities a normalised query names (长沙, 深圳市 …), directly or by one of their districts
    (天心区 is in 长沙): a district's office or service centre is asked for in that city."""
    named = {slug for slug, name in city_names() if name in text}
    named.update(slug for slug, name in district_names() if name in text)
    return frozenset(named)
