"""Degrade, don't fail: with the database unreachable, 503 + Retry-After (JSON on the API and /healthz)."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import OperationalError, ProgrammingError
from django.test import RequestFactory

from faq import views
from tests.test_hardening_settings import ROOT, free_port, prod_env

GUNICORN_ARGS = [str(Path(sys.executable).parent / "gunicorn"), "portal.wsgi", "-c", "portal/gunicorn.conf.py"]


def closed_port():
    """A port nothing listens on: bound and released, so connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def dead_database_server(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("outage")
    env = prod_env(
        tmp_path,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/door",
        SECURE_SSL_REDIRECT="0",
        WORKERS="1",
    )
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [*GUNICORN_ARGS, "--bind", f"127.0.0.1:{port}"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/healthz", timeout=5)
                break
            except requests.ConnectionError:
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield base, log_path
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_healthz_reports_degraded_json(dead_database_server):
    base, _log = dead_database_server
    response = requests.get(base + "/healthz", timeout=10)
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "degraded" and body["database"] == "unavailable"
    assert "数据库" in body["reason"]
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.slow
@pytest.mark.parametrize("url", ["/api/entries/", "/api/entries/1/", "/api/offices/?city=changsha"])
def test_the_api_answers_503_json(dead_database_server, url):
    base, _log = dead_database_server
    response = requests.get(base + url, timeout=10)
    assert response.status_code == 503
    assert response.json() == {"error": "数据库暂时不可用，请稍后再试。", "status": 503}
    assert int(response.headers["Retry-After"]) > 0


@pytest.mark.slow
@pytest.mark.parametrize("url", ["/", "/topics/", "/entries/1/", "/offices/"])
def test_pages_answer_a_chinese_503_page(dead_database_server, url):
    base, log = dead_database_server
    response = requests.get(base + url, timeout=10)
    assert response.status_code == 503, response.text[:300]
    assert response.headers["Content-Type"].startswith("text/html")
    assert "服务暂时不可用" in response.text and "数据库暂时不可用" in response.text
    assert int(response.headers["Retry-After"]) > 0
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Traceback" not in log.read_text()


def test_an_outage_outside_a_view_is_a_503_too():
    """Middleware (sessions, axes) fails outside the view: the 500 handler turns an outage into the 503."""
    request = RequestFactory().get("/api/entries/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = views.server_error(request)
    assert response.status_code == 503 and response["Retry-After"]
    try:
        raise ProgrammingError("no such table")  # a bug stays a 500
    except ProgrammingError:
        assert views.server_error(request).status_code == 500
