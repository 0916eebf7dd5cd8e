"""Apply 生效时间 and 失效时间: unpublish entries whose 失效时间 has passed and reindex those whose 生效时间 or
失效时间 passed recently.  Pages and search already evaluate the schedule on every read; this keeps the status
column, the audit log and the search index in step.  Run it from a timer, e.g. every 5 minutes:

    python manage.py publish_scheduled [--since-hours 24] [--dry-run] [--format text|json]

``--since-hours``: how far back a passed 生效时间 is still reindexed (raise it after the timer was off).
"""

import json
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from faq.actions import do_publish_scheduled


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--since-hours", type=float, default=24.0)
        parser.add_argument("--dry-run", action="store_true", help="只报告，不修改")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, since_hours=24.0, dry_run=False, format="text", **options):
        if not 0 < since_hours <= 24 * 366:
            raise CommandError("--since-hours 必须在 0 到 8784 之间")
        with transaction.atomic():
            unpublished, reindexed = do_publish_scheduled(since=timedelta(hours=since_hours), dry_run=dry_run)
        if format == "json":
            body = {"unpublished": unpublished, "reindexed": reindexed, "dry_run": dry_run}
            self.stdout.write(json.dumps(body, ensure_ascii=False))
            return
        prefix = "（演练，未修改）" if dry_run else ""
        self.stdout.write(f"{prefix}已到失效时间撤下 {len(unpublished)} 条：{unpublished or '无'}")
        self.stdout.write(f"{prefix}已到生效时间重建索引 {len(reindexed)} 条：{reindexed or '无'}")
