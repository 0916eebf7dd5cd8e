"""Keywords per entry with jieba's TF-IDF (jieba.analyse.extract_tags), stored as Keyword rows.

The keywords are data: staff may rename, merge, remove or confirm (Keyword.confirmed, the only keywords
shown as 经工作人员校对) them in the admin. Entries staff edited (Entry.edited_by_staff) keep whatever
keywords they have. Generic words and bad segments are dropped by a stop list, and variant spellings are
merged by a variants table, both data files in faq/data/.
"""

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import jieba.analyse

from .models import Entry, Keyword
from .search.analysis import ensure_jieba
from .taxonomy import CITIES

TOP_K = 6
# Parts of speech worth browsing by: nouns, verb-nouns, verbs (挂失, 补办), idioms; place names have district pages.
ALLOW_POS = ("n", "nz", "nt", "nr", "vn", "v", "l", "i", "eng")
DATA_DIR = Path(__file__).resolve().parent / "data"
STOPLIST_FILE = DATA_DIR / "keyword_stoplist.txt"  # generic words and bad segments (长沙市人, 社局, 模块)
VARIANTS_FILE = DATA_DIR / "keyword_variants.tsv"  # 帐户 → 账户, 社会保障卡 → 社保卡
DIGIT_RE = re.compile(r"\d")
ASCII_RE = re.compile(r"^[\x00-\x7f]+$")


def _data_lines(path):
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            yield line


@functools.cache
def stoplist() -> frozenset:
    words = {w for line in _data_lines(STOPLIST_FILE) for w in line.split()}
    return frozenset(words | {c.name for c in CITIES} | {c.name + "市" for c in CITIES})


@functools.cache
def variants() -> tuple:
    """(variant, preferred) pairs, longest variant first so a longer form is replaced before its parts."""
    pairs = []
    for line in _data_lines(VARIANTS_FILE):
        variant, _tab, preferred = line.partition("\t")
        if variant.strip() and preferred.strip():
            pairs.append((variant.strip(), preferred.strip()))
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def preferred_form(word: str) -> str:
    """``word`` with its variant spellings replaced: 个人帐户 → 个人账户, 社会保障卡 → 社保卡."""
    for variant, preferred in variants():
        word = word.replace(variant, preferred)
    return word


def entry_text(entry) -> str:
    # The question is repeated so its words outweigh a long answer's.
    steps = " ".join(s.text for s in entry.steps.all())
    return "\n".join([entry.question, entry.question, entry.answer, entry.conditions, entry.materials, steps])


def is_useful(word: str) -> bool:
    word = word.strip()
    return len(word) >= 2 and word not in stoplist() and not DIGIT_RE.search(word) and not ASCII_RE.match(word)


def extract_keywords(text: str, top_k: int = TOP_K) -> list[str]:
    """The ``top_k`` most characteristic words of ``text`` (TF-IDF), generic words and numbers left out."""
    ensure_jieba()
    words = jieba.analyse.extract_tags(text, topK=top_k * 4, allowPOS=ALLOW_POS)
    result = []
    for word in map(preferred_form, words):
        if is_useful(word) and word not in result:
            result.append(word[: Keyword._meta.get_field("name").max_length])
        if len(result) == top_k:
            break
    return result


@dataclass
class KeywordReport:
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # edited by staff, left alone
    keywords_created: int = 0
    keywords_removed: int = 0  # unconfirmed keywords no entry has any more (a dropped segment, a merged variant)
    per_entry: dict = field(default_factory=dict)  # entry pk -> [keyword names]


def assign_keywords(entries=None, dry_run=False, top_k=TOP_K, progress=None) -> KeywordReport:
    """Extract and store keywords for ``entries`` (default: every published entry).

    Run inside a transaction by the caller; with ``dry_run`` nothing is written.
    """
    if entries is None:
        entries = Entry.objects.filter(status=Entry.Status.PUBLISHED)
    entries = entries.prefetch_related("steps", "keywords")
    report = KeywordReport()
    existing = {k.name: k for k in Keyword.objects.all()}
    for entry in entries:
        if progress is not None:
            progress.update(1)
        if entry.edited_by_staff:
            report.kept += 1
            continue
        names = extract_keywords(entry_text(entry), top_k)
        report.per_entry[entry.pk] = names
        if sorted(k.name for k in entry.keywords.all()) == sorted(names):
            report.unchanged += 1
            continue
        report.updated += 1
        missing = [n for n in names if n not in existing]
        report.keywords_created += len(missing)
        if dry_run:
            existing.update({n: Keyword(name=n) for n in missing})
            continue
        for name in missing:
            existing[name] = Keyword.objects.get_or_create(name=name)[0]
        entry.keywords.set([existing[n] for n in names])
    orphans = Keyword.objects.filter(confirmed=False, entries__isnull=True)
    report.keywords_removed = orphans.count()
    if not dry_run:
        orphans.delete()
    return report
