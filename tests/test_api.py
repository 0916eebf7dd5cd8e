"""The JSON read API: shapes, filters, and readable 400/404 errors (never a 500)."""

import pytest

from faq.models import Entry, Office


@pytest.mark.django_db
class TestEntriesList:
    def test_paginated_list_shape(self, imported, client):
        response = client.get("/api/entries/")
        assert response.status_code == 200
        data = response.json()
        assert data["count"] == Entry.objects.count()
        assert data["page"] == 1
        assert data["pages"] == -(-data["count"] // 20)
        assert len(data["results"]) == 20
        item = data["results"][0]
        assert set(item) == {"id", "question", "city", "url"}
        assert set(item["city"]) == {"slug", "name"}
        assert item["url"] == f"/entries/{item['id']}/"

    def test_filter_by_city_topic_and_district(self, imported, client):
        kunshan = client.get("/api/entries/", {"city": "kunshan"}).json()
        assert kunshan["count"] == 46
        assert {r["city"]["slug"] for r in kunshan["results"]} == {"kunshan"}

        cards = client.get("/api/entries/", {"city": "changsha", "topic": "social-security-card"}).json()
        assert (
            cards["count"] == Entry.objects.filter(city__slug="changsha", topics__slug="social-security-card").count()
        )
        assert cards["count"] > 10

        furong = client.get("/api/entries/", {"city": "changsha", "district": "furong"}).json()
        ids = {r["id"] for r in furong["results"]}
        q12 = Entry.objects.get(source__filename__startswith="000_", source_key="q12")
        assert furong["count"] >= 3
        assert q12.pk in ids or furong["pages"] > 1

    def test_last_page_and_beyond(self, imported, client):
        first = client.get("/api/entries/").json()
        last = client.get("/api/entries/", {"page": first["pages"]}).json()
        assert 0 < len(last["results"]) <= 20
        beyond = client.get("/api/entries/", {"page": first["pages"] + 1})
        assert beyond.status_code == 400
        assert "page" in beyond.json()["error"]

    @pytest.mark.parametrize(
        "params",
        [
            {"page": "abc"},
            {"page": "0"},
            {"page": "-3"},
            {"page": "99999999999999999999"},
            {"city": "beijing"},
            {"topic": "no-such-topic"},
            {"district": "nowhere"},
        ],
    )
    def test_bad_parameters_give_readable_400(self, imported, client, params):
        response = client.get("/api/entries/", params)
        assert response.status_code == 400
        body = response.json()
        assert body["status"] == 400
        assert isinstance(body["error"], str) and body["error"]

    def test_drafts_are_not_listed(self, imported, client):
        entry = Entry.objects.filter(city__slug="kunshan").first()
        entry.status = Entry.Status.DRAFT
        entry.save()
        data = client.get("/api/entries/", {"city": "kunshan"}).json()
        assert data["count"] == 45
        assert client.get(f"/api/entries/{entry.pk}/").status_code == 404


@pytest.mark.django_db
class TestEntryDetail:
    def test_full_shape(self, imported, client):
        entry = Entry.objects.get(source__filename__startswith="000_", source_key="q12")
        data = client.get(f"/api/entries/{entry.pk}/").json()
        assert set(data) >= {
            "id",
            "question",
            "answer",
            "city",
            "audience",
            "topics",
            "districts",
            "conditions",
            "materials",
            "steps",
            "phones",
            "offices",
            "source",
            "url",
        }
        assert data["city"] == {"slug": "changsha", "name": "长沙"}
        assert data["question"] == entry.question
        assert "失业保险" in data["answer"]
        assert "失业保险" in data["topics"]
        assert [s["order"] for s in data["steps"]] == list(range(1, len(data["steps"]) + 1))
        assert len(data["offices"]) == 7
        office = data["offices"][0]
        assert set(office) >= {"name", "address", "district", "phones"}
        assert data["source"]["position"] == 12
        assert data["source"]["document"]

    def test_steps_and_phones(self, imported, client):
        unit1 = Entry.objects.get(source__filename__startswith="004_", source_key="unit1")
        data = client.get(f"/api/entries/{unit1.pk}/").json()
        assert data["steps"] == [] and data["guide"]["online_path"].endswith("→ 用人单位用工参保登记")
        assert data["conditions"] == "用人单位与劳动者签订劳动合同"
        assert data["audience"] == "单位"

        q13 = Entry.objects.get(source__filename__startswith="000_", source_key="q13")
        offices = client.get(f"/api/entries/{q13.pk}/").json()["offices"]
        furong = [o for o in offices if o["district"] == "芙蓉区"]
        assert furong and furong[0]["kind"] == "劳动保障监察机构"
        assert furong[0]["phones"][0]["number"] == "0731-82293155"
        assert furong[0]["phones"][0]["tel"] == "tel:073182293155"

    @pytest.mark.parametrize("path", ["/api/entries/999999/", "/api/entries/0/"])
    def test_unknown_id_is_json_404(self, imported, client, path):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert "不存在" in response.json()["error"]

    def test_non_numeric_id_is_not_a_500(self, imported, client):
        response = client.get("/api/entries/abc/")
        assert response.status_code in (400, 404)


@pytest.mark.django_db
class TestOffices:
    def test_filter_by_city_and_district(self, imported, client):
        data = client.get("/api/offices/", {"city": "changsha", "district": "ningxiang"}).json()
        names = [o["name"] for o in data["results"]]
        assert "宁乡市社会保障卡管理服务中心" in names
        assert all(o["district"] == "宁乡市" for o in data["results"])
        office = next(o for o in data["results"] if o["name"] == "宁乡市社会保障卡管理服务中心")
        assert [p["number"] for p in office["phones"]] == ["0731-88981921", "0731-88981922"]
        assert set(office) >= {"name", "address", "district", "city", "phones", "hours"}

    def test_shenzhen_service_centre_has_hours(self, imported, client):
        data = client.get("/api/offices/", {"city": "shenzhen"}).json()
        centre = next(o for o in data["results"] if "个人服务中心" in o["name"])
        assert "513栋" in centre["address"]
        assert "9:30" in centre["hours"]
        assert centre["district"] == "福田区"

    def test_bad_city_is_400(self, imported, client):
        response = client.get("/api/offices/", {"city": "atlantis"})
        assert response.status_code == 400
        assert "atlantis" in response.json()["error"]


@pytest.mark.django_db
def test_healthz_counts(imported, client):
    data = client.get("/healthz").json()
    assert data["status"] == "ok"
    assert data["entries"] == Entry.objects.count()
    assert data["offices"] == Office.objects.count()
    assert data["phones"] > 50


@pytest.mark.django_db
def test_openapi_document_lists_endpoints(client):
    spec = client.get("/api/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for path in ["/api/entries/", "/api/entries/{entry_id}/", "/api/offices/"]:
        assert path in spec["paths"], path
