"""Score search against a query set (format: ../shared/eval/queries.tsv); see faq.search.evaluation.

python manage.py evaluate_search FILE.tsv [--show-misses] [--depth 10] [--format text|json]
"""

import json

from django.core.management.base import BaseCommand, CommandError

from faq.models import City
from faq.search.evaluation import QuerySetError, evaluate, read_queries


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--depth", type=int, default=10, help="results fetched per query (default 10)")
        parser.add_argument("--show-misses", action="store_true", help="print queries whose first hit is wrong")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, file, depth, show_misses, format, **options):
        try:
            rows = read_queries(file)
            if not rows:
                raise CommandError(f"{file}: no queries")
            result = evaluate(rows, {c.name for c in City.objects.all()}, depth=depth)
        except QuerySetError as exc:
            raise CommandError(str(exc)) from exc
        summary = result.summary()
        if format == "json":
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        if show_misses:
            for qid, kind, query, rank, top in result.misses:
                self.stdout.write(f"  miss {qid} [{kind}] {query!r}: rank {rank}")
                for i, (hit_kind, city, score, title) in enumerate(top, start=1):
                    self.stdout.write(f"      {i}. ({hit_kind}, {city}, {score}) {title[:50]}")
        if summary["all"]:
            overall = summary["all"]
            self.stdout.write(f"R@1 {overall['r1']:.3f}")
            self.stdout.write(f"R@5 {overall['r5']:.3f}")
            self.stdout.write(f"MRR@10 {overall['mrr10']:.3f}")
            self.stdout.write(self._line("all", overall))
        for kind, figs in summary["kinds"].items():
            self.stdout.write(self._line(kind, figs))
        self.stdout.write(f"{'noise':<12} n={summary['noise']['n']:<4} leaks {summary['noise']['leaks']}")
        for qid, query, title in result.leaks:
            self.stdout.write(self.style.ERROR(f"  leak {qid} {query!r}: {title[:60]}"))
        flags = summary["answered_flag"]
        self.stdout.write("no-answer flag     answered  flagged")
        for label in ("answerable", "unanswerable"):
            row = flags[label]
            self.stdout.write(f"  {label:<16} {row['answered']:>8}  {row['flagged']:>7}")

    @staticmethod
    def _line(label, f):
        return f"{label:<12} n={f['n']:<4} R@1 {f['r1']:.3f}  R@5 {f['r5']:.3f}  MRR@10 {f['mrr10']:.3f}"
