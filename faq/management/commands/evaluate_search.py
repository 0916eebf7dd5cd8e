"""Score search against a query set (format: ../shared/eval/queries.tsv).

    python manage.py evaluate_search FILE.tsv [--show-misses] [--depth 10]

A result is relevant when its text (question/title + answer/body + office name + address, punctuation and
white space removed) contains one of the keys and, when the city column is not *, it is in that city.
"noise" lines count a leak whenever any returned result contains the key.  Uses faq.search.search, the same
function as the page and the API.
"""

import re
from collections import defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from faq.models import City
from faq.search import search

_STRIP = re.compile(r"[\W_]+", re.UNICODE)


def squash(text):
    return _STRIP.sub("", text or "")


def result_text(hit):
    obj = hit.obj
    if hit.kind == "entry":
        return squash(obj.question + obj.answer)
    return squash(obj.name + obj.address)


def read_queries(path):
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 5:
            raise CommandError(f"{path}:{n}: expected 5 tab-separated columns, got {len(parts)}")
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


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--depth", type=int, default=10, help="results fetched per query (default 10)")
        parser.add_argument("--show-misses", action="store_true", help="print queries whose first hit is wrong")

    def handle(self, *args, file, depth, show_misses, **options):
        rows = read_queries(file)
        if not rows:
            raise CommandError(f"{file}: no queries")
        cities = {c.name for c in City.objects.all()}
        per_kind = defaultdict(list)  # kind -> [rank or None]
        leaks = []
        for qid, kind, city, query, keys in rows:
            hits = search(query, limit=depth, highlight=False, facets=False).hits
            if kind == "noise":
                leaked = [h for h in hits if any(k in result_text(h) for k in keys)]
                if leaked:
                    leaks.append((qid, query, leaked[0].title))
                continue
            city_name = None if city == "*" else city
            if city_name and city_name not in cities:
                raise CommandError(f"{qid}: unknown city {city_name!r}")
            rank = first_relevant(hits, keys, city_name)
            per_kind[kind].append(rank)
            if show_misses and rank != 1:
                self.stdout.write(f"  miss {qid} [{kind}] {query!r}: rank {rank}")
                for i, h in enumerate(hits[:3], start=1):
                    self.stdout.write(f"      {i}. ({h.kind}, {h.obj.city.name}, {h.score}) {h.title[:50]}")

        def line(label, ranks):
            n = len(ranks)
            r1 = sum(1 for r in ranks if r == 1) / n
            r5 = sum(1 for r in ranks if r and r <= 5) / n
            mrr = sum(1 / r for r in ranks if r and r <= 10) / n
            return f"{label:<12} n={n:<4} R@1 {r1:.3f}  R@5 {r5:.3f}  MRR@10 {mrr:.3f}", r1, r5, mrr

        all_ranks = [r for ranks in per_kind.values() for r in ranks]
        if all_ranks:
            text, r1, r5, mrr = line("all", all_ranks)
            self.stdout.write(f"R@1 {r1:.3f}")
            self.stdout.write(f"R@5 {r5:.3f}")
            self.stdout.write(f"MRR@10 {mrr:.3f}")
            self.stdout.write(text)
        for kind in sorted(per_kind):
            self.stdout.write(line(kind, per_kind[kind])[0])
        n_noise = sum(1 for r in rows if r[1] == "noise")
        self.stdout.write(f"{'noise':<12} n={n_noise:<4} leaks {len(leaks)}")
        for qid, query, title in leaks:
            self.stdout.write(self.style.ERROR(f"  leak {qid} {query!r}: {title[:60]}"))
