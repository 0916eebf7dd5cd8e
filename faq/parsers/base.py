"""What every parser returns, and the text clean-up all source layouts share.

A parser turns one source document into a ``ParsedDocument``: plain dataclasses,
no database access. ``faq.importer`` writes them to the models.
"""

import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import date

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
class ParsedMaterial:
    name: str
    originals: int | None = None  # 原件份数, None when the source does not say
    copies: int | None = None  # 复印件份数
    required: bool = True
    note: str = ""


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
    # The other 办事指南 elements (faq.cards); guide_elements() fills what the text states.
    target: str = ""
    service_forms: str = ""
    service_hours: str = ""
    promised_time_limit: str = ""
    legal_time_limit: str = ""
    charged: str = ""
    fee_standard: str = ""
    online: str = ""
    online_path: str = ""
    online_url: str = ""
    consult_phone: str = ""
    complaint_phone: str = ""
    material_items: list[ParsedMaterial] = field(default_factory=list)
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
    # The document's own date where its header gives one (see document_date); never the import date.
    published: date | None = None


def parsed_from_record(record) -> ParsedEntry:
    """The ParsedEntry a stored source record (asdict of one, plus topics and districts) was made from."""
    names = {f.name for f in fields(ParsedEntry)}
    data = {k: v for k, v in record.items() if k in names}
    data["phones"] = [ParsedPhone(**p) for p in record.get("phones", [])]
    data["material_items"] = [ParsedMaterial(**m) for m in record.get("material_items", [])]
    data["offices"] = [
        ParsedOffice(**{**o, "phones": [ParsedPhone(**p) for p in o.get("phones", [])]})
        for o in record.get("offices", [])
    ]
    return ParsedEntry(**data)


class ParseError(ValueError):
    """The document does not have the layout its parser expects."""


# --- the document's own date ------------------------------------------------------

# Only dates that state when the document itself was published: a 发布时间 label, a web page's timestamp line
# ("2017-03-31 11:15:06 无忧保") or a "2008年5月31日来源:…" byline.  Dates inside answers (policy start dates,
# deadlines) say nothing about when the answer was written and are not used.
DOCUMENT_DATE_RES = (
    re.compile(r"发布(?:时间|日期)[:：]\s*(\d{4})[-年/](\d{1,2})[-月/](\d{1,2})"),
    re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s+\d{1,2}:\d{2}", re.M),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*来源[:：]"),
)
DOCUMENT_HEAD_CHARS = 1500


def document_date(text: str) -> date | None:
    """The publication date in the head of a source document, or None when it gives none."""
    head = text[:DOCUMENT_HEAD_CHARS]
    for pattern in DOCUMENT_DATE_RES:
        match = pattern.search(head)
        if match:
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:  # 2017-02-30: not a date
                continue
    return None


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


# --- 办事指南 elements stated in the text ------------------------------------------------------------

