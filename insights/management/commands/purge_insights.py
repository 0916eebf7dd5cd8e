"""Delete what the learning loop no longer needs: search log rows, opened results and page views older than
SEARCH_LOG_DAYS (default 180), feedback older than that too, and the contact a citizen left in 群众留言 after
INSIGHTS_CONTACT_DAYS (default 90; the question stays).  Run it daily (cron or a systemd timer).

    python manage.py purge_insights
    python manage.py purge_insights --dry-run
    python manage.py purge_insights --format json
"""

import json
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from insights.models import CitizenMessage, EntryViewDay, Feedback, SearchClick, SearchLog


def purge(now=None, dry_run=False):
    """{what: rows} deleted (or that would be)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SEARCH_LOG_DAYS)
    contact_cutoff = now - timedelta(days=settings.INSIGHTS_CONTACT_DAYS)
    targets = {
        "search_log": SearchLog.objects.filter(at__lt=cutoff),
        "clicks": SearchClick.objects.filter(at__lt=cutoff),
        "views": EntryViewDay.objects.filter(day__lt=timezone.localdate(cutoff)),
        "feedback": Feedback.objects.filter(at__lt=cutoff),
    }
    contacts = CitizenMessage.objects.filter(created_at__lt=contact_cutoff).exclude(contact="")
    counts = {}
    with transaction.atomic():
        for name, qs in targets.items():
            counts[name] = qs.count() if dry_run else qs.delete()[0]
        counts["contacts"] = contacts.count() if dry_run else contacts.update(contact="")
    return counts


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, dry_run, format, **options):
        if settings.SEARCH_LOG_DAYS < 1 or settings.INSIGHTS_CONTACT_DAYS < 1:
            raise CommandError("SEARCH_LOG_DAYS 和 INSIGHTS_CONTACT_DAYS 必须至少为 1 天")
        counts = purge(dry_run=dry_run)
        if format == "json":
            self.stdout.write(json.dumps({"dry_run": dry_run, **counts}))
            return
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(
            f"{verb}：搜索记录 {counts['search_log']} 条，点击 {counts['clicks']} 条，浏览统计 {counts['views']} 条，"
            f"评价 {counts['feedback']} 条；清除留言联系方式 {counts['contacts']} 条"
        )
