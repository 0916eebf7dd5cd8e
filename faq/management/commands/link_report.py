"""How many entries that send the citizen somewhere link an office or a phone other than 12333.

manage.py link_report                   # 长沙, readable
manage.py link_report --city kunshan --format json
"""

import json

from django.core.management.base import BaseCommand, CommandError

from faq.linking import link_report
from faq.models import City


class Command(BaseCommand):
    help = "Share of entries that send the citizen somewhere and link an office or a non-12333 phone."

    def add_arguments(self, parser):
        parser.add_argument("--city", default="changsha", help="city slug (default: changsha)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, city, format, **options):
        if not City.objects.filter(slug=city).exists():
            raise CommandError(f"unknown city {city!r}")
        report = link_report(city)
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        for title, part in (
            ("前往/窗口/网点/服务专柜/经办机构", report),
            ("不计只作主语的“经办机构”", report["strict"]),
        ):
            self.stdout.write(
                f"{report['city']} {title}: {part['linked']}/{part['sending']} 条关联了办事机构或非12333电话"
                f"（{part['share']:.1%}）"
            )
            for item in part["unlinked"]:
                self.stdout.write(f"  未关联 #{item['id']} {item['source_key']} {item['question']}")
