"""Parser for 000 长沙12333热点问题: 90 numbered questions, each "热点问题N、question" then "答：answer".

Layout and the rules this parser applies (all checked against the real file):

Entries
  - A line starting with 热点问题N opens entry N (key "qN", position N); the 、 after the number is
    optional (#75 has none). Numbers must run 1…N without gaps, otherwise ParseError.
  - The answer starts after "答：" (tolerated when missing). [bookmark:…]/[image:…] markers go, lines are
    trimmed, runs of spaces collapse, a line repeated inside one entry is kept once (#3's 注意 line).
  - Word's lost auto-numbering "3 登录…" (digit + space) becomes "1. 登录…"; a run of such items that does
    not start at 1 was continued from an earlier list by the converter and is renumbered (#89).
  - A numbered item glued to the end of a line by a run of spaces starts its own line (#31's "2.").

Tables
  - Tab-indented lines are table cells, one per line, rows separated by blank lines (#12, #31). The first
    row is the header; the table goes into the answer as pipe rows (base.table_to_text).
  - A table with 名称 and 地址 columns is a list of offices (#12): each row becomes a ParsedOffice with
    kind "<insurance in the question>经办机构", e.g. 失业保险经办机构.

Office blocks
  - "name / 地址：… / 电话：…" line triples (#59) become ParsedOffice rows with one phone each; the kind is
    the heading above them without "长沙地区各级". In the answer the block shrinks to one lead line
    ("<heading>联系地址及电话见下方办理地点。"), since the offices are shown as structured records.
  - District of an office: the district its name starts with, else the first full district name in the
    address; an address without one (芙蓉中路…) leaves it "" for the importer's own detection.

Phones
  - Lines made only of "name number" pairs are phone lists (#13, #15, #44, #46, #69). A pair whose name is
    just a place (芙蓉区, 长沙市, 市本级) gets a label "<place><what the list is for>" (芙蓉区劳动监察,
    芙蓉区档案服务机构, 芙蓉区养老保险资格认证咨询); a name that is already an office (芙蓉区卫健局人口家庭科)
    is the label. District: the district the name starts with (长沙市/省/市本级 have none). Lists of
    three or more numbers are rendered as a 名称 | 电话 table in the answer.
  - Any other 8-digit number (optionally 0731-) is a phone too. Label: the office in parentheses before it
    (…中心（电话：…）), else an office named in the same or the previous clause (…专技处，电话：), else a
    "…热线" label, else "<question subject>咨询电话" (or 备案电话 when the text says 备案).
  - Numbers are normalised with normalize_phone(raw, "changsha"): 82293155 → 0731-82293155. Service
    numbers (12333) only appear as parts of names here (长沙市12333公共服务平台) and are not phones.

Steps (one procedure per entry, first rule that yields two or more steps wins)
  1. 第一步/第二步… at line starts (#40, #89) or inline (#79). A 第N步 that is only a short title followed
     by numbered sub-items (#89 "第一步：注册：") becomes "title：item → item → …".
  2. A → chain outside quotes (#3, #70): the segments, without the leading subject ("参保单位/参保人") or
     label ("流程："). Arrows inside “…” are a menu path within a sentence (#77), not a procedure.
  3. "--" chains (#53): one chain gives its segments; several chains, each labelled with its channel,
     are alternatives and give one step per channel "channel：a → b → c".
  4. A numbered list whose lead-in line speaks of 步/流程/步骤/方法/途径/如下操作 (#12, #26, #35 途径二,
     #38/#39 查询方法). Items that are cases ("如…的", "若…") are not steps (#71). When the list sits
     under 一、/二、 sub-headings, the sub-headings are alternatives: one step per alternative.
     An inline "流程：1、…；2.…" list counts as well (#17).
  Lists of who qualifies (#1, #6, #22) are never steps.

Conditions and materials
  - conditions: a numbered list whose lead-in says 条件/符合下列/以下条件/人员范围 (lead + items; a trailing
    "若…" sentence on the last item is cut, #6), an inline "补贴对象：…"/"办理条件：…" sentence (#19), or, for a
    question asking 哪些人/哪些个人/哪些人群 can, the answer's first paragraph (#21, #77).
  - materials: a list led by 材料/资料 wording (办理材料、所需材料、申请材料如下、准备以下资料; #35, #61), an
    inline "办理材料为：1.…；2.…" list (#15), "以下资料…：X" (#87), or what the applicant 携带/持 to the
    office ("携带X到…", "携带X等材料"; #13, #30, #54, #62).

Audience
  - The clause holding the question word (如何/怎么/为什么/哪些/吗 …) decides: a unit subject (用人单位,
    参保单位, 新单位, 我单位, "…的单位") before the question word → employer; a person (我, 个人, 参保人,
    职工, 退休人员, 劳动者 …) → personal; both (参保单位/参保人, 用人单位和求职者) → general.
  - Without a subject there: an answer that opens with the unit acting ("单位登陆…", #90) → employer,
    else the nearest earlier clause with a subject, else general.

Topics are left to the importer's classifier: nothing in this layout implies one.
"""

