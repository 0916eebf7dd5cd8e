"""What every parser returns, and the text clean-up all source layouts share.

A parser turns one source document into a ``ParsedDocument``: plain dataclasses,
no database access. ``faq.importer`` writes them to the models.
"""

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass
class ParsedPhone:
    number: str  # normalised, see normalize_phone()
    label: str = ""  # e.g. 芙蓉区劳动监察
    district: str = ""  # district name as written in the source (芙蓉区, 望城 …)
    raw: str = ""


@dataclass
class ParsedOffice:
    name: str
    address: str = ""
    district: str = ""
    hours: str = ""
    kind: str = ""
    phones: list[ParsedPhone] = field(default_factory=list)


@dataclass
class ParsedEntry:
    key: str  # stable identity inside its document, e.g. "q12", "guide-3"
    position: int  # order in the document, 1-based
    question: str
    answer: str  # paragraphs separated by "\n"; tables as "| a | b |" rows
    audience: str = "general"  # personal | employer | general
    section: str = ""  # the source's own section heading (社会保险, 关于社保卡 …)
    topics: list[str] = field(default_factory=list)  # topic slugs the layout itself implies
    conditions: str = ""
    materials: str = ""
    location: str = ""
    steps: list[str] = field(default_factory=list)
    phones: list[ParsedPhone] = field(default_factory=list)
    offices: list[ParsedOffice] = field(default_factory=list)


@dataclass
class ParsedDocument:
    filename: str
    title: str
    city: str  # city slug: changsha | shenzhen | kunshan
    entries: list[ParsedEntry] = field(default_factory=list)
    # Records that stand on their own, not under one entry (003's service centres, 001's hotlines).
    offices: list[ParsedOffice] = field(default_factory=list)
    phones: list[ParsedPhone] = field(default_factory=list)


class ParseError(ValueError):
    """The document does not have the layout its parser expects."""


# --- text clean-up -----------------------------------------------------------

MARKER_RE = re.compile(r"\[(?:bookmark|image):[^\]]*\]")
URL_FURNITURE_RE = re.compile(r"https?://(?:www\.)?360docs\.net\S*")


def strip_markers(text: str) -> str:
    """Remove the converter's [bookmark: …] and [image: …] markers."""
    return MARKER_RE.sub("", text)


def normalize_line(line: str) -> str:
    # The sources mix full-width and half-width punctuation and stray NBSPs.
    line = line.replace("\u00a0", " ").replace("\u3000", " ")
    return line.strip()


def clean_lines(text: str) -> list[str]:
    """Lines without markers, surrounding blanks, or an immediate repeat of the previous line."""
    out: list[str] = []
    for raw in strip_markers(text).splitlines():
        line = normalize_line(raw)
        if not line:
            continue
        if out and out[-1] == line:
            continue
        out.append(line)
    return out


def dedupe_lines(lines: list[str]) -> list[str]:
    """Drop any line that already appeared (the sources repeat 注意 lines verbatim)."""
    seen: set[str] = set()
    out = []
    for line in lines:
        if line in seen:
            continue
        seen.add(line)
        out.append(line)
    return out


def collapse_spaces(text: str) -> str:
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# --- phones ---------------------------------------------------------------------

AREA_CODES = {"changsha": "0731", "shenzhen": "0755", "kunshan": "0512"}
SERVICE_NUMBER_RE = re.compile(r"^(?:12333|96888|12345|95\d{3,4}|400\d{7}|800\d{7})$")
PHONE_IN_TEXT_RE = re.compile(r"(?<![\d-])(?:0\d{2,3}-?)?\d{7,8}(?![\d-])|(?<!\d)(?:12333|96888)(?!\d)")


def normalize_phone(raw: str, city: str) -> str:
    """``84159982`` in 长沙 → ``0731-84159982``; service numbers such as 12333 stay as they are."""
    digits = re.sub(r"[^\d]", "", nfkc(raw))
    if not digits:
        raise ValueError(f"no digits in phone number {raw!r}")
    if SERVICE_NUMBER_RE.match(digits):
        return digits
    if digits.startswith("0") and len(digits) in (11, 12):
        # 0731xxxxxxxx / 0755xxxxxxxx: split after a 3- or 4-digit area code.
        area = digits[:4] if digits[:4] in AREA_CODES.values() or len(digits) == 12 else digits[:3]
        return f"{area}-{digits[len(area):]}"
    if len(digits) in (7, 8):
        return f"{AREA_CODES[city]}-{digits}"
    if len(digits) == 11 and digits.startswith("1"):
        return digits  # mobile
    return digits


def find_phones(text: str) -> list[str]:
    """Every phone-number-looking token in ``text``, in order, as written."""
    return [m.group(0) for m in PHONE_IN_TEXT_RE.finditer(text)]


# --- tables --------------------------------------------------------------------


def table_to_text(header: list[str], rows: list[list[str]]) -> str:
    """A table as pipe rows, the form the answer text keeps and faq.rendering turns back into <table>."""

    def row(cells):
        return "| " + " | ".join(c.replace("|", "／").strip() for c in cells) + " |"

    lines = [row(header), "| " + " | ".join("---" for _ in header) + " |"]
    lines.extend(row(r) for r in rows)
    return "\n".join(lines)
