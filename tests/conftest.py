"""Shared fixtures. Add fixtures here with care: several test modules rely on them.

- ``source_paths``: the five source documents in fixtures/sources/.
- ``parsed_sources``: those documents parsed once per test session (parsing is pure).
- ``imported``: the parsed documents written into the (empty, per-test) test database.
"""

from pathlib import Path

import pytest
from django.conf import settings

from faq.importer import import_parsed, parse_paths


@pytest.fixture(scope="session")
def source_paths():
    return sorted(Path(settings.SOURCES_DIR).glob("*.txt"))


@pytest.fixture(scope="session")
def parsed_sources(source_paths):
    return parse_paths(source_paths)


@pytest.fixture
def imported(db, parsed_sources):
    """Every source imported into the test database; returns the import report."""
    return import_parsed(parsed_sources)