import re

from ..taxonomy import DISTRICTS
from .base import (
    ParsedDocument,
    ParsedEntry,
    ParsedOffice,
    ParsedPhone,
    ParseError,
    cjk_punctuation,
    normalize_line,
    normalize_phone,
    split_arrow_chain,
    split_inline_items,
    strip_markers,
    table_to_text,
)

SIGNATURE = "热点问题1、"
TITLE = "长沙12333热点问题"
CITY = "changsha"

# Full district names only: aliases such as 芙蓉 also occur in road names (芙蓉中路), which are no district.
DISTRICT_NAMES = [name for _slug, name, _aliases in DISTRICTS["changsha"]]

# Converter artefacts that no rule can tell from text: (entry number, wrong, right).
SOURCE_ERRATA = [
    # "人员减少" leaked from #87's list heading onto the last item of #89's list.
    (89, "登录成功后进行参保登记信息录入。人员减少", "登录成功后进行参保登记信息录入。"),
]

MARKER_RE = re.compile(r"^热点问题(\d{1,3})、?\s*(.*)$")
ANSWER_PREFIX_RE = re.compile(r"^答[：:]\s*")

# Numbered items: "1." "1、" "1．" "（1）" "①" and Word's bare "1 " (digit + space).
ITEM_RE = re.compile(
    r"^(?:(?P<dot>\d{1,2})[.、．](?!\d{1,3}(?:[%元倍万]|\.\d))|[（(](?P<paren>\d{1,2})[)）]|(?P<circle>[①-⑳])|(?P<bare>\d{1,2})\s+)\s*"
)
SUBHEADING_RE = re.compile(r"^[一二三四五六七八九十]{1,3}、\s*(\S.{0,20})$")
STEP_MARK_RE = re.compile(r"第[一二三四五六七八九十]{1,3}步[：:]?")

PHONE_RE = re.compile(r"(?<![\dA-Za-z-])((?:0731-?)?\d{8})(?![\dA-Za-z-])")
PAIR_RE = re.compile(r"([\u4e00-\u9fff][\u4e00-\u9fff（）()]*?)\s*[：:]?\s*((?:0731-?)?\d{8})(?![\dA-Za-z-])")
PLACE_RE = re.compile(r"^(?:长沙市|市本级|省|[\u4e00-\u9fff]{1,4}(?:区|县|市))$")
ORG_RE = re.compile(r"[\u4e00-\u9fff\d]{2,40}(?:中心|局|处|科|窗口|部门|办公室|委员会|馆|市场|机构)")
URL_IN_TEXT_RE = re.compile(r"https?://[^\s（）()，,；;“”]+")

