"""Every web node's search index replica: its cursor in the change log, how far behind it is, when it last
applied a change and was last heard from.

    python manage.py index_status [--node NAME] [--format text|json]

A node is "live" while its heartbeat is younger than SEARCH_NODE_TIMEOUT_SECONDS; only live nodes hold back
pruning of the log.  "position" is the id below which the node needs nothing any more; "gaps" counts id
ranges it passed without seeing (transactions that may still commit).  Exit status 0 either way.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from faq.search import nodes


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--node", help="only this node (NODE_NAME)")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, node=None, format="text", **options):
        status = nodes.status()
        if node is not None:
            status["nodes"] = [n for n in status["nodes"] if n["name"] == node]
            if not status["nodes"]:
                raise CommandError(f"no node named {node!r} (known: {', '.join(self.known()) or 'none'})")
        if format == "json":
            self.stdout.write(json.dumps(status, ensure_ascii=False, indent=2))
            return
        log = status["log"]
        self.stdout.write(f"change log: ids {log['first'] or '-'} … {log['last'] or '-'}")
        header = f"{'node':<24} {'cursor':>10} {'lag':>8} {'lag s':>8}  {'live':<5} last applied"
        self.stdout.write(header)
        for n in status["nodes"]:
            lag = "build" if n["lag_changes"] is None else n["lag_changes"]
            seconds = "-" if n["lag_seconds"] is None else n["lag_seconds"]
            self.stdout.write(
                f"{n['name']:<24} {n['cursor'] if n['cursor'] is not None else '-':>10} {lag:>8} {seconds:>8}  "
                f"{'yes' if n['live'] else 'no':<5} {n['last_applied_at'] or '-'}"
            )

    @staticmethod
    def known():
        return [n["name"] for n in nodes.status()["nodes"]]
