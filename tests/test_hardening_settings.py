"""Production settings, security headers and CSP, admin login throttling, and gunicorn + whitenoise (issue 5 §3)."""

import base64
import hashlib
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from django.test import RequestFactory

from faq import views

ROOT = Path(settings.BASE_DIR)
PYTHON = sys.executable


def prod_env(tmp_path, **overrides):
    """Environment for a subprocess with the production settings, writing nothing outside tmp_path."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,portal.example.org",
        PORTAL_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
        WHOOSH_INDEX_DIR=str(tmp_path / "index"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def run(args, env, timeout=120):
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


# --- production settings --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("missing", "blank"),
    [("SECRET_KEY", None), ("SECRET_KEY", ""), ("ALLOWED_HOSTS", None), ("ALLOWED_HOSTS", " , ")],
)
def test_prod_settings_refuse_to_start_without(tmp_path, missing, blank):
    env = prod_env(tmp_path, **{missing: blank})
    result = run([PYTHON, "-c", "import django; django.setup()"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set in the environment" in result.stderr


def test_check_deploy_reports_nothing_with_prod_settings(tmp_path):
    result = run([PYTHON, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"], prod_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_https_settings_come_from_the_environment(tmp_path):
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps(["
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_PRELOAD, s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS, s.DEBUG]))"
    )
    defaults = json.loads(run([PYTHON, "-c", script], prod_env(tmp_path)).stdout)
    assert defaults == [True, True, True, 31536000, True, None, [], False]

    plain_http = prod_env(
        tmp_path,
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="no",
        SECURE_HSTS_SECONDS="0",
        SECURE_HSTS_PRELOAD="0",
        BEHIND_TLS_PROXY="1",
        CSRF_TRUSTED_ORIGINS="https://portal.example.org",
    )
    changed = json.loads(run([PYTHON, "-c", script], plain_http).stdout)
    assert changed == [
        False,
        False,
        False,
        0,
        False,
        ["HTTP_X_FORWARDED_PROTO", "https"],
        ["https://portal.example.org"],
        False,
    ]


# --- security headers and CSP ---------------------------------------------------------------------------------


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_security_headers(response):
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in csp[directive]
        assert "'unsafe-eval'" not in csp[directive]
        assert not [s for s in csp[directive] if s.startswith(("http:", "https:", "*"))]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/healthz", "/api/entries/", "/api/openapi.json", "/admin/login/", "/no-such-page/"])
def test_every_response_carries_security_headers_and_csp(client, url):
    response = client.get(url)
    assert response.status_code in (200, 404)
    assert_security_headers(response)


def allowed_inline_blocks(html, csp):
    """(tag, allowed?) for every inline <script>/<style> that a browser would run under this policy."""
    blocks = []
    for match in re.finditer(r"<(script|style)([^>]*)>(.*?)</\1>", html, re.DOTALL | re.IGNORECASE):
        tag, attrs, body = match.group(1).lower(), match.group(2), match.group(3)
        # JSON data blocks (application/json, schema.org's application/ld+json) are never executed.
        if "src=" in attrs or re.search(r"application/(?:ld\+)?json", attrs) or not body.strip():
            continue
        sources = csp[f"{tag}-src"]
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        nonce = re.search(r'nonce="([^"]+)"', attrs)
        allowed = f"'sha256-{digest}'" in sources or bool(nonce and f"'nonce-{nonce.group(1)}'" in sources)
        blocks.append((tag, body.strip()[:60], allowed))
    return blocks


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/no-such-page/", "/admin/login/"])
def test_inline_snippets_on_pages_are_allowed_by_hash_or_nonce(client, url):
    response = client.get(url)
    blocked = [b for b in allowed_inline_blocks(response.content.decode(), csp_directives(response)) if not b[2]]
    assert blocked == [], "inline code the CSP would block (give it a nonce or keep it free of template tags)"


def test_the_500_page_styles_are_allowed_by_the_policy(client):
    request = RequestFactory().get("/")
    html = views.server_error(request).content.decode()
    style_sources = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    csp = {"style-src": [str(s) for s in style_sources], "script-src": []}
    blocks = allowed_inline_blocks(html, csp)
    assert all(allowed for _tag, _body, allowed in blocks), blocks


@pytest.mark.django_db
def test_api_docs_work_under_the_csp_with_local_assets_only(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert any("swagger-ui-bundle" in a for a in assets)
    for asset in assets:
        assert asset.startswith(settings.STATIC_URL), f"{asset} is not served by us (CSP allows only 'self')"
        assert finders.find(asset.removeprefix(settings.STATIC_URL)), asset
    assert [b for b in allowed_inline_blocks(html, csp_directives(response)) if not b[2]] == []
    assert_security_headers(response)


# --- admin login throttling (django-axes) ----------------------------------------------------------------------


@pytest.mark.django_db
def test_admin_login_is_locked_after_repeated_failures(client):
    User.objects.create_user("editor", password="correct horse battery", is_staff=True)
    limit = settings.AXES_FAILURE_LIMIT
    assert 3 <= limit <= 10
    for attempt in range(limit - 1):
        response = client.post("/admin/login/", {"username": "editor", "password": f"wrong-{attempt}"})
        assert response.status_code == 200, attempt
        assert "请输入一个正确的" in response.content.decode()  # Django's own "wrong password" message
    response = client.post("/admin/login/", {"username": "editor", "password": "wrong-last"})
    assert response.status_code == 429
    # Even the right password is refused now, with a readable page.
    response = client.post("/admin/login/", {"username": "editor", "password": "correct horse battery"})
    assert response.status_code == 429
    text = response.content.decode()
    assert "登录已锁定" in text and f"{limit} 次" in text and "分钟后再试" in text
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    assert_security_headers(response)
    # Another account from the same address is not affected.
    User.objects.create_user("other", password="another good secret", is_staff=True)
    response = client.post("/admin/login/", {"username": "other", "password": "another good secret"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="other").pk)


@pytest.mark.django_db
def test_a_successful_login_resets_the_failure_count(client):
    User.objects.create_user("editor", password="correct horse battery", is_staff=True)
    for _round in range(2):
        for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            client.post("/admin/login/", {"username": "editor", "password": f"wrong-{attempt}"})
        response = client.post("/admin/login/", {"username": "editor", "password": "correct horse battery"})
        assert response.status_code == 302
        client.logout()


@pytest.mark.django_db
def test_test_client_logins_still_work_with_axes_enabled(client):
    user = User.objects.create_user("editor", password="correct horse battery", is_staff=True, is_superuser=True)
    assert "axes" in settings.INSTALLED_APPS and "axes.middleware.AxesMiddleware" in settings.MIDDLEWARE
    assert client.login(username="editor", password="correct horse battery")
    assert client.get("/admin/").status_code == 200
    client.logout()
    client.force_login(user)
    assert client.get("/admin/").status_code == 200


# --- gunicorn + whitenoise (what `make serve` runs) ------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers={"Host": "127.0.0.1", **(headers or {})})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.slow
def test_gunicorn_serves_pages_and_whitenoise_static_files_with_prod_settings(tmp_path):
    env = prod_env(tmp_path, BEHIND_TLS_PROXY="1", WORKERS="1")
    prepare = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0, interactive=False); "
        "call_command('collectstatic', verbosity=0, interactive=False)"
    )
    result = run([PYTHON, "-c", prepare], env)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "gunicorn.log").open("w")
    gunicorn = Path(PYTHON).parent / "gunicorn"
    server = subprocess.Popen(
        [str(gunicorn), "portal.wsgi", "-c", "portal/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    https = {"X-Forwarded-Proto": "https"}  # what the TLS proxy in front adds
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, body = fetch(f"{base}/api/entries/", https)
                break
            except OSError:
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert status == 200
        assert json.loads(body) == {"count": 0, "page": 1, "pages": 1, "results": []}

        # A page: Django's admin login, with every header and a secure CSRF cookie over HTTPS.
        status, headers, body = fetch(f"{base}/admin/login/", https)
        assert status == 200 and "人社知识库管理" in body.decode()
        csp = headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "Secure" in headers["Set-Cookie"]

        # Static files come from whitenoise: hashed name, far-future immutable caching, precompressed gzip.
        hashed = manifest["admin/css/base.css"]
        assert hashed != "admin/css/base.css"
        status, headers, body = fetch(f"{base}/static/{hashed}", {**https, "Accept-Encoding": "gzip"})
        assert status == 200
        assert "immutable" in headers["Cache-Control"]
        assert headers["Content-Encoding"] == "gzip"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'self'" in headers["Content-Security-Policy"]

        # Plain HTTP is redirected to HTTPS.
        status, headers, _body = fetch(f"{base}/api/entries/")
        assert status == 301 and headers["Location"] == "https://127.0.0.1/api/entries/"
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    access_log = (tmp_path / "gunicorn.log").read_text()
    assert '"GET /admin/login/ HTTP/1.1" 200' in access_log
