"""The production front door: nginx (deploy/nginx.conf) in front of real gunicorn processes (issue 6 §1, §3)."""

import contextlib
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from portal.frontdoor import render_nginx_conf

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")

pytestmark = pytest.mark.slow


def nginx_binary():
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found:
        return found
    # `make test` installs it first; a bare pytest run tries the same Makefile target once.
    result = subprocess.run(["make", "-s", "nginx-deps"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if not found:
        pytest.skip(f"nginx is not installed and `make nginx-deps` could not install it: {result.stderr[-500:]}")
    return found


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, process, log, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            assert process.poll() is None, Path(log).read_text()
            assert time.monotonic() < deadline, f"{url} did not come up"
            time.sleep(0.2)


def prod_env(var_dir, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SECURE_", "PYTEST", "GUNICORN_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PORTAL_VAR_DIR=str(var_dir / "var"),
        STATIC_ROOT=str(var_dir / "static"),
        WHOOSH_INDEX_DIR=str(var_dir / "index"),
        DATABASE_URL=f"sqlite:///{var_dir / 'db.sqlite3'}",
        # Plain HTTP between the test and nginx; TLS is not what is tested here.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        BEHIND_TLS_PROXY="1",
        WORKERS="1",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def stack():
    """gunicorn (one sync worker, as the slowloris fault needs only a few connections) behind nginx."""
    nginx = nginx_binary()
    # Not pytest's tmp_path: nginx's workers run as an unprivileged user and must reach static files.
    base = Path(tempfile.mkdtemp(prefix="portal-front-door-"))
    base.chmod(0o755)
    env = prod_env(base)
    prepare = (
        "import django; django.setup(); from django.core.management import call_command; "
        "from django.contrib.auth.models import User; "
        "call_command('migrate', verbosity=0, interactive=False); "
        "call_command('collectstatic', verbosity=0, interactive=False); "
        "User.objects.create_user('editor', password='correct horse battery', is_staff=True)"
    )
    result = subprocess.run([PYTHON, "-c", prepare], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for path in [base, *base.joinpath("static").rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)

    app_port, door_port = free_port(), free_port()
    gunicorn_log, nginx_log = base / "gunicorn.log", base / "nginx.log"
    processes = []
    try:
        with gunicorn_log.open("w") as log:
            processes.append(
                subprocess.Popen(
                    [GUNICORN, "portal.wsgi", "-c", "portal/gunicorn.conf.py", "--bind", f"127.0.0.1:{app_port}"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        conf = base / "nginx.conf"
        conf.write_text(render_nginx_conf(f"127.0.0.1:{door_port}", f"127.0.0.1:{app_port}", base / "static"))
        with nginx_log.open("w") as log:
            processes.append(
                subprocess.Popen(
                    [nginx, "-p", str(base), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        app, door = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{door_port}"
        wait_for(app + "/healthz", processes[0], gunicorn_log)
        wait_for(door + "/healthz", processes[1], nginx_log)
        yield {"app": app, "door": door, "door_port": door_port, "app_port": app_port, "base": base}
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(base, ignore_errors=True)


class Slowloris:
    """Connections that start a request and never finish it, adding a header line every second."""

    def __init__(self, port, count):
        self.sockets = []
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            self.sockets.append(sock)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.trickle, daemon=True)
        self.thread.start()

    def trickle(self):
        n = 0
        while not self.stop.wait(1.0):
            n += 1
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.sendall(f"X-Slow-{n}: 1\r\n".encode())

    def answered(self):
        """How many of the connections got any response (or were closed) so far."""
        count = 0
        for sock in self.sockets:
            sock.setblocking(False)
            try:
                sock.recv(1, socket.MSG_PEEK)
                count += 1
            except BlockingIOError:
                pass
            except OSError:
                count += 1
            finally:
                sock.setblocking(True)
        return count

    def close(self):
        self.stop.set()
        self.thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()


def timed_get(url, timeout=10):
    start = time.perf_counter()
    response = requests.get(url, timeout=timeout)
    return response, (time.perf_counter() - start) * 1000


def test_slowloris_connections_do_not_delay_healthz_behind_nginx(stack):
    slow = Slowloris(stack["door_port"], 20)
    try:
        time.sleep(0.5)  # let nginx accept them all
        timings = []
        for _ in range(40):
            response, ms = timed_get(stack["door"] + "/healthz")
            assert response.status_code == 200
            assert response.json()["status"] == "ok"
            timings.append(ms)
            time.sleep(0.05)
        p95 = statistics.quantiles(timings, n=20)[-1]
        print(f"slowloris x20 through nginx: /healthz p50 {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms")
        assert p95 < 100, timings
        assert slow.answered() == 0, "the slow connections should still be hanging, not answered or dropped"
    finally:
        slow.close()


def test_without_the_front_door_two_slow_connections_block_gunicorn(stack):
    """What nginx protects against: gunicorn's one sync worker waits on a half-sent request."""
    slow = Slowloris(stack["app_port"], 2)
    try:
        time.sleep(0.3)
        with pytest.raises(requests.Timeout):
            requests.get(stack["app"] + "/healthz", timeout=2)
    finally:
        slow.close()
    # Once they give up, gunicorn serves again.
    response, _ms = timed_get(stack["app"] + "/healthz", timeout=35)
    assert response.status_code == 200


def raw_request(port, request_bytes, read_timeout=10):
    """Send a request from a thread (nginx may answer before it is all sent) and return the status line."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=read_timeout)

    def send():
        with contextlib.suppress(OSError):  # refused part-way: what we expect for an oversized request
            sock.sendall(request_bytes)

    start = time.perf_counter()
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    data = b""
    try:
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    finally:
        elapsed = (time.perf_counter() - start) * 1000
        sock.close()
        sender.join(timeout=5)
    return data.split(b"\r\n", 1)[0].decode("latin-1"), elapsed


def test_a_1_mb_url_gets_414_at_once(stack):
    url = "/search/?q=" + "a" * (1024 * 1024)
    # Only the start of the request line, never its end: nginx answers once the line outgrows its buffer,
    # without waiting for the rest (a wait would end in its header timeout, not in a 414).
    status, ms = raw_request(stack["door_port"], f"GET {url}".encode(), read_timeout=60)
    print(f"1 MB URL through nginx: {status!r} in {ms:.1f} ms")
    assert status.startswith("HTTP/1.1 414"), status
    # gunicorn itself no longer accepts unbounded request lines either (limit_request_line 8190).
    status, ms = raw_request(stack["app_port"], f"GET {url[:20000]} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    assert status.startswith("HTTP/1.1 414"), status
    # Normal traffic still flows afterwards.
    assert requests.get(stack["door"] + "/healthz", timeout=10).status_code == 200


def test_normal_traffic_flows_through_the_front_door(stack):
    door = stack["door"]
    page = requests.get(door + "/", timeout=10)
    assert page.status_code == 200
    assert "人社" in page.text
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"

    api = requests.get(door + "/api/entries/", timeout=10)
    assert api.status_code == 200 and api.json()["count"] == 0

    topics = requests.get(door + "/topics/", timeout=10)
    assert topics.status_code == 200 and "人社" in topics.text

    manifest = sorted((stack["base"] / "static").glob("admin/css/base.*.css"))
    assert manifest, "collectstatic wrote no hashed files"
    static = requests.get(f"{door}/static/admin/css/{manifest[0].name}", timeout=10)
    assert static.status_code == 200 and "immutable" in static.headers["Cache-Control"]
    assert static.headers["X-Content-Type-Options"] == "nosniff"

    too_big = requests.post(door + "/api/entries/", data=b"x" * (2 * 1024 * 1024), timeout=10)
    assert too_big.status_code == 413


def test_spoofed_forwarded_for_does_not_escape_the_lockout_and_nginx_rate_limits_logins(stack):
    door = stack["door"]
    session = requests.Session()
    session.get(door + "/admin/login/", timeout=10)
    statuses = []
    # Each attempt claims another address; nginx replaces the header with the real one, so axes counts them
    # all against 127.0.0.1.  (GET + POST per attempt: 10 requests, within nginx's burst of 10.)
    for attempt in range(5):
        response = session.post(
            door + "/admin/login/",
            data={
                "username": "editor",
                "password": f"wrong-{attempt}",
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            headers={"X-Forwarded-For": f"198.51.100.{attempt + 1}"},
            timeout=10,
            allow_redirects=False,
        )
        statuses.append(response.status_code)
    assert statuses[:4] == [200, 200, 200, 200], statuses
    assert statuses[4] == 429 and "登录已锁定" in response.text

    # Keep hammering: nginx answers 429 itself once the per-address rate is exceeded, without Django.
    texts = [requests.get(door + "/admin/login/", timeout=10) for _ in range(20)]
    limited = [r for r in texts if r.status_code == 429 and "请求过于频繁" in r.text]
    assert limited, [r.status_code for r in texts]
    assert limited[0].headers["Retry-After"] == "60"
    # Other pages are not rate limited.
    assert requests.get(door + "/healthz", timeout=10).status_code == 200