PROCEDURE_LEAD_RE = re.compile(r"[\d一二两三四五六七八九十]步|步骤|流程|方法|办法|途径|如下操作|办理方式")
CONDITION_LEAD_RE = re.compile(r"条件|符合下列|下列人员|人员范围|申请对象|补贴对象")
MATERIAL_LEAD_RE = re.compile(r"材料|以下资料|所需资料|资料如下")
CASE_ITEM_RE = re.compile(r"^(?:如|若|对于|凡)")


# --- splitting the document ---------------------------------------------------------


def split_entries(text: str) -> list[tuple[int, str, list[str]]]:
    """(number, question, raw body lines) per 热点问题 marker, in document order."""
    blocks: list[tuple[int, str, list[str]]] = []
    for raw in strip_markers(text.lstrip("\ufeff")).splitlines():
        m = MARKER_RE.match(normalize_line(raw))
        if m:
            blocks.append((int(m.group(1)), cjk_punctuation(m.group(2).strip()), []))
        elif blocks:
            blocks[-1][2].append(raw)
    numbers = [n for n, _q, _b in blocks]
    if not numbers or numbers != list(range(1, len(numbers) + 1)):
        raise ParseError(f"热点问题 markers do not run 1…N: {numbers[:5]}…")
    return blocks


def clean_text_line(line: str) -> list[str]:
    """One source line as answer lines: trimmed, spaces collapsed, glued-on numbered items split off."""
    line = re.sub(r"^(\d{1,2}[.、．])[，,]\s*", r"\1", normalize_line(line))  # "2.，在…"
    parts = re.split(r"\s{3,}(?=\d{1,2}[.、．]\D|[（(]\d{1,2}[)）]|[①-⑳])", line)
    return [re.sub(r"\s{2,}", " ", p).strip() for p in parts if p.strip()]


def body_blocks(raw_lines: list[str]) -> list:
    """The answer as a list of text lines (str) and tables (("table", rows))."""
    blocks: list = []
    row: list[str] = []
    table: list[list[str]] = []

    def end_row():
        nonlocal row
        if row:
            table.append(row)
            row = []

    def end_table():
        end_row()
        if table:
            blocks.append(("table", list(table)))
            table.clear()

    for raw in raw_lines:
        if raw.startswith("\t"):
            row.append(normalize_line(raw))
        elif not raw.strip():
            end_row()
        else:
            end_table()
            blocks.extend(clean_text_line(raw))
    end_table()
    if blocks and isinstance(blocks[0], str):
        first = ANSWER_PREFIX_RE.sub("", blocks[0])
        blocks[0:1] = [first] if first else []
    return blocks


def item_number(line: str):
    m = ITEM_RE.match(line)
    if not m:
        return None, None
    for style in ("dot", "paren", "circle", "bare"):
        if m.group(style):
            value = m.group(style)
            return style, (ord(value) - ord("①") + 1 if style == "circle" else int(value))
    return None, None


def item_text(line: str) -> str:
    return re.sub(r"^[，,]\s*", "", ITEM_RE.sub("", line, count=1)).strip()


def fix_bare_numbering(lines: list[str]) -> list[str]:
    """Word's "3 登录…" items → "1. 登录…", renumbering runs the converter continued from another list."""
    out = list(lines)
    i = 0
    while i < len(out):
        style, _n = item_number(out[i]) if isinstance(out[i], str) else (None, None)
        if style != "bare":
            i += 1
            continue
        j = i
        while j < len(out) and isinstance(out[j], str) and item_number(out[j])[0] == "bare":
            j += 1
        run = out[i:j]
        for k, line in enumerate(run):
            number = k + 1 if len(run) > 1 else item_number(line)[1]
            out[i + k] = f"{number}. {item_text(line)}"
        i = j
    return out


# --- structure found in the lines -------------------------------------------------


def district_of(name: str, address: str = "") -> str:
    for district in DISTRICT_NAMES:
        if name.startswith(district):
            return district
    hits = [(address.find(d), d) for d in DISTRICT_NAMES if d in address]
    return min(hits)[1] if hits else ""


