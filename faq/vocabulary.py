"""The search vocabulary staff edit: synonym groups and the colloquial thesaurus (``fixtures/thesaurus.tsv``).
Seeded from the curated data into empty tables only, so a re-import never overwrites what staff changed."""

from pathlib import Path

from django.conf import settings
from django.db import transaction

from . import taxonomy
from .models import SynonymGroup, ThesaurusTerm, vocabulary_changed


def curated_thesaurus():
    """ThesaurusTerm rows (unsaved) from the curated tab-separated file: colloquial, official, direction, note."""
    path = Path(settings.CURATED_DATA_DIR) / "thesaurus.tsv"
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        parts = (line.split("\t") + ["", "", "", ""])[:4]
        if parts[0].strip() and parts[1].strip():
            rows.append(
                ThesaurusTerm(
                    colloquial=parts[0].strip(),
                    official=parts[1].strip(),
                    two_way=parts[2].strip() == "twoway",
                    note=parts[3].strip()[:200],
                )
            )
    return rows


def seed_vocabulary():
    """The curated synonym groups and thesaurus, each into its table while that is empty.  bulk_create sends no
    post_save: whoever caches the vocabulary (search) hears ``vocabulary_changed`` once the import commits, and
    a rolled-back import announces nothing."""
    seeded = False
    if not SynonymGroup.objects.exists():
        SynonymGroup.objects.bulk_create(SynonymGroup(terms=t) for t in taxonomy.DEFAULT_SYNONYMS)
        seeded = True
    if not ThesaurusTerm.objects.exists():
        ThesaurusTerm.objects.bulk_create(curated_thesaurus(), ignore_conflicts=True)
        seeded = True
    if seeded:
        transaction.on_commit(lambda: vocabulary_changed.send(sender=SynonymGroup))
