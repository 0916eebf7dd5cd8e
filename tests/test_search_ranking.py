"""Ranking on the real sources: representative citizen queries (our own, not the public eval set),
synonyms, traditional characters, typos, filters, haystack's SearchQuerySet, and the search page."""

import pytest
from haystack.query import SearchQuerySet

from faq.models import Entry, Office
from faq.search import service
from faq.search.service import MAX_QUERY_CHARS, MAX_TERMS, search
from faq.search.understanding import analyse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _corpus(search_corpus):
    yield


def top(q, n=1, **kwargs):
    return search(q, limit=max(n, 10), highlight=False, **kwargs).hits[:n]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("社保卡丢了怎么补办", ["遗失", "丢了", "挂失", "补卡"]),
        ("失业保险金怎么申领", ["失业保险金申领"]),
        ("电子社保卡在哪里领", ["电子社保卡", "电子社会保障卡"]),
        ("劳动能力鉴定要什么材料", ["劳动能力等级鉴定"]),
        ("创业贷款", ["创业担保贷款"]),
        ("档案托管怎么办", ["档案托管"]),
        ("女职工产假", ["产假"]),
        ("技能等级证书网上查询", ["职业技能等级证书"]),
        ("社保卡密码忘记了", ["密码"]),
        ("失业登记", ["失业登记"]),
        ("留学生回国创业政策", ["留学生回国创业"]),
    ],
)
def test_first_hit_answers_the_question(query, expected):
    (hit,) = top(query)
    assert hit.kind == "entry"
    assert any(word in hit.title for word in expected), hit.title


@pytest.mark.parametrize(
    "query, city, expected",
    [
        # Colloquial wording, filler (怎么/吗/要/自己…), one-character verbs, city names and traditional script.
        ("退休工资怎么没发", None, ["养老金还没有发", "养老金没有到账", "退休金没有发放"]),
        ("深圳退保要带什么", "深圳", ["退保", "退（转）保"]),
        ("昆山怎么申请失业金", "昆山", ["失业保险金申领"]),
        ("工伤了单位不给报怎么办", None, ["未给职工办理工伤保险", "不认为是工伤", "不予报销"]),
        ("小孩办社保卡", None, ["未成年人如何办理社保卡", "小孩没有社保卡"]),
        ("產假有幾天", None, ["产假"]),
        ("辞职了能领失业金吗", None, ["个人辞职可以领取失业金"]),
        ("深圳社保个人网页怎么注册", "深圳", ["注册社保服务个人网页"]),
        ("老板拖欠工资去哪里投诉", None, ["拖欠或克扣员工工资"]),
        ("国庆节加班单位要给多少钱", None, ["节假日加班"]),
        ("昆山社保卡坏了补一张", "昆山", ["补卡"]),
        ("居民养老保险有哪些交钱方式", None, ["缴纳养老保险费有哪些方式"]),
        ("工伤哪些医药费不能报销", None, ["不予报销的医疗费用"]),
        ("退休年龄看身份证还是看档案", None, ["以身份证为准还是以档案"]),
        ("社保卡跟医保卡是不是一样", None, ["社保卡和医保卡是一样"]),
        ("生病请假期间工资怎么发", None, ["医疗期内如何发放工资"]),
        ("身份证过期了能办退保吗", "深圳", ["身份证已过期"]),
        ("養老保險沒交滿15年怎麼辦", None, ["没有交满养老保险最低年限"]),
        ("職工去世喪葬費怎麼算", None, ["丧葬补助金", "丧葬费"]),
        ("个人能办创业贷款吗", None, ["创业担保贷款"]),
        ("失业补助金审核没通过是什么原因", None, ["失业补助金为什么审核不通过"]),
        ("公司注销了社保账户怎么处理", None, ["单位社保账户注销"]),
        ("昆山社保卡办好了没有怎么查", "昆山", ["制卡进度查询", "社会保障卡信息查询"]),
        ("孩子七岁以下看病医保怎么报", None, ["7岁以下的小孩"]),
    ],
)
def test_colloquial_queries_find_the_answering_entry(query, city, expected):
    (hit,) = top(query)
    assert hit.kind == "entry"
    assert any(word in hit.title for word in expected), hit.title
    if city:
        assert hit.city.name == city


def test_a_city_in_the_query_puts_that_citys_answers_first():
    hits = top("昆山失业金申请", 3)
    assert hits[0].city.slug == "kunshan"
    assert "长沙" in "".join(h.city.name for h in top("失业金申请", 5))  # without the city, others stay


def test_filler_and_particles_do_not_hide_the_words_that_matter():
    # 交了 / 能领: jieba glues a particle or modal to a verb the index knows; the verb still counts.
    labels = {c.label for c in search("怎么查自己交了多少社保", limit=1).concepts}
    assert {"查", "交", "社保"} <= labels and "自己" not in labels
    assert "领" in {c.label for c in search("失业金一个月能领多少钱", limit=1).concepts}


def test_office_query_finds_the_office_with_address_and_phone():
    (hit,) = top("雨花区社保卡服务中心在哪")
    assert hit.kind == "office"
    assert "雨花区" in hit.title and "社会保障卡" in hit.title
    assert hit.obj.address in hit.text


def test_synonyms_widen_the_query():
    # Typed 社会保障卡, the entry says 社保卡 (and the other way round).
    assert "社保卡" in top("社会保障卡有什么用处")[0].title
    assert "社会保障卡" in " ".join(h.title for h in top("社保卡遗失挂失", 3))
    # 退休工资 → 养老金 / 退休金
    titles = " ".join(h.title for h in top("退休工资这个月没有发", 3))
    assert "养老金" in titles or "退休金" in titles
    parsed = analyse("失业救济金")
    assert ["失业保险金"] in parsed.concepts[0].alternatives


