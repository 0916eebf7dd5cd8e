"""One parser module per source layout. Each module defines ``SIGNATURE`` (text only its layout
contains) and ``parse(text, filename) -> ParsedDocument``."""

from importlib import import_module

from .base import ParseError

PARSER_MODULES = [
    "faq.parsers.changsha_hotspot",  # 000 长沙 12333 热点问题
    "faq.parsers.shenzhen_guide",  # 001 深圳 社保个人服务中心办事指引
    "faq.parsers.changsha_rural_pension",  # 002 长沙 城乡居民基本养老保险常见问题解答
    "faq.parsers.changsha_sscard",  # 003 长沙 社会保障卡
    "faq.parsers.kunshan_online",  # 004 昆山 线上办
]


def parsers():
    return [import_module(name) for name in PARSER_MODULES]


def parser_for(filename: str, text: str):
    """The parser whose layout the document has; ParseError when none recognises it."""
    matches = [p for p in parsers() if p.SIGNATURE in text]
    if len(matches) != 1:
        raise ParseError(f"{filename}: no parser recognises this document's layout")
    return matches[0]
