"""Import the 人社 source documents into the knowledge base.

    python manage.py import_sources                 # every file in fixtures/sources/
    python manage.py import_sources FILE [FILE …]   # just these
    python manage.py import_sources --dry-run       # report what would change, write nothing

Safe to run again: unchanged records are reported as "unchanged", records staff edited in the
admin are kept and listed, and all writes happen in one transaction.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from faq.actions import do_import_sources
from faq.parsers import ParseError


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="source files (default: every .txt in fixtures/sources/)")
        parser.add_argument("--dry-run", action="store_true", help="parse and count, but write nothing")

    def handle(self, *args, files, dry_run, verbosity, **options):
        paths = self.resolve(files)
        show_progress = verbosity >= 1

        def progress_factory(total):
            return tqdm(total=total, desc="entries", unit="entry", disable=not show_progress, file=self.stderr)

        try:
            report = do_import_sources(paths, dry_run=dry_run, progress_factory=progress_factory)
        except (ParseError, ValueError, NotImplementedError) as exc:
            raise CommandError(f"cannot import: {exc}") from exc

        prefix = "[dry run] would write" if dry_run else "imported"
        if verbosity >= 1:
            self.stdout.write(f"{prefix} {len(paths)} file(s):")
            for line in report.lines():
                self.stdout.write("  " + line)
            if not report.changed and not dry_run:
                self.stdout.write(self.style.SUCCESS("unchanged: nothing to do"))
        if report.kept and verbosity >= 1:
            self.stdout.write(self.style.WARNING(f"kept {len(report.kept)} record(s) edited by staff:"))
            if verbosity >= 2 or len(report.kept) <= 20:
                for label in report.kept:
                    self.stdout.write(f"  {label}")
        conflicts = report.get("entry", "conflict")
        if conflicts and verbosity >= 1:
            self.stdout.write(
                self.style.WARNING(
                    f"{conflicts} entry conflict(s): the source changed entries staff edited; the staff version "
                    "was kept. Choose in the admin: 导入冲突 (/admin/faq/importconflict/)."
                )
            )

    def resolve(self, files):
        if not files:
            paths = sorted(Path(settings.SOURCES_DIR).glob("*.txt"))
            if not paths:
                raise CommandError(f"no source files in {settings.SOURCES_DIR}")
            return paths
        paths = []
        for name in files:
            path = Path(name)
            if not path.is_file():
                raise CommandError(f"source file not found: {name}")
            try:
                with path.open("rb") as fh:
                    fh.read(1)
            except OSError as exc:
                raise CommandError(f"cannot read source file {name}: {exc.strerror}") from exc
            paths.append(path)
        return paths
