"""Each mechanism of query understanding on a small, controlled knowledge base: 相似问法, the one-way
thesaurus, homophone correction, the citizen's city with fallback, the no-answer flag and suggestions."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from faq.models import City, Entry, SimilarQuestion, ThesaurusTerm
from faq.search.build import build_index
from faq.search.service import search
from faq.search.understanding import _glued, invalidate_synonyms

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def kb(db, commit):
    invalidate_synonyms()  # another module's (rolled back) thesaurus may still be in this process's cache
    cs = City.objects.create(slug="changsha", name="长沙", area_code="0731", order=0)
    sz = City.objects.create(slug="shenzhen", name="深圳", area_code="0755", order=1)
    entries = {
        "lost": Entry.objects.create(
            city=cs, question="社会保障卡遗失怎么挂失？", answer="携带身份证到发卡银行网点办理挂失和补卡。"
        ),
        "dismissed": Entry.objects.create(
            city=cs,
            question="单位解除劳动合同要支付经济补偿吗？",
            answer="用人单位辞退劳动者，应按工作年限支付经济补偿。",
        ),
        "pension": Entry.objects.create(
            city=cs, question="长沙基本养老金怎么计算？", answer="基本养老金由基础养老金和个人账户养老金组成。"
        ),
        "refund": Entry.objects.create(
            city=sz, question="深圳非深户员工如何退保？", answer="到社保个人服务中心办理退保。"
        ),
        "password": Entry.objects.create(city=cs, question="社保卡密码忘了怎么办？", answer="到合作银行网点重置密码。"),
    }
    with commit():
        build_index()
    return entries


def first(q, **kwargs):
    results = search(q, highlight=False, **kwargs)
    return results, (results.hits[0].obj if results.hits else None)


def test_a_similar_question_finds_its_entry(kb, commit):
    _r, hit = first("饭碗丢了老东家给不给钱")
    assert hit != kb["dismissed"]
    with commit():
        SimilarQuestion.objects.create(entry=kb["dismissed"], text="饭碗丢了老东家给不给钱")
    results, hit = first("饭碗丢了老东家给不给钱")
    assert hit == kb["dismissed"] and results.answered


def test_the_thesaurus_widens_colloquial_words_one_way(kb):
    results, hit = first("炒鱿鱼")
    assert hit is None and not results.answered
    ThesaurusTerm.objects.create(colloquial="炒鱿鱼", official="辞退|解除劳动合同")
    results, hit = first("被炒鱿鱼了")
    assert hit == kb["dismissed"] and results.answered
    # One way: the official word does not widen back to the colloquial one.
    Entry.objects.filter(pk=kb["pension"].pk).update(answer="俗称炒鱿鱼")
    assert all(h.obj != kb["pension"] for h in search("辞退", highlight=False).hits)


def test_a_homophone_typo_is_corrected_and_said(kb):
    results, hit = first("社保卡挂矢")
    assert hit == kb["lost"]
    assert results.suggestion == "社保卡挂失"
    results, hit = first("社保卡密马忘了")
    assert hit == kb["password"] and results.suggestion == "社保卡密码忘了"
    # A query spelled right is not "corrected".
    assert first("社保卡挂失")[0].suggestion == ""


def test_the_citizens_city_comes_first_and_another_citys_answer_says_so(kb):
    results, hit = first("养老金怎么计算", home_city="changsha")
    assert hit == kb["pension"] and results.answered and not results.city_fallback
    results, hit = first("养老金怎么计算", home_city="shenzhen")
    assert hit == kb["pension"]
    assert results.city_fallback and not results.answered  # 长沙's rule is no answer for 深圳
    # A city named in the query scopes it the same way.
    results, hit = first("深圳养老金怎么计算")
    assert hit == kb["pension"] and results.city_fallback and results.scope == "shenzhen"


def test_questions_the_knowledge_base_cannot_answer_are_flagged(kb):
    for q in ["北京公积金怎么提取", "驾照到期怎么换证", "萌三国", "asdfgh"]:
        assert not search(q, highlight=False).answered, q
    for q in ["社保卡遗失怎么挂失", "单位解除劳动合同给经济补偿吗", "社保卡密码忘了"]:
        assert search(q, highlight=False).answered, q


def test_an_answer_that_mentions_the_words_in_passing_is_no_answer(kb):
    # Every word is in the 挂失 entry's answer, but its question is about something else.
    results = search("发卡银行网点", highlight=False)
    assert results.hits and results.hits[0].obj == kb["lost"]
    assert results.coverage == 1.0 and not results.answered
    # Another agency's business named only among the papers to bring (身份证) is not what the entry is about.
    assert not search("身份证丢了怎么补办", highlight=False).answered
    # What the entry's question is about, asked in other words, still is.
    assert search("社保卡遗失了怎么挂失", highlight=False).answered


def test_another_place_beside_the_portal_city_is_where_the_citizen_lives(kb):
    # 广州 is where the pensioner lives; the question is about 长沙's pension: answered.
    results, hit = first("住在广州的长沙退休人员养老金怎么计算", home_city="changsha")
    assert hit == kb["pension"] and results.answered
    # Without a portal city, 广州's pension is another place's rule.
    assert not search("广州养老金怎么计算", highlight=False).answered


def test_a_city_fallback_keeps_the_scoped_citys_confidence(kb):
    local = search("养老金怎么计算", city="shenzhen", highlight=False)
    results = search("养老金怎么计算", home_city="shenzhen", highlight=False)
    assert results.city_fallback and not results.answered
    assert results.confidence == local.confidence < 0.5  # 深圳's own results do not answer it


def test_a_string_jieba_glued_together_is_no_unknown_term():
    assert _glued("但卡") and not _glued("女儿") and not _glued("2024") and not _glued("abc")


def test_the_answerability_report_scores_the_flag_on_a_labelled_file(kb, tmp_path):
    labelled = tmp_path / "answerability.tsv"
    rows = [
        ("社保卡遗失怎么挂失", "answerable", "changsha"),
        ("社保卡密码忘了", "answerable", ""),
        ("单位解除劳动合同给经济补偿吗", "answerable", ""),
        ("长沙基本养老金怎么计算", "answerable", "changsha"),
        ("北京公积金怎么提取", "unanswerable", ""),
        ("驾照到期怎么换证", "unanswerable", ""),
        ("发卡银行网点", "unanswerable", ""),
        ("asdfgh", "unanswerable", ""),
    ]
    labelled.write_text("query\tlabel\tcity\n" + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    out = StringIO()
    call_command("evaluate_answerability", str(labelled), "--folds", "2", "--format", "json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["current"]["unanswerable_flagged"] == 1.0
    assert report["current"]["answerable_wrongly_flagged"] == 0.0
    assert len(report["cross_validated"]["thresholds"]) == 2


def test_search_page_says_when_there_is_no_answer_and_offers_the_hotlines(kb, client):
    client.cookies["city"] = "shenzhen"
    html = client.get("/search/", {"q": "北京公积金怎么提取"}).content.decode()
    assert "没有找到能直接回答这个问题的内容" in html
    assert 'href="tel:12333"' in html and "0755-12333" in html
    html = client.get("/search/", {"q": "养老金怎么计算"}).content.decode()
    assert "深圳暂无此问题的答复" in html and "以下为长沙的答复" in html
    html = client.get("/search/", {"q": "社保卡挂矢"}).content.decode()
    assert "您是不是要找" in html and "社保卡挂失" in html


def test_api_reports_answered_and_city_fallback(kb, client):
    body = client.get("/api/search/", {"q": "养老金怎么计算", "city": "shenzhen"}).json()
    assert body["city_fallback"] is True and body["answered"] is False
    assert body["results"][0]["city"]["slug"] == "changsha"
    body = client.get("/api/search/", {"q": "社保卡遗失怎么挂失", "city": "changsha"}).json()
    assert body["answered"] is True and body["city_fallback"] is False


def test_suggestions_match_the_prefix_and_the_city(kb, client, commit):
    with commit():
        SimilarQuestion.objects.create(entry=kb["lost"], text="社保卡掉了去哪补")
    body = client.get("/api/suggest/", {"q": "社保卡"}).json()
    texts = [s["text"] for s in body["suggestions"]]
    assert texts and all("社保卡" in t for t in texts) and len(texts) <= 8
    # The 相似问法 is suggested, leading to its entry.
    assert {"text": "社保卡掉了去哪补", "url": f"/entries/{kb['lost'].pk}/"} in body["suggestions"]
    assert client.get("/api/suggest/", {"q": "退保", "city": "changsha"}).json() == {"suggestions": []}
    assert client.get("/api/suggest/", {"q": "退保", "city": "shenzhen"}).json()["suggestions"][0]["url"] == (
        f"/entries/{kb['refund'].pk}/"
    )
    response = client.get("/api/suggest/", {"q": "退保", "city": "beijing"})
    assert response.status_code == 400 and "未知城市" in response.json()["error"]


def test_toneless_pinyin_is_read_as_the_questions_words(kb):
    results, hit = first("shebaoka guashi")
    assert hit == kb["lost"] and results.suggestion == "社保卡挂失"
    results, hit = first("yanglaojin zenme jisuan")
    assert hit == kb["pension"] and results.suggestion.startswith("养老金")
    # Latin words that are not pinyin of anything indexed stay as typed.
    results, _hit = first("hello world")
    assert results.suggestion == "" and not results.answered
