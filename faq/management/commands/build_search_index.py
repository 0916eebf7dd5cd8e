"""Build the search index into a fresh generation and swap it in atomically.

    python manage.py build_search_index [--no-input] [--quiet-progress]

Searches keep using the previous complete index until the swap, then switch to the new complete one; a
search never sees a half-built index.  Edits saved while the build ran are replayed into the new index
right after the swap (faq.search.build).  ``rebuild_index`` runs this too.  Do not use haystack's
``clear_index``/``update_index --remove`` on a live site: they edit the index in place.
"""

from django.core.management.base import BaseCommand

from faq.search.build import build_index


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--no-input", "--noinput", action="store_true", help="accepted for compatibility")
        parser.add_argument("--quiet-progress", action="store_true", help="no progress bars")

    def handle(self, *args, quiet_progress=False, verbosity=1, **options):
        target, counts, replayed, seconds = build_index(
            progress=verbosity >= 1 and not quiet_progress, stdout=self.stderr
        )
        if verbosity >= 1:
            summary = ", ".join(f"{n} {label}" for label, n in counts.items())
            self.stdout.write(
                self.style.SUCCESS(f"indexed {summary} in {seconds:.1f}s → {target}")
                + (f" (replayed {replayed} edit(s) made during the build)" if replayed else "")
            )
