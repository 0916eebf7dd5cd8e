"""`make bench-pages`: the phone performance budget (prints figures; not a test).

    .venv/bin/python bench/pages.py [--runs 3] [--keep]

1. A throw-away state dir (bench-results/state-pages/, never var/): migrate, load fixtures/knowledge_base.json,
   build the search index, collectstatic; then gunicorn with portal.settings.prod (gzip, whitenoise), as served.
2. Weight: for every page type, its HTML plus the CSS and JS it loads, each as sent with
   ``Accept-Encoding: gzip``. Budget: 40 KB a page.
3. First contentful paint on a throttled phone, cold cache: Debian's chromium through Playwright at 360 px,
   CDP Network.emulateNetworkConditions (150 ms RTT, 1.6 Mbps down, 750 kbps up) and
   Emulation.setCPUThrottlingRate (4x). Median of --runs fresh contexts. Budget: 1.2 s for home, search and entry.

Prints a table with PASS/FAIL and appends it to bench-results/pages-<timestamp>.txt.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
PY = sys.executable
GUNICORN = Path(PY).with_name("gunicorn")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SIZE_BUDGET = 40 * 1024
FCP_BUDGET_MS = 1200
FCP_PAGES = ("home", "search", "entry")
# Lighthouse's "slow 4G" phone: 150 ms round trip, 1.6 Mbps down, 750 kbps up, a CPU four times slower.
NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8, "uploadThroughput": 750e3 / 8}
CPU_SLOWDOWN = 4


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(state, env):
    def manage(*args):
        done = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stderr}")

    manage("migrate", "--noinput", "-v0")
    manage("loaddata", "fixtures/knowledge_base.json", "-v0")
    manage("build_search_index")
    manage("collectstatic", "--noinput", "-v0")


def serve(env, port):
    proc = subprocess.Popen(
        [
            str(GUNICORN),
            "portal.wsgi",
            "-c",
            "portal/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env={**env, "GUNICORN_ACCESS_LOG": "/dev/null"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def page_urls(env):
    """One URL per page type, from the loaded knowledge base."""
    code = (
        "import json; from faq.models import *; "
        "e = Entry.objects.filter(status='published', steps__isnull=False).order_by('pk').first(); "
        "d = District.objects.filter(offices__isnull=False).select_related('city').order_by('pk').first(); "
        "k = Keyword.objects.order_by('pk').first(); o = Office.objects.order_by('pk').first(); "
        "t = Topic.objects.order_by('order').first(); "
        "print(json.dumps([e.get_absolute_url(), d.get_absolute_url(), k.get_absolute_url(), o.get_absolute_url(), "
        "t.get_absolute_url()]))"
    )
    out = subprocess.run(
        [PY, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout
    entry, district, keyword, office, topic = json.loads(out.strip().splitlines()[-1])
    return {
        "home": "/",
        "search": "/search/?q=社保卡挂失",
        "entry": entry,
        "topic": topic,
        "topics": "/topics/",
        "city": "/cities/changsha/",
        "district": district,
        "keyword": keyword,
        "keywords": "/keywords/",
        "offices": "/offices/",
        "office": office,
        "phones": "/phones/",
        "404": "/no/such/page/",
        "offline": "/offline/",
    }


def fetch(url):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip", "User-Agent": "bench-pages"})
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:  # the 404 page is a page too
        response = error
    body = response.read()
    encoding = response.headers.get("Content-Encoding", "")
    raw = gzip.decompress(body) if encoding == "gzip" else body
    return len(body), encoding, raw


def weigh(base, path):
    html_size, encoding, raw = fetch(base + urllib.parse.quote(path, safe="/?=&"))
    html = raw.decode("utf-8")
    assets = re.findall(r'<(?:script[^>]*src|link[^>]*rel="stylesheet"[^>]*href)="([^"]+)"', html)
    asset_sizes = {a: fetch(base + a)[0] for a in assets}
    return {"html": html_size, "encoding": encoding, "assets": sum(asset_sizes.values()), "raw_html": len(raw)}


def first_contentful_paint(browser, url, runs):
    times = []
    for _ in range(runs):
        context = browser.new_context(viewport={"width": 360, "height": 780}, device_scale_factor=2, is_mobile=True)
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", NETWORK)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        page.goto(url, wait_until="load")
        page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length > 0", timeout=30000)
        times.append(page.evaluate("performance.getEntriesByName('first-contentful-paint')[0].startTime"))
        context.close()
    return statistics.median(times), times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="FCP runs per page (median)")
    parser.add_argument("--keep", action="store_true", help="keep the state dir")
    args = parser.parse_args()

    state = RESULTS / "state-pages"
    shutil.rmtree(state, ignore_errors=True)
    state.mkdir(parents=True)
    env = {
        **os.environ,
        "PORTAL_VAR_DIR": str(state),
        "STATIC_ROOT": str(state / "static"),
        "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
        "SECRET_KEY": "bench-pages-only",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
    }
    env.pop("DATABASE_URL", None)
    print("preparing a fresh knowledge base (fixture + index + collectstatic) …", flush=True)
    prepare(state, env)
    urls = page_urls(env)
    port = free_port()
    server = serve(env, port)
    base = f"http://127.0.0.1:{port}"
    lines = []
    failed = False
    try:
        lines.append(
            f"{'page':<10} {'HTML gz':>9} {'CSS+JS gz':>10} {'total':>9} {'budget':>7}  {'FCP median':>10}  runs"
        )
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
            for name, path in urls.items():
                w = weigh(base, path)
                total = w["html"] + w["assets"]
                ok = total <= SIZE_BUDGET and w["encoding"] == "gzip"
                fcp_text = ""
                if name in FCP_PAGES:
                    median, runs = first_contentful_paint(browser, base + path, args.runs)
                    ok = ok and median <= FCP_BUDGET_MS
                    fcp_text = f"{median:>8.0f} ms  " + ", ".join(f"{t:.0f}" for t in runs)
                failed |= not ok
                lines.append(
                    f"{name:<10} {w['html'] / 1024:>7.1f} K {w['assets'] / 1024:>8.1f} K {total / 1024:>7.1f} K "
                    f"{'PASS' if ok else 'FAIL':>7}  {fcp_text}"
                )
                print(lines[-1], flush=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            shutil.rmtree(state, ignore_errors=True)
    header = (
        f"bench-pages {time.strftime('%Y-%m-%d %H:%M')}: budget {SIZE_BUDGET // 1024} KB gzip (HTML+CSS+JS), "
        f"FCP ≤ {FCP_BUDGET_MS} ms ({', '.join(FCP_PAGES)}); 150 ms RTT, 1.6 Mbps, CPU ÷{CPU_SLOWDOWN}"
    )
    report = "\n".join([header, *lines, "RESULT " + ("PASS" if not failed else "FAIL"), ""])
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"pages-{time.strftime('%Y%m%d-%H%M%S')}.txt").write_text(report, encoding="utf-8")
    print("RESULT " + ("PASS" if not failed else "FAIL"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
