"""Bounded memory: 20,000 unique random queries through search() leave every search cache at or below its
bound (the per-searcher memos used to grow with every new word a citizen typed)."""

import gc
import random
import runpy
from pathlib import Path

import pytest

from faq.models import City, Entry, IndexTask
from faq.search import queue, service
from faq.search.build import build_index
from faq.search.engine import get_engine
from faq.search.engine import whoosh as whoosh_engine
from faq.search.engine.whoosh import collector, highlight, ranking

pytestmark = pytest.mark.django_db

QUERIES = 20_000
ANSWERS = [
    "携带身份证到发卡银行网点挂失补办社会保障卡，补卡期间可以申请临时卡。",
    "失业保险金按月发放，领取期限根据累计缴费时间确定，最长不超过二十四个月。",
    "养老保险个人账户养老金等于个人账户储存额除以计发月数，基础养老金另行计算。",
    "工伤认定申请应当在事故伤害发生之日起一年内向社会保险行政部门提出。",
]


@pytest.fixture
def small_index(db):
    city = City.objects.create(slug="changsha", name="长沙", area_code="0731")
    for i in range(40):
        Entry.objects.create(city=city, question=f"第{i}个问题：{ANSWERS[i % 4][:12]}", answer=ANSWERS[i % 4] * 3)
    IndexTask.objects.all().delete()
    build_index()


def random_query(rng, alphabet):
    """Unique mixes of indexed characters and characters no document has (typos, rare words)."""
    n = rng.choice((2, 3, 5, 8, 20, 60))
    return "".join(rng.choice(alphabet) for _ in range(n))


def cache_sizes():
    snapshot = get_engine().snapshot()
    vectors = snapshot.vectors
    return {
        "terms": (len(vectors._terms), collector.MAX_TERMS),
        "term postings": (vectors._terms.weight, collector.MAX_TERM_POSTINGS),
        "df": (len(vectors._df), collector.MAX_DF),
        "bm25 idf": (len(vectors._idf), collector.MAX_DF),
        "whoosh's own idf memo": (len(vectors.searcher._idf_cache), 0),  # unbounded: never used
        "lexicons": (len(vectors._lexicons), collector.MAX_LEXICONS),
        "stored": (len(collector._stored), collector.MAX_CACHED_DOCS),
        "postings": (collector._cache_size[0], collector.MAX_CACHED_POSTINGS),
        "idf": (len(ranking._IdfMemo.of(vectors)), ranking.MAX_IDF),
        "objects": (len(snapshot.memo("objects", dict)), service.MAX_CACHED_OBJECTS),
        "highlight runs": (highlight._run_offsets.cache_info().currsize, highlight.HIGHLIGHT_MEMO),
        "title words": (ranking.title_words.cache_info().currsize, ranking.TITLE_MEMO),
        "title bigrams": (ranking.title_bigrams.cache_info().currsize, ranking.TITLE_MEMO),
        "title records": (len(snapshot.memo("titles", dict)), ranking.MAX_TITLE_RECORDS),
        "named memos": (len(vectors._kept), 5),
    }


def test_twenty_thousand_unique_queries_stay_within_every_bound(small_index, monkeypatch):
    # Smaller bounds for the memos a 40-entry index cannot fill otherwise, so eviction really runs.
    monkeypatch.setattr(collector, "MAX_TERMS", 20)
    monkeypatch.setattr(service, "MAX_CACHED_OBJECTS", 20)
    get_engine().snapshot().vectors._terms.maxsize = 20  # the live searcher's memo was made before the patch
    rng = random.Random(12333)
    indexed = sorted(set("".join(ANSWERS)))
    alphabet = indexed + [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    seen = set()
    grew = {}
    while len(seen) < QUERIES:
        q = random_query(rng, alphabet)
        if q in seen:
            continue
        seen.add(q)
        service.search(q, limit=5, highlight=len(seen) % 4 == 0)
        if len(seen) % 2000 == 0:
            for name, (size, bound) in cache_sizes().items():
                assert size <= bound, f"{name}: {size} > {bound} after {len(seen)} queries"
                grew[name] = max(grew.get(name, 0), size)
    # Unbounded, these would hold a word for (nearly) every query; the bounds were reached, not merely unused.
    assert grew["df"] == collector.MAX_DF
    assert grew["idf"] > 0 and grew["terms"] == 20 and grew["objects"] == 20


def test_a_starting_worker_warms_what_every_search_reads(small_index):
    snapshot = get_engine().snapshot()
    loaded = service.warm(seconds=30)
    assert loaded["title_records"] == 40 and loaded["posting_lists"] > 0
    assert len(snapshot.memo("titles", dict)) == 40  # every question already split

    def keys():
        return {key for cache in collector._cache.values() for key in cache.postings}

    before = keys()
    assert before
    hits = service.search("失业保险金", highlight=False).hits
    new_fields = {fieldname for fieldname, _text in keys() - before}
    assert hits and not new_fields & set(whoosh_engine.WARM_FIELDS)  # its words' postings were loaded at start
    assert service.warm(seconds=0) == {}  # SEARCH_WARM_SECONDS=0 turns it off


def test_words_no_document_holds_are_not_remembered(small_index):
    service.search("失业保险金", highlight=False)
    cached = collector._cache_size[0]
    rng = random.Random(7)
    for _ in range(200):
        service.search("".join(chr(rng.randint(0x5000, 0x6000)) for _ in range(6)), highlight=False)
    assert collector._cache_size[0] == cached


class FakeWorker:
    def __init__(self):
        self.notified = 0

    def notify(self):
        self.notified += 1


def test_a_worker_freezes_its_start_up_until_the_index_changes(small_index):
    """After warm-up, gunicorn's post_worker_init takes what start-up loaded out of the cyclic collector's view
    (searches' garbage cycles are then collected without walking the warmed heap); the first new state of the
    index gives it back, so the replaced state's objects stay collectable."""
    conf = runpy.run_path(str(Path(__file__).resolve().parent.parent / "portal" / "gunicorn.conf.py"))
    try:
        conf["post_worker_init"](FakeWorker())
        frozen = gc.get_freeze_count()
        assert frozen > 1000
        service.search("失业保险金", highlight=False)  # the same state: stays frozen
        assert gc.get_freeze_count() == frozen

        entry = Entry.objects.first()
        entry.answer += "补充说明。"
        entry.save()
        queue.flush()  # what the commit hook does after a real transaction
        assert service.search("补充说明", highlight=False).hits  # the new state is searched …
        assert gc.get_freeze_count() == 0  # … and the old one can be collected
    finally:
        gc.unfreeze()
