"""Load phases of bench/run.py (`make soak`): they measure, they never pass or fail.

- soak (``--soak-queries N``): N unique searches through gunicorn; throughput of the first and last 10 % and
  each worker's resident memory before and after, since every new query string can add to a cache.
- spray (``--spray-seconds S``): search p95 alone, then while clients POST wrong passwords with random
  usernames to /admin/login/, directly against gunicorn and, when nginx is installed, through
  deploy/nginx.conf, with how many login attempts were turned away (429/403).
"""

import io
import json
import multiprocessing
import os
import random
import re
import shutil
import string
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from bench.server import Gunicorn, free_port, http_load, out, pct, request, search_path

RANDOM_CHARS = string.ascii_letters + string.digits + "  ，。？！、：；（）-%"


# --- soak ------------------------------------------------------------------------------------------


def corpus_words(limit=2000):
    """jieba words (2+ characters) of the first ``limit`` entries: what real queries are made of."""
    from faq.models import Entry
    from faq.search.analysis import ensure_jieba

    lcut = ensure_jieba().lcut
    words = set()
    for question, answer in Entry.objects.order_by("pk").values_list("question", "answer")[:limit]:
        words.update(w for w in lcut(question + answer[:300]) if len(w) >= 2 and not w.isspace())
    return sorted(words)


def random_char(rng):
    # Half CJK (any of the unified ideographs, mostly ones no entry contains), half ASCII and punctuation.
    return chr(rng.randint(0x4E00, 0x9FA5)) if rng.random() < 0.5 else rng.choice(RANDOM_CHARS)


def unique_queries(words, n, seed):
    """``n`` distinct queries of 2–100 characters: corpus words and random characters, deterministic per seed."""
    rng = random.Random(seed)
    seen, queries = set(), []
    while len(queries) < n:
        length = rng.randint(2, 100)
        parts, size = [], 0
        while size < length:
            piece = rng.choice(words) if rng.random() < 0.7 else "".join(random_char(rng) for _ in range(3))
            parts.append(piece)
            size += len(piece)
        q = "".join(parts)[:length]
        if len(q.strip()) >= 2 and q not in seen:
            seen.add(q)
            queries.append(q)
    return queries


