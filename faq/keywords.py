"""Keywords per entry with jieba's TF-IDF (jieba.analyse.extract_tags), stored as Keyword rows.

The keywords are data: staff may rename, merge or remove them in the admin. Entries staff edited
(Entry.edited_by_staff) keep whatever keywords they have.
"""

import re
from dataclasses import dataclass, field

import jieba.analyse

from .models import Entry, Keyword
from .search.analysis import ensure_jieba
from .taxonomy import CITIES

TOP_K = 6
# Parts of speech worth browsing by: nouns, verb-nouns, verbs (挂失, 补办), idioms; place names have district pages.
ALLOW_POS = ("n", "nz", "nt", "nr", "vn", "v", "l", "i", "eng")
# Words that occur in almost every answer of these sources and tell a citizen nothing.
GENERIC_WORDS = """
    问题 办理 申请 需要 可以 如何 怎么 怎样 什么 哪些 哪里 相关 进行 情况 规定 有关 以上 以下 其他 工作 人员 个人 本人
    时间 部门 提供 办事 服务 咨询 政策 要求 是否 能否 之后 期间 及时 目前 按照 根据 符合条件 符合 条件 方式 登录 网站
    点击 选择 填写 提交 审核 窗口 市民 我们 您好 请问 一般 通过 已经 不能 没有 还是 如果 可能 相应 对应 具体 公布 有效
    原件 复印件 单位 用人单位 办理流程 办理条件 所需材料 受理 经办 业务 事项 相关人员 携带 前往 所在 当地 规定 国家 有关部门
    人社 人社局 人社部门 社会保障局 人力资源 社会保障 人力资源和社会保障局 热线 电话 地址 网上 线上 办事大厅 服务中心 中心
    信息 大厅 智慧 怎么办 流程 参加 发放 领取 办法 手续 方法 注意 网点 情形 内容 材料 资料 证明
"""
GENERIC = set(GENERIC_WORDS.split()) | {c.name for c in CITIES} | {c.name + "市" for c in CITIES}
DIGIT_RE = re.compile(r"\d")
ASCII_RE = re.compile(r"^[\x00-\x7f]+$")


def entry_text(entry) -> str:
    # The question is repeated so its words outweigh a long answer's.
    steps = " ".join(s.text for s in entry.steps.all())
    return "\n".join([entry.question, entry.question, entry.answer, entry.conditions, entry.materials, steps])


def is_useful(word: str) -> bool:
    word = word.strip()
    return len(word) >= 2 and word not in GENERIC and not DIGIT_RE.search(word) and not ASCII_RE.match(word)


def extract_keywords(text: str, top_k: int = TOP_K) -> list[str]:
    """The ``top_k`` most characteristic words of ``text`` (TF-IDF), generic words and numbers left out."""
    ensure_jieba()
    words = jieba.analyse.extract_tags(text, topK=top_k * 4, allowPOS=ALLOW_POS)
    result = []
    for word in words:
        if is_useful(word) and word not in result:
            result.append(word[: Keyword._meta.get_field("name").max_length])
        if len(result) == top_k:
            break
    return result


@dataclass
class KeywordReport:
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # edited by staff, left alone
    keywords_created: int = 0
    per_entry: dict = field(default_factory=dict)  # entry pk -> [keyword names]


def assign_keywords(entries=None, dry_run=False, top_k=TOP_K, progress=None) -> KeywordReport:
    """Extract and store keywords for ``entries`` (default: every published entry).

    Run inside a transaction by the caller; with ``dry_run`` nothing is written.
    """
    if entries is None:
        entries = Entry.objects.filter(status=Entry.Status.PUBLISHED)
    entries = entries.prefetch_related("steps", "keywords")
    report = KeywordReport()
    existing = {k.name: k for k in Keyword.objects.all()}
    for entry in entries:
        if progress is not None:
            progress.update(1)
        if entry.edited_by_staff:
            report.kept += 1
            continue
        names = extract_keywords(entry_text(entry), top_k)
        report.per_entry[entry.pk] = names
        if sorted(k.name for k in entry.keywords.all()) == sorted(names):
            report.unchanged += 1
            continue
        report.updated += 1
        missing = [n for n in names if n not in existing]
        report.keywords_created += len(missing)
        if dry_run:
            existing.update({n: Keyword(name=n) for n in missing})
            continue
        for name in missing:
            existing[name] = Keyword.objects.get_or_create(name=name)[0]
        entry.keywords.set([existing[n] for n in names])
    return report
