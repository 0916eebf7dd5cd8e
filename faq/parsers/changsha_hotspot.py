"""Parser stub: to be written."""

from .base import ParsedDocument

SIGNATURE = "热点问题1、"


def parse(text: str, filename: str) -> ParsedDocument:
    raise NotImplementedError