def rss_mb(pid):
    """VmRSS of a process in MB (None once it has exited)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match[1]) / 1024 if match else None


def workers_rss(server):
    return {pid: rss_mb(pid) for pid in server.worker_pids()}


def send_all(port, paths, clients, on_done):
    """Every path once, from ``clients`` threads; ``on_done(status)`` after each answer (under a lock)."""
    lock = threading.Lock()
    position = iter(range(len(paths)))

    def client():
        while True:
            with lock:
                i = next(position, None)
            if i is None:
                return
            try:
                status, _headers, body = request(port, "GET", paths[i])
                if status == 200 and "results" not in json.loads(body):
                    status = "no results key"
            except Exception as exc:  # a refused/reset connection is an error to count, not to crash on
                status = type(exc).__name__
            with lock:
                on_done(status)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()


class SoakLog:
    """Completion times and statuses of the soak's requests, with a progress row every tenth."""

    def __init__(self, server, total):
        self.server, self.total = server, total
        self.done, self.statuses, self.mark = [], {}, time.perf_counter()
        self.rows = []

    def __call__(self, status):
        now = time.perf_counter()
        self.done.append(now)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        tenth = max(1, self.total // 10)
        if len(self.done) % tenth == 0:
            rps = tenth / (now - self.mark)
            rss = " ".join(f"{mb:.1f}" for mb in workers_rss(self.server).values() if mb is not None)
            self.rows.append(f"    {len(self.done):>7} requests   {rps:6.0f} req/s   worker RSS MB {rss}")
            out(self.rows[-1])
            self.mark = now

    def rps_of_tenth(self, start, first):
        """Requests/s over the first (or last) tenth of the requests, from ``start``."""
        k = max(1, len(self.done) // 10)
        if first:
            return k / (self.done[k - 1] - start)
        return k / (self.done[-1] - self.done[-k - 1]) if len(self.done) > k else float("nan")


def rss_lines(before, after):
    """Per-worker RSS before/after and the growth; the largest growth (None if no worker lasted)."""
    lines, growths = [], []
    for pid, mb_before in before.items():
        mb_after = after.get(pid)
        if mb_after is None:
            lines.append(f"    worker {pid}: {mb_before:.1f} MB before, gone after (replaced)")
            continue
        growths.append(mb_after - mb_before)
        lines.append(
            f"    worker {pid}: RSS {mb_before:.1f} → {mb_after:.1f} MB   growth {mb_after - mb_before:+.1f} MB"
        )
    for pid in sorted(set(after) - set(before)):
        lines.append(f"    worker {pid}: new during the soak, {after[pid]:.1f} MB after")
    return lines, (max(growths) if growths else None)


def phase_soak(run):
    """``--soak-queries`` unique searches through gunicorn: throughput and worker memory, first vs last."""
    args = run.args
    if args.soak_queries <= 0:
        return
    t = time.perf_counter()
    queries = unique_queries(corpus_words(), args.soak_queries, seed=args.seed)
    run.row("soak queries (unique, 2–100 characters)", f"{len(queries)} in {time.perf_counter() - t:.1f} s")
    paths = [search_path(q) for q in queries]
    # No recycling (max_requests): a worker replaced part-way would hide exactly the growth measured here.
    with Gunicorn(run.state, workers=args.http_workers, env={"GUNICORN_MAX_REQUESTS": "0"}) as server:
        server.wait_ready()
        # Warm-up: the fixed mix twice, so "before" is a worker that has served, not one that just forked.
        http_load(server.port, run.queries, args.http_clients, 60, 2 * len(run.queries))
        before = workers_rss(server)
        run.emit(
            [
                f"  soak: gunicorn {args.http_workers} workers (preload, no max_requests), {args.http_clients} "
                f"clients, {len(paths)} unique queries via /api/search/"
            ]
        )
        log = SoakLog(server, len(paths))
        start = time.perf_counter()
        send_all(server.port, paths, args.http_clients, log)
        elapsed = time.perf_counter() - start
        after = workers_rss(server)
    run.rows.extend(log.rows)
    errors = sum(n for status, n in log.statuses.items() if status != 200)
    first, last = log.rps_of_tenth(start, True), log.rps_of_tenth(start, False)
    lines, growth = rss_lines(before, after)
    run.emit(
        [
            f"    {len(log.done)} requests in {elapsed:.0f} s ({len(log.done) / elapsed:.0f} req/s)   errors {errors}"
            f"   statuses {log.statuses}",
            f"    requests/s first 10 % {first:.0f}, last 10 % {last:.0f} (last/first {last / first:.2f})",
            *lines,
        ]
    )
    fmt = ",".join
    out(
        f"RESULT soak size={run.total or run.real} queries={len(log.done)} rps_first10={first:.0f} "
        f"rps_last10={last:.0f} rss_before_mb={fmt(f'{v:.1f}' for v in before.values())} "
        f"rss_after_mb={fmt(f'{v:.1f}' for v in after.values() if v is not None)} "
        f"rss_growth_max_mb={growth if growth is not None else float('nan'):.1f} errors={errors}"
    )


# --- login spray -----------------------------------------------------------------------------------

CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(port):
    """(cookie, form token) from the admin login page, or None when it is refused (rate limited)."""
    status, headers, body = request(port, "GET", "/admin/login/")
    cookie = next((c.split(";", 1)[0] for c in headers.get_all("Set-Cookie") or [] if c.startswith("csrftoken=")), None)
    field = CSRF_FIELD.search(body)
    if status != 200 or not cookie or not field:
        return None
    return cookie, field[1].decode()


def spray_client(port, seed, stop, ready, results, rate=0.0):
    """One login sprayer (its own process): a CSRF token, then wrong passwords for random usernames until
    ``stop``, ``rate`` attempts a second (0: as fast as it can); puts its status counts and CPU seconds on
    ``results``.  A paced spray is what a password sprayer sends; unpaced, the sprayers on this 2-core machine
    mostly measure their own CPU use."""
    rng = random.Random(seed)
    next_at = time.monotonic()
    statuses, token = {}, None
    while not stop.is_set() and token is None:
        token = csrf_token(port)
        if token is None:
            stop.wait(0.5)
    ready.put(token is not None)
    while not stop.is_set():
        cookie, field = token
        user = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(5, 12)))
        body = urllib.parse.urlencode(
            {"username": user, "password": f"wrong-{rng.random()}", "csrfmiddlewaretoken": field}
        )
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        try:
            status, _headers, _body = request(port, "POST", "/admin/login/", body, headers)
        except Exception as exc:  # counted like a status: the spray must not stop on a refused connection
            status = type(exc).__name__
        statuses[status] = statuses.get(status, 0) + 1
        if rate:
            next_at += 1.0 / rate
            stop.wait(max(0.0, next_at - time.monotonic()))
    results.put((statuses, time.process_time()))


class Spray:
    """``clients`` login sprayers from the moment each has its CSRF token until the block ends.

    Processes, not threads: in-process sprayers would take the GIL from the thread timing the searches,
    and the figure would measure the benchmark instead of the server."""

    def __init__(self, port, clients, seed, rate=0.0):
        ctx = multiprocessing.get_context("fork")
        self.stop, self.ready, self.results = ctx.Event(), ctx.Queue(), ctx.Queue()
        self.statuses, self.cpu_s = {}, 0.0
        self.procs = [
            ctx.Process(target=spray_client, args=(port, seed * 100 + k, self.stop, self.ready, self.results, rate))
            for k in range(clients)
        ]

    def __enter__(self):
        for proc in self.procs:
            proc.start()
        for _ in self.procs:
            self.ready.get(timeout=60)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for _ in self.procs:
            statuses, cpu_s = self.results.get(timeout=120)
            self.cpu_s += cpu_s
            for status, n in statuses.items():
                self.statuses[status] = self.statuses.get(status, 0) + n
        for proc in self.procs:
            proc.join(timeout=30)