def subject_keyword(question: str) -> str:
    for word in [
        "失业保险",
        "工伤保险",
        "养老保险",
        "医疗保险",
        "社会保障卡",
        "失业",
        "工伤",
        "养老金",
        "养老",
        "创业",
        "档案",
        "社保卡",
        "医保",
        "招聘",
        "求职",
        "培训",
        "职称",
    ]:
        if word in question:
            return word
    return ""


def phone_list_pairs(line: str):
    """[(name, raw number)] when the line is nothing but name–number pairs, else None."""
    pairs = PAIR_RE.findall(line)
    if not pairs or re.sub(r"[\s；;，,、]", "", PAIR_RE.sub("", line)):
        return None
    return pairs


def list_purpose(lead: str, question: str) -> str:
    """What a list of place–number pairs is for, appended to the place: 劳动监察, 档案服务机构 …"""
    if "劳动监察" in lead:
        return "劳动监察"
    if "档案" in lead:
        return "档案服务机构"
    if "认证" in question:
        return "养老保险资格认证咨询" if "养老" in question else "资格认证咨询"
    return (subject_keyword(question) or "") + "咨询电话"


# List purpose → (office kind, what its number is for): these lists name offices, one per place.
OFFICE_LISTS = {
    "劳动监察": ("劳动保障监察机构", "劳动保障监察举报投诉电话"),
    "档案服务机构": ("档案服务机构", "档案服务机构咨询电话"),
}


def extract_phone_lists(blocks: list, question: str):
    """Replace runs of phone-list lines by a table (3+ numbers); return the labelled phones and the offices
    the list names (劳动监察, 档案)."""
    out: list = []
    phones: list[ParsedPhone] = []
    offices: list[ParsedOffice] = []
    i = 0
    while i < len(blocks):
        pairs = phone_list_pairs(blocks[i]) if isinstance(blocks[i], str) else None
        if not pairs:
            out.append(blocks[i])
            i += 1
            continue
        lead = next((b for b in reversed(out) if isinstance(b, str)), "")
        run_lines = []
        run_pairs = []
        while i < len(blocks) and isinstance(blocks[i], str) and (pairs := phone_list_pairs(blocks[i])):
            run_lines.append(blocks[i])
            run_pairs.extend(pairs)
            i += 1
        purpose = list_purpose(lead, question)
        office_kind, phone_use = OFFICE_LISTS.get(purpose, ("", ""))
        rows = []
        for name, raw in run_pairs:
            number = normalize_phone(raw, CITY)
            rows.append([name, number])
            if office_kind and PLACE_RE.match(name):
                # Each place of a 劳动监察 / 档案 list is an office of that kind, reachable by this number.
                phone = ParsedPhone(number=number, label=name + phone_use, district=district_of(name), raw=raw)
                offices.append(
                    ParsedOffice(name=name + office_kind, district=district_of(name), kind=office_kind, phones=[phone])
                )
                continue
            label = name + purpose if PLACE_RE.match(name) else name
            phones.append(ParsedPhone(number=number, label=label, district=district_of(name), raw=raw))
        if len(run_pairs) >= 3:
            out.append(("table", [["名称", "电话"], *rows]))
        else:
            out.extend(run_lines)
    return out, phones, offices


