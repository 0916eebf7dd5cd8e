"""001 深圳社保个人服务中心办事指引: 26 numbered items plus the 社保服务个人网页 Q&A near the end.

The file is a 360docs scrape: after item 二十六 it runs into unrelated guides of other cities
(武汉, 淄博, 上海, 无锡, 镇江 …) and only the 社保服务个人网页 operating guide among them is
深圳's own. So the parser takes exactly two blocks and ignores everything else.
"""

import re

from .base import (
    ParsedDocument,
    ParsedEntry,
    ParsedOffice,
    ParsedPhone,
    ParseError,
    chinese_to_int,
    cjk_punctuation,
    clean_lines,
    collapse_spaces,
    find_phones,
    normalize_phone,
    strip_furniture_urls,
)

SIGNATURE = "深圳社保个人服务中心办事指引"
CITY = "shenzhen"

ITEM_RE = re.compile(r"^([一二三四五六七八九十]+)、(.*)$")
# "label：value" lines (hotlines, addresses) are the only ones that may follow the last item.
LABEL_LINE_RE = re.compile(r"^([^：，。]{2,30})：(.+)$")
FURNITURE_LINE_RE = re.compile(r"^(?:点击查看.*|相关文档|最新文档|温馨提示)$")
WEB_HEADING = "社保服务个人网页"
WEB_QUESTION_RE = re.compile(r"([一二三四五六七八九十]+)、([^？。]{4,40}？)")
STEP_RE = re.compile(r"第([一二三四五六七八九十]+)步，?")
OFFICE_SUFFIX = "社保个人服务中心"
# The whole guide is about individuals' 退保/转保/结算 and their records; keyword rules add the rest
# (医保 for 十五, 养老 for 二十二) but must not turn "单位证明" items into employer topics alone.
TOPIC_HINT = "social-insurance-services"


def tidy(line: str) -> str:
    """The line with links to the scraper site removed, or "" when nothing worth keeping is left."""
    stripped = collapse_spaces(cjk_punctuation(strip_furniture_urls(line)))
    if FURNITURE_LINE_RE.match(stripped):
        return ""
    if stripped != collapse_spaces(cjk_punctuation(line)) and stripped.endswith("："):
        return ""  # "深圳劳动和社会保障信息网：<360docs link>" says nothing once the link is gone
    return stripped


# --- the 26 items ------------------------------------------------------------


def item_blocks(lines: list[str]) -> list[tuple[int, list[str]]]:
    """(number, lines) for 一、… in sequence; stops at the first line that cannot belong to the last item."""
    blocks: list[tuple[int, list[str]]] = []
    for line in lines:
        m = ITEM_RE.match(line)
        if m and chinese_to_int(m.group(1)) == len(blocks) + 1:
            blocks.append((len(blocks) + 1, [m.group(2)]))
            continue
        if not blocks:
            continue  # title lines, 360docs link, 温馨提示 download blurb
        if LABEL_LINE_RE.match(blocks[-1][1][0]) and not LABEL_LINE_RE.match(line):
            break  # a contact list (二十六) ends where its label lines do; the next guide's title follows
        if ITEM_RE.match(line):
            break  # another document's numbering
        blocks[-1][1].append(line)
    return blocks


PAREN_RE = re.compile(r"（([^（）]*)）")
FILLER_CLAUSE_RE = re.compile(r"^(?:根据.*规定|为保护.*|同时)$")
WHERE_RE = re.compile(r"^办理(.+?)在.+办理$")
INSTRUCTION_RE = re.compile(r"^(?:须|应|必须|请|要)")
SUBJECT_END_RE = re.compile(r"(?:员工|人员|参保人)$")
MAX_TITLE = 30


def drop_asides(text: str) -> str:
    # Long parentheticals (addresses, explanations) are not title material; 退（转）保 keeps its （转）.
    return PAREN_RE.sub(lambda m: m.group(0) if len(m.group(1)) <= 2 else "", text)


def shorten(title: str, limit: int = MAX_TITLE) -> str:
    """Cut an over-long title at the last conjunction that leaves a whole phrase."""
    if len(title) <= limit:
        return title
    cut = max(title.rfind(c, 0, limit) for c in "而并且及或，")
    return title[:cut] if cut > 8 else title[:limit]


