"""Print the search and feedback figures of the last N days (the admin's 搜索与反馈分析, for a terminal or a
script).

    python manage.py search_report                       # last 7 days, all cities, text
    python manage.py search_report --days 30 --city changsha
    python manage.py search_report --format json         # top_queries, no_answer_queries, feedback, …
    python manage.py search_report --format csv > week.csv

Read-only.  Searches are logged off the request path and reach the database within about a second.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from faq.taxonomy import CITY_BY_SLUG
from insights.reports import Window, build_report, report_csv

MAX_DAYS = 3660


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7, help="how many days back (default 7)")
        parser.add_argument("--city", default="", help="only this city (slug, e.g. changsha)")
        parser.add_argument("--format", choices=["text", "json", "csv"], default="text")

    def handle(self, *args, days, city, format, **options):
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days 必须在 1 到 {MAX_DAYS} 之间")
        if city and city not in CITY_BY_SLUG:
            raise CommandError(f"未知城市：{city}（可选：{', '.join(CITY_BY_SLUG)}）")
        report = build_report(Window.last_days(days, city))
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        elif format == "csv":
            self.stdout.write(report_csv(report), ending="")
        else:
            self.write_text(report, days)

    def write_text(self, report, days):
        s = report["summary"]
        where = CITY_BY_SLUG[report["city"]].name if report["city"] else "全部城市"
        out = self.stdout.write
        out(f"搜索与反馈分析：最近 {days} 天，{where}")
        out(
            f"搜索 {s['searches']} 次，无答案 {s['no_answer']} 次（{s['no_answer_rate']:.0%}），"
            f"点开结果 {s['opened']} 次；评价 有帮助 {s['helpful']} / 没帮助 {s['unhelpful']}；留言 {s['messages']} 条"
        )
        for title, key in (
            ("热门搜索", "top_queries"),
            ("无答案的搜索", "no_answer_queries"),
            ("无人点开", "unopened_queries"),
        ):
            out(f"\n{title}：")
            for row in report[key]:
                out(f"  {row['count']:>5}  {row['query']}")
        out("\n最没帮助的条目：")
        for row in report["least_helpful"]:
            reasons = "；".join(f"{k} {v}" for k, v in row["reasons"].items())
            out(
                f"  #{row['entry_id']} {row['question']}：有帮助 {row['helpful']} / 没帮助 {row['unhelpful']}  {reasons}"
            )
