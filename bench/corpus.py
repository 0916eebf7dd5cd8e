"""Synthetic knowledge bases of any size, grown from the real imported entries.

Each synthetic entry mixes a real question with a clause of another (and often who is asking, where, and
one more corpus word), rewrites names, numbers and years, swaps synonyms, and builds its answer from
sentences of several real answers of the same topic plus words drawn from the whole corpus vocabulary.
No two entries are identical and no entry is a near-clone of a single source (each draws on at least
three sources).

Vocabulary: a city's real knowledge base names far more things than our 200 seed entries (policies,
places, bodies, trades), most of them rarely.  So in the sentences an entry borrows, some nouns are
replaced by other nouns of jieba's dictionary, drawn by frequency^0.75: common words stay common and a
long tail of rare ones appears.  At 3,000 entries that gives ~10k distinct words from the seeds' 2.4k, about
what Heaps' law (V ∝ n^0.55) predicts for 15× the text (tests/test_bench_corpus.py).
"""

import random
import re
from dataclasses import dataclass
from itertools import accumulate

import jieba
import jieba.posseg

CITIES = ["长沙", "株洲", "湘潭", "衡阳", "岳阳", "常德", "益阳", "郴州", "深圳", "广州", "昆山", "苏州", "无锡"]
DISTRICTS = ["芙蓉区", "天心区", "岳麓区", "开福区", "雨花区", "望城区", "福田区", "南山区", "玉山镇", "花桥镇"]
LEADS = ["", "", "请问", "想咨询一下，", "您好，", "麻烦问下", "急：", "打扰一下，", "你好，", "咨询：", "问一下，"]
TAILS = [
    "",
    "",
    "？",
    "，谢谢",
    "，怎么处理",
    "，需要注意什么",
    "，在哪里办",
    "，要多久",
    "，能网上办吗",
    "，找哪个部门",
]
# Who is asking: citizens rarely phrase a question exactly like the FAQ does.
ASKERS = [
    "",
    "",
    "",
    "我",
    "本人",
    "我们单位",
    "灵活就业人员",
    "退休职工",
    "外地户籍人员",
    "应届毕业生",
    "个体户",
    "农民工",
    "失业人员",
    "新入职员工",
    "孕期职工",
    "企业人事",
]
SWAPS = [
    ("社保卡", "社会保障卡"),
    ("失业金", "失业保险金"),
    ("退休金", "养老金"),
    ("医保", "医疗保险"),
    ("单位", "用人单位"),
    ("办理", "申办"),
    ("查询", "查看"),
]
NOUN_TAGS = frozenset({"n", "nz", "ns", "nt", "nr", "nrt", "vn"})
REPLACE_NOUN = 0.05  # share of the nouns in a borrowed sentence replaced by another dictionary noun
SENTENCE_RE = re.compile(r"[^。！？\n]+[。！？]?")
YEAR_RE = re.compile(r"20\d\d年")
NUMBER_RE = re.compile(r"(?<![\d-])\d{1,3}(?=[元个天日月号%])")


@dataclass
class Seed:
    question: str
    answer: str
    topic: str


def sentences(text):
    return [s.strip() for s in SENTENCE_RE.findall(text) if len(s.strip()) > 4]


def rewrite(text, rng):
    for a, b in SWAPS:
        if rng.random() < 0.5:
            text = text.replace(a, b) if a in text else text.replace(b, a)
    text = YEAR_RE.sub(lambda m: f"{rng.randint(2015, 2026)}年", text)
    text = NUMBER_RE.sub(lambda m: str(max(1, int(m.group(0)) + rng.randint(-9, 9))), text)
    for city in CITIES[:3]:
        if city in text and rng.random() < 0.6:
            text = text.replace(city, rng.choice(CITIES))
    for district in DISTRICTS:
        if district in text and rng.random() < 0.6:
            text = text.replace(district, rng.choice(DISTRICTS))
    return text


class Nouns:
    """Nouns of jieba's dictionary (2–4 characters) drawn by frequency^0.75, and the tagged seed sentences."""

    def __init__(self, rng):
        freq = jieba.dt.FREQ
        tags = jieba.posseg.dt.word_tag_tab  # loads with the tagger's dictionary
        self.words = sorted(w for w, t in tags.items() if t in NOUN_TAGS and 2 <= len(w) <= 4 and freq.get(w, 0) > 1)
        self.cum = list(accumulate(freq[w] ** 0.75 for w in self.words))
        self.rng = rng
        self._tagged = {}

    def draw(self):
        return self.rng.choices(self.words, cum_weights=self.cum)[0]

    def perturb(self, sentence):
        tagged = self._tagged.get(sentence)
        if tagged is None:
            tagged = self._tagged[sentence] = [(p.word, p.flag in NOUN_TAGS) for p in jieba.posseg.cut(sentence)]
        rng = self.rng
        return "".join(
            self.draw() if noun and len(word) > 1 and rng.random() < REPLACE_NOUN else word for word, noun in tagged
        )


def vocabulary(seeds, tokenize):
    words = set()
    for seed in seeds:
        words.update(w for w in tokenize(seed.question + seed.answer) if len(w) >= 2 and not w.isdigit())
    return sorted(words)


def generate(seeds: list[Seed], n: int, tokenize, seed: int = 12333):
    """``n`` synthetic (question, answer, topic) triples; deterministic for a given ``seed``."""
    rng = random.Random(seed)
    words = vocabulary(seeds, tokenize)
    by_topic = {}
    for s in seeds:
        by_topic.setdefault(s.topic, []).append(s)
    nouns = Nouns(rng)
    seen = set()
    out = []
    while len(out) < n:
        base = rng.choice(seeds)
        peers = by_topic[base.topic]
        other = rng.choice(seeds)
        clause = rng.choice(re.split(r"[，？,?]", other.question) or [other.question]).strip()
        question = rewrite(base.question.rstrip("？?"), rng)
        if clause and rng.random() < 0.6:
            question = f"{question}，{clause}"
        if rng.random() < 0.3:
            question = f"{question}，涉及{rng.choice(words)}"
        asker = rng.choice(ASKERS)
        if asker and rng.random() < 0.5:
            asker = f"在{rng.choice(CITIES)}的{asker}"
        question = f"{rng.choice(LEADS)}{asker}{question}{rng.choice(TAILS)}"[:120]
        body = []
        for donor in [base, *rng.sample(peers, k=min(2, len(peers))), rng.choice(seeds)]:
            parts = sentences(donor.answer)
            if parts:
                body.extend(nouns.perturb(p) for p in rng.sample(parts, k=min(len(parts), rng.randint(1, 3))))
        rng.shuffle(body)
        body.append("相关事项：" + "、".join(rng.sample(words, k=min(len(words), rng.randint(6, 14)))) + "。")
        answer = rewrite("\n".join(body), rng)
        key = (question, answer[:80])
        if key in seen:
            continue
        seen.add(key)
        out.append((question, answer, base.topic))
    return out
