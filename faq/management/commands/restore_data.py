"""Restore a backup made by ``backup_data`` (``make restore BACKUP=FILE.json``).

    python manage.py restore_data FILE.json [--no-input] [--skip-index]

Replaces the knowledge base, staff accounts, groups and admin history with the file's contents in one
transaction (if loading fails, nothing changed), logs everybody out, then rebuilds the search index.
Run ``migrate`` first on a new database.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError

from faq.backup import BackupFileError, read_backup, restore


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("backup", help="a JSON file written by backup_data")
        parser.add_argument("--no-input", "--noinput", action="store_false", dest="interactive")
        parser.add_argument("--skip-index", action="store_true", help="do not rebuild the search index")
        parser.add_argument("--database", default="default")

    def handle(self, *args, backup, interactive=True, skip_index=False, database="default", **options):
        try:
            count = len(read_backup(backup))
        except BackupFileError as exc:
            raise CommandError(str(exc))
        if interactive:
            answer = input(
                f"This replaces all entries, offices, phones and staff accounts with {count} objects "
                f"from {backup}. Type 'yes' to continue: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("restore cancelled")
        try:
            restore(backup, database=database, rebuild_index=not skip_index, stdout=self.stdout)
        except BackupFileError as exc:
            raise CommandError(str(exc))
        except (DeserializationError, DatabaseError, ValidationError, ValueError, TypeError, LookupError) as exc:
            # A well-formed file whose objects do not load (bad values, missing references): the transaction
            # rolled back, so say so instead of showing a traceback.
            raise CommandError(f"{backup} could not be restored, nothing was changed: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"restored {count} objects from {backup}"))
