"""What every parser returns, and the text clean-up all source layouts share.

A parser turns one source document into a ``ParsedDocument``: plain dataclasses,
no database access. ``faq.importer`` writes them to the models.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from faq.taxonomy import AREA_CODES


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


def collapse_spaces(text: str) -> str:
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# --- phones ---------------------------------------------------------------------

SERVICE_NUMBER_RE = re.compile(r"^(?:12333|96888|12345|95\d{3,4}|400\d{7}|800\d{7})$")
PHONE_IN_TEXT_RE = re.compile(r"(?<![\d-])(?:0\d{2,3}-?)?\d{7,8}(?![\d-])|(?<!\d)(?:12333|96888)(?!\d)")


def normalize_phone(raw: str, city: str) -> str:
    """``84159982`` in 长沙 → ``0731-84159982``; service numbers such as 12333 stay as they are."""
    digits = re.sub(r"[^\d]", "", nfkc(raw))
    if not digits:
        raise ValueError(f"no digits in phone number {raw!r}")
    if SERVICE_NUMBER_RE.match(digits):
        return digits
    for area in AREA_CODES.values():
        # "0731-12333": a city's own line to a national service number.
        if digits.startswith(area) and SERVICE_NUMBER_RE.match(digits[len(area) :]):
            return f"{area}-{digits[len(area) :]}"
    if digits.startswith("0") and len(digits) in (11, 12):
        # 0731xxxxxxxx / 0755xxxxxxxx: split after a 3- or 4-digit area code.
        area = digits[:4] if digits[:4] in AREA_CODES.values() or len(digits) == 12 else digits[:3]
        return f"{area}-{digits[len(area) :]}"
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


# --- Chinese punctuation and page furniture ---------------------------------------

# Han characters plus the full-width punctuation and curly quotes that sit among them.
_CJK = "\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff60“”‘’"
_HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_HALF_PUNCT_RE = re.compile(rf"(?<=[{_CJK}])\s*([,:;?!])(?!//)|([,;])\s*(?=[{_CJK}])")
_PAREN_RE = re.compile(r"(.?)\(([^()]*)\)(.?)", re.S)
_CJK_RE = re.compile(rf"[{_CJK}]")
_SPACE_AFTER_FULL_RE = re.compile(r"\s*([，：；？！（）])\s*")


def cjk_punctuation(text: str) -> str:
    """Half-width , : ; ? ! and ( ) next to Chinese text → their full-width forms.

    Times (9:30), URLs (http://) and ASCII-only runs are left alone; spaces around the
    converted marks go, as Chinese typesetting has none.
    """

    def paren(m):
        before, inner, after = m.groups()
        if _CJK_RE.search(before + inner + after):
            return f"{before}（{inner}）{after}"
        return m.group(0)

    # Re-run so adjacent pairs such as "(转)保、(退)" all get their turn.
    for _ in range(3):
        new = _PAREN_RE.sub(paren, text)
        if new == text:
            break
        text = new
    text = _HALF_PUNCT_RE.sub(lambda m: _HALF_TO_FULL[m.group(1) or m.group(2)], text)
    return _SPACE_AFTER_FULL_RE.sub(r"\1", text)


# Only the ASCII tail counts as URL: the sources glue Chinese text straight onto links.
FURNITURE_URL_RE = re.compile(r"https?://(?:www\.)?360docs\.net[!-~]*")
URL_RE = re.compile(r"https?://[!-~]+")


def strip_furniture_urls(text: str) -> str:
    """Remove links to the document-sharing site that scraped the source (360docs)."""
    return FURNITURE_URL_RE.sub("", text)


ARROW_RE = re.compile(r"\s*(?:→|->|—>|－>|⟶|—)\s*")


def split_arrow_chain(text: str) -> list[str]:
    """``A→B → C`` (or ``A—B—C``) as ordered steps; a step that is only a quoted menu name loses its quotes."""
    steps = []
    for part in ARROW_RE.split(text):
        part = part.strip(" ，,。")
        if part.startswith("“") and part.endswith("”") and part.count("“") == 1:
            part = part[1:-1]
        if part:
            steps.append(part)
    return steps


_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def chinese_to_int(numeral: str) -> int:
    """一 → 1, 十 → 10, 十六 → 16, 二十六 → 26 (up to 99), for numbered items such as 二十六、."""
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return _DIGITS.get(tens, 1) * 10 + (_DIGITS[ones] if ones else 0)
    return _DIGITS[numeral]


# --- inline numbered lists ------------------------------------------------------------


def split_inline_items(text: str) -> list[str]:
    """``1.甲；2.乙； 3、丙。其他`` → ["甲", "乙", "丙"]: items numbered 1, 2, 3 … inside one paragraph.

    Item k+1 must follow ；, ;, 。, ， or a space, so decimals (1.4%) and dates never split; the last item
    ends at its first 。 (what follows is the next sentence, not part of the list).
    """
    m = re.match(r"\s*1\s*[.、．]?\s*(?=\D)", text)
    if not m:
        return []
    items, pos, k = [], m.end(), 2
    while True:
        nxt = re.compile(rf"[；;。，,\s]\s*{k}\s*[.、．]?\s*(?=[^\d.%])").search(text, pos)
        if not nxt:
            last = text[pos:].split("。")[0]
            items.append(last.strip(" ；;，,"))
            break
        items.append(text[pos : nxt.start()].strip(" ；;，,。"))
        pos, k = nxt.end(), k + 1
    return [item for item in items if item]