HOURS_RE = re.compile(
    r"(?:办理时间|办公时间|工作时间|受理时间)[：:]\s*(?P<h>[^。；\n]{4,80})"
    r"|(?P<w>(?:周一至周[五六日]|工作日)[^。；，\n]{0,40}?\d{1,2}[:：]\d{2}\s*[-—–至]+\s*\d{1,2}[:：]\d{2}"
    r"(?:[^。；\n]{0,20}?\d{1,2}[:：]\d{2}\s*[-—–至]+\s*\d{1,2}[:：]\d{2})?)"
)
COMPLAINT_RE = re.compile(r"(?:监督|投诉|举报)(?:投诉)?电话[：:]?\s*(?P<n>[\d-]{5,13})")
FEE_RE = re.compile(r"不收(?:取)?(?:任何)?费用|免费办理|免收[^。，；]{0,10}费|收费标准[：:]\s*[^。；\n]+")
TIME_LIMIT_RE = re.compile(r"(?:承诺时限|承诺办结时限|办结时限|办理时限)[：:]?\s*(?P<t>[^。；，\n]{2,30})")
LEGAL_LIMIT_RE = re.compile(r"法定(?:办结)?时限[：:]?\s*(?P<t>[^。；，\n]{2,30})")
# 咨询电话 where the text labels it: "咨询电话：0731-84907720、0731-84907725", "咨询电话96888", "具体可以咨询
# 0731-84907633", or a label ending its line ("…咨询电话：", "五、咨询电话") above a 名称 | 电话 table.
CONSULT_LABEL_RE = re.compile(r"咨询电话[：:]?|咨询(?=[：:]?\s*(?:0\d{2,3}-?)?\d{7,8}(?![\d-])|12333|96888)[：:]?")
_CONSULT_NUMBER = r"(?:0\d{2,3}-?)?\d{7,8}(?![\d-])|1\d{10}(?!\d)|(?:12333|96888)(?!\d)"
CONSULT_NUMBERS_RE = re.compile(rf"[ \t]*(?:{_CONSULT_NUMBER})(?:[ \t]*[、，,/或][ \t]*(?:{_CONSULT_NUMBER}))*")
# A deadline the office promises itself: "审核时间为7个工作日", "15个工作日内办结", "自受理之日起20日内作出决定".
_DURATION = r"(?P<t>(?:\d{1,3}|[一二两三四五六七八九十]{1,3})\s*个?(?:工作日|自然日|日|天))"
PROMISE_RES = (
    re.compile(rf"(?:审核|审批|办理|受理|办结|审查)(?:时间|时限|期限)(?:为|是|[：:])\s*{_DURATION}"),
    re.compile(
        rf"{_DURATION}内(?:予以)?(?:办结|办理完毕|审核完毕|完成审核|审核办结|作出[^。；，,\n]{{0,6}}决定|予以答复|答复)"
    ),
)
# Whose deadline it is: a clause naming the citizen, the employer or another body (银行, 网点 …) before the
# number is their deadline, not the office's promise ("单位应当自…之日起30日内", "材料在5个工作日内送邮储银行网点").
OTHER_ACTOR_RE = re.compile(r"您|申请人|参保人|本人|个人|职工|劳动者|用人单位|单位|企业|银行|网点|农保办")
FORM_WORDS = (
    ("窗口", re.compile(r"窗口|现场|柜台|服务专柜|前往|到[^。，；]{0,20}(?:中心|网点|大厅)")),
    ("网上", re.compile(r"网上|线上|APP|app|小程序|公众号|登录|https?://")),
    ("自助", re.compile(r"自助")),
    ("邮寄", re.compile(r"邮寄")),
)


def consult_phone(text: str) -> str:
    """The 咨询电话 the text labels as such: the numbers right after the label ("0731-84907720、0731-84907725"),
    or, when the label ends its line, the 名称 | 电话 rows below it ("长沙市：0731-84420920；芙蓉区：…").
    A number without the label is not taken."""
    for m in CONSULT_LABEL_RE.finditer(text):
        rest = text[m.end() :]
        numbers = CONSULT_NUMBERS_RE.match(rest)
        if numbers:
            return "、".join(re.findall(_CONSULT_NUMBER, numbers.group()))
        line, _, below = rest.partition("\n")
        if line.strip():
            continue
        rows = []
        for row in below.split("\n"):
            if not row.startswith("|"):
                break
            cells = [c.strip() for c in row.strip().strip("|").split("|")]
            found = [n for c in cells for n in find_phones(c)]
            if found:
                name = next((c for c in cells if c and not find_phones(c)), "")
                rows.append(f"{name}：{'、'.join(found)}" if name else "、".join(found))
        if rows:
            return "；".join(rows)
    return ""


