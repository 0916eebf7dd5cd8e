"""内容体检: list each content problem with its entry and a short reason.

manage.py content_health                         # readable, grouped by check
manage.py content_health --format json           # [{"entry_id", "check", "message"}, …]
manage.py content_health --city changsha --check truncated --check missing_table

Read-only.  Exits 0 whatever it finds (a report, not a gate).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from faq.health_checks import CHECK_LABELS, checked_entries, run_checks
from faq.models import City


class Command(BaseCommand):
    help = "List content problems (内容体检): missing tables, truncated text, bad phones, duplicates, stale figures…"

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--city", help="only this city's entries (slug)")
        parser.add_argument("--check", action="append", help=f"only these checks: {', '.join(CHECK_LABELS)}")

    def handle(self, *args, format, city, check, **options):
        if city and not City.objects.filter(slug=city).exists():
            raise CommandError(f"unknown city {city!r}")
        unknown = sorted(set(check or []) - set(CHECK_LABELS))
        if unknown:
            raise CommandError(f"unknown check {', '.join(unknown)}; choose from {', '.join(CHECK_LABELS)}")
        problems = run_checks(checked_entries(city), only=check)
        if format == "json":
            self.stdout.write(json.dumps([p.as_json() for p in problems], ensure_ascii=False, indent=2))
            return
        current = None
        for p in problems:
            if p.check != current:
                current = p.check
                self.stdout.write(f"\n{CHECK_LABELS[p.check]}（{p.check}）")
            self.stdout.write(f"  #{p.entry_id} {p.question[:40]}：{p.message}")
        self.stdout.write(f"\n共 {len(problems)} 个问题。")