def extract_office_blocks(blocks: list):
    """Office blocks (a name line, then 地址：… and 电话：…) → offices; the block shrinks to one lead line."""
    out: list = []
    offices: list[ParsedOffice] = []
    i = 0

    def is_triple(k):
        return (
            k + 2 < len(blocks)
            and all(isinstance(blocks[k + d], str) for d in range(3))
            and "：" not in blocks[k]
            and blocks[k + 1].startswith("地址：")
            and blocks[k + 2].startswith("电话：")
        )

    while i < len(blocks):
        if not is_triple(i):
            out.append(blocks[i])
            i += 1
            continue
        # Short, sentence-less lines right above the first office are its heading.
        heading = []
        while out and isinstance(out[-1], str) and len(out[-1]) <= 30 and not re.search(r"[。；：]", out[-1]):
            heading.insert(0, out.pop())
        kind_source = heading[0] if heading else ""
        kind = re.sub(r"^(?:长沙地区|长沙市)?各级", "", kind_source)
        while is_triple(i):
            name = blocks[i]
            address = blocks[i + 1].removeprefix("地址：").strip()
            raw = blocks[i + 2].removeprefix("电话：").strip()
            district = district_of(name, address)
            phone = ParsedPhone(number=normalize_phone(raw, CITY), label=name, district=district, raw=raw)
            offices.append(ParsedOffice(name=name, address=address, district=district, kind=kind, phones=[phone]))
            i += 3
        lead = "".join(heading) or "各办理地点的联系地址及电话"
        out.append(f"{lead}见下方办理地点。")
    return out, offices


def table_offices(rows: list[list[str]], question: str) -> list[ParsedOffice]:
    header = rows[0]
    name_col = next((k for k, h in enumerate(header) if "名称" in h), None)
    address_col = next((k for k, h in enumerate(header) if "地址" in h), None)
    if name_col is None or address_col is None:
        return []
    keyword = next((w for w in ["失业保险", "工伤保险", "养老保险", "医疗保险", "社会保障卡"] if w in question), "")
    kind = f"{keyword}经办机构"
    return [
        ParsedOffice(
            name=r[name_col], address=r[address_col], district=district_of(r[name_col], r[address_col]), kind=kind
        )
        for r in rows[1:]
        if len(r) == len(header)
    ]


# --- single phones ------------------------------------------------------------------


def org_in(text: str) -> str:
    """The last office named in ``text``, without the verb in front of it or an address before it."""
    if re.match(r"^(?:办理)?地址", text):
        return ""
    found = ORG_RE.findall(text)
    if not found:
        return ""
    org = found[-1]
    org = re.split(r"咨询|前往|至|到|向|联系|请|或|由|可", org)[-1]
    org = re.sub(r"^.*?\d+号", "", org)
    return org if len(org) >= 3 else ""


ROOM_RE = re.compile(r"(?:\d+楼)?\d{2,4}(?:办公室|室)$")
ROOM_SUBJECTS = ("生存认证", "资格认证")


def room_purpose(question: str) -> str:
    """What a number answered in a room is for, from the question: 用人单位招聘手续, 生存认证 …"""
    who = "用人单位" if "用人单位" in question else ""
    what = subject_keyword(question) or next((w for w in ROOM_SUBJECTS if w in question), "")
    return who + what + ("手续" if "手续" in question else "")


def phone_label(before: str, after: str, question: str) -> str:
    """The label of a number in running text.  A room (…3楼304办公室) says where the number rings, not what to
    call about: the label is then "<what the question is about>咨询电话（room）"."""
    label = phone_place(before, after, question)
    if ROOM_RE.search(label):
        return f"{room_purpose(question)}咨询电话（{label}）"
    return label


def phone_place(before: str, after: str, question: str) -> str:
    before = PHONE_RE.sub("", before).rstrip("、，, ")
    # "X（电话：N）" / "X（N）": the office is X, or the text inside the parenthesis.
    paren = re.search(r"[（(]([^（()）]*?)(?:电话)?[：:]?$", before)
    if paren:
        inner = paren.group(1).strip()
        return org_in(inner) or inner or org_in(before[: paren.start()])
    clauses = re.split(r"[，。；;,]", before)
    current = clauses[-1]
    hotline = re.search(r"([\u4e00-\u9fff]{0,6}热线)[：:]?$", current)
    if hotline:
        return hotline.group(1)
    label = org_in(current) or (org_in(clauses[-2]) if len(clauses) > 1 else "")
    if label:
        return label
    kind = "备案电话" if after.lstrip("）)").startswith(("申请备案", "备案")) else "咨询电话"
    return subject_keyword(question) + kind


