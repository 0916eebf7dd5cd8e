"""Parser stub: to be written."""

from .base import ParsedDocument

SIGNATURE = "社会保障卡日常业务办理指南"


def parse(text: str, filename: str) -> ParsedDocument:
    raise NotImplementedError
