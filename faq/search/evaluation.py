"""Scoring search against a query set (format: ../shared/eval/queries.tsv), through the same ``search()``
as the page and the API.

A result is relevant when its text (question/title + answer/body + office name + address, punctuation and
white space removed) contains one of the keys and, when the city column is not *, it is in that city.
"noise" lines count a leak whenever any returned result contains the key.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .service import search

_STRIP = re.compile(r"[\W_]+", re.UNICODE)


class QuerySetError(ValueError):
    """A query file that cannot be read; the message says where."""


def squash(text):
    return _STRIP.sub("", text or "")


def result_text(hit):
    obj = hit.obj
    if hit.kind == "entry":
        return squash(obj.question + obj.answer)
    return squash(obj.name + obj.address)


def read_queries(path):
    rows = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QuerySetError(f"{path}: {exc}") from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 5:
            raise QuerySetError(f"{path}:{n}: expected 5 tab-separated columns, got {len(parts)}")
        qid, kind, city, query, keys = parts
        rows.append((qid, kind, city.strip(), query, [squash(k) for k in keys.split("|") if squash(k)]))
    return rows


def first_relevant(hits, keys, city_name):
    for rank, hit in enumerate(hits, start=1):
        if city_name and hit.obj.city.name != city_name:
            continue
        text = result_text(hit)
        if any(k in text for k in keys):
            return rank
    return None


def figures(ranks):
    n = len(ranks)
    return {
        "n": n,
        "r1": sum(1 for r in ranks if r == 1) / n,
        "r5": sum(1 for r in ranks if r and r <= 5) / n,
        "mrr10": sum(1 / r for r in ranks if r and r <= 10) / n,
    }


@dataclass
class Evaluation:
    per_kind: dict = field(default_factory=lambda: defaultdict(list))  # kind -> [rank or None]
    leaks: list = field(default_factory=list)  # (qid, query, leaked title)
    misses: list = field(default_factory=list)  # (qid, kind, query, rank, [(kind, city, score, title)])
    n_noise: int = 0
    # The no-answer flag: {("answerable"|"unanswerable", answered: bool): n}; noise lines are left out.
    flags: dict = field(default_factory=lambda: defaultdict(int))

    def summary(self):
        all_ranks = [r for ranks in self.per_kind.values() for r in ranks]
        return {
            "all": figures(all_ranks) if all_ranks else None,
            "kinds": {kind: figures(ranks) for kind, ranks in sorted(self.per_kind.items())},
            "noise": {"n": self.n_noise, "leaks": len(self.leaks)},
            "answered_flag": self.flag_summary(),
        }

    def flag_summary(self):
        f = self.flags
        answerable = f[("answerable", True)] + f[("answerable", False)]
        unanswerable = f[("unanswerable", True)] + f[("unanswerable", False)]
        return {
            "answerable": {"answered": f[("answerable", True)], "flagged": f[("answerable", False)]},
            "unanswerable": {"answered": f[("unanswerable", True)], "flagged": f[("unanswerable", False)]},
            "wrongly_flagged_rate": f[("answerable", False)] / answerable if answerable else None,
            "flagged_unanswerable_rate": f[("unanswerable", False)] / unanswerable if unanswerable else None,
        }


def evaluate(rows, cities, depth=10):
    """Run every query; ``cities`` is the set of known city names (an unknown one is a QuerySetError)."""
    result = Evaluation()
    for qid, kind, city, query, keys in rows:
        found = search(query, limit=depth, highlight=False, facets=False)
        hits = found.hits
        if kind == "unanswerable":
            result.flags[("unanswerable", found.answered)] += 1
            continue
        if kind == "noise":
            result.n_noise += 1
            leaked = [h for h in hits if any(k in result_text(h) for k in keys)]
            if leaked:
                result.leaks.append((qid, query, leaked[0].title))
            continue
        city_name = None if city == "*" else city
        if city_name and city_name not in cities:
            raise QuerySetError(f"{qid}: unknown city {city_name!r}")
        rank = first_relevant(hits, keys, city_name)
        result.per_kind[kind].append(rank)
        result.flags[("answerable", found.answered)] += 1
        if rank != 1:
            top = [(h.kind, h.obj.city.name, h.score, h.title) for h in hits[:3]]
            result.misses.append((qid, kind, query, rank, top))
    return result


def read_answerability(path):
    """(query, answerable: bool, city slug or None) rows of a labelled set (fixtures/answerability.tsv)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise QuerySetError(f"{path}: {exc}") from exc
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        parts = line.split("\t")
        if len(parts) < 2 or parts[1] not in ("answerable", "unanswerable"):
            raise QuerySetError(f"{path}:{n}: expected query<TAB>answerable|unanswerable<TAB>city<TAB>…")
        rows.append((parts[0], parts[1] == "answerable", (parts[2].strip() if len(parts) > 2 else "") or None))
    return rows


def answerability(rows, threshold=None):
    """Confusion of the no-answer flag over labelled rows: {(answerable, answered): n}, and each row's
    confidence.  ``threshold`` replaces the service's ANSWER_MIN_CONFIDENCE for the run."""
    from . import service

    saved = service.ANSWER_MIN_CONFIDENCE
    if threshold is not None:
        service.ANSWER_MIN_CONFIDENCE = threshold
    try:
        confusion, scored = defaultdict(int), []
        for query, answerable, city in rows:
            found = search(query, home_city=city, limit=5, highlight=False, facets=False)
            confusion[(answerable, found.answered)] += 1
            scored.append((query, answerable, found.confidence, found.answered))
        return confusion, scored
    finally:
        service.ANSWER_MIN_CONFIDENCE = saved


def rates(confusion):
    """(share of unanswerable rows flagged, share of answerable rows wrongly flagged)."""
    unanswerable = confusion[(False, True)] + confusion[(False, False)]
    answerable = confusion[(True, True)] + confusion[(True, False)]
    return (
        confusion[(False, False)] / unanswerable if unanswerable else 0.0,
        confusion[(True, False)] / answerable if answerable else 0.0,
    )