def single_phones(lines: list[str], question: str) -> list[ParsedPhone]:
    phones = []
    for line in lines:
        text = URL_IN_TEXT_RE.sub("", line)
        for m in PHONE_RE.finditer(text):
            raw = m.group(1)
            label = phone_label(text[: m.start()], text[m.end() :], question)
            phones.append(
                ParsedPhone(number=normalize_phone(raw, CITY), label=label, district=district_of(label), raw=raw)
            )
    return phones


# --- lists: steps, conditions, materials ------------------------------------------


def list_runs(lines: list[str]):
    """(lead index, [item line indexes]) for each run of same-style numbered items."""
    runs = []
    i = 0
    while i < len(lines):
        style, _n = item_number(lines[i])
        if style is None:
            i += 1
            continue
        j = i
        while j < len(lines) and item_number(lines[j])[0] == style:
            j += 1
        runs.append((i - 1, list(range(i, j))))
        i = j
    return runs


def clean_step(text: str) -> str:
    return text.strip().rstrip("。；;，,").strip()


def strip_subject(first: str) -> str:
    first = re.sub(r"^[\u4e00-\u9fff]{1,6}[：:]", "", first)  # 流程：
    return re.sub(r"^[\u4e00-\u9fff/、]{1,10}?(?=登录|登陆)", "", first)


def steps_from_step_marks(lines: list[str]) -> list[str]:
    for line in lines:  # inline: "第一步手机应用市场下载安装；第二步用户注册，…"
        if len(STEP_MARK_RE.findall(line)) >= 2 and not STEP_MARK_RE.match(line):
            return [clean_step(p) for p in STEP_MARK_RE.split(line)[1:] if clean_step(p)]
    steps = []
    i = 0
    while i < len(lines):
        if not STEP_MARK_RE.match(lines[i]):
            i += 1
            continue
        text = STEP_MARK_RE.sub("", lines[i], count=1).strip()
        i += 1
        title = text.rstrip("：:")
        if len(title) <= 12 and text.endswith(("：", ":")):
            subs = []
            while i < len(lines) and item_number(lines[i])[0]:
                subs.append(clean_step(item_text(lines[i])))
                i += 1
            if subs:
                text = f"{title}：" + " → ".join(subs)
        steps.append(clean_step(text))
    return steps


def steps_from_arrows(lines: list[str]) -> list[str]:
    for line in lines:
        if re.sub(r"“[^”]*”", "", line).count("→") >= 2:
            parts = re.split(r"\s*→\s*", line)
            parts[0] = strip_subject(parts[0])
            return split_arrow_chain("→".join(parts))
    return []


def steps_from_dashes(lines: list[str]) -> list[str]:
    chains = [line for line in lines if len(re.findall(r"-{2,}", line)) >= 2]
    if len(chains) == 1:
        return [clean_step(p) for p in re.split(r"-{2,}", strip_subject(chains[0])) if clean_step(p)]
    steps = []
    for line in chains:
        channel, _, chain = line.rpartition("：") if "：" in line.split("--")[0] else ("", "", line)
        joined = " → ".join(clean_step(p) for p in re.split(r"-{2,}", chain) if clean_step(p))
        steps.append(f"{channel}：{joined}" if channel else joined)
    return steps


