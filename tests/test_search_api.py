"""GET /api/search/: response shape, parameters, 400 errors, OpenAPI."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _corpus(search_corpus):
    yield


def get(client, **params):
    return client.get("/api/search/", params)


def test_shape_of_a_search_response(client):
    response = get(client, q="社保卡丢了", limit=3)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "query",
        "total",
        "page",
        "answered",
        "city_fallback",
        "suggestion",
        "results",
        "facets",
        "degraded",
    }
    assert body["degraded"] is False
    assert body["query"] == "社保卡丢了" and body["page"] == 1 and body["total"] >= 3
    assert len(body["results"]) == 3
    first = body["results"][0]
    assert set(first) == {"type", "id", "title", "text", "city", "topics", "url", "score", "highlight"}
    assert first["type"] == "entry" and first["url"] == f"/entries/{first['id']}/"
    assert set(first["city"]) == {"slug", "name"}
    assert first["topics"] and set(first["topics"][0]) == {"slug", "name"}
    assert "<mark>" in first["highlight"]
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert set(body["facets"]) == {"city", "topic"}
    assert sum(body["facets"]["city"].values()) == body["total"]


def test_responses_are_utf8_json_without_escapes(client):
    response = get(client, q="社保卡丢了", limit=3)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    raw = response.content.decode("utf-8")
    assert "社保卡" in raw and "\\u" not in raw
    assert response.json()["query"] == "社保卡丢了"


def test_entry_text_is_the_full_plain_answer(client, django_db_blocker):
    from faq.models import Entry

    result = get(client, q="社保卡密码", limit=1).json()["results"][0]
    assert result["text"] == Entry.objects.get(pk=result["id"]).answer


def test_office_results_carry_address_and_phones(client):
    results = get(client, q="雨花区社保卡服务中心", limit=5).json()["results"]
    office = next(r for r in results if r["type"] == "office")
    assert office["url"] == f"/offices/{office['id']}/"
    assert "雨花区" in office["text"]
    assert any(ch.isdigit() for ch in office["text"])  # phone numbers


def test_filters_and_paging(client):
    body = get(client, q="失业", city="kunshan", limit=2, page=2).json()
    assert body["page"] == 2 and len(body["results"]) == 2
    assert all(r["city"]["slug"] == "kunshan" for r in body["results"])
    topic = get(client, q="社保卡", topic="social-security-card").json()
    assert topic["total"] > 0


@pytest.mark.parametrize(
    "params, message",
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "社保", "limit": "0"}, "limit"),
        ({"q": "社保", "limit": "51"}, "limit"),
        ({"q": "社保", "limit": "ten"}, "limit"),
        ({"q": "社保", "page": "0"}, "page"),
        ({"q": "社保", "page": "x"}, "page"),
        ({"q": "社保", "page": "999"}, "page"),
        ({"q": "社保", "city": "beijing"}, "城市"),
        ({"q": "社保", "topic": "nope"}, "主题"),
    ],
)
def test_bad_parameters_give_400_json(client, params, message):
    response = client.get("/api/search/", params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["status"] == 400 and message in body["error"]


def test_no_match_is_an_empty_200(client):
    body = get(client, q="萌三国").json()
    assert body == {
        "query": "萌三国",
        "total": 0,
        "page": 1,
        "answered": False,
        "city_fallback": False,
        "suggestion": "",
        "results": [],
        "facets": {"city": {}, "topic": {}},
        "degraded": False,
    }


def test_openapi_documents_the_search_endpoint(client):
    spec = client.get("/api/openapi.json").json()
    op = spec["paths"]["/api/search/"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert names >= {"q", "city", "topic", "limit", "page"}
    assert {"200", "400"} <= set(op["responses"])
