"""Benchmark: every report in DuckDB against the same aggregates done the pandas way, and every page's
script (AppTest) cold and warm, on the large demo (--dealers 20000: 10M+ orders).

    .venv/bin/python bench/reports.py [--dealers 20000] [--runs 5] [--skip-pages]

Each approach runs in its own child process so its peak memory (max RSS) is its own. Writes
bench/results.md. Timings never go into unit tests; this script is where speed is recorded.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = ROOT / "bench" / "bench.duckdb"
RESULTS = ROOT / "bench" / "results.md"
END = dt.date(2026, 10, 1)  # fixed, so every run measures the same data


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def median_time(fn, runs: int) -> tuple[float, float]:
    """(first run, median of `runs` runs) in seconds; the first run is the cold one."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times[0], statistics.median(times)


def child_duckdb(db_path: str, runs: int) -> dict:
    from lib import db
    from lib.reports import REPORTS, run_report
    from lib.rules_file import default_rules
    from lib.scope import Scope

    con = db.connect(db_path, read_only=True)
    rules = default_rules()
    out = {}
    for name in REPORTS:
        first, median = median_time(lambda: run_report(con, rules, name, Scope()), runs)
        out[name] = {"first": first, "median": median}
    return {"reports": out, "peak_rss_mb": peak_rss_mb()}


def child_pandas(db_path: str, runs: int) -> dict:
    from bench import pandas_reference as ref
    from lib import db
    from lib.reports import REPORTS, PeriodOptions, data_end, resolve_period
    from lib.rules_file import default_rules
    from lib.scope import Scope

    con = db.connect(db_path, read_only=True)
    rules = default_rules()
    start = time.perf_counter()
    tables = ref.load_tables(con)
    load = time.perf_counter() - start
    last = data_end(con)
    out = {}
    for name, report in REPORTS.items():
        kwargs = resolve_period(report, PeriodOptions(), last)
        fn = ref.REFERENCE[name]
        first, median = median_time(lambda: fn(tables, rules, Scope(), **kwargs), runs)
        out[name] = {"first": first, "median": median}
    return {"load": load, "reports": out, "peak_rss_mb": peak_rss_mb()}


PAGES = ("pages/home.py", "pages/overview.py", "pages/funnel.py", "pages/lifecycle.py", "pages/tiers.py",
         "pages/contest.py", "pages/contracts.py", "pages/data.py", "pages/conference.py")


def child_pages(db_path: str, runs: int) -> dict:
    """Each page: a cold run (new session, caches cleared) then warm reruns of the same session."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["SALESDASH_DB"] = db_path
    out = {}
    for page in PAGES:
        st.cache_data.clear()
        st.cache_resource.clear()
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.query_params["lang"] = "zh"
        at.switch_page(page)
        start = time.perf_counter()
        at.run()
        cold = time.perf_counter() - start
        failed = bool(at.exception) or bool(at.error)
        warm = []
        for _ in range(runs):
            start = time.perf_counter()
            at.run()
            warm.append(time.perf_counter() - start)
        out[page] = {"cold": cold, "warm": statistics.median(warm), "failed": failed}
    return {"pages": out, "peak_rss_mb": peak_rss_mb()}


def run_child(mode: str, db_path: Path, runs: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--db", str(db_path), "--runs", str(runs)],
        cwd=ROOT, capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"{mode} child failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def ensure_database(dealers: int) -> tuple[Path, float | None]:
    """The large demo, built once and reused while its size matches."""
    from lib import db, demo

    if BENCH_DB.exists():
        con = db.connect(BENCH_DB)
        count = con.execute("SELECT count(*) FROM dealers").fetchone()[0]
        con.close()
        if count == dealers:
            return BENCH_DB, None
    start = time.perf_counter()
    demo.build_demo(BENCH_DB, seed=7, dealers=dealers, months=36, end=END,
                    progress=lambda m: print(m, file=sys.stderr, flush=True))
    return BENCH_DB, time.perf_counter() - start


def write_results(dealers, build, counts, duck, pandas_, pages) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Measured {dt.datetime.now():%Y-%m-%d %H:%M} on {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, by `bench/reports.py` (demo --dealers {dealers}, 36 months to "
        f"{END:%Y-%m}).",
        "",
        "Data: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()) + ".",
    ]
    if build is not None:
        lines.append(f"Demo build: {build:.1f} s.")
    lines += [
        "",
        "## Reports: DuckDB vs the pandas way",
        "",
        "DuckDB = `run_report` on the read-only file (what the CLI and pages call). pandas = the same",
        "aggregates on DataFrames already loaded into memory (`bench/pandas_reference.py`, also the",
        "independent implementation the agreement test checks the rules against). Median of the runs;",
        "`first` is the first (cold) run.",
        "",
        "| report | DuckDB median s | DuckDB first s | pandas median s | pandas / DuckDB |",
        "|---|---:|---:|---:|---:|",
    ]
    total_d = total_p = 0.0
    for name, d in duck["reports"].items():
        p = pandas_["reports"][name]
        total_d += d["median"]
        total_p += p["median"]
        lines.append(f"| {name} | {d['median']:.3f} | {d['first']:.3f} | {p['median']:.3f} | "
                     f"{p['median'] / d['median']:.1f}× |")
    lines += [
        f"| **all reports** | **{total_d:.2f}** | | **{total_p:.2f}** | **{total_p / total_d:.1f}×** |",
        "",
        f"- pandas must first load the tables: {pandas_['load']:.1f} s; with that load, the pandas way takes "
        f"{total_p + pandas_['load']:.1f} s for all reports, {(total_p + pandas_['load']) / total_d:.1f}× DuckDB.",
        f"- Slowest DuckDB report: {max(duck['reports'].items(), key=lambda kv: kv[1]['median'])[0]} "
        f"({max(d['median'] for d in duck['reports'].values()):.3f} s median; the limit is 2 s).",
        f"- Peak memory (max RSS of the process): DuckDB {duck['peak_rss_mb']:,.0f} MB, "
        f"pandas {pandas_['peak_rss_mb']:,.0f} MB.",
    ]
    if pages:
        lines += [
            "",
            "## Pages: AppTest script runs",
            "",
            "Cold = a new session with every cache cleared (the first visitor after a restart or an",
            "import); warm = the median rerun of the same session (a filter change back to a seen state,",
            "or any widget interaction that does not change the data asked for).",
            "",
            "| page | cold s | warm s | failed |",
            "|---|---:|---:|---|",
        ]
        for page, r in pages["pages"].items():
            lines.append(f"| {page} | {r['cold']:.2f} | {r['warm']:.2f} | {'yes' if r['failed'] else 'no'} |")
        lines.append(f"\nPeak memory of the page process: {pages['peak_rss_mb']:,.0f} MB.")
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dealers", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--child", choices=("duckdb", "pandas", "pages"))
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.child:
        result = {"duckdb": child_duckdb, "pandas": child_pandas, "pages": child_pages}[args.child](args.db, args.runs)
        print(json.dumps(result))
        return
    from lib import db

    path, build = ensure_database(args.dealers)
    con = db.connect(path)
    counts = db.table_counts(con)
    con.close()
    print(f"database: {counts['orders']:,} orders", file=sys.stderr)
    duck = run_child("duckdb", path, args.runs)
    print("duckdb done", file=sys.stderr)
    pandas_ = run_child("pandas", path, args.runs)
    print("pandas done", file=sys.stderr)
    pages = None if args.skip_pages else run_child("pages", path, args.runs)
    print(write_results(args.dealers, build, counts, duck, pandas_, pages))


if __name__ == "__main__":
    main()