def steps_from_lists(lines: list[str]) -> list[str]:
    runs = list_runs(lines)
    for lead_idx, items in runs:
        lead = lines[lead_idx] if lead_idx >= 0 else ""
        sub = SUBHEADING_RE.match(lead)
        if sub:
            # Alternatives under 一、/二、: look above the first sub-heading for the real lead-in.
            first = lead_idx
            while first > 0 and (SUBHEADING_RE.match(lines[first - 1]) or item_number(lines[first - 1])[0]):
                first -= 1
            real_lead = lines[first - 1] if first > 0 else ""
            if not PROCEDURE_LEAD_RE.search(real_lead):
                continue
            steps = []
            for k in range(first, len(lines)):
                m = SUBHEADING_RE.match(lines[k])
                if m:
                    chain = []
                    for item in lines[k + 1 :]:
                        if not item_number(item)[0]:
                            break
                        chain.append(clean_step(item_text(item)))
                    steps.append(f"{m.group(1)}：" + " → ".join(chain))
                elif not item_number(lines[k])[0]:
                    break
            return steps
        if len(items) < 2 or not PROCEDURE_LEAD_RE.search(lead):
            continue
        if CONDITION_LEAD_RE.search(lead) or re.search(r"以下资料|材料如下|所需材料", lead):
            continue
        texts = [item_text(lines[k]) for k in items]
        if any(CASE_ITEM_RE.match(t) for t in texts):
            continue
        return [clean_step(t) for t in texts]
    for line in lines:  # inline "…流程：1、…；2.…"
        m = re.search(r"(?:流程|步骤)[：:]\s*(?=1[、.．])", line)
        if m:
            items = split_inline_items(line[m.end() :])
            if len(items) >= 2:
                return [clean_step(t) for t in items]
    return []


def extract_steps(lines: list[str]) -> list[str]:
    for finder in (steps_from_step_marks, steps_from_arrows, steps_from_dashes, steps_from_lists):
        steps = finder(lines)
        if len(steps) >= 2:
            return steps
    return []


def numbered(items: list[str]) -> str:
    return "\n".join(f"{k}. {t}" for k, t in enumerate(items, start=1))


def extract_conditions(lines: list[str], question: str) -> str:
    for lead_idx, items in list_runs(lines):
        lead = lines[lead_idx] if lead_idx >= 0 else ""
        if len(items) >= 2 and CONDITION_LEAD_RE.search(lead) and not MATERIAL_LEAD_RE.search(lead):
            body = [lines[k] for k in items]
            body[-1] = re.split(r"。(?=若|如果)", body[-1])[0] + ("。" if re.search(r"。(?=若|如果)", body[-1]) else "")
            return "\n".join([item_text(lead) if item_number(lead)[0] else lead, *body])
    for line in lines:
        m = re.search(r"(?:办理条件|申请条件|申领条件|补贴对象|申请对象)[：:]\s*([^。]+。?)", line)
        if m and len(m.group(1)) > 4:
            return m.group(1).strip()
    if re.search(r"哪些(?:人|个人|人群|人员)[^？?]*(?:可以|能|需要)", question) and lines:
        first = re.split(r"②", lines[0])[0]
        return re.sub(r"^①", "", first).strip()
    return ""


CARRY_RE = re.compile(
    r"(?:携带|(?<![坚支保维主扶])持(?!卡人|续|有效期))"
    r"(?P<m>[^。；，]{2,200}?等(?:有关)?(?:材料|资料|证件)|[^。；，]{2,120}?)"
    r"(?=，?(?:前往|到|至|来|向))"
)


def extract_materials(lines: list[str]) -> str:
    for lead_idx, items in list_runs(lines):
        lead = lines[lead_idx] if lead_idx >= 0 else ""
        if len(items) >= 2 and MATERIAL_LEAD_RE.search(lead) and not re.search(r"资料附件", lead):
            return "\n".join(lines[k] for k in items)
    for line in lines:
        m = re.search(r"(?:办理材料|所需材料|申请材料|所需资料)(?:为|如下)?[：:]\s*", line)
        if m:
            items = split_inline_items(line[m.end() :])
            if len(items) >= 2:
                return numbered(items)
            return line[m.end() :].split("。")[0] + "。"
        m = re.search(r"以下(?:资料|材料)[^：:。]*[：:]([^。]+)", line)
        if m:
            return m.group(1).strip() + "。"
    for line in lines:
        m = CARRY_RE.search(line)
        if m:
            return m.group("m").strip()
    return ""


# --- audience -------------------------------------------------------------------------