def clause_title(clauses: list[str]) -> str:
    first, rest = clauses[0], clauses[1:]
    if first.startswith("如需"):
        return first[2:]
    if m := re.match(r"^(?:如果|若|如)(.+)$", first):
        return m.group(1) + "怎么办"
    if first.startswith("未"):  # a circumstance ("未将…调进深圳…"): ask what to do about it
        return shorten(first, MAX_TITLE - 3) + "怎么办"
    if first.endswith("时") and rest:
        if INSTRUCTION_RE.match(rest[0]):
            return first[:-1] + "怎么办"
        combined = first + clause_title(rest)
        return combined if len(combined) <= MAX_TITLE else clause_title(rest)
    if first.endswith("的") and rest:
        if rest[0].startswith("在") and rest[0].endswith("时"):
            return first[:-1] + rest[0][1:-1] + "如何处理"
        return first[:-1] + "如何处理"
    if SUBJECT_END_RE.search(first):
        return first + "须知"
    if len(first) < 8 and rest:
        return shorten(first + rest[0])
    return first


def derive_title(lines: list[str]) -> str:
    """A short title from an item's own words (see the rules below); deterministic, no hand-written titles.

    - 二十六-style contact lists → "<common label suffix>：<numbers>";
    - a heading line ending in "：" → the heading plus the labels of the lines under it;
    - otherwise the first sentence, split into clauses, goes through ``clause_title``:
      "办理X在Y办理" → "在哪里办理X"; "如果X" / "未…" → "X怎么办"; "X时，须…" → "X怎么办";
      "…的员工" → "…的员工须知"; filler ("根据有关规定", "为保护…") and concessive
      ("不管…") clauses are skipped; a cause ("由于…") loses its connective.
    """
    first = lines[0]
    labels = [m.group(1) for line in lines if (m := LABEL_LINE_RE.match(line))]
    if LABEL_LINE_RE.match(first) and len(labels) == len(lines):
        numbers = [n for line in lines for n in find_phones(line)]
        suffix = common_suffix(labels) or labels[0]
        return shorten(f"{suffix}：{'、'.join(numbers)}" if numbers else suffix)
    if first.endswith("："):
        extra = [label for label in labels if label not in first]
        return shorten("、".join([first[:-1], *extra]))

    sentence = drop_asides(re.split(r"[。；？]", first)[0])
    clauses = [c for c in re.split(r"[，：]", sentence) if c]
    while len(clauses) > 1 and FILLER_CLAUSE_RE.match(clauses[0]):
        clauses = clauses[1:]
    for clause in clauses:
        if m := WHERE_RE.match(clause):
            return shorten(f"在哪里办理{m.group(1)}")
    if re.match(r"^(?:不管|无论)", clauses[0]):
        clauses = clauses[-1:]
    clauses[0] = re.sub(r"^(?:由于|因为)(?:目前)?", "", clauses[0])
    return shorten(clause_title(clauses))


def common_suffix(words: list[str]) -> str:
    suffix = words[0]
    for word in words[1:]:
        while suffix and not word.endswith(suffix):
            suffix = suffix[1:]
    return suffix


