"""003 长沙 社会保障卡: a news page re-hosted on a 煮蛋器厂家 site.

Layout, top to bottom (site furniture around all of it):

1. the news article 《2018年1月1日开始所有长沙参保人员必须凭社保卡享受待遇》 with its sub-heads;
2. ``社会保障卡日常业务办理指南``: six items, each a title (sometimes split over two lines:
   ``社保密码`` / ``修改及解锁``) with ``受理地点:`` and ``所需资料:`` lines; 异常卡重新制卡 has a
   description and three numbered steps instead of a 受理地点;
3. ``长沙市各区、县(市)社会保障卡`` / ``管理服务大厅联络表``: 25 offices as name / ``地址:`` / ``电话:``;
4. ``长沙市社保卡`` / ``常见问题答疑``: 18 numbered questions under ``关于…`` section heads. #7 has its
   own ``1. … 2. …`` sub-list, so only the next number in sequence starts a new question.

The news article is imported as one entry (key ``news``): it is the only place in the sources that
says which password hospitals ask for (社保账户密码), that the old 医保卡 stays valid, and what to show
in hospital while a lost card is being replaced. Its photo caption, byline and the lede (a copy of
a sentence further down) are left out.
"""

import re

from ..taxonomy import canonical_district, detect_districts
from .base import (
    ParsedDocument,
    ParsedEntry,
    ParsedOffice,
    ParsedPhone,
    ParseError,
    cjk_punctuation,
    clean_lines,
    normalize_phone,
)

SIGNATURE = "社会保障卡日常业务办理指南"
TITLE = "长沙市社会保障卡服务指南"
CITY = "changsha"
OFFICE_KIND = "社会保障卡服务网点"
TOPICS = ["social-security-card"]

GUIDE_HEADING = SIGNATURE
OFFICES_HEADING_RE = re.compile(r"^长沙市各区、县[(（]市[)）]社会保障卡")
OFFICES_HEADING_TAIL = "管理服务大厅联络表"
FAQ_HEADING = "常见问题答疑"
FAQ_HEADING_LEAD = "长沙市社保卡"  # the line before 常见问题答疑

# Site furniture and adverts; a line containing any of these is dropped wherever it appears.
NOISE = (
    "煮蛋器厂家",
    "免费服务热线",
    "Free service",
    "hotline",
    "010-00000000",
    "热门搜索",
    "行业资讯",
    "当前位置",
    "发布时间",
    "本版撰文",
    "萌三国",
    "创世仙缘",
    "大汉龙腾",
    "菲狐倚天",
)
PHOTO_CREDIT_RE = re.compile(r"本版图片均为.*?摄\s*$")
HEADLINE_TAG_RE = re.compile(r"【[^】]*】\s*$")

FIELD_RE = re.compile(r"^(受理地点|所需资料|地址|电话)\s*[:：]\s*(.*)$")
NUMBERED_RE = re.compile(r"^(\d{1,2})[.．、]\s*(.+)$")
FAQ_SECTION_RE = re.compile(r"^关于\S{1,10}$")
SENTENCE_PUNCT_RE = re.compile(r"[，。：；？！,.:;?!]")
TRAILING_PUNCT = "。；;，,"


def is_noise(line: str) -> bool:
    return any(word in line for word in NOISE)


def index_of(lines, predicate, start=0, what=""):
    for i in range(start, len(lines)):
        if predicate(lines[i]):
            return i
    raise ParseError(f"no {what} found")


def guide_title(title: str) -> str:
    # "挂失" alone is not a title a reader can place; name the card unless the title already does.
    return title if title.startswith(("社保", "社会保障卡")) else "社会保障卡" + title


def field_value(text: str) -> str:
    return cjk_punctuation(text).rstrip(TRAILING_PUNCT)


# --- sections ------------------------------------------------------------------------


def parse_news(lines: list[str]) -> ParsedEntry | None:
    """The article before the 办理指南: headline line, then its paragraphs and sub-heads."""
    body = [PHOTO_CREDIT_RE.sub("", line).strip() for line in lines if not is_noise(line)]
    body = [line for line in body if line]
    if not body:
        return None
    headline, paragraphs = HEADLINE_TAG_RE.sub("", body[0]).strip(), body[1:]
    # Captions and the lede repeat a sentence of the article; keep only the running text.
    paragraphs = [
        p for i, p in enumerate(paragraphs) if not any(p in other for j, other in enumerate(paragraphs) if j != i)
    ]
    if not paragraphs:
        return None
    return ParsedEntry(
        key="news",
        position=0,
        question=cjk_punctuation(headline),
        answer="\n".join(cjk_punctuation(p) for p in paragraphs),
        audience="personal",
        section="新闻",
        topics=list(TOPICS),
    )


