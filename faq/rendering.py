"""Plain-text answers → safe HTML for the pages.

The stored text is plain: one paragraph per line, tables as ``| a | b |`` rows (with a ``| --- |``
separator after the header, see faq.parsers.base.table_to_text), numbered lines for steps.
Everything is escaped before any markup is added, so text staff typed (even ``<script>``) shows as text.
"""

import re

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .parsers.base import PHONE_IN_TEXT_RE

# Stops at whitespace, quotes, angle brackets and CJK / full-width punctuation, which never belong to a URL
# in these sources ("（http://www.changsha.gov.cn/csrc_portal/）").
URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>\"'\u3000-\u303f\uff00-\uffef\u2018-\u201f\u4e00-\u9fff]+", re.I)
TRAILING_PUNCT = ".,;:!?)]}'\""

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
CN_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}

# (style, pattern); group "n" is the number, group "text" the item. "1.5倍" is not an item (no digit after the dot).
NUMBERED = [
    ("decimal", re.compile(r"^(?P<n>\d{1,2})\s*(?:[.．](?!\d)|[、)）])\s*(?P<text>\S.*)$")),
    ("paren", re.compile(r"^[（(]\s*(?P<n>\d{1,2})\s*[)）]\s*(?P<text>\S.*)$")),
    ("paren-cn", re.compile(r"^[（(]\s*(?P<n>[一二三四五六七八九十])\s*[)）]\s*(?P<text>\S.*)$")),
    ("circled", re.compile(rf"^(?P<n>[{CIRCLED}])\s*(?P<text>\S.*)$")),
]
BULLET_RE = re.compile(r"^[•●·▪◆■\-–—]\s*(?P<text>\S.*)$")
PIPE_ROW_RE = re.compile(r"^\|.*\|$")
SEPARATOR_CELL_RE = re.compile(r"^:?-{3,}:?$")


def linkify(text: str) -> str:
    """Escape ``text`` and turn bare URLs into links; returns HTML."""
    out = []
    pos = 0
    for match in URL_RE.finditer(text):
        url = match.group(0).rstrip(TRAILING_PUNCT)
        if len(url) < 8:
            continue
        out.append(escape(text[pos : match.start()]))
        href = url if url.lower().startswith("http") else "http://" + url
        out.append(f'<a href="{escape(href)}" rel="nofollow noopener" class="ext">{escape(url)}</a>')
        pos = match.start() + len(url)
    out.append(escape(text[pos:]))
    return "".join(out)


def phone_links(text: str) -> str:
    """Escape ``text`` and make each phone number in it a tap-to-call link ("长沙市：0731-84420920；…"); the
    numbers are those the importer reads from the sources (faq.parsers.base.PHONE_IN_TEXT_RE)."""
    out, pos = [], 0
    for match in PHONE_IN_TEXT_RE.finditer(text):
        number = match.group(0)
        out.append(escape(text[pos : match.start()]))
        out.append(f'<a class="tel" href="tel:{number.replace("-", "")}"><span class="tel-number">{number}</span></a>')
        pos = match.end()
    out.append(escape(text[pos:]))
    return mark_safe("".join(out))  # noqa: S308 - the text between numbers went through escape()


def split_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip()[1:-1].split("|")]


def render_table(rows: list[str], caption: str = "") -> str:
    cells = [split_cells(r) for r in rows]
    header = None
    if len(cells) >= 2 and all(SEPARATOR_CELL_RE.match(c) for c in cells[1] if c):
        header, body = cells[0], cells[2:]
    else:
        body = [c for c in cells if not all(SEPARATOR_CELL_RE.match(x) for x in c if x)]
    label = escape(caption) if caption else "表格"
    parts = [f'<div class="table-wrap" role="region" aria-label="{label}" tabindex="0"><table>']
    if caption:
        parts.append(f"<caption>{linkify(caption)}</caption>")
    else:
        # On phones the rows become stacked cards (CSS), so each cell carries its column name as data-label,
        # and the caption tells a screen reader what the columns are before it reads the rows.
        columns = "、".join(c for c in header if c) if header else ""
        parts.append(f'<caption class="visually-hidden">表格{"：" + escape(columns) if columns else ""}</caption>')
    if header:
        parts.append("<thead><tr>" + "".join(f'<th scope="col">{linkify(c)}</th>' for c in header) + "</tr></thead>")
    parts.append("<tbody>")
    labels = header or []
    for row in body:
        cells = []
        for i, c in enumerate(row):
            label = labels[i] if i < len(labels) else ""
            attr = f' data-label="{escape(label)}"' if label else ""
            cells.append(f"<td{attr}>{linkify(c)}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table></div>")
    return "".join(parts)


def numbered(line: str):
    """(style, number, text) when ``line`` starts with a list number, else None."""
    for style, pattern in NUMBERED:
        match = pattern.match(line)
        if match:
            n = match.group("n")
            if style == "circled":
                number = CIRCLED.index(n) + 1
            elif style == "paren-cn":
                number = CN_NUMERALS[n]
            else:
                number = int(n)
            return style, number, match.group("text")
    return None


def render_list(style: str, items: list[tuple[int, str]]) -> str:
    start = items[0][0]
    start_attr = f' start="{start}"' if start != 1 else ""
    lis = "".join(f"<li>{linkify(text)}</li>" for _n, text in items)
    return f'<ol class="ol-{style}"{start_attr}>{lis}</ol>'


def render_text(text: str) -> str:
    """Safe HTML for a plain-text answer (or 办理条件 / 所需材料 …)."""
    lines = [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n")]
    lines = [line for line in lines if line]
    out = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if PIPE_ROW_RE.match(line):
            j = i
            while j < len(lines) and PIPE_ROW_RE.match(lines[j]):
                j += 1
            # A short lead-in right above ("…咨询电话：") names the table: it becomes the caption, said once.
            caption = ""
            if i and lines[i - 1].endswith(("：", ":")) and len(lines[i - 1]) <= 40 and out[-1].startswith("<p>"):
                caption = lines[i - 1].rstrip("：:")
                out.pop()
            out.append(render_table(lines[i:j], caption))
            i = j
            continue
        first = numbered(line)
        if first:
            # A run of consecutively numbered lines of one style; a lone "1." line is just a paragraph.
            style, number, item = first
            items = [(number, item)]
            j = i + 1
            while j < len(lines):
                nxt = numbered(lines[j])
                if not nxt or nxt[0] != style or nxt[1] != items[-1][0] + 1:
                    break
                items.append((nxt[1], nxt[2]))
                j += 1
            if len(items) >= 2:
                out.append(render_list(style, items))
                i = j
                continue
        bullet = BULLET_RE.match(line)
        if bullet and i + 1 < len(lines) and BULLET_RE.match(lines[i + 1]):
            j = i
            lis = []
            while j < len(lines) and (m := BULLET_RE.match(lines[j])):
                lis.append(f"<li>{linkify(m.group('text'))}</li>")
                j += 1
            out.append("<ul>" + "".join(lis) + "</ul>")
            i = j
            continue
        out.append(f"<p>{linkify(line)}</p>")
        i += 1
    return mark_safe("\n".join(out))  # noqa: S308 - every piece above went through escape()
