"""How many entries that send the citizen somewhere link an office or a phone other than 12333.

manage.py link_report                   # 长沙, readable
manage.py link_report --city all        # every city
manage.py link_report --city kunshan --format json
"""

import json

from django.core.management.base import BaseCommand, CommandError

from faq.linking import link_report
from faq.models import City


class Command(BaseCommand):
    help = "Share of entries that send the citizen somewhere and link an office or a non-12333 phone."

    def add_arguments(self, parser):
        parser.add_argument("--city", default="changsha", help="city slug, or all (default: changsha)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, city, format, **options):
        if city == "all":
            slugs = list(City.objects.order_by("order", "pk").values_list("slug", flat=True))
        elif City.objects.filter(slug=city).exists():
            slugs = [city]
        else:
            raise CommandError(
                f"未知城市 {city!r}（可用：{', '.join(City.objects.values_list('slug', flat=True))}, all）"
            )
        reports = [link_report(slug) for slug in slugs]
        if format == "json":
            self.stdout.write(json.dumps(reports if city == "all" else reports[0], ensure_ascii=False, indent=2))
            return
        for report in reports:
            self.write_text(report)

    def write_text(self, report):
        for title, part in (
            ("指引前往办事地点的条目", report),
            ("按字面匹配（前往/窗口/网点/服务专柜/经办机构）", report["literal"]),
        ):
            self.stdout.write(
                f"{report['city']} {title}: {part['linked']}/{part['sending']} 条关联了办事机构或非12333电话"
                f"（{part['share']:.1%}）"
            )
            for item in part["unlinked"]:
                self.stdout.write(f"  未关联 #{item['id']} {item['source_key']} {item['question']}")
