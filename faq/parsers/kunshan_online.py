"""Parser stub: to be written."""

from .base import ParsedDocument

SIGNATURE = "昆小融"


def parse(text: str, filename: str) -> ParsedDocument:
    raise NotImplementedError
