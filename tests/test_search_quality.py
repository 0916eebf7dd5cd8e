"""Quality floors on the public query sets (a check on results, not on time): a ranking or understanding
change that loses answers fails the build.  The sets live beside the project (../shared/eval); the
held-back set of the same kind judges the real figures."""

from pathlib import Path

import pytest
from django.conf import settings

from faq.models import City
from faq.search.evaluation import evaluate, read_queries

EVAL_DIR = Path(settings.BASE_DIR).parent / "shared" / "eval"

pytestmark = pytest.mark.django_db


def run(name):
    path = EVAL_DIR / name
    if not path.exists():
        pytest.skip(f"{path} is not here (it sits beside the project in CI and on developer machines)")
    return evaluate(read_queries(path), {c.name for c in City.objects.all()}).summary()


def test_first_public_set_stays_at_its_level(search_corpus):
    summary = run("queries.tsv")
    assert summary["all"]["r1"] >= 0.95
    assert summary["noise"]["leaks"] == 0


def test_second_public_set_floor(search_corpus):
    summary = run("queries-v2.tsv")
    assert summary["all"]["r1"] >= 0.80
    assert summary["all"]["r5"] >= 0.95
    assert summary["noise"]["leaks"] == 0
    # Answerable questions are rarely told "no answer".
    assert summary["answered_flag"]["wrongly_flagged_rate"] <= 0.03
