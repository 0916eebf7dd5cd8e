"""`make bench`: search speed at 10k–100k entries against the stock configuration (issue 6 §1).

    .venv/bin/python bench/run.py --sizes 10000 100000 [--passes 3] [--skip-stock-above N] [--profile 5]

For every size a child process (Django can only be set up once per process) works in its own state dir,
bench-results/state-<size>/ (never var/):

1. migrates a fresh SQLite database and imports the real sources (faq.importer.run_import);
2. HTTP on the real corpus: gunicorn (portal.settings.prod, 2 workers, preload) under concurrent clients;
3. adds synthetic entries (bench/corpus.py) up to <size> entries with bulk_create;
4. builds our index (faq.search.build.build_index()) and the stock one (haystack update_index, bench/stock.py);
5. latency of our search() (the page/API one, with highlighting and facets) and of the stock configuration
   over the same query mix, warm (the first, cold pass is shown too); one entry's edit reaching the index;
   a cold worker's start-up;
6. HTTP again at <size> entries;
7. checks the figures against issue 6's targets (PASS/FAIL).

Load phases (bench/load.py), only when asked for: ``--soak-queries N`` sends N unique searches and reports
throughput and worker memory first vs last; ``--spray-seconds S`` measures search p95 with and without a
login spray.  ``--load-only`` runs just those on a corpus of the size (`make soak`).

It prints a table, appends it to bench-results/bench-<timestamp>.txt and ends each size with one RESULT line.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":
    sys.path[0] = str(ROOT)  # instead of bench/, whose settings.py/queries.py must not shadow anything

from bench.load import phase_soak, phase_spray  # noqa: E402
from bench.server import PY, Gunicorn, bench_env, get, http_load, out, pct, search_path  # noqa: E402

RESULTS = ROOT / "bench-results"


# --- small helpers ---------------------------------------------------------------------------------


def dir_size(path):
    path = Path(os.path.realpath(path))
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def mb(n):
    return f"{n / 1e6:.1f} MB"


def latency_row(label, values, extra=""):
    return (
        f"  {label:<22} {len(values):>5} {pct(values, 50):>8.1f} {pct(values, 95):>8.1f} {max(values):>8.1f}{extra}"
        if values
        else f"  {label:<22}     0        -        -        -"
    )


LATENCY_HEADER = f"  {'':<22} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"


# --- search latency --------------------------------------------------------------------------------


def run_passes(fn, mix, passes):
    """Per-query latencies (ms) over ``passes`` passes after one warm-up pass; fn(q) returns a hit count.

    The warm-up pass is timed too (``first``): it pays for reading the index's postings and titles the
    first time, which the measured passes find in memory, as a worker that has been serving does."""
    first = {}
    for _cat, q in mix:
        t = time.perf_counter()
        fn(q)
        first[q] = [(time.perf_counter() - t) * 1000]
    timings = {q: [] for _c, q in mix}
    hits = {}
    for _ in range(passes):
        for _cat, q in mix:
            t = time.perf_counter()
            hits[q] = fn(q)
            timings[q].append((time.perf_counter() - t) * 1000)
    return timings, hits, first


def latency_table(name, mix, timings, hits):
    lines = []
    for cat in ["all"] + sorted({c for c, _q in mix}, key=["public", "short", "long"].index):
        qs = [q for c, q in mix if cat in ("all", c)]
        values = [v for q in qs for v in timings[q]]
        found = sum(1 for q in qs if hits.get(q))
        lines.append(latency_row(f"{name} {cat}", values, f"   {found}/{len(qs)} queries with results"))
    return lines


def rerank_agreement(mix, reference_depth):
    """How often the first page (title factors computed for the RERANK_DEPTH best by bm25 · coverage) equals
    the one from computing them for the ``reference_depth`` best."""
    from faq.search.engine.whoosh import ranking
    from faq.search.service import search

    def first_page(q):
        return [h.obj.pk for h in search(q, highlight=False, facets=False).hits]

    ours = {q: first_page(q) for _c, q in mix}
    depth = ranking.RERANK_DEPTH
    ranking.RERANK_DEPTH = reference_depth
    try:
        reference = {q: first_page(q) for _c, q in mix}
    finally:
        ranking.RERANK_DEPTH = depth
    top1 = sum(ours[q][:1] == reference[q][:1] for q in reference)
    overlap = sum(len(set(ours[q]) & set(reference[q])) for q in reference) / max(1, sum(map(len, reference.values())))
    same = sum(ours[q] == reference[q] for q in reference)
    return f"depth {depth}: same top hit {top1}/{len(mix)}, top-10 overlap {overlap:.3f}, same page {same}/{len(mix)}"


def slowest(timings, k=5):
    return sorted(((max(v), q) for q, v in timings.items()), reverse=True)[:k]


def profile_queries(fn, queries, repeat=3, top=18):
    """cProfile of the given queries (``repeat`` runs each), the top functions by cumulative time."""
    prof = cProfile.Profile()
    prof.enable()
    for q in queries:
        for _ in range(repeat):
            fn(q)
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats(top)
    buf.write("\n")
    stats.sort_stats("tottime").print_stats(top)
    return buf.getvalue()


# --- HTTP ------------------------------------------------------------------------------------------


def http_bench(state, queries, args, label, env=None):
    with Gunicorn(state, workers=args.http_workers, env=env) as server:
        ready = server.wait_ready()
        status, body = get(server.port, search_path("养老金每月几号发"))
        result = http_load(server.port, queries, args.http_clients, args.http_seconds, args.http_max_requests)
    result["ready_s"] = ready
    lines = [
        f"  HTTP {label}: gunicorn {args.http_workers} workers (preload), {args.http_clients} clients, "
        f"{result['requests']} requests in {result['seconds']:.1f} s",
        f"    ready (launch → first search answered)  {ready:.2f} s",
        f"    requests/s {result['rps']:.0f}   errors {result['errors']}   statuses {result['statuses']}",
        LATENCY_HEADER,
        latency_row("http /api/search/", result["latencies"]),
    ]
    return result, lines


# --- start-up --------------------------------------------------------------------------------------

STARTUP_CODE = r"""
import time
t0 = time.perf_counter()
import json
import django
t_django = time.perf_counter()
import faq.search.analysis as analysis  # imports jieba (the module); the dictionary loads in ensure_jieba
t_jieba_import = time.perf_counter()
_orig, _spent = analysis.ensure_jieba, [0.0]
def _timed():
    t = time.perf_counter()
    try:
        return _orig()
    finally:
        _spent[0] += time.perf_counter() - t
