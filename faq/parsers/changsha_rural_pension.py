"""Parser stub: to be written."""

from .base import ParsedDocument

SIGNATURE = "城乡居民基本养老保险常见问题解答"


def parse(text: str, filename: str) -> ParsedDocument:
    raise NotImplementedError
