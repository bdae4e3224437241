"""Browser end-to-end fixtures: a fresh demo database, the app served by `streamlit run` on a free
port (one server per session), Debian's Chromium driven by Playwright (one browser per module, a
new context per test).

Without Chromium every test here is skipped, and the run says so in one line.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e import helpers

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
SKIP_REASON = ("e2e: Chromium not installed (apt-get install chromium fonts-noto-cjk); "
               "browser tests skipped")
VIEWPORT = {"width": 1400, "height": 900}
SERVER_START_SECONDS = 90
HERE = Path(__file__).resolve().parent


def find_chromium() -> str | None:
    """Debian's Chromium; E2E_CHROMIUM=<path> names another one (a path that does not exist: none)."""
    named = os.environ.get("E2E_CHROMIUM")
    if named is not None:
        return named if Path(named).is_file() else None
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


CHROMIUM = find_chromium()


def _is_e2e(item) -> bool:
    return HERE in Path(str(item.fspath)).resolve().parents


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if _is_e2e(item):
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter):
    """One line that says whether the browser tests ran: CI logs must show it either way."""
    outcomes = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        outcomes[outcome] = sum(1 for report in terminalreporter.stats.get(outcome, [])
                                if getattr(report, "when", "call") in ("call", "setup")
                                and "tests/e2e/" in getattr(report, "nodeid", ""))
    if not any(outcomes.values()):
        return
    if not CHROMIUM:
        terminalreporter.write_line(SKIP_REASON)
    else:
        terminalreporter.write_line(
            f"e2e: browser tests ran in {CHROMIUM}: {outcomes['passed']} passed, {outcomes['failed']} failed, "
            f"{outcomes['error']} errors, {outcomes['skipped']} skipped; screenshots in {ARTIFACTS.relative_to(ROOT)}/")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"e2e_{report.when}", report)


# ---------------------------------------------------------------------------------------- the app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running app: its base URL and its log (stdout + stderr of streamlit)."""

    def __init__(self, url: str, log: Path, process: subprocess.Popen):
        self.url, self.log, self.process = url, log, process

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_since(self, offset: int) -> str:
        with open(self.log, "rb") as f:
            f.seek(offset)
            return f.read().decode("utf-8", errors="replace")


@contextmanager
def serve(db_path: Path, name: str, module: list[str] | None = None, env: dict | None = None):
    """Start the app on a free port against `db_path`; wait for /_stcore/health; stop it at the end.

    `module` replaces `-m streamlit` (the broken-page test uses a launcher); the server runs in its
    own process group so the whole tree is stopped.
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = ARTIFACTS / f"{name}.log"
    command = [sys.executable, *(module or ["-m", "streamlit"]), "run", "app.py",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
               "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    environment = {**os.environ, "SALESDASH_DB": str(db_path), "PYTHONUNBUFFERED": "1", **(env or {})}
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the app exited with {process.returncode}:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app did not answer {url}/_stcore/health:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)  # polling a process that is starting; no test synchronises on this
        yield Server(url, log, process)
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def e2e_db(demo_path, tmp_path_factory) -> Path:
    """A fresh copy of the session's demo database (300 dealers, 24 months to Dec 2025), the app's own."""
    path = tmp_path_factory.mktemp("e2e") / "e2e.duckdb"
    shutil.copy(demo_path, path)
    return path


@pytest.fixture(scope="session")
def app(e2e_db):
    if not CHROMIUM:
        pytest.skip(SKIP_REASON)
    with serve(e2e_db, "server") as server:
        yield server


# ---------------------------------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def browser():
    """Chromium for the tests of one module. Module scope, not session: the sync Playwright API
    allows one running instance per thread, and a module may start its own (the offline export
    test does); this one is closed before the next module begins."""
    if not CHROMIUM:
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser, request):
    """A fresh browser profile per test: no cookies, no cache, console errors collected.

    Requests leave for nowhere but the app: the dashboard must work on an intranet without
    internet access: a page that needs it shows up as a console error.
    """
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    ctx.set_default_timeout(helpers.TIMEOUT_MS)
    ctx.add_init_script(helpers.INIT_SCRIPT)
    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    problems: list[str] = []
    ctx.on("console", lambda message: helpers.record_console(problems, message))
    ctx.on("weberror", lambda error: problems.append(f"page error: {error.error}"))
    ctx.e2e_problems = problems
    yield ctx
    report = getattr(request.node, "e2e_call", None)
    if report is not None and report.failed:
        folder = ARTIFACTS / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        for n, page in enumerate(ctx.pages):
            try:
                helpers.screenshot(page, f"{stem}-{n}", folder, wait=False)
            except Exception:  # noqa: BLE001 - a failure screenshot must not hide the failure
                pass
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


# ---------------------------------------------------------------------------------------- the numbers


@pytest.fixture(scope="session")
def cli(e2e_db):
    """cli(name, scope=Scope(), **period overrides): the CLI report for the page's default filters,
    read from the app's database (read-only, like the app)."""
    from lib import db
    from lib.periods import Quarter, month_start
    from lib.reports import PeriodOptions, data_end, run_report
    from lib.rules_file import default_rules
    from lib.scope import Scope

    con = db.connect(e2e_db, read_only=True)
    try:
        last = data_end(con)
    finally:
        con.close()
    period = helpers.default_period(last)
    base = dict(as_of=last, start=period["start"], end=last, month=month_start(last),
                quarter=Quarter.containing(last), year=last.year, campaign=(period["start"], month_start(last)),
                vs_start=period["vs_start"], vs_end=period["vs_end"])

    def run(name: str, scope: Scope = Scope(), **overrides):
        con = db.connect(e2e_db, read_only=True)
        try:
            return run_report(con, default_rules(), name, scope, PeriodOptions(**{**base, **overrides}))
        finally:
            con.close()

    def rule(target: str, **kwargs):
        """A lib.rules function ("module:function") with (con, rules, **kwargs), as ui.data.call does."""
        import importlib

        module, name = target.split(":")
        con = db.connect(e2e_db, read_only=True)
        try:
            return getattr(importlib.import_module(module), name)(con, default_rules(), **kwargs)
        finally:
            con.close()

    run.last, run.period, run.rule = last, {**base}, rule
    return run