analysis.ensure_jieba = _timed
django.setup()  # faq's AppConfig.ready() loads jieba here
t_setup = time.perf_counter()
from faq.search.service import search
t_search0 = time.perf_counter()
n = len(search("社保卡挂失").hits)
t_end = time.perf_counter()
print(json.dumps({
    "import_django": t_django - t0, "import_jieba": t_jieba_import - t_django, "jieba_load": _spent[0],
    "setup": t_setup - t_jieba_import, "first_search": t_end - t_search0, "in_process": t_end - t0, "hits": n,
}))
"""


def startup_bench(state, runs=3):
    env = bench_env(state)
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings.prod"
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run([PY, "-c", STARTUP_CODE], cwd=ROOT, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t
        if proc.returncode:
            raise RuntimeError(f"start-up probe failed:\n{proc.stderr[-2000:]}")
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        data["wall"] = wall
        samples.append(data)
    med = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
    lines = [
        f"  cold worker (python -c: import Django, setup, load jieba, one search), median of {runs}:",
        f"    wall {med['wall']:.2f} s (max {max(s['wall'] for s in samples):.2f})   in-process {med['in_process']:.2f} s"
        f" = import django {med['import_django']:.2f} + import jieba/whoosh {med['import_jieba']:.2f}"
        f" + setup {med['setup']:.2f} (of which jieba dictionary {med['jieba_load']:.2f})"
        f" + first search {med['first_search']:.2f}",
        f"    jieba total (import + dictionary) {med['import_jieba'] + med['jieba_load']:.2f} s",
    ]
    return med, lines


# --- one size (child process) ----------------------------------------------------------------------


@dataclass
class Run:
    """What the phases of one size share: the arguments and the figures measured so far.

    Each phase reads the figures earlier ones left here and adds its own; the printed rows are kept too,
    in order, for the report."""

    size: int
    args: argparse.Namespace
    state: Path
    rows: list = field(default_factory=list)
    mix: list = field(default_factory=list)
    queries: list = field(default_factory=list)
    real: int = 0  # entries imported from the sources
    synthetic: int = 0
    total: int = 0
    build_s: float = float("nan")
    do_stock: bool = False
    ours_t: dict = field(default_factory=dict)
    ours_first: dict = field(default_factory=dict)
    ours_all: list = field(default_factory=list)
    ours_wall: float = 0.0
    stock_t: dict = field(default_factory=dict)
    stock_all: list = field(default_factory=list)
    edits: list = field(default_factory=list)
    startup: dict = field(default_factory=dict)
    http: dict = field(default_factory=lambda: {"rps": float("nan"), "errors": -1})
    http_real: dict | None = None
    http_logging: dict | None = None

    def row(self, label, value):
        self.emit([f"  {label:<44} {value}"])

    def emit(self, lines):
        for line in lines:
            out(line)
            self.rows.append(line)


def ours(q):
    """Our page/API search (highlighting and facets included); the hit count."""
    from faq.search.service import search

    return len(search(q).hits)


def stock(q):
    from bench.stock import stock_search

    return len(stock_search(q))


def phase_setup(run):
    """A fresh database in the state dir with the real sources imported; the query mix."""
    from django.conf import settings
    from django.core.management import call_command

    from bench.queries import query_mix
    from faq.importer import run_import
    from faq.models import Entry

    state = run.state
    out(f"== size {run.size} ==  (state {state.relative_to(ROOT) if state.is_relative_to(ROOT) else state})")
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    run.row("migrate", f"{time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    report = run_import(sorted(Path(settings.SOURCES_DIR).glob("*.txt")))
    run.real = Entry.objects.count()
    run.row("import real sources", f"{time.perf_counter() - t:.1f} s ({'; '.join(report.lines())})")

    run.mix = query_mix(run.args.queries)
    run.queries = [q for _c, q in run.mix]
    counts = {c: sum(1 for cc, _q in run.mix if cc == c) for c in ("public", "short", "long")}
    run.row("query mix", ", ".join(f"{n} {c}" for c, n in counts.items()))


def phase_http_real(run):
    """HTTP through gunicorn on the real corpus alone (the issue's throughput target is on this one)."""
    if not (run.args.http_real and run.args.http_seconds > 0):
        return
    from faq.search.build import build_index

    build_index()
    run.http_real, lines = http_bench(run.state, run.queries, run.args, f"real corpus ({run.real} entries)")
    run.emit(lines)


def logging_cost_in_process(queries):
    """What logging adds to one search in the request (the buffered append), and what the flusher spends off
    the request path: a figure the load of a shared machine does not blur the way HTTP throughput is."""
    from django.test import RequestFactory

    from faq.search.service import search
    from insights import buffer, recording

    request = RequestFactory().get("/search/")
    searched, results = [], []
    for q in queries:
        t = time.perf_counter()
        results.append(search(q))
        searched.append((time.perf_counter() - t) * 1000)
    buffer.buffer.discard()
    logged = []
    for found in results:
        t = time.perf_counter()
        recording.on_search(request, found, "page")
        logged.append((time.perf_counter() - t) * 1000)
    pending = buffer.buffer.pending()
    t = time.perf_counter()
    buffer.flush()
    flush_ms = (time.perf_counter() - t) * 1000
    share = statistics.median(logged) / statistics.median(searched) * 100
    return [
        f"  search log in the request: median {statistics.median(logged) * 1000:.0f} µs a search "
        f"(p95 {pct(logged, 95) * 1000:.0f} µs) = {share:.2f} % of the median search ({statistics.median(searched):.1f} ms)",
        f"  off the request path: {pending} rows flushed in {flush_ms:.1f} ms (one bulk insert)",
    ]


def phase_http_logging(run):
    """HTTP search throughput with the search log on and off (issue 11: logging costs at most 5 %), on the
    real corpus; the runs alternate (off, on, off, on …) so drift on a shared machine hits both alike, and
    each side keeps its best run."""
    if not (run.args.http_real and run.args.http_seconds > 0 and run.args.logging_rounds > 0):
        return
    from insights.models import SearchLog

    run.emit(logging_cost_in_process(run.queries))

    best = {}
    logged_before = SearchLog.objects.count()
    for _round in range(run.args.logging_rounds):
        for mode in ("0", "1"):
            env = {"SEARCH_LOG_ENABLED": mode}
            result, _lines = http_bench(run.state, run.queries, run.args, "search log", env=env)
            if mode not in best or result["rps"] > best[mode]["rps"]:
                best[mode] = result
    logged = SearchLog.objects.count() - logged_before
    off, on = best["0"], best["1"]
    cost = (off["rps"] - on["rps"]) / off["rps"] * 100 if off["rps"] else float("nan")
    run.http_logging = {"off_rps": off["rps"], "on_rps": on["rps"], "cost_pct": cost}
    run.emit(
        [
            f"  HTTP search log off vs on (real corpus, best of {run.args.logging_rounds} runs each):",
            f"    off {off['rps']:.0f} req/s (p95 {pct(off['latencies'], 95):.1f} ms, errors {off['errors']})",
            f"    on  {on['rps']:.0f} req/s (p95 {pct(on['latencies'], 95):.1f} ms, errors {on['errors']}), "
            f"{logged} searches logged",
            f"    cost of logging {cost:+.1f} % of throughput (target ≤ 5 %)",
        ]
    )


def insert_synthetic(synthetic):
    """bulk_create the (question, answer, topic) triples, spread over the cities, in batches of 2,000."""
    from django.db import transaction

    from faq.models import City, Entry, Topic

    cities = list(City.objects.order_by("pk"))
    topics = {tp.slug: tp for tp in Topic.objects.all()}
    through = Entry.topics.through
    batch = 2000
    for start in range(0, len(synthetic), batch):
        chunk = synthetic[start : start + batch]
        with transaction.atomic():
            objs = Entry.objects.bulk_create(
                Entry(question=q, answer=a, city=cities[(start + i) % len(cities)], source_position=start + i)
                for i, (q, a, _tp) in enumerate(chunk)
            )
            through.objects.bulk_create(
                through(entry_id=o.pk, topic_id=topics[tp].pk)
                for o, (_q, _a, tp) in zip(objs, chunk, strict=True)
                if tp in topics
            )


def phase_synthetic(run):
    """Synthetic entries grown from the real ones (bench/corpus.py) up to the size."""
    from bench.corpus import Seed, generate
    from faq.models import Entry, Office
    from faq.search.analysis import ensure_jieba

    t = time.perf_counter()
    ensure_jieba()
    seeds = [
        Seed(e.question, e.answer, next((tp.slug for tp in e.topics.all()), ""))
        for e in Entry.objects.prefetch_related("topics")
    ]
    run.synthetic = max(0, run.size - run.real)
    insert_synthetic(generate(seeds, run.synthetic, ensure_jieba().lcut, seed=run.args.seed))
    run.total = Entry.objects.count()
    offices = Office.objects.count()
    run.row("synthetic entries (generate + bulk_create)", f"{run.synthetic} in {time.perf_counter() - t:.1f} s")
    run.row("corpus", f"{run.total} entries ({run.real} real + {run.synthetic} synthetic), {offices} offices")


def phase_build_ours(run):
    """Our index, as build_search_index builds it."""
    from faq.search.build import build_index

    t = time.perf_counter()
    target, counts, _replayed, _seconds = build_index()
    run.build_s = time.perf_counter() - t
    run.row("build: ours (build_search_index)", f"{run.build_s:.1f} s, {mb(dir_size(target))} ({counts})")


def phase_build_stock(run):
    """The stock index (haystack update_index in one batch), unless the size is above --skip-stock-above."""
    from haystack import connections

    from bench.stock import build as build_stock

    skip_above = run.args.skip_stock_above
    run.do_stock = skip_above is None or run.size <= skip_above
    if not run.do_stock:
        run.row("build: stock", f"skipped (--skip-stock-above {skip_above})")
        return
    stock_path = Path(connections["stock"].options["PATH"])
    shutil.rmtree(stock_path, ignore_errors=True)
    t = time.perf_counter()
    stock_counts = build_stock()
    stock_build = time.perf_counter() - t
    run.row(
        "build: stock (update_index, one batch)", f"{stock_build:.1f} s, {mb(dir_size(stock_path))} ({stock_counts})"
    )


def phase_latency_ours(run):
    """In-process latency of our search() over the mix: the measured (warm) passes and the first, cold one."""
    run.emit([LATENCY_HEADER])
    t = time.perf_counter()
    run.ours_t, hits, run.ours_first = run_passes(ours, run.mix, run.args.passes)
    run.emit(latency_table("ours", run.mix, run.ours_t, hits))
    run.emit([latency_row("ours 1st pass (cold)", [v for vs in run.ours_first.values() for v in vs])])
    run.ours_all = [v for vs in run.ours_t.values() for v in vs]
    run.ours_wall = time.perf_counter() - t


def phase_latency_stock(run):
    """The stock configuration over the same mix, and its p95 against ours."""
    if not run.do_stock:
        return
    t = time.perf_counter()
    run.stock_t, hits, _first = run_passes(stock, run.mix, run.args.stock_passes or run.args.passes)
    run.emit(latency_table("stock", run.mix, run.stock_t, hits))
    run.stock_all = [v for vs in run.stock_t.values() for v in vs]
    ratio = pct(run.stock_all, 95) / pct(run.ours_all, 95)
    run.row(
        "stock p95 / ours p95",
        f"{ratio:.1f}×   (latency passes took {run.ours_wall:.0f} s ours, {time.perf_counter() - t:.0f} s stock)",
    )


def phase_slowest(run):
    """The slowest queries of either configuration."""
    for ms, q in slowest(run.ours_t):
        run.row(f"slowest ours {ms:7.1f} ms", q)
    if run.do_stock:
        for ms, q in slowest(run.stock_t, 3):
            run.row(f"slowest stock {ms:7.1f} ms", q)


def phase_rerank(run):
    """What the re-rank depth costs in ranking: the first page against re-ranking (nearly) every match."""
    depth = run.args.reference_depth
    run.row("re-rank depth vs depth " + str(depth), rerank_agreement(run.mix, depth))


def edit_to_search(pk, word, timeout=10):
    """Append ``word`` to an entry's answer in a transaction and search for it until it is found.

    (ms until found, ms until committed, found)."""
    from django.db import transaction

    from faq.models import Entry
    from faq.search.service import search

    t = time.perf_counter()
    with transaction.atomic():
        entry = Entry.objects.get(pk=pk)
        entry.answer += f"\n{word}"
        entry.save()
    committed = time.perf_counter()
    while True:
        found = any(h.obj.pk == pk for h in search(word).hits)
        if found or time.perf_counter() - t > timeout:
            break
        time.sleep(0.005)
    return (time.perf_counter() - t) * 1000, (committed - t) * 1000, found


def phase_freshness(run):
    """Three edits, spread over the corpus, each until search finds it."""
    from faq.models import Entry

    sample = list(Entry.objects.order_by("pk").values_list("pk", flat=True)[:: max(1, run.total // 5)])[:3]
    run.edits = [edit_to_search(pk, f"zqbenchedit{'abc'[k]}{run.size}x") for k, pk in enumerate(sample)]
    run.row(
        "edit → searchable (save in atomic → found)",
        ", ".join(f"{ms:.0f} ms (commit+flush {c:.0f})" + ("" if ok else " NOT FOUND") for ms, c, ok in run.edits),
    )


def phase_cold_start(run):
    """A cold worker process: import, setup, jieba, first search."""
    run.startup, lines = startup_bench(run.state, runs=run.args.startup_runs)
    run.emit(lines)


def phase_http_size(run):
    """HTTP through gunicorn again, at this size."""
    if run.args.http_seconds > 0:
        run.http, lines = http_bench(run.state, run.queries, run.args, f"{run.total} entries")
        run.emit(lines)


def phase_profile(run):
    """cProfile of the slowest queries (--profile K); printed, not part of the report's rows."""
    if run.args.profile:
        worst = [q for _ms, q in slowest(run.ours_t, run.args.profile)]
        out(f"  cProfile of the {len(worst)} slowest queries (ours), 3 runs each:")
        out(profile_queries(ours, worst))


def phase_targets(run):
    """PASS/FAIL against issue 6's targets."""
    figures = {
        "p95": pct(run.ours_all, 95),
        "max": max(run.ours_all),
        "stock_p95": pct(run.stock_all, 95) if run.stock_all else None,
        "build": run.build_s,
        "edit": max(ms for ms, _c, _ok in run.edits),
        "ready": [run.startup["wall"], run.http.get("ready_s")],
        "http_real": run.http_real,
        "http_logging": run.http_logging,
    }
    run.emit(target_lines(run.size, figures))


def phase_result(run):
    """The one RESULT line that ends a size."""
    nan = float("nan")
    errors = run.http["errors"] + sum(0 if ok else 1 for _ms, _c, ok in run.edits)
    if run.http_real:
        errors += run.http_real["errors"]
    ours_all = run.ours_all
    out(
        f"RESULT size={run.total} p50_ms={pct(ours_all, 50):.1f} p95_ms={pct(ours_all, 95):.1f} "
        f"max_ms={max(ours_all):.1f} stock_p95_ms={pct(run.stock_all, 95) if run.stock_all else nan:.1f} "
        f"build_s={run.build_s:.1f} http_rps={run.http['rps']:.0f} errors={errors}"
        # The HTTP target is on the real corpus; http_rps above is at this size.
        f" http_real_rps={run.http_real['rps'] if run.http_real else nan:.0f}"
    )


PHASES = [
    phase_setup,
    phase_http_real,
    phase_http_logging,
    phase_synthetic,
    phase_build_ours,
    phase_build_stock,
    phase_latency_ours,
    phase_latency_stock,
    phase_slowest,
    phase_rerank,
    phase_freshness,
    phase_cold_start,
    phase_http_size,
    phase_soak,
    phase_spray,
    phase_profile,
    phase_targets,
    phase_result,
]
# `make soak` (--load-only): a corpus of the size, our index and the load phases, nothing else.
LOAD_PHASES = [phase_setup, phase_synthetic, phase_build_ours, phase_soak, phase_spray]


def child(size, args):
    """One size, in its own process and state dir: the phases in order."""
    import django

    django.setup()
    from django.conf import settings

    state = Path(args.state)
    assert Path(settings.VAR_DIR).resolve() == state.resolve(), "bench must run in its own state dir"
    run = Run(size=size, args=args, state=state)
    for phase in LOAD_PHASES if args.load_only else PHASES:
        phase(run)
    return 0


# --- targets (issue 6 §2) -------------------------------------------------------------------------

TARGETS = {
    # size: [(label, figure key, limit, "max" (at most) | "min" (at least))]
    10000: [
        ("p95 latency with highlighting ≤ 40 ms", "p95", 40, "max"),
        ("stock p95 ≥ 3 × ours", "stock_ratio", 3, "min"),
        ("index build ≤ 60 s", "build", 60, "max"),
        ("edit → searchable ≤ 200 ms", "edit", 200, "max"),
    ],
    100000: [
        ("p95 latency ≤ 150 ms", "p95", 150, "max"),
        ("no query in the mix over 500 ms", "max", 500, "max"),
    ],
}


def target_lines(size, figures):
    """PASS/FAIL against issue 6's targets for this size, plus those that hold at any size."""
    if figures.get("stock_p95") is not None:
        figures["stock_ratio"] = figures["stock_p95"] / figures["p95"]
    checks = list(TARGETS.get(size, []))
    checks.append(("worker ready ≤ 2 s (cold process; gunicorn launch → answer)", "ready_max", 2, "max"))
    ready = [r for r in figures["ready"] if r is not None]
    if ready:
        figures["ready_max"] = max(ready)
    real = figures.get("http_real")
    if real:
        figures["http_rps"] = real["rps"] if real["errors"] == 0 else 0.0
        checks.append(("HTTP ≥ 200 req/s, 2 workers, real corpus, 0 errors", "http_rps", 200, "min"))
    if figures.get("http_logging"):
        figures["logging_cost"] = figures["http_logging"]["cost_pct"]
        checks.append(("search log costs ≤ 5 % of HTTP throughput", "logging_cost", 5, "max"))
    lines = [f"  targets at {size} entries:"]
    for label, key, limit, kind in checks:
        value = figures.get(key)
        if value is None:
            lines.append(f"    {'n/a':<5} {label}")
            continue
        ok = value <= limit if kind == "max" else value >= limit
        lines.append(f"    {'PASS' if ok else 'FAIL':<5} {label:<58} {value:.2f}")
    return lines


# --- orchestration ---------------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000], help="total entries per run")
    p.add_argument("--passes", type=int, default=3, help="measured passes over the query mix (after a warm-up)")
    p.add_argument("--stock-passes", type=int, default=0, help="passes for the stock configuration (0: --passes)")
    p.add_argument("--skip-stock-above", type=int, default=None, help="no stock index/latency above this size")
    p.add_argument("--http-seconds", type=float, default=15.0, help="HTTP load duration per run (0: no HTTP)")
    p.add_argument("--http-max-requests", type=int, default=5000)
    p.add_argument("--http-clients", type=int, default=4)
    p.add_argument("--http-workers", type=int, default=2)
    p.add_argument("--logging-rounds", type=int, default=2, help="HTTP runs each with the search log off/on (0: skip)")
    p.add_argument("--no-http-real", dest="http_real", action="store_false", help="skip HTTP on the real corpus")
    p.add_argument("--soak-queries", type=int, default=0, metavar="N", help="soak: N unique searches over HTTP")
    p.add_argument("--spray-seconds", type=float, default=0, metavar="S", help="login spray: S s per measurement")
    p.add_argument("--spray-clients", type=int, default=4, help="login spray clients")
    p.add_argument("--spray-rate", type=float, default=5.0, help="login attempts a second per client (0: unpaced)")
    p.add_argument("--spray-search-clients", type=int, default=1, help="search clients during the login spray")
    p.add_argument("--load-only", action="store_true", help="only the soak and spray phases (make soak)")
    p.add_argument("--startup-runs", type=int, default=3)
    p.add_argument("--reference-depth", type=int, default=2000, help="re-rank depth the default is compared with")
    p.add_argument("--profile", type=int, default=0, metavar="K", help="cProfile the K slowest queries (ours)")
    p.add_argument("--queries", default=None, help="public query set (default ../shared/eval/queries.tsv)")
    p.add_argument("--seed", type=int, default=12333, help="synthetic corpus seed")
    p.add_argument("--keep-state", action="store_true", help="keep bench-results/state-<size>/ afterwards")
    p.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--state", default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.queries is None:
        from bench.queries import PUBLIC_SET

        args.queries = PUBLIC_SET
    return args


def child_argv(args, size, state):
    argv = [PY, str(Path(__file__).resolve()), "--child", str(size), "--state", str(state)]
    argv += ["--passes", str(args.passes), "--stock-passes", str(args.stock_passes)]
    argv += ["--http-seconds", str(args.http_seconds), "--http-max-requests", str(args.http_max_requests)]
    argv += ["--http-clients", str(args.http_clients), "--http-workers", str(args.http_workers)]
    argv += ["--startup-runs", str(args.startup_runs), "--profile", str(args.profile)]
    argv += ["--reference-depth", str(args.reference_depth)]
    argv += ["--soak-queries", str(args.soak_queries), "--spray-seconds", str(args.spray_seconds)]
    argv += ["--spray-clients", str(args.spray_clients), "--spray-search-clients", str(args.spray_search_clients)]
    argv += ["--spray-rate", str(args.spray_rate), "--logging-rounds", str(args.logging_rounds)]
    argv += ["--queries", str(args.queries), "--seed", str(args.seed)]
    if args.skip_stock_above is not None:
        argv += ["--skip-stock-above", str(args.skip_stock_above)]
    if not args.http_real:
        argv.append("--no-http-real")
    if args.load_only:
        argv.append("--load-only")
    return argv


def main(argv=None):
    args = parse_args(argv)
    if args.child is not None:
        return child(args.child, args)

    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    report = RESULTS / f"bench-{stamp}.txt"
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout
    header = [
        f"# bench {stamp}: {' '.join(sys.argv)}",
        f"# {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, git {rev.strip() or '?'}",
    ]
    failed = 0
    with open(report, "w", encoding="utf-8") as fh:
        for line in header:
            out(line)
            fh.write(line + "\n")
        for size in args.sizes:
            state = RESULTS / f"state-{size}"
            shutil.rmtree(state, ignore_errors=True)
            state.mkdir(parents=True)
            env = bench_env(state)
            env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
            t = time.perf_counter()
            proc = subprocess.Popen(child_argv(args, size, state), cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
            for line in proc.stdout:
                sys.stdout.write(line)
                sys.stdout.flush()
                fh.write(line)
                fh.flush()
            rc = proc.wait()
            line = f"  (size {size}: {time.perf_counter() - t:.0f} s wall{'' if rc == 0 else f', FAILED rc={rc}'})\n"
            sys.stdout.write(line)
            fh.write(line + "\n")
            failed += rc != 0
            if rc == 0 and not args.keep_state:
                shutil.rmtree(state, ignore_errors=True)
    out(f"written to {report.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
