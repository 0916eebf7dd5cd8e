"""The search vocabulary (faq.vocabulary): seeded from the curated data once, and heard by search's cache."""

from faq.importer import ensure_taxonomy
from faq.models import SynonymGroup, ThesaurusTerm
from faq.search import understanding
from faq.vocabulary import curated_thesaurus


def test_a_bulk_seeded_vocabulary_reaches_the_search_synonyms_after_commit(db, django_capture_on_commit_callbacks):
    """ensure_taxonomy seeds the thesaurus with bulk_create (no post_save); the process's synonym table is
    still rebuilt, once the import commits."""
    SynonymGroup.objects.all().delete()
    ThesaurusTerm.objects.all().delete()
    colloquial = understanding.normalize(curated_thesaurus()[0].colloquial)
    assert colloquial not in understanding.expansions()  # cached from the empty table
    with django_capture_on_commit_callbacks(execute=True):
        ensure_taxonomy()
        assert colloquial not in understanding.expansions()  # not before the commit
    assert colloquial in understanding.expansions()