def unique_titles(titles: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for title in titles:
        seen[title] = seen.get(title, 0) + 1
        out.append(title if seen[title] == 1 else f"{title}（{seen[title]}）")
    return out


# --- phones and the service centre -------------------------------------------


def phones_in(lines: list[str]) -> list[ParsedPhone]:
    """Every number in the lines, labelled by its "label：" or by the words after the last 拨打."""
    phones = []
    for line in lines:
        m = LABEL_LINE_RE.match(line)
        for raw in find_phones(line):
            if m:
                label = m.group(1)
            else:
                before = line[: line.find(raw)]
                label = re.split(r"拨打|，|。", before)[-1]
            phones.append(ParsedPhone(number=normalize_phone(raw, CITY), label=label.strip(), raw=raw))
    return phones


def service_centre(blocks, hotlines: list[ParsedPhone]) -> ParsedOffice | None:
    """The 社保个人服务中心 from the hours item (二十五) and the district in item 一's address."""
    for _n, lines in blocks:
        address_lines = [line for line in lines if line.startswith("地址：")]
        if not (lines[0].endswith("工作时间：") and address_lines):
            continue
        address = address_lines[0].removeprefix("地址：")
        address = address.removesuffix(OFFICE_SUFFIX)
        city_prefix = re.match(r"^(.+?市)", address)
        hours = "；".join(line for line in lines[1:] if not LABEL_LINE_RE.match(line) and not line.startswith("地址"))
        district = district_of_centre(blocks)
        if district and district not in address and city_prefix:
            address = city_prefix.group(1) + district + address[len(city_prefix.group(1)) :]
        name = (city_prefix.group(1) if city_prefix else "") + OFFICE_SUFFIX
        # The centre belongs to the 社会保险基金管理中心, whose hotline answers for it.
        phones = [p for p in hotlines if "社会保险基金" in p.label]
        return ParsedOffice(name=name, address=address, district=district, hours=hours, phones=phones)
    return None


def district_of_centre(blocks) -> str:
    """The district the items give in the centre's parenthesised address (福田区八卦岭513栋2楼)."""
    for _n, lines in blocks:
        for m in re.finditer(rf"{OFFICE_SUFFIX}（([^）]*)）", "".join(lines)):
            if d := re.match(r"^(\S{2,3}区)", m.group(1)):
                return d.group(1)
    return ""


# --- 社保服务个人网页 Q&A ------------------------------------------------------


def web_entries(lines: list[str], start_position: int) -> list[ParsedEntry]:
    line = next((line for line in lines if line.startswith("关于" + WEB_HEADING) and "一、" in line), None)
    if line is None:
        raise ParseError(f"{WEB_HEADING} guide not found")
    matches = list(WEB_QUESTION_RE.finditer(line))
    matches = [m for i, m in enumerate(matches) if chinese_to_int(m.group(1)) == i + 1]
    section = line[: matches[0].start()].replace(" ", "")
    entries = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        body = line[m.end() : end].strip()
        parts = STEP_RE.split(body)  # [lead-in, 一, text, 二, text, …]
        steps = [s.strip() for s in parts[2::2]]
        if steps:
            answer = "\n".join(f"第{n}步，{s}" for n, s in zip(parts[1::2], steps, strict=True))
        else:
            answer = "\n".join(p.strip() for p in re.split(r"(?<=。) +", body) if p.strip())
        if answer and answer[-1] not in "。！？）”":
            answer += "……"  # the source breaks off mid-sentence (三、); say so rather than end on a dangling quote
        entries.append(
            ParsedEntry(
                key=f"web{i + 1}",
                position=start_position + i,
                question=m.group(2),
                answer=answer,
                audience="personal",
                section=section,
                topics=[TOPIC_HINT],
                steps=steps,
            )
        )
    return entries


def parse(text: str, filename: str) -> ParsedDocument:
    lines = [t for line in clean_lines(text) if (t := tidy(line))]
    blocks = item_blocks(lines)
    if len(blocks) < 20:
        raise ParseError(f"{filename}: expected the numbered items 一、… of the guide, found {len(blocks)}")

    hotline_block = blocks[-1][1]
    hotlines = phones_in(hotline_block) if all(LABEL_LINE_RE.match(x) for x in hotline_block) else []
    office = service_centre(blocks, hotlines)
    titles = unique_titles([derive_title(block) for _n, block in blocks])

    doc = ParsedDocument(filename=filename, title=SIGNATURE, city=CITY, phones=hotlines)
    if office:
        doc.offices.append(office)
    for (number, block), title in zip(blocks, titles, strict=True):
        entry = ParsedEntry(
            key=f"item{number}",
            position=number,
            question=title,
            answer="\n".join(block),
            audience="personal",
            topics=[TOPIC_HINT],
            phones=hotlines if block is hotline_block else phones_in(block),
        )
        if office and OFFICE_SUFFIX in entry.answer:
            entry.offices.append(office)
        doc.entries.append(entry)
    doc.entries.extend(web_entries(lines, len(blocks) + 1))
    return doc
