"""004 昆山人社 "疫情期间，这些高频业务可“线上办”": 单位篇 and 个人篇, each split into sections.

Layout: ``单位篇`` / ``个人篇`` part headings, section headings (社会保险, 就业创业 …) on their own
line, then numbered items ``1.用人单位用工登记`` with ``办理条件：`` and ``办理流程：`` lines.
The intro (channel list) and the closing (昆小融提醒, 来源/审核/责编/声明) are not entries.
"""

import re

from ..taxonomy import CITY_BY_SLUG
from .base import (
    PHONE_IN_TEXT_RE,
    URL_RE,
    ParsedDocument,
    ParsedEntry,
    ParsedPhone,
    ParseError,
    cjk_punctuation,
    clean_lines,
    collapse_spaces,
    normalize_phone,
    split_arrow_chain,
)

# The hall a menu path starts from, and its address (faq.taxonomy, the one list of 网办 entry points).
ONLINE_HALL, ONLINE_URL = next((n, u) for n, u in CITY_BY_SLUG["kunshan"].online if u)
SIGNATURE = "昆小融"
CITY = "kunshan"
TITLE = "昆山人社高频业务线上办"

PARTS = {"单位篇": ("unit", "employer"), "个人篇": ("person", "personal")}
SECTIONS = ("社会保险", "就业创业", "人才人事", "劳动关系", "社会保障卡", "职业培训")
ITEM_RE = re.compile(r"^(\d+)\.\s*(.+)$")
FIELD_RE = re.compile(r"^(办理条件|办理流程)：(.*)$")
SUBSTEP_RE = re.compile(r"^（\d+）\s*")
CLOSING_RE = re.compile(r"^(?:昆小融提醒|来源：|审核：|责编：|声明：)")

# Section → topic slug (faq.taxonomy.TOPICS); 社会保险 and 人才人事 are refined by keywords below.
SECTION_TOPICS = {
    "就业创业": "employment",
    "人才人事": "talent-archives",
    "劳动关系": "labour-relations",
    "社会保障卡": "social-security-card",
    "职业培训": "training",
}
# Checked in order: 城乡居民养老 is not 企业职工养老, 伤残 is 工伤.
INSURANCE_TOPICS = [
    ("城乡居民", "rural-pension"),
    ("工伤", "work-injury"),
    ("伤残", "work-injury"),
    ("失业", "unemployment"),
    ("养老", "pension"),
]
TRAINING_WORDS = ("培训", "技能", "职业资格", "资格考试")
GENERAL_TOPIC = {"employer": "employer-services", "personal": "social-insurance-services"}


def topic_hint(section: str, audience: str, title: str, flow: str) -> str:
    if section == "社会保险":
        for text in (title, flow):
            for word, slug in INSURANCE_TOPICS:
                if word in text:
                    return slug
        return GENERAL_TOPIC[audience]
    if section == "人才人事" and any(w in title for w in TRAINING_WORDS):
        return "training"
    return SECTION_TOPICS.get(section, GENERAL_TOPIC[audience])


def tidy(line: str) -> str:
    return collapse_spaces(cjk_punctuation(line))


def flow_steps(first: str, more: list[str]) -> tuple[list[str], list[str]]:
    """(steps, note lines) of one 办理流程.

    - one line with arrows: the arrows split the steps, later lines are notes;
    - an empty first line: the following lines are the steps, "（1）…（2）…" grouping them;
    - a first line without arrows followed by lines: each line is a step (person 9's two menu paths).
    """
    if first and (len(split_arrow_chain(first)) > 1 or not more):
        return [s for part in split_arrow_chain(first) for s in split_after_url(part)], more
    if first:
        return [first, *(line.replace("—", "→") for line in more)], []
    steps: list[str] = []
    for line in more:
        if SUBSTEP_RE.match(line) or not steps:
            steps.append(SUBSTEP_RE.sub("", line))
        else:
            joiner = "" if steps[-1].endswith(("：", "，")) else "，"
            steps[-1] += joiner + line
    return steps, []


def split_after_url(step: str) -> list[str]:
    """A step like "…网址：http://x.cn点击“我要办”" → the address, then what to click on it."""
    m = URL_RE.search(step)
    rest = step[m.end() :].strip() if m else ""
    if rest and rest[0] not in "）)，。；":  # "（http://…）→" is one step
        return [step[: m.end()], rest]
    return [step]


