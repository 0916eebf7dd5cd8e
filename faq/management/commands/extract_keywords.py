"""Extract keywords for every published entry with jieba's TF-IDF and store them (Keyword + Entry.keywords).

    python manage.py extract_keywords             # all published entries
    python manage.py extract_keywords --dry-run   # show what would change, write nothing
    python manage.py extract_keywords -v 2        # also list each entry's keywords

Generic words and bad segments (faq/data/keyword_stoplist.txt) are never keywords, variant spellings are
merged (faq/data/keyword_variants.tsv), and a keyword no entry uses any more is removed unless staff
confirmed it. Entries staff edited in the admin (edited_by_staff) keep their keywords. Safe to run again:
entries whose keywords would not change are counted as unchanged. All writes are in one transaction.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from faq.keywords import TOP_K, assign_keywords
from faq.models import Entry


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="extract and count, but write nothing")
        parser.add_argument("--top", type=int, default=TOP_K, help=f"keywords per entry (default {TOP_K})")

    def handle(self, *args, dry_run, top, verbosity, **options):
        entries = Entry.objects.filter(status=Entry.Status.PUBLISHED)
        progress = tqdm(total=entries.count(), desc="keywords", unit="entry", disable=verbosity < 1, file=self.stderr)
        try:
            with transaction.atomic():
                report = assign_keywords(entries, dry_run=dry_run, top_k=top, progress=progress)
                if dry_run:
                    transaction.set_rollback(True)
        finally:
            progress.close()
        if verbosity >= 1:
            prefix = "[dry run] would update" if dry_run else "updated"
            self.stdout.write(
                f"{prefix} {report.updated} entries, unchanged {report.unchanged}, "
                f"kept {report.kept} edited by staff; new keywords: {report.keywords_created}, "
                f"unused unconfirmed keywords removed: {report.keywords_removed}"
            )
        if verbosity >= 2:
            for pk, names in report.per_entry.items():
                self.stdout.write(f"  #{pk}: {'、'.join(names)}")