def test_traditional_and_full_width_queries_match_simplified_text():
    simplified = [h.obj.pk for h in top("社会保障卡挂失", 3)]
    assert [h.obj.pk for h in top("社會保障卡掛失", 3)] == simplified
    assert analyse("ＡＢＣ１２３３３").text == "abc12333"


def test_one_mistyped_character_still_finds_the_entry():
    titles = [h.title for h in top("社保卡密马忘了", 2)]
    assert any("密码" in t for t in titles)
    assert "档案托管" in top("档案托关")[0].title


def test_two_character_queries():
    assert top("产假")[0].kind == "entry" and "产假" in top("产假")[0].title
    results = search("工伤", limit=10)
    assert results.total >= 5
    assert all("工伤" in (h.title + h.text) for h in results.hits)


def test_long_queries_are_capped(monkeypatch):
    query = "社保卡丢了怎么补办还有养老金计算失业保险金申领工伤认定医疗期产假档案托管数字证书招聘会" * 10
    assert len(analyse(query).concepts) <= MAX_TERMS
    # What keeps a long query cheap: every try the search makes (typo fixes included) runs a capped query.
    ran, real_run = [], service._Run.__call__

    def run(self, q, parsed, city):
        ran.append(parsed)
        return real_run(self, q, parsed, city)

    monkeypatch.setattr(service._Run, "__call__", run)
    results = search(query, limit=10)
    assert ran
    assert all(len(p.concepts) <= MAX_TERMS and len(p.text) <= MAX_QUERY_CHARS for p in ran)
    assert results.hits


def test_noise_and_nonsense_find_nothing():
    assert search("萌三国").total == 0
    assert search("   ").total == 0


def test_city_and_topic_filters_and_facets():
    everywhere = search("失业", limit=50)
    assert set(everywhere.facets["city"]) >= {"changsha", "kunshan"}
    assert sum(everywhere.facets["city"].values()) == everywhere.total
    kunshan = search("失业", city="kunshan", limit=50)
    assert kunshan.total == everywhere.facets["city"]["kunshan"]
    assert kunshan.hits and all(h.city.slug == "kunshan" for h in kunshan.hits)
    unemployment = search("失业", topic="unemployment", limit=50)
    entries = [h for h in unemployment.hits if h.kind == "entry"]  # offices carry their entries' topics
    assert entries and all("unemployment" in [t.slug for t in h.topics] for h in entries)


def test_pagination_is_stable_and_disjoint():
    first = search("社保卡", page=1, limit=5)
    second = search("社保卡", page=2, limit=5)
    assert first.total == second.total > 10
    assert not {h.obj.pk for h in first.hits} & {h.obj.pk for h in second.hits}


def test_results_are_loaded_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    search("社保卡", limit=10)  # warm the synonym cache
    with django_assert_max_num_queries(6):
        results = search("办事机构 地址 电话 社保卡", limit=20)
        for hit in results.hits:
            (hit.city.name, [t.name for t in hit.topics], hit.text)


def test_haystack_searchqueryset_all_filter_and_highlight():
    assert SearchQuerySet().all().count() == Entry.objects.filter(status="published").count() + Office.objects.count()
    hits = SearchQuerySet().filter(content="社保卡").highlight()[:3]
    assert hits
    for hit in hits:
        assert "<mark>社保卡</mark>" in hit.highlighted["text"][0]


def test_search_page_shows_highlights_facets_and_escapes_the_query(client):
    response = client.get("/search/", {"q": "<script>alert(1)</script>社保卡挂失"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;社保卡挂失" in html
    assert "<mark>社保卡</mark>" in html or "<mark>挂失</mark>" in html
    assert "?q=" in html and "city=changsha" in html  # facet links
    assert 'class="badge badge-city">长沙' in html


def test_search_page_office_hits_have_tel_links(client):
    html = client.get("/search/", {"q": "雨花区社保卡服务中心"}).content.decode()
    assert "办事机构" in html and 'href="tel:' in html


def test_search_page_without_results_helps(client):
    html = client.get("/search/", {"q": "萌三国"}).content.decode()
    assert "没有找到" in html
    assert 'href="tel:12333"' in html
    assert "热点问题" in html and "大家常搜" in html


def test_search_page_paginates(client):
    html = client.get("/search/", {"q": "社保", "page": "2"}).content.decode()
    assert 'aria-current="page">2<' in html
    assert 'rel="prev"' in html


@pytest.mark.parametrize("page", [1, 2, 3])
def test_stopping_early_ranks_exactly_like_ranking_every_candidate(monkeypatch, page):
    """The title factors are only computed while a document could still reach the page; the page is the
    same as when every candidate of the re-rank depth is scored."""
    from faq.search.engine.whoosh import ranking

    queries = ["社保卡丢了怎么补办", "失业金", "深圳退保要带什么", "养老保险", "我在长沙上班被辞退了能领失业保险金吗"]

    def pages():
        return [[(h.obj.pk, h.score) for h in search(q, page=page, limit=10, highlight=False).hits] for q in queries]

    early = pages()
    monkeypatch.setattr(ranking, "MAX_LIFT", float("inf"))  # no bound: every candidate is scored
    assert pages() == early
    assert len({pk for p in early for pk, _s in p}) >= 20
