"""Write the imported knowledge base as a loaddata-able fixture (``make fixture``).

    python manage.py export_fixture                   # fixtures/knowledge_base.json
    python manage.py export_fixture --output FILE.json

The fixture holds cities, districts, topics, synonyms, keywords, source documents, entries with their steps,
offices and phones (no accounts, no search bookkeeping).  Load it into a freshly migrated database with
``python manage.py loaddata fixtures/knowledge_base.json``, then ``build_search_index``.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from faq.backup import dump, knowledge_base_labels
from faq.models import Entry


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="default: fixtures/knowledge_base.json")

    def handle(self, *args, output=None, **options):
        path = Path(output) if output else Path(settings.BASE_DIR) / "fixtures" / "knowledge_base.json"
        # ids are kept (the faq models have no natural keys), so the fixture loads into a database without
        # knowledge-base rows, e.g. right after migrate.
        dump(path, knowledge_base_labels(), natural_primary=False)
        self.stdout.write(self.style.SUCCESS(f"{Entry.objects.count()} entries written to {path}"))