def parse_guide(lines: list[str], filename: str) -> list[ParsedEntry]:
    items: list[dict] = []
    current = None
    for line in lines:
        if m := FIELD_RE.match(line):
            if current is None:
                raise ParseError(f"{filename}: 办理指南 field before any item title: {line[:30]!r}")
            current[m.group(1)] = field_value(m.group(2))
            current["body"].append(f"{m.group(1)}：{field_value(m.group(2))}")
        elif (m := NUMBERED_RE.match(line)) and current is not None:
            step = field_value(m.group(2))
            current["steps"].append(step)
            current["body"].append(f"{m.group(1)}. {cjk_punctuation(m.group(2))}")
        elif SENTENCE_PUNCT_RE.search(line) and current is not None:
            current["body"].append(cjk_punctuation(line))
        elif current is not None and not current["body"]:
            current["title"] += line  # a title the source broke over two lines
        else:
            current = {"title": line, "body": [], "steps": []}
            items.append(current)
    entries = []
    for number, item in enumerate(items, start=1):
        if not item["body"]:
            raise ParseError(f"{filename}: 办理指南 item {item['title']!r} has no content")
        entries.append(
            ParsedEntry(
                key=f"guide{number}",
                position=0,
                question=guide_title(item["title"]),
                answer="\n".join(item["body"]),
                audience="personal",
                section=GUIDE_HEADING,
                topics=list(TOPICS),
                location=item.get("受理地点", ""),
                materials=item.get("所需资料", ""),
                steps=item["steps"],
            )
        )
    return entries


def office_district(name: str, address: str) -> str:
    return canonical_district(name, CITY) or (detect_districts(address, CITY)[:1] or [""])[0]


def parse_offices(lines: list[str], filename: str) -> list[ParsedOffice]:
    offices: list[ParsedOffice] = []
    for line in lines:
        if is_noise(line):
            continue
        m = FIELD_RE.match(line)
        if m is None:
            offices.append(ParsedOffice(name=cjk_punctuation(line), kind=OFFICE_KIND))
            continue
        if not offices:
            raise ParseError(f"{filename}: office field before any office name: {line[:30]!r}")
        office = offices[-1]
        label, value = m.groups()
        if label == "地址":
            office.address = field_value(value)
        elif label == "电话":
            office.phones.extend(
                ParsedPhone(number=normalize_phone(raw, CITY), label=office.name, raw=raw)
                for raw in re.split(r"[\s、，,/]+", value)
                if raw
            )
        else:
            raise ParseError(f"{filename}: unexpected field {label!r} in the office list")
    for office in offices:
        if not office.address:
            raise ParseError(f"{filename}: office {office.name!r} has no address")
        office.district = office_district(office.name, office.address)
        for phone in office.phones:
            phone.district = office.district
    return offices


def parse_faq(lines: list[str], filename: str) -> list[ParsedEntry]:
    items: list[dict] = []
    section = ""
    current = None
    for line in lines:
        if is_noise(line):
            continue
        if FAQ_SECTION_RE.match(line):
            section, current = line, None
            continue
        m = NUMBERED_RE.match(line)
        if m and int(m.group(1)) == len(items) + 1:
            current = {"number": int(m.group(1)), "question": m.group(2), "section": section, "paragraphs": []}
            items.append(current)
            continue
        if current is None:
            raise ParseError(f"{filename}: text outside any question: {line[:30]!r}")
        current["paragraphs"].append(line)
    entries = []
    for item in items:
        if not item["paragraphs"]:
            raise ParseError(f"{filename}: question {item['number']} has no answer")
        entries.append(
            ParsedEntry(
                key=f"faq{item['number']}",
                position=0,
                question=cjk_punctuation(item["question"]),
                answer="\n".join(cjk_punctuation(p) for p in item["paragraphs"]),
                audience="personal",
                section=item["section"],
                topics=list(TOPICS),
            )
        )
    return entries


# --- document ------------------------------------------------------------------------


def parse(text: str, filename: str) -> ParsedDocument:
    lines = clean_lines(text)
    try:
        guide_at = index_of(lines, lambda s: s == GUIDE_HEADING, what=f"'{GUIDE_HEADING}' heading")
        offices_at = index_of(lines, OFFICES_HEADING_RE.match, guide_at, what="office list heading")
        faq_at = index_of(lines, lambda s: s == FAQ_HEADING, offices_at, what=f"'{FAQ_HEADING}' heading")
    except ParseError as exc:
        raise ParseError(f"{filename}: {exc}") from None

    office_lines = lines[offices_at + 1 : faq_at]
    if office_lines and office_lines[0] == OFFICES_HEADING_TAIL:
        office_lines = office_lines[1:]
    if office_lines and office_lines[-1] == FAQ_HEADING_LEAD:
        office_lines = office_lines[:-1]

    # The article starts at its 【消息】-tagged headline; everything above it is site furniture.
    news_at = next((i for i in range(guide_at) if HEADLINE_TAG_RE.search(lines[i])), guide_at)
    news = parse_news(lines[news_at:guide_at])

    entries = [
        *([news] if news else []),
        *parse_guide(lines[guide_at + 1 : offices_at], filename),
        *parse_faq(lines[faq_at + 1 :], filename),
    ]
    for position, entry in enumerate(entries, start=1):
        entry.position = position
    return ParsedDocument(
        filename=filename,
        title=TITLE,
        city=CITY,
        entries=entries,
        offices=parse_offices(office_lines, filename),
    )
