"""The jieba Whoosh analyzer: positions, offsets, modes, stop words; phrase, wildcard and 2-character queries
against a small in-memory Whoosh index; escaped highlighting."""

import pytest
from whoosh import query as wq
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.qparser import QueryParser

from faq.search.engine.whoosh.analysis import ChineseAnalyzer, JiebaTokenizer
from faq.search.engine.whoosh.highlight import SURROUND, highlight_html, query_terms

TEXT_1 = "社保卡丢了怎么补办？"


def tokens(text, **kwargs):
    return [
        (t.text, t.pos, t.startchar, t.endchar) for t in ChineseAnalyzer()(text, positions=True, chars=True, **kwargs)
    ]


def test_index_mode_adds_sub_words_at_the_parent_position_with_real_offsets():
    toks = tokens(TEXT_1, mode="index")
    assert toks == [("社保卡", 0, 0, 3), ("社保", 0, 0, 2), ("丢", 1, 3, 4), ("补办", 4, 7, 9)]
    for text, _pos, start, end in toks:
        assert TEXT_1[start:end] == text


def test_query_mode_uses_precise_words_and_keeps_stop_word_gaps():
    # 了 and 怎么 are stop words: dropped, but positions are not renumbered.
    assert tokens(TEXT_1, mode="query") == [("社保卡", 0, 0, 3), ("丢", 1, 3, 4), ("补办", 4, 7, 9)]
    assert [t for t, *_ in tokens("请问我的城乡居民基本养老保险怎么交", mode="query")] == ["城乡居民基本养老保险", "交"]


def test_offsets_respect_start_char_and_latin_is_lowercased():
    toks = [(t.text, t.startchar) for t in ChineseAnalyzer()("拨打12333 APP", chars=True, start_char=10)]
    assert toks == [("拨打", 10), ("12333", 12), ("app", 18)]


def test_tokenize_false_yields_the_whole_value():
    toks = list(JiebaTokenizer()("社保卡*", tokenize=False, positions=True, chars=True))
    assert [(t.text, t.pos, t.startchar, t.endchar) for t in toks] == [("社保卡*", 0, 0, 4)]


@pytest.fixture(scope="module")
def ram_index():
    schema = Schema(id=ID(stored=True, unique=True), content=TEXT(analyzer=ChineseAnalyzer(), stored=True))
    ix = RamStorage().create_index(schema)
    with ix.writer() as w:
        w.add_document(id="1", content=TEXT_1)
        w.add_document(id="2", content="失业保险金的申领条件是什么？")
        w.add_document(id="3", content="办理社会保障卡需要带身份证")
    return ix


def ids(ix, q):
    with ix.searcher() as s:
        return sorted(hit["id"] for hit in s.search(q, limit=None))


def test_phrase_queries_use_real_positions(ram_index):
    assert ids(ram_index, wq.Phrase("content", ["社保卡", "丢"])) == ["1"]
    assert ids(ram_index, wq.Phrase("content", ["丢", "社保卡"])) == []
    parser = QueryParser("content", ram_index.schema)
    assert ids(ram_index, parser.parse('"社保卡丢"')) == ["1"]
    assert ids(ram_index, parser.parse('"失业保险金申领"')) == []  # not adjacent: 的 sits between them
    # Stop words keep their position (renumber=False), so a phrase across one needs a slop of 2.
    assert ids(ram_index, parser.parse('"失业保险金的申领"~2')) == ["2"]


def test_every_and_wildcard_queries_work(ram_index):
    parser = QueryParser("content", ram_index.schema)
    assert ids(ram_index, parser.parse("*")) == ["1", "2", "3"]
    assert ids(ram_index, parser.parse("社保*")) == ["1"]


def test_two_character_queries_match_words_and_sub_words(ram_index):
    parser = QueryParser("content", ram_index.schema)
    assert ids(ram_index, parser.parse("社保")) == ["1"]  # sub-word of 社保卡
    assert ids(ram_index, parser.parse("申领")) == ["2"]
    assert ids(ram_index, parser.parse("补办")) == ["1"]


def test_highlight_marks_whole_query_words():
    assert highlight_html("马克思主义学院", query_terms("马克思")) == "<mark>马克思</mark>主义学院"
    html = highlight_html(TEXT_1, query_terms("社保卡怎么补办"))
    assert html == "<mark>社保卡</mark>丢了怎么<mark>补办</mark>？"


def test_highlight_escapes_content_and_query():
    html = highlight_html("<script>alert(1)</script>社保卡挂失", query_terms("<script>社保卡"))
    assert "<script" not in html and "</script" not in html
    assert html == "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;<mark>社保卡</mark>挂失"
    # Nothing matched: the plain start of the text, escaped as well.
    assert highlight_html("<b>粗体</b>", frozenset({"无关"})) == "&lt;b&gt;粗体&lt;/b&gt;"


def _fragments(text, tokens, terms):
    from whoosh.highlight import ContextFragmenter, set_matched_filter

    fragmenter = ContextFragmenter(maxchars=160, surround=SURROUND)
    return [
        (f.startchar, f.endchar, [(t.startchar, t.endchar) for t in f.matches])
        for f in fragmenter.fragment_tokens(text, set_matched_filter(tokens, terms))
        if f.matches
    ]


@pytest.mark.parametrize("query", ["社保卡补办", "长沙青年人才租房补贴申请条件", "失业保险金", "12333", "工伤认定材料"])
def test_snippets_segment_only_near_the_query_words_but_fragment_like_the_full_text(parsed_sources, query):
    """_HighlightTokens cuts only the runs near a query word; the fragments (where they start and end, which
    words are marked) are those of segmenting the whole text, up to the span after the first match."""
    from faq.search.engine.whoosh.highlight import ANALYZER, _HighlightTokens, snippet_tokens

    terms = query_terms(query)
    compared = 0
    for doc, _sha in parsed_sources:
        for entry in doc.entries:
            text = entry.answer
            full = _fragments(text, ANALYZER(text, chars=True, mode="index", removestops=False), terms)
            lazy_tokens = _HighlightTokens(terms, margin=2 * SURROUND)
            assert _fragments(text, lazy_tokens(text, chars=True, mode="index"), terms) == full
            within = _fragments(text, snippet_tokens(terms, 160)(text, chars=True, mode="index"), terms)
            assert bool(within) == bool(full)
            if full:
                # Tokens stop after the span: the last fragment may end sooner, the others are the same.
                *same, last = within
                assert same == full[: len(same)]
                assert last[0] == full[len(same)][0]
            compared += bool(full)
    assert compared >= 5


def test_long_answers_get_a_snippet_around_the_query_words():
    text = "无关的内容。" * 200 + "社保卡丢了可以到网点挂失补办。" + "其他说明。" * 100
    html = highlight_html(text, query_terms("社保卡补办"))
    assert "<mark>社保卡</mark>丢了可以到网点挂失<mark>补办</mark>" in html
    assert len(html) < 300
