"""Score the no-answer flag against a labelled set (fixtures/answerability.tsv: query, answerable or
unanswerable, city) and, with --folds, cross-validate the confidence threshold.

    python manage.py evaluate_answerability [FILE] [--folds 5] [--format text|json]

Cross-validation: the rows are split into k folds; for each, the threshold is chosen on the other folds
(most unanswerable flagged with at most --max-wrong of the answerable ones wrongly flagged) and scored on the
held-out fold.  The figures printed are the held-out ones.  The confidence is the search's own (coverage and question fit,
see faq.search.service); a result that falls back to another city carries its own city's confidence, so the
threshold it is held to is the one scored.
"""

import json
import random
from collections import defaultdict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from faq.search import service
from faq.search.evaluation import QuerySetError, answerability, rates, read_answerability

GRID = [round(0.05 * i, 2) for i in range(1, 17)]


def confusion_at(scored, threshold, in_scope):
    confusion = defaultdict(int)
    for (_query, answerable, confidence, _answered), scope_ok in zip(scored, in_scope, strict=True):
        confusion[(answerable, confidence >= threshold and scope_ok)] += 1
    return confusion


def choose(scored, in_scope, max_wrong):
    best = (-1.0, GRID[0])
    for threshold in GRID:
        flagged, wrong = rates(confusion_at(scored, threshold, in_scope))
        if wrong <= max_wrong and flagged > best[0]:
            best = (flagged, threshold)
    return best[1]


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(settings.CURATED_DATA_DIR / "answerability.tsv"))
        parser.add_argument("--folds", type=int, default=0, help="cross-validate the threshold over k folds")
        parser.add_argument("--max-wrong", type=float, default=0.03, help="answerable rows wrongly flagged, at most")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, file, folds, max_wrong, format, **options):
        try:
            rows = read_answerability(file)
        except QuerySetError as exc:
            raise CommandError(str(exc)) from exc
        if not rows:
            raise CommandError(f"{file}: no rows")
        confusion, scored = answerability(rows)
        # The scope check (other agencies' business) does not depend on the threshold: read it at 0.
        _c, at_zero = answerability(rows, threshold=0.0)
        in_scope = [answered for *_rest, answered in at_zero]
        report = {"threshold": service.ANSWER_MIN_CONFIDENCE, "current": self.figures(confusion)}
        if folds > 1:
            report["cross_validated"] = self.cross_validate(scored, in_scope, folds, max_wrong)
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        for label, figures in report.items():
            self.stdout.write(f"{label}: {figures}")

    @staticmethod
    def figures(confusion):
        flagged, wrong = rates(confusion)
        return {
            "unanswerable_flagged": round(flagged, 3),
            "answerable_wrongly_flagged": round(wrong, 3),
            "matrix": {
                f"{'answerable' if a else 'unanswerable'}/{'answered' if b else 'flagged'}": n
                for (a, b), n in sorted(confusion.items())
            },
        }

    def cross_validate(self, scored, in_scope, folds, max_wrong):
        order = list(range(len(scored)))
        random.Random(7).shuffle(order)
        held_out, chosen = defaultdict(int), []
        for k in range(folds):
            test = set(order[k::folds])
            train = [i for i in order if i not in test]
            threshold = choose([scored[i] for i in train], [in_scope[i] for i in train], max_wrong)
            chosen.append(threshold)
            part = confusion_at([scored[i] for i in test], threshold, [in_scope[i] for i in test])
            for key, n in part.items():
                held_out[key] += n
        return {"thresholds": chosen, **self.figures(held_out)}
