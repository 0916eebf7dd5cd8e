"""faq.collector scores queries exactly as Whoosh's own collector does: same documents, same BM25F scores,
across segments and deletions; and the ranking built on it keeps the full re-rank's order."""

import numpy as np
import pytest
from whoosh import query as wq
from whoosh.fields import ID, KEYWORD, TEXT, Schema
from whoosh.filedb.filestore import RamStorage

from faq.search.engine.whoosh.analysis import ChineseAnalyzer
from faq.search.engine.whoosh.collector import UnsupportedQuery, VectorSearcher

DOCS = [
    ("1", "社保卡丢了怎么补办", "携带身份证到社保卡服务网点挂失补办，补办社保卡需要工本费。", "changsha"),
    ("2", "失业保险金怎么申领", "失业人员可以在网上申领失业保险金，也可以到窗口办理。", "changsha"),
    ("3", "社保卡密码忘记了", "社会保障卡密码忘记可以到银行网点重置密码。", "shenzhen"),
    ("4", "养老金每月几号发放", "养老金每月发放，退休金到账时间以银行为准。", "kunshan"),
    ("5", "工伤认定申请期限", "用人单位应当自事故伤害发生之日起30日内申请工伤认定。", "changsha"),
    ("6", "电子社保卡怎么申领", "电子社保卡可以在掌上12333申领，申领后可以扫码就医。", "shenzhen"),
    ("7", "档案托管办理材料", "办理档案托管需要身份证和档案托管协议。", "kunshan"),
    ("8", "社保卡挂失后多久可以补办", "社保卡挂失后即可申请补办，补办周期为七个工作日。", "changsha"),
]

QUERIES = [
    wq.Term("text", "社保卡"),
    wq.Term("title", "补办", boost=3.0),
    wq.Or([wq.Term("title", "社保卡", boost=3.0), wq.Term("text", "社保卡"), wq.Term("text", "补办")]),
    wq.And([wq.Term("text", "社保卡"), wq.Term("text", "补办")], boost=2.0),
    wq.Or(
        [
            wq.Or([wq.Term("title", "养老金", boost=3.0), wq.Term("text", "退休金", boost=0.9)]),
            wq.And([wq.Term("text", "申领"), wq.Term("text", "失业")], boost=0.9),
            wq.Term("text", "密码"),
        ]
    ),
    wq.Or([wq.Term("title", "工伤")], boost=0.5),  # one child: Whoosh ignores the compound's boost
    wq.Or([wq.Term("text", "不存在的词"), wq.Term("nosuchfield", "社保卡")]),
]


def make_index(segments):
    """A Whoosh index with our analyzer, one commit (segment) per list of documents."""
    schema = Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(stored=True, analyzer=ChineseAnalyzer()),
        text=TEXT(stored=True, analyzer=ChineseAnalyzer()),
        city=KEYWORD(stored=True, commas=True),
    )
    ix = RamStorage().create_index(schema)
    for docs in segments:
        writer = ix.writer()
        for ident, title, text, city in docs:
            writer.add_document(id=ident, title=title, text=title + "\n" + text, city=city)
        writer.commit(merge=False)
    return ix


def whoosh_scores(searcher, q, flt=None):
    return {hit.docnum: hit.score for hit in searcher.search(q, limit=None, filter=flt)}


def assert_same_as_whoosh(searcher, q, flt=None):
    vectors = VectorSearcher.of(searcher)
    evaluated = vectors.evaluate(q)
    matched = evaluated.matched if flt is None else evaluated.matched & vectors.mask(flt)
    expected = whoosh_scores(searcher, q, flt)
    assert set(np.flatnonzero(matched).tolist()) == set(expected), q
    for docnum, score in expected.items():
        assert evaluated.scores[docnum] == pytest.approx(score, rel=1e-9), (q, docnum)
    ranked = vectors.top(evaluated.scores, np.flatnonzero(matched), 5).tolist()
    # Whoosh's own order: score descending, then lower document number first.
    assert ranked == [d for d, _s in sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))][:5]


@pytest.mark.parametrize("q", QUERIES, ids=str)
def test_scores_equal_whoosh_on_one_segment(q):
    with make_index([DOCS]).searcher() as searcher:
        assert searcher.reader().is_atomic()
        assert_same_as_whoosh(searcher, q)


@pytest.mark.parametrize("q", QUERIES, ids=str)
def test_scores_equal_whoosh_across_segments_with_deletions(q):
    ix = make_index([DOCS[:3], DOCS[3:6], DOCS[6:]])
    with ix.writer() as writer:
        writer.delete_by_term("id", "2")
        writer.delete_by_term("id", "8")
        writer.mergetype = lambda w, segments: segments  # keep the segments apart, deletions and all
    with ix.searcher() as searcher:
        assert len(searcher.leaf_searchers()) == 3 and searcher.reader().has_deletions()
        assert_same_as_whoosh(searcher, q)
        vectors = VectorSearcher.of(searcher)
        ids = {searcher.stored_fields(d)["id"] for d in np.flatnonzero(vectors.evaluate(QUERIES[2]).matched)}
        assert ids == {"1", "3", "6"}  # 8 matched too, but it is deleted


def test_filters_and_facets_count_only_live_matching_documents():
    ix = make_index([DOCS[:4], DOCS[4:]])
    with ix.writer() as writer:
        writer.delete_by_term("id", "8")
        writer.mergetype = lambda w, segments: segments
    with ix.searcher() as searcher:
        q = wq.Or([wq.Term("text", "社保卡"), wq.Term("text", "申领")])
        flt = wq.Term("city", "changsha")
        assert_same_as_whoosh(searcher, q, flt)
        vectors = VectorSearcher.of(searcher)
        matched = vectors.evaluate(q).matched
        # 社保卡 or 申领: 1, 2 (changsha), 3, 6 (shenzhen); 8 is deleted.
        assert vectors.facet_counts("city", matched) == {"changsha": 2, "shenzhen": 2}
        assert vectors.stored(int(np.flatnonzero(matched)[0]), ("id", "city")) == ("1", "changsha")


def test_postings_are_cached_per_segment_across_searcher_refreshes():
    ix = make_index([DOCS])
    with ix.searcher() as searcher:
        first = VectorSearcher.of(searcher).postings("text", "社保卡")
    with ix.writer() as writer:
        writer.add_document(id="9", title="社保卡", text="社保卡", city="changsha")
        writer.mergetype = lambda w, segments: segments
    with ix.searcher() as searcher:
        ids, _weights = VectorSearcher.of(searcher).postings("text", "社保卡")
        big = VectorSearcher.of(searcher).leaves[0][0]
        from faq.search.engine.whoosh.collector import segment_postings

        assert segment_postings(big, "text", "社保卡".encode())[0] is first[0]  # decoded once
        assert len(ids) == len(first[0]) + 1


def test_queries_it_cannot_score_are_refused():
    with make_index([DOCS]).searcher() as searcher, pytest.raises(UnsupportedQuery):
        VectorSearcher.of(searcher).evaluate(wq.Phrase("text", ["社保卡", "补办"]))
