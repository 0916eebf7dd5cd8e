"""内容体检: problems in the content a reviewer should fix, each found by one small check.

Every check takes the list of entries (with their phones, offices and steps prefetched) and yields
``Problem``s; CHECKS registers them in the order reports list them.  ``manage.py content_health`` and the
admin page (内容体检) both call ``run_checks()``.  (faq.health is the service health of /healthz.)
"""

import re
from collections import defaultdict
from dataclasses import asdict, dataclass

from django.conf import settings
from django.urls import Resolver404, resolve

from .cards import CARD_FIELD_NAMES
from .freshness import is_stale, today
from .linking import has_local_contact, sends_somewhere
from .models import City, Entry, Keyword, Office, Topic
from .validators import phone_number_error


@dataclass(frozen=True)
class Problem:
    entry_id: int
    check: str
    message: str
    question: str = ""

    def as_json(self):
        return {k: v for k, v in asdict(self).items() if k != "question"}


def texts(entry):
    """The entry's own text: answer, steps and the 办事指南 elements."""
    return [entry.answer, *(s.text for s in entry.steps.all()), *(getattr(entry, n) for n in CARD_FIELD_NAMES)]


def problem(entry, check, message):
    return Problem(entry.pk, check, message, entry.question)


# --- the checks ------------------------------------------------------------------------------------------------

TABLE_REF_RE = re.compile(r"如下表|下表|见表|以下表格")
TABLE_ROW_RE = re.compile(r"^\|.*\|\s*$", re.M)


def missing_table(entries):
    """The answer refers to a table (下表) that is not there: the source lost it."""
    for entry in entries:
        match = TABLE_REF_RE.search(entry.answer)
        if match and not TABLE_ROW_RE.search(entry.answer) and not entry.material_items.all():
            yield problem(entry, "missing_table", f"答复提到“{match.group()}”，但条目中没有表格，来源可能丢失了表格。")


TRUNCATED_RE = re.compile(r"(……|…|\.{3,}|。。。)\s*$")


def truncated(entries):
    """Text that ends in an ellipsis was cut short somewhere between the 12333 answer and the source."""
    for entry in entries:
        for text in texts(entry):
            if text and TRUNCATED_RE.search(text):
                tail = text.strip()[-12:]
                yield problem(entry, "truncated", f"文字以省略号结尾（“{tail}”），可能被截断。")
                break


def invalid_phone(entries):
    """Phone numbers published as tel: links that do not validate (faq.validators)."""
    for entry in entries:
        for phone in entry.phones.all():
            error = phone_number_error(phone.number)
            if error:
                yield problem(entry, "invalid_phone", error)


GO_TO_RE = re.compile(r"到[^，。；、\n]{1,20}?办理")


def unlinked_place(entries):
    """The answer sends the citizen somewhere (前往、窗口、到…办理) but links no office and no local phone."""
    for entry in entries:
        if (sends_somewhere(entry) or GO_TO_RE.search(entry.answer)) and not has_local_contact(entry):
            yield problem(entry, "unlinked_place", "答复让群众前往办理，但没有关联办事机构或当地电话。")


PUNCTUATION_RE = re.compile(r"[\s\W_]+")
# Words that do not change what is asked: two questions that differ only in these ask the same thing.
FILLER_RE = re.compile(r"请问|如何|怎么样|怎么|怎样|咋|我想|我要|一下|可以|能否|能不能|是否|吗|呢|啊|呀|的|了")


def question_key(question: str) -> str:
    """What a question asks, without punctuation and filler: equal keys ask the same thing.  (One differing
    character is no safe measure: 用工/退工登记, 转入/转出, 成年人/未成年人 are different questions.)"""
    return FILLER_RE.sub("", PUNCTUATION_RE.sub("", question))


def duplicate_question(entries):
    """Questions within one city that ask the same thing (question_key); reported on the later one."""
    by_city = defaultdict(list)
    for entry in entries:
        by_city[entry.city_id].append((entry, question_key(entry.question)))
    for items in by_city.values():
        items.sort(key=lambda item: item[0].pk)
        for i, (entry, text) in enumerate(items):
            for earlier, earlier_text in items[:i]:
                if earlier_text == text:
                    yield problem(
                        entry, "duplicate_question", f"与条目 #{earlier.pk}「{earlier.question}」重复或几乎相同。"
                    )
                    break


