"""How citizens say it, on the imported knowledge base: the colloquial thesaurus, district names and the
segmentation of short forms bring the right answer first."""

import pytest

from faq.search.service import search
from faq.search.understanding import invalidate_synonyms, mentioned_cities

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_synonyms(search_corpus):
    invalidate_synonyms()  # another module's (rolled back) thesaurus may still be in this process's cache
    yield
    invalidate_synonyms()


def top(q, **kwargs):
    results = search(q, limit=5, highlight=False, facets=False, **kwargs)
    assert results.hits, q
    return results, results.hits[0]


def test_a_district_names_its_city():
    assert mentioned_cities("望城区劳动监察在哪里") == {"changsha"}
    assert mentioned_cities("福田区社保服务中心") == {"shenzhen"}
    results, hit = top("福田区社保服务中心在哪")
    assert results.scope == "shenzhen" and hit.city.slug == "shenzhen"


def test_a_district_name_is_one_word_and_finds_its_office():
    results, hit = top("望城区劳动监察在哪里")
    assert hit.kind == "office" and hit.title == "望城区劳动保障监察机构"


def test_a_short_name_of_an_office_finds_it():
    _results, hit = top("宁乡市仲裁委电话")
    assert hit.kind == "office" and hit.title == "宁乡市劳动人事争议仲裁委员会"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("医保卡不见了补一张要多久", "遗失"),  # 不见了 → 遗失, 挂失
        ("社保卡上的名字和身份证对不上", "不一致"),  # 对不上 → 不一致
        ("失业金停掉了", "停发"),  # 停掉 → 停发
        ("公司倒闭了社保怎么办", "注销"),  # 倒闭 → 注销, 破产
        ("病退需要什么条件", "提前退休"),  # 病退 → 因病提前退休
    ],
)
def test_colloquial_words_reach_the_documents_terms(query, expected):
    _results, hit = top(query)
    assert expected in hit.title
