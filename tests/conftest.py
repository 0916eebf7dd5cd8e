"""Shared fixtures. Add fixtures here with care: several test modules rely on them.

- ``source_paths``: the five source documents in fixtures/sources/.
- ``parsed_sources``: those documents parsed once per test session (parsing is pure).
- ``imported``: the parsed documents written into the (empty, per-test) test database.
"""

from pathlib import Path

import pytest
from django.conf import settings

from faq.importer import import_parsed, parse_paths


@pytest.fixture(autouse=True)
def fresh_content_types():
    """A test that flushes or migrates the database (transaction=True) gives content types new ids; Django's
    per-process ContentType cache must not carry the old ids into the next test (revisions, audit records and
    admin log entries would name the wrong model)."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


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


@pytest.fixture(scope="module")
def search_corpus(django_db_setup, django_db_blocker, parsed_sources):
    """Every source imported and indexed once per test module (search tests that only read).

    Like Django's TestCase.setUpClass: the import runs inside a transaction that is rolled back after the
    module, so other modules still start from an empty database; each test's own ``db`` transaction nests
    inside it as a savepoint.  The index is built into the test settings' temporary directory.
    """
    from django.db import transaction

    from faq.search.build import build_index
    from faq.search.understanding import invalidate_synonyms

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            import_parsed(parsed_sources)
            # The import seeds the thesaurus with bulk_create (no signals): a table an earlier module left in
            # this process's synonym cache must not stand in for it.
            invalidate_synonyms()
            build_index()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            invalidate_synonyms()
