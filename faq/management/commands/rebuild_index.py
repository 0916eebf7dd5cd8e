"""Shadows haystack's rebuild_index (faq is listed before haystack): the same safe, swapping build as
``build_search_index``, instead of clearing the live index and refilling it while citizens search."""

from .build_search_index import Command as BuildCommand


class Command(BuildCommand):
    help = "Rebuild the search index into a fresh directory and swap it in (see build_search_index)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        # Options haystack's rebuild_index takes; accepted so existing scripts keep working.
        parser.add_argument("--using", action="append", default=[])
        parser.add_argument("--workers", "-k", type=int, default=0)
        parser.add_argument("--batch-size", "-b", type=int)
        parser.add_argument("--remove", "-r", action="store_true")
        parser.add_argument("--nocommit", action="store_true")