QUESTION_WORD_RE = re.compile(r"谁|如何|怎么|怎样|为什么|为何|什么|哪些|哪里|是否|是不是|能否|可以|能|多少|多久|吗|么")
EMPLOYER_RE = re.compile(r"(?:^(?:但|请问|若|如)?|的|、|和|与|或|/)(?:用人|参保|新|我|本)?单位")
PERSONAL_RE = re.compile(
    r"我(?!单位)|本人|个人|参保人|退休人员|劳动者|职工|员工|市民|失业人员|失业金领取人员|工伤人员|求职者|留学生|考生|毕业生|持卡人"
)


def actor(region: str) -> str:
    employer = bool(EMPLOYER_RE.search(region))
    personal = bool(PERSONAL_RE.search(region))
    if employer and personal:
        return "general"
    return "employer" if employer else "personal" if personal else ""


def audience_of(question: str, answer: str) -> str:
    clauses = [c.strip() for c in re.split(r"[，,？?；;。！!\s]+", question) if c.strip()]
    main = next((k for k, c in enumerate(clauses) if QUESTION_WORD_RE.search(c)), len(clauses) - 1)
    if main < 0:
        return "general"
    asked = QUESTION_WORD_RE.search(clauses[main])
    found = actor(clauses[main][: asked.start()] if asked else clauses[main])
    if found:
        return found
    if re.match(r"^(?:用人单位|参保单位|单位)(?:登陆|登录)", answer):
        return "employer"
    for clause in reversed(clauses[:main]):
        found = actor(clause)
        if found:
            return found
    return "general"


# --- entry and document -------------------------------------------------------------


def apply_errata(number: int, lines: list) -> list:
    out = []
    for line in lines:
        if isinstance(line, str):
            for n, wrong, right in SOURCE_ERRATA:
                if n == number:
                    line = line.replace(wrong, right)
        out.append(line)
    return out


def dedupe(blocks: list) -> list:
    seen = set()
    out = []
    for block in blocks:
        if isinstance(block, str):
            if block in seen:
                continue
            seen.add(block)
        out.append(block)
    return out


def parse_entry(number: int, question: str, raw_lines: list[str]) -> ParsedEntry:
    blocks = dedupe(body_blocks(raw_lines))
    blocks = fix_bare_numbering(apply_errata(number, blocks))
    text_lines = [b for b in blocks if isinstance(b, str)]

    offices: list[ParsedOffice] = []
    for block in blocks:
        if not isinstance(block, str):
            offices.extend(table_offices(block[1], question))
    blocks, block_offices = extract_office_blocks(blocks)
    offices.extend(block_offices)
    blocks, list_phones, list_offices = extract_phone_lists(blocks, question)
    offices.extend(list_offices)

    # Single phones: only lines that are not phone lists or office blocks.
    plain = [b for b in blocks if isinstance(b, str)]
    phones = list_phones + single_phones(plain, question)
    unique, seen = [], set()
    for phone in phones:
        if (phone.number, phone.label) not in seen:
            seen.add((phone.number, phone.label))
            unique.append(phone)

    answer_lines = []
    for block in blocks:
        if isinstance(block, str):
            answer_lines.append(block)
        else:
            rows = block[1]
            width = max(len(r) for r in rows)
            rows = [r + [""] * (width - len(r)) for r in rows]
            answer_lines.append(table_to_text(rows[0], rows[1:]))
    answer = "\n".join(answer_lines).strip()

    return ParsedEntry(
        key=f"q{number}",
        position=number,
        question=question,
        answer=answer,
        audience=audience_of(question, answer),
        conditions=extract_conditions(text_lines, question),
        materials=extract_materials(text_lines),
        steps=extract_steps(text_lines),
        phones=unique,
        offices=offices,
    )


def parse(text: str, filename: str) -> ParsedDocument:
    entries = [parse_entry(n, q, body) for n, q, body in split_entries(text)]
    return ParsedDocument(filename=filename, title=TITLE, city=CITY, entries=entries)
