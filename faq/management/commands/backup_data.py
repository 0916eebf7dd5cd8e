"""Back up the knowledge base, staff accounts and groups to a JSON file (``make backup``).

    python manage.py backup_data                      # var/backups/<YYYYmmdd-HHMMSS>.json
    python manage.py backup_data --output FILE.json

Restore with ``python manage.py restore_data FILE.json`` (``make restore BACKUP=FILE.json``).
On PostgreSQL, ``pg_dump`` is the other path (see README.md).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from faq.backup import backup


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="file to write (default: var/backups/<timestamp>.json)")
        parser.add_argument("--database", default="default")

    def handle(self, *args, output=None, database="default", **options):
        if output:
            path = Path(output)
        else:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            path = Path(settings.VAR_DIR) / "backups" / f"{stamp}.json"
        path = backup(path, database=database)
        self.stdout.write(self.style.SUCCESS(f"backup written: {path}"))