def promised_time_limit(text: str) -> str:
    """The office's own deadline ("审核时间为7个工作日" → "7个工作日"); never one set for the citizen, the
    employer or another body."""
    for pattern in PROMISE_RES:
        for m in pattern.finditer(text):
            clause = re.split(r"[。；;，,\n]", text[: m.start()])[-1]
            if not OTHER_ACTOR_RE.search(clause):
                return re.sub(r"\s+", "", m.group("t"))
    return ""


def guide_elements(entry: ParsedEntry) -> dict:
    """Elements the entry's text states and its parser left empty: 办理时间, 办理时限, 收费, 咨询电话,
    监督投诉电话, 办理形式, 是否网办 / 网办入口.  Only what the text says; nothing is assumed."""
    text = "\n".join([entry.answer, entry.location, *entry.steps])
    found = {}
    m = HOURS_RE.search(text)
    if m:
        found["service_hours"] = (m.group("h") or m.group("w")).strip()
    m = TIME_LIMIT_RE.search(text)
    if m:
        found["promised_time_limit"] = m.group("t").strip()
    elif promise := promised_time_limit(text):
        found["promised_time_limit"] = promise
    m = LEGAL_LIMIT_RE.search(text)
    if m:
        found["legal_time_limit"] = m.group("t").strip()
    m = FEE_RE.search(text)
    if m:
        found["charged"] = "收费" if m.group().startswith("收费标准") else "不收费"
        if found["charged"] == "收费":
            found["fee_standard"] = m.group().split("：", 1)[-1].strip()
    m = COMPLAINT_RE.search(text)
    if m:
        found["complaint_phone"] = m.group("n")
    phone = consult_phone(text)
    if phone:
        found["consult_phone"] = phone
    forms = [name for name, pattern in FORM_WORDS if pattern.search(text)]
    if forms:
        found["service_forms"] = "、".join(forms)
    if "网上" in forms:
        found["online"] = "可网上办理"
        url = URL_RE.search(strip_furniture_urls(text))
        if url:
            found["online_url"] = url.group().rstrip(".,;)）")
    return {k: v for k, v in found.items() if not getattr(entry, k)}


MATERIAL_ITEM_RE = re.compile(r"^\s*(?:[（(]?\d{1,2}[)）.、．]|[①-⑳])\s*")
COPIES_RE = re.compile(r"复印件\s*(?P<n>\d+|[一二两三四五])?\s*份?")
ORIGINALS_RE = re.compile(r"一式(?P<s>[一二两三四五])份|(?<![复印件\d])(?P<n>\d+)\s*份")
OPTIONAL_RE = re.compile(r"如有|若有|(?:的|时)(?:需|须|应)?提供|必要时|可选")
_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}


def _count(n):
    return int(n) if n.isdigit() else _CN.get(n, 1)


def material_items(materials: str) -> list[ParsedMaterial]:
    """The 所需材料 text as rows: one per numbered item (or line), with 原件/复印件 counts where stated."""
    lines = [line.strip() for line in materials.splitlines() if line.strip()]
    if len(lines) == 1 and "；" in lines[0]:
        lines = [p for p in re.split(r"[；;]", lines[0]) if p.strip()]
    rows = []
    for line in lines:
        name = MATERIAL_ITEM_RE.sub("", line).strip(" 。；;，,")
        if not name:
            continue
        copy = COPIES_RE.search(name)
        copies = _count(copy.group("n") or "一") if copy else None
        whole = ORIGINALS_RE.search(COPIES_RE.sub("", name))
        originals = _count(whole.group("s") or whole.group("n")) if whole else (1 if "原件" in name else None)
        rows.append(
            ParsedMaterial(name=name[:300], originals=originals, copies=copies, required=not OPTIONAL_RE.search(name))
        )
    return rows


def fill_guide(entry: ParsedEntry) -> ParsedEntry:
    """The elements and material rows a layout's parser did not set itself, from the entry's own text."""
    for name, value in guide_elements(entry).items():
        setattr(entry, name, value)
    if not entry.material_items and entry.materials:
        entry.material_items = material_items(entry.materials)
    return entry
