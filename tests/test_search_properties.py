"""Property-based test of faq.search.search (issue 5 §1): any text, any page/limit.

The contract: any text is a valid query; ``page`` must be an int ≥ 1 and ``limit`` an int in 1..MAX_LIMIT,
otherwise ``queries.BadParameter`` is raised and nothing else.  Highlights are escaped HTML whose only
tags are our own <mark>…</mark>, whatever the query contains.
"""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from faq.queries import BadParameter
from faq.search.service import MAX_LIMIT, MAX_QUERY_CHARS, MAX_TERMS, SearchResults, search

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _corpus(search_corpus):
    yield


WHOOSH_SYNTAX = [
    '"',
    "*",
    "?",
    " AND ",
    " OR ",
    " NOT ",
    "(",
    ")",
    "title:",
    "text:社保",
    "city:kunshan",
    "~2",
    "^3",
    "[a TO z]",
    "{",
    "}",
    "\\",
    "'",
    ":",
    "-",
    "+",
]
WORDS = [
    "社保卡",
    "丢了",
    "怎么",
    "補辦",
    "养老金",
    "ＡＢＣ",
    "12333",
    "<script>",
    "</mark>",
    "<mark>",
    "&amp;",
    "😀",
    "мир",
    "عربى",
    "\x00",
    "\x1b",
    "\u200b",
    "\ufeff",
    "\r\n",
    "\t",
    "𠀀",
]
queries = st.one_of(
    st.text(),  # any code point, NUL and control characters included
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=60),
    st.lists(st.sampled_from(WHOOSH_SYNTAX + WORDS), max_size=30).map("".join),
    st.tuples(st.text(min_size=1, max_size=8), st.sampled_from(WORDS)).map(lambda t: ((t[0] + t[1]) * 10_000)[:10_000]),
)
ints = st.one_of(st.integers(min_value=-3, max_value=MAX_LIMIT + 3), st.integers(min_value=-(10**12), max_value=10**12))
params = st.one_of(ints, st.none(), st.booleans(), st.floats(allow_nan=True), st.text(max_size=4), st.just("2"))


def valid(value, high=None):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1 and (high is None or value <= high)


def assert_escaped(html):
    # After our own tags are gone, no '<' may remain: every '<' of the query or content is &lt;.
    assert "<" not in str(html).replace("<mark>", "").replace("</mark>", "")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=queries,
    page=st.one_of(st.integers(min_value=1, max_value=3), st.integers(min_value=1, max_value=10**12)),
    limit=st.integers(min_value=1, max_value=MAX_LIMIT),
)
@example(q="<script>alert(1)</script>社保卡挂失", page=1, limit=10)
@example(q='社保卡" OR title:* AND (NOT 失业', page=1, limit=MAX_LIMIT)
@example(q="\x00" * 10_000, page=10**12, limit=1)
def test_any_text_gives_results_with_escaped_highlights(q, page, limit):
    results = search(q, page=page, limit=limit)
    assert isinstance(results, SearchResults)
    assert len(results.normalized) <= MAX_QUERY_CHARS and len(results.concepts) <= MAX_TERMS
    assert len(results.hits) <= limit
    assert results.total >= len(results.hits)
    for hit in results.hits:
        assert hit.kind in ("entry", "office") and hit.obj.pk
        assert_escaped(hit.title_html)
        assert_escaped(hit.snippet_html)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=queries, page=params, limit=params)
@example(q="社保卡", page=0, limit=10)
@example(q="社保卡", page=1, limit=MAX_LIMIT + 1)
@example(q="社保卡", page=True, limit=10)
@example(q="社保卡", page="2", limit=10)
def test_any_page_and_limit_give_results_or_bad_parameter_only(q, page, limit):
    if valid(page) and valid(limit, MAX_LIMIT):
        assert len(search(q, page=page, limit=limit, highlight=False).hits) <= limit
    else:
        with pytest.raises(BadParameter):
            search(q, page=page, limit=limit)