# A site path written in the text (/entries/12/, /offices/3/ …): stops at whitespace, quotes and CJK punctuation.
INTERNAL_PATH_RE = re.compile(r"(?<![\w./:])/[a-z][a-z0-9_\-/]*/(?:[0-9a-z_\-]+/?)*")
# The pages that name a record: the path resolves, but the record must exist (and an entry be published).
RECORD_PAGES = {
    "entry": lambda kw: Entry.objects.filter(pk=kw["pk"], status=Entry.Status.PUBLISHED),
    "office": lambda kw: Office.objects.filter(pk=kw["pk"]),
    "keyword": lambda kw: Keyword.objects.filter(pk=kw["pk"]),
    "topic": lambda kw: Topic.objects.filter(slug=kw["slug"]),
    "city": lambda kw: City.objects.filter(slug=kw["city_slug"]),
}


def link_error(path):
    try:
        match = resolve(path)
    except Resolver404:
        return f"站内链接 {path} 指向不存在的页面。"
    lookup = RECORD_PAGES.get(match.url_name)
    if lookup and not lookup(match.kwargs).exists():
        return f"站内链接 {path} 指向的内容不存在或未发布。"
    return None


def broken_internal_link(entries):
    """Links to pages of this site that do not exist: the path does not resolve, or its record is gone."""
    for entry in entries:
        for text in texts(entry):
            for path in INTERNAL_PATH_RE.findall(text or ""):
                error = link_error(path)
                if error:
                    yield problem(entry, "broken_internal_link", error)


# A year with a standard (2022年调整, 2021年度缴费基数) or with an amount in the same sentence (从2022年4月1日起 … 1737元).
OLD_FIGURE_RES = (
    re.compile(r"((?:19|20)\d{2})年(?:度)?[^，。；\n]{0,8}?(标准|基数|工资|上下限|上限|下限|调整|收入)"),
    re.compile(r"((?:19|20)\d{2})年[^。；\n]{0,40}?(\d+(?:\.\d+)?元)"),
)


def old_year_figure(entries):
    """Figures tied to a year older than settings.CONTENT_HEALTH_OLD_YEARS (2022年标准 in 2026)."""
    oldest = today().year - settings.CONTENT_HEALTH_OLD_YEARS
    for entry in entries:
        matches = (m for pattern in OLD_FIGURE_RES for m in pattern.finditer(entry.answer))
        match = next((m for m in matches if int(m.group(1)) < oldest), None)
        if match:
            quote = match.group()[:30]
            yield problem(
                entry, "old_year_figure", f"引用了 {match.group(1)} 年的标准或金额（“{quote}”），请核实是否仍然适用。"
            )


def review_overdue(entries):
    """Entries in the 需复核 queue: past their 复核日期, or their legal basis was superseded."""
    for entry in entries:
        if entry.review_reason:
            yield problem(entry, "review_overdue", entry.review_reason)
        elif is_stale(entry):
            yield problem(entry, "review_overdue", f"已过复核日期（{entry.review_due:%Y-%m-%d}），请重新核实。")


CHECKS = (
    ("missing_table", "缺少表格", missing_table),
    ("truncated", "文字被截断", truncated),
    ("invalid_phone", "电话号码格式不正确", invalid_phone),
    ("unlinked_place", "让群众前往却未关联地点或电话", unlinked_place),
    ("duplicate_question", "问题重复", duplicate_question),
    ("broken_internal_link", "站内链接失效", broken_internal_link),
    ("old_year_figure", "引用旧年份的标准", old_year_figure),
    ("review_overdue", "需复核", review_overdue),
)
CHECK_LABELS = {name: label for name, label, _ in CHECKS}


def checked_entries(city=None):
    entries = Entry.objects.select_related("city").prefetch_related("steps", "phones", "offices", "material_items")
    if city:
        entries = entries.filter(city__slug=city)
    return list(entries.order_by("pk"))


def run_checks(entries=None, only=None) -> list[Problem]:
    """Every problem of ``entries`` (default: all entries), by check then entry."""
    entries = checked_entries() if entries is None else entries
    problems = []
    for name, _label, check in CHECKS:
        if only and name not in only:
            continue
        problems.extend(sorted(check(entries), key=lambda p: p.entry_id))
    return problems
