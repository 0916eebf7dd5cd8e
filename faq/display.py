"""Show each thing once: what is left of an answer's text once its structured parts are on the card.

An answer that is only a numbered list that became 办理流程, a table whose rows became the linked offices,
or 办理条件 / 线上办理路径 lines shown as their own elements, would otherwise say the same thing twice or
three times (#12).  Only exact repeats go; anything else in the answer stays.
"""

import re

from .rendering import PIPE_ROW_RE, numbered, split_cells

LABELLED_RE = re.compile(r"^(办理条件|线上办理路径|办理流程)[：:]\s*(.*)$")


def _norm(text):
    return re.sub(r"[\s。；;，,.]+$", "", text).strip()


def _table_end(lines, i):
    j = i
    while j < len(lines) and PIPE_ROW_RE.match(lines[j]):
        j += 1
    return j


def _is_office_table(rows, office_names):
    """A pipe table most of whose body rows name one of the entry's offices."""
    body = [split_cells(r) for r in rows[2:]]
    hits = sum(1 for cells in body if any(c in office_names for c in cells))
    return bool(body) and hits * 2 >= len(body)


def _labelled_repeat(line, entry):
    m = LABELLED_RE.match(line)
    if not m:
        return False
    label, value = m.groups()
    if label == "办理条件":
        return bool(entry.conditions) and _norm(value) == _norm(entry.conditions.splitlines()[0])
    if label == "线上办理路径":
        return bool(entry.online_path)
    return value == ""  # a bare 办理流程： heading over steps shown below


def answer_text(entry, step_texts, office_names) -> str:
    """``entry.answer`` without the parts the card shows as structured records."""
    steps = {_norm(s) for s in step_texts}
    lines = [line.strip() for line in entry.answer.split("\n") if line.strip()]
    kept, i = [], 0
    while i < len(lines):
        line = lines[i]
        if PIPE_ROW_RE.match(line):
            j = _table_end(lines, i)
            if not _is_office_table(lines[i:j], office_names):
                kept.extend(lines[i:j])
            i = j
            continue
        item = numbered(line)
        if item and steps and _norm(item[2]) in steps:
            i += 1
            continue
        if _labelled_repeat(line, entry) and (steps or entry.conditions or entry.online_path):
            i += 1
            continue
        kept.append(line)
        i += 1
    return "\n".join(kept)