def phones_of(text: str) -> list[ParsedPhone]:
    """Numbers in the entry text, labelled by the name that follows them ("12333电话咨询服务中心")."""
    phones = {}
    for found in PHONE_IN_TEXT_RE.finditer(text):
        raw = found.group(0)
        if re.match(r"[A-Za-z]", text[found.end() : found.end() + 1]):
            continue  # "掌上12333APP" is an app's name, not a number to dial
        number = normalize_phone(raw, CITY)
        m = re.search(re.escape(raw) + r"([\u4e00-\u9fff]{2,12}?(?:中心|热线|专席))", text)
        label = raw + m.group(1) if m else "咨询电话"
        phones.setdefault(number, ParsedPhone(number=number, label=label, raw=raw))
    return list(phones.values())


# Words of a procedure (someone acts, in order, under conditions), never of a menu label.
PROCEDURE_RE = re.compile(r"，|提交|缴费|注册|填报|审核|打印|下载|录入|不晚于|考前|通过后")


def is_menu_path(steps: list[str]) -> bool:
    """「大厅→单位办事→社会保险→…」 is where to click; 「备案→制定计划，不晚于开考前10天提交→…」 is a procedure."""
    return not any(PROCEDURE_RE.search(step) for step in steps[1:])


def build_entry(key, position, audience, section, title, body: list[str]) -> ParsedEntry:
    fields: dict[str, list[str]] = {}
    current = None
    for line in body:
        m = FIELD_RE.match(line)
        if m:
            current = m.group(1)
            fields[current] = [m.group(2).strip()]
        elif current:
            fields[current].append(line)
    # "1、…；2、…" lists read better one condition a line.
    conditions = re.sub(r"([：；])\s*(?=\d[、.])", r"\1\n", "\n".join(fields.get("办理条件", [])))
    flow = fields.get("办理流程", [""])
    steps, notes = flow_steps(flow[0], flow[1:])

    answer = []
    if conditions:
        answer.append(f"办理条件：{conditions}")
    online_path = ""
    if len(split_arrow_chain(flow[0])) > 1 and is_menu_path(steps):
        # A menu path in the 网办 hall is where to click, not a procedure: one line, not numbered steps.
        online_path = " → ".join(steps)
        steps = []
        answer.append(f"线上办理路径：{online_path}")
    elif steps:
        answer.append("办理流程：")
        answer.extend(f"{i}. {s}" for i, s in enumerate(steps, start=1))
    answer.extend(notes)
    text = "\n".join(answer)
    return ParsedEntry(
        key=key,
        position=position,
        question=title,
        answer=text,
        audience=audience,
        section=section,
        topics=[topic_hint(section, audience, title, flow[0])],
        conditions=conditions,
        steps=steps,
        phones=phones_of(text),
        online="可网上办理",
        service_forms="网上",
        online_path=online_path,
        online_url=ONLINE_URL if online_path.startswith(ONLINE_HALL) else "",
    )


def parse(text: str, filename: str) -> ParsedDocument:
    lines = [tidy(line) for line in clean_lines(text)]
    doc = ParsedDocument(filename=filename, title=TITLE, city=CITY)
    part = section = None
    items: list[list] = []  # [key prefix, audience, section, number, title, body lines]
    for line in lines:
        if CLOSING_RE.match(line):
            break
        if line in PARTS:
            part, section = line, None
            continue
        if part is None:
            continue  # intro: channel list and URLs
        if line in SECTIONS:
            section = line
            continue
        m = ITEM_RE.match(line)
        prefix, audience = PARTS[part]
        same_part = [it for it in items if it[0] == prefix]
        if m and int(m.group(1)) == len(same_part) + 1:
            items.append([prefix, audience, section, int(m.group(1)), m.group(2).strip(), []])
        elif items:
            items[-1][5].append(line)
    if not items:
        raise ParseError(f"{filename}: no 单位篇/个人篇 items found")

    for position, (prefix, audience, sec, number, title, body) in enumerate(items, start=1):
        doc.entries.append(build_entry(f"{prefix}{number}", position, audience, sec or "", title, body))
    return doc