def spray_measure(run, port, label):
    """Search p95 alone, then under the spray; the rows and RESULT line for one way in (gunicorn or nginx)."""
    from django.core.management import call_command

    args = run.args
    # Each way in starts without earlier lockouts of 127.0.0.1 (axes prints a line; not part of the table).
    call_command("axes_reset", stdout=io.StringIO())
    # Warm-up, so that "alone" is not a fresh worker's first searches.
    http_load(port, run.queries, args.http_clients, 60, 2 * len(run.queries))
    search = (port, run.queries, args.spray_search_clients, args.spray_seconds, 10**9)
    alone = http_load(*search)
    with Spray(port, args.spray_clients, args.seed, args.spray_rate) as spray:
        under = http_load(*search)
    p95_alone, p95_under = pct(alone["latencies"], 95), pct(under["latencies"], 95)
    attempts = sum(spray.statuses.values())
    refused = spray.statuses.get(429, 0) + spray.statuses.get(403, 0)
    errors = alone["errors"] + under["errors"]
    run.emit(
        [
            f"  login spray {label}: {args.spray_search_clients} search client(s), {args.spray_clients} login "
            f"clients at {args.spray_rate or 'max'}/s each, {args.spray_seconds:.0f} s each",
            f"    search p95 alone {p95_alone:.1f} ms ({alone['requests']} requests), under spray {p95_under:.1f} ms"
            f" ({under['requests']} requests): {p95_under / p95_alone:.2f}×   search errors {errors}",
            f"    login attempts {attempts} ({attempts / args.spray_seconds:.0f}/s), turned away (429/403) {refused}"
            f"   statuses {spray.statuses}",
            # The sprayers run on this machine: their CPU is taken from the server, unlike a remote attacker's.
            f"    sprayers' own CPU {spray.cpu_s:.1f} s in {args.spray_seconds:.0f} s ({os.cpu_count()} CPUs here)",
        ]
    )
    out(
        f"RESULT spray via={label.split()[-1]} p95_alone_ms={p95_alone:.1f} p95_spray_ms={p95_under:.1f} "
        f"ratio={p95_under / p95_alone:.2f} logins={attempts} lockouts={refused} search_errors={errors}"
    )


def nginx_binary():
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)


class Nginx:
    """nginx with deploy/nginx.conf rendered as tests/test_front_door.py renders it, in front of ``upstream``."""

    def __init__(self, binary, upstream_port):
        self.binary, self.upstream_port = binary, upstream_port
        self.port = free_port()

    def __enter__(self):
        from portal.frontdoor import render_nginx_conf

        # Not the state dir: nginx's workers run as an unprivileged user and need a directory they can enter.
        self.base = Path(tempfile.mkdtemp(prefix="bench-front-door-"))
        self.base.chmod(0o755)
        (self.base / "static").mkdir()
        conf = self.base / "nginx.conf"
        conf.write_text(
            render_nginx_conf(f"127.0.0.1:{self.port}", f"127.0.0.1:{self.upstream_port}", self.base / "static")
        )
        self.log = open(self.base / "nginx.log", "wb")
        cmd = [self.binary, "-p", str(self.base), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"]
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline:
            try:
                if request(self.port, "GET", "/healthz", timeout=5)[0] == 200:
                    return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("nginx did not come up")

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.base, ignore_errors=True)


def phase_spray(run):
    """``--spray-seconds``: search p95 with and without a login spray, on gunicorn and, if installed, via nginx."""
    from django.core.management import call_command

    args = run.args
    if args.spray_seconds <= 0:
        return
    # The admin login page needs the static files' manifest (production storage), as after a deploy.
    call_command("collectstatic", interactive=False, verbosity=0)
    with Gunicorn(run.state, workers=args.http_workers) as server:
        server.wait_ready()
        spray_measure(run, server.port, "direct to gunicorn")
    binary = nginx_binary()
    if not binary:
        run.row("login spray through nginx", "skipped (nginx not installed: make nginx-deps)")
        return
    # Behind the proxy Django takes the client address (and scheme) from nginx's X-Forwarded-* headers.
    with Gunicorn(run.state, workers=args.http_workers, env={"BEHIND_TLS_PROXY": "1"}) as server:
        server.wait_ready()
        with Nginx(binary, server.port) as door:
            spray_measure(run, door.port, "through nginx")
