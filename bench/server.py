"""What the benchmark phases that go over HTTP share: the environment of a size's processes, gunicorn with the
production settings on a free port, plain HTTP/1.0-style requests (one connection each, as gunicorn's sync
workers close them anyway) and a threaded search load."""

import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GUNICORN = Path(PY).with_name("gunicorn")
ALLOWED_HOSTS = "127.0.0.1,localhost"


def pct(values, p):
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def out(line=""):
    print(line, flush=True)


def bench_env(state):
    """The environment every process of one size runs with: production settings, its own state dir."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "WHOOSH_INDEX_DIR", "STATIC_ROOT", "DJANGO_DEBUG"):
        env.pop(name, None)  # never benchmark (or write into) a real database or index by accident
    env.update(
        PORTAL_VAR_DIR=str(state),
        SECRET_KEY="bench-only-not-a-secret",
        ALLOWED_HOSTS=ALLOWED_HOSTS,
        SECURE_SSL_REDIRECT="0",  # plain HTTP on 127.0.0.1; otherwise every request is a 301
        PYTHONPATH=str(ROOT),
        LOG_LEVEL="ERROR",
    )
    return env


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, headers=None, timeout=30):
    """(status, headers, body) of one request on its own connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **(headers or {})})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def get(port, path, timeout=30):
    status, _headers, body = request(port, "GET", path, timeout=timeout)
    return status, body


def search_path(q):
    return "/api/search/?" + urllib.parse.urlencode({"q": q})


class Gunicorn:
    """gunicorn with the production settings on a free 127.0.0.1 port; stopped (by its own pid) on exit.

    ``env`` adds to (or overrides) the environment, e.g. gunicorn's own settings (portal/gunicorn.conf.py)."""

    def __init__(self, state, workers=2, env=None):
        self.state = Path(state)
        self.workers = workers
        self.extra_env = dict(env or {})
        self.port = free_port()
        self.proc = None
        self.log = None

    def __enter__(self):
        env = bench_env(self.state)
        env.update(
            DJANGO_SETTINGS_MODULE="portal.settings.prod",
            GUNICORN_ACCESS_LOG=str(self.state / "gunicorn-access.log"),
            GUNICORN_ERROR_LOG=str(self.state / "gunicorn-error.log"),
            GUNICORN_LOG_LEVEL="warning",
        )
        env.pop("WORKERS", None)
        env.pop("WEB_CONCURRENCY", None)
        env.update(self.extra_env)
        self.log = open(self.state / "gunicorn-stdout.log", "ab")
        cmd = [str(GUNICORN), "portal.wsgi", "-c", "portal/gunicorn.conf.py"]
        cmd += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)]
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    def wait_ready(self, timeout=90):
        """Seconds from launch to the first successful search response."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.state}/gunicorn-*.log")
            try:
                status, _body = get(self.port, search_path("社保卡"), timeout=10)
                if status == 200:
                    return time.perf_counter() - self.started
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("gunicorn did not answer in time")

    def worker_pids(self):
        """The master's child processes: its workers (read from /proc, so Linux only)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # exited meanwhile
                continue
            # pid (comm) state ppid …: comm may contain spaces and parentheses, so split after the last ")".
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                pids.append(int(entry.name))
        return sorted(pids)

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the session we started for it, nothing else
                self.proc.wait(timeout=10)
        if self.log:
            self.log.close()


def http_load(port, queries, clients, seconds, max_requests):
    """``clients`` threads issuing searches for up to ``seconds`` / ``max_requests``; latencies and errors."""
    lock = threading.Lock()
    latencies, errors, statuses = [], [], {}
    issued = [0]
    deadline = time.perf_counter() + seconds
    paths = [search_path(q) for q in queries]

    def client(offset):
        i = offset
        while time.perf_counter() < deadline:
            with lock:
                if issued[0] >= max_requests:
                    return
                issued[0] += 1
            path = paths[i % len(paths)]
            i += 1
            t = time.perf_counter()
            try:
                status, body = get(port, path)
                ok = status == 200 and "results" in json.loads(body)
            except Exception as exc:  # a refused/reset connection is an error to count, not to crash on
                status, ok = type(exc).__name__, False
            ms = (time.perf_counter() - t) * 1000
            with lock:
                latencies.append(ms)
                statuses[status] = statuses.get(status, 0) + 1
                if not ok:
                    errors.append(status)

    threads = [threading.Thread(target=client, args=(k * 7,)) for k in range(clients)]
    t0 = time.perf_counter()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "rps": len(latencies) / elapsed if elapsed else 0.0,
        "latencies": latencies,
        "errors": len(errors),
        "statuses": statuses,
    }
