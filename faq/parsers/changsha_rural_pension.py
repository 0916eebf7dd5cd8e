"""002 长沙 城乡居民基本养老保险常见问题解答 (a 无忧保 web page).

Layout: a news article about 长沙12333 (with a second article and a 荣誉 list), then the heading
``城乡居民基本养老保险常见问题解答``, section headings ``一、参 保`` / ``二、缴 费`` / ``三、待 遇`` and
16 items ``N.question`` / ``答:answer`` (answers may go on for further paragraphs), then the site's
advert, 标签/声明 lines and footer. Only the Q&A block becomes entries; everything before the heading
and from the first advert line on is dropped.
"""

import re

from .base import ParsedDocument, ParsedEntry, ParseError, cjk_punctuation, clean_lines

SIGNATURE = "城乡居民基本养老保险常见问题解答"
TITLE = "长沙城乡居民基本养老保险常见问题解答"
CITY = "changsha"

# Site furniture: any line with one of these ends the Q&A block and never enters an entry.
NOISE = ("无忧保", "个人社保网", "0571-22931819", "标签:", "标签：", "声明:", "声明：", "qq:", "QQ群", "shebaoonline")

SECTION_RE = re.compile(r"^[一二三四五六七八九十]+、\s*(\S(?:\s*\S){0,9})$")
QUESTION_RE = re.compile(r"^(\d{1,2})[.．、]\s*(.+)$")
ANSWER_PREFIX_RE = re.compile(r"^答\s*[:：]\s*")
# An inline "(2)…" sub-item that should start its own line; needs something before it on the line.
SUBITEM_RE = re.compile(r"(?<=\S)(?=（\d{1,2}）)")
MATERIALS_RE = re.compile(r"资料|材料")
CONDITIONS_RE = re.compile(r"哪些人|条件")


ENUMERATOR_RE = re.compile(r"\((\d{1,2})\)")
CJK_GAP_RE = re.compile(r"(?<=[\u4e00-\u9fff“”])[ \t]+(?=[\u4e00-\u9fff“”])")


def tidy(text: str) -> str:
    # "(2)2010年…" has no Chinese next to its brackets, so cjk_punctuation alone would leave it half-width
    # while its siblings "(1)累计…" convert; the page also puts stray spaces inside Chinese ("“十三五” 期间").
    return CJK_GAP_RE.sub("", cjk_punctuation(ENUMERATOR_RE.sub(r"（\1）", text)))


def is_noise(line: str) -> bool:
    return any(word in line for word in NOISE)


def split_subitems(paragraph: str) -> list[str]:
    parts = [part.strip() for part in SUBITEM_RE.split(paragraph) if part.strip()]
    # In an inline "（1）…；（2）…。" list the last item's first 。 ends the list; what follows is
    # the answer going on (#13: "…（5）其他收入。个人账户储存额按国家规定计息。").
    if len(parts) > 1 and all(p.endswith(("；", "，")) for p in parts[1:-1]) and parts[-1].startswith("（"):
        head, sep, rest = parts[-1].partition("。")
        if rest.strip():
            parts[-1:] = [head + sep, rest.strip()]
    return parts


def parse(text: str, filename: str) -> ParsedDocument:
    lines = clean_lines(text)
    try:
        start = lines.index(SIGNATURE) + 1
    except ValueError:
        raise ParseError(f"{filename}: no '{SIGNATURE}' heading") from None

    doc = ParsedDocument(filename=filename, title=TITLE, city=CITY)
    section = ""
    current: dict | None = None
    items: list[dict] = []
    for line in lines[start:]:
        if is_noise(line):
            break
        if m := SECTION_RE.match(line):
            section = re.sub(r"\s+", "", m.group(1))
            current = None
            continue
        m = QUESTION_RE.match(line)
        # Only the next number in sequence starts a new item, so a numbered line inside an answer cannot.
        if m and int(m.group(1)) == len(items) + 1:
            current = {"number": int(m.group(1)), "question": m.group(2), "section": section, "paragraphs": []}
            items.append(current)
            continue
        if current is None:
            raise ParseError(f"{filename}: text outside any question: {line[:30]!r}")
        current["paragraphs"].append(ANSWER_PREFIX_RE.sub("", line))

    if not items:
        raise ParseError(f"{filename}: no numbered questions after '{SIGNATURE}'")

    for position, item in enumerate(items, start=1):
        question = tidy(item["question"].strip())
        paragraphs = []
        for paragraph in item["paragraphs"]:
            paragraphs.extend(split_subitems(tidy(paragraph)))
        answer = "\n".join(paragraphs)
        if not answer:
            raise ParseError(f"{filename}: question {item['number']} has no answer")
        entry = ParsedEntry(
            key=f"q{item['number']}",
            position=position,
            question=question,
            answer=answer,
            audience="personal",
            section=item["section"],
            topics=["rural-pension"],
        )
        # The document has no separate 办理条件 / 所需材料 fields: the answers that are nothing else
        # (who may join, when benefits start, which papers to bring) fill them.
        if MATERIALS_RE.search(question):
            entry.materials = answer
        if CONDITIONS_RE.search(question) or CONDITIONS_RE.search(paragraphs[0]):
            entry.conditions = answer
        doc.entries.append(entry)
    return doc
