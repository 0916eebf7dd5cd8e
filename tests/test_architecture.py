"""The code's shape, checked like its behaviour: the layer contracts (.importlinter), no import circles,
no oversized modules or functions."""

import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from radon.complexity import cc_rank, cc_visit

ROOT = Path(__file__).resolve().parent.parent
APP_DIRS = ("faq", "insights", "portal")
LONG_MODULE_EXEMPT = ("faq/parsers/", "faq/migrations/")
MAX_MODULE_LINES = 500


def python_files(*dirs):
    for d in dirs:
        for path in sorted((ROOT / d).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_no_import_circles_in_the_app():
    graph = grimp.build_graph("faq", "insights")
    circles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith(("faq", "insights")) and graph.find_shortest_chain(
                importer=imported, imported=module
            ):
                circles.add(tuple(sorted((module, imported))))
    assert not circles


def test_no_app_module_is_over_500_lines():
    long = []
    for path in python_files(*APP_DIRS):
        rel = path.relative_to(ROOT).as_posix()
        if (
            not rel.startswith(LONG_MODULE_EXEMPT)
            and len(path.read_text(encoding="utf-8").splitlines()) > MAX_MODULE_LINES
        ):
            long.append(rel)
    assert not long


@pytest.mark.parametrize("where", ["faq", "insights", "portal", "bench"])
def test_no_function_is_more_complex_than_rank_d(where):
    worse = []
    for path in python_files(where):
        for block in cc_visit(path.read_text(encoding="utf-8")):
            if cc_rank(block.complexity) > "D":
                worse.append(f"{path.relative_to(ROOT)}:{block.name} {cc_rank(block.complexity)} ({block.complexity})")
    assert not worse
