"""Request methods and refusals: HEAD wherever GET works, 405 before the view, security headers on every refusal."""

import json
from unittest import mock

import pytest

from faq import queries
from tests.test_hardening_settings import assert_security_headers


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/entries/", "/api/offices/", "/api/openapi.json", "/healthz", "/", "/topics/"])
def test_head_answers_like_get_without_a_body(client, url):
    get = client.get(url)
    head = client.head(url)
    assert get.status_code == 200
    assert head.status_code == 200, head.content
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"]
    if "Content-Length" in head:
        assert int(head["Content-Length"]) == len(get.content)
    assert_security_headers(head)


@pytest.mark.django_db
def test_head_on_the_api_keeps_its_errors(client):
    assert client.head("/api/entries/?page=abc").status_code == 400
    assert client.head("/api/entries/999999/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["options", "trace", "post", "put", "patch", "delete"])
def test_pages_refuse_other_methods_without_running_the_view(client, method):
    with mock.patch.object(queries, "home_page", wraps=queries.home_page) as view_query:
        response = client.generic(method.upper(), "/")
        assert response.status_code == 405
        assert view_query.call_count == 0
        assert response["Allow"] == "GET, HEAD"
        assert "不支持该请求方法" in response.content.decode()
        assert_security_headers(response)
        assert client.get("/").status_code == 200 and view_query.call_count == 1


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/entries/", "/healthz", "/search/?q=社保", "/sitemap.xml"])
@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "POST"])
def test_other_paths_refuse_other_methods(client, url, method):
    response = client.generic(method, url)
    assert response.status_code == 405
    if url.startswith(("/api/", "/healthz")):
        assert response.json() == {"error": "不支持该请求方法。", "status": 405}
    assert_security_headers(response)


@pytest.mark.django_db
def test_the_admin_still_takes_posts_but_not_trace(client):
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 200
    response = client.generic("TRACE", "/admin/login/")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, POST"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/entries/?city=%00", "/search/?q=a%00b", "/healthz?x=%00", "/topics/%00/"])
def test_the_nul_refusal_carries_every_security_header(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert_security_headers(response)
    if url.startswith(("/api/", "/healthz")):
        assert json.loads(response.content)["status"] == 400
