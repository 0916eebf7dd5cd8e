"""bench/corpus.py: the synthetic knowledge base `make bench` searches is big, varied and not a pile of copies."""

import random
from collections import Counter

import pytest

from bench.corpus import Seed, generate
from faq.search.analysis import ensure_jieba

N = 3000


@pytest.fixture(scope="module")
def seeds(parsed_sources):
    return [
        Seed(e.question, e.answer, e.topics[0] if e.topics else doc.city)
        for doc, _sha in parsed_sources
        for e in doc.entries
    ]


@pytest.fixture(scope="module")
def corpus(seeds):
    return generate(seeds, N, ensure_jieba().lcut, seed=7)


def grams(text):
    return {text[i : i + 2] for i in range(len(text) - 1)}


def test_exactly_n_entries_and_no_identical_copies(corpus, seeds):
    assert len(corpus) == N
    assert len(set(corpus)) == N
    assert len({answer for _q, answer, _t in corpus}) == N
    real = {(s.question, s.answer) for s in seeds}
    assert not any((q, a) in real for q, a, _t in corpus)


def test_questions_are_varied(corpus):
    counts = Counter(q for q, _a, _t in corpus)
    assert len(counts) >= 0.95 * N
    assert counts.most_common(1)[0][1] <= 2


def test_topics_come_from_the_seeds(corpus, seeds):
    assert {t for _q, _a, t in corpus} <= {s.topic for s in seeds}
    assert len({t for _q, _a, t in corpus}) >= 5


def test_answers_are_not_near_clones_of_each_other(corpus):
    # Nearest neighbour by character-bigram Jaccard, for a sample: a synthetic answer mixes several sources.
    rng = random.Random(1)
    answers = [grams(a) for _q, a, _t in corpus]
    for i in rng.sample(range(N), 25):
        nearest = max(len(answers[i] & other) / len(answers[i] | other) for j, other in enumerate(answers) if j != i)
        assert nearest < 0.9, corpus[i][1]


def test_vocabulary_is_spread_over_the_corpus(corpus, seeds):
    seed_words = {w for s in seeds for w in ensure_jieba().lcut(s.answer) if len(w) >= 2}
    # The words one synthetic entry uses that are shared with few others: not 3000 rewordings of 200 texts.
    doc_freq = Counter(w for _q, a, _t in corpus for w in set(ensure_jieba().lcut(a)) if len(w) >= 2)
    assert len(seed_words & doc_freq.keys()) >= 0.9 * len(seed_words)  # the domain's words are all there
    assert len(doc_freq) >= 2 * len(seed_words)  # and many more, as a bigger knowledge base would have
    assert sum(1 for n in doc_freq.values() if n <= N // 100) >= 0.5 * len(doc_freq)
    # The common words are still the domain's: no invented word is among the 100 most frequent.
    assert {w for w, _n in doc_freq.most_common(100)} <= seed_words | {
        w for s in seeds for w in ensure_jieba().lcut(s.question)
    } | {"相关", "事项"}


def test_deterministic_for_a_seed(seeds):
    tokenize = ensure_jieba().lcut
    assert generate(seeds, 50, tokenize, seed=3) == generate(seeds, 50, tokenize, seed=3)
    assert generate(seeds, 50, tokenize, seed=3) != generate(seeds, 50, tokenize, seed=4)
