"""Parser stub: to be written."""

from .base import ParsedDocument

SIGNATURE = "深圳社保个人服务中心办事指引"


def parse(text: str, filename: str) -> ParsedDocument:
    raise NotImplementedError
