"""The conference show's offline HTML export, opened from disk in Chromium with networking off:
every slide shows (with its chart where it has one), keys and buttons move it, it advances on its
own, nothing scrolls at 1920x1080 or 1280x720, and no request leaves the file.

Self-contained: launches Debian's Chromium through Playwright itself; skipped when either is absent."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lib import conference, db
from lib.present_export import ShowSettings, export_show
from lib.rules_file import default_rules
from lib.scope import Scope

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
YEAR = 2025


def _playwright():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed")
    return sync_playwright


@pytest.fixture(scope="module")
def browser():
    sync_playwright = _playwright()
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def slides_by_setting(demo_path):
    con = db.connect(demo_path)
    try:
        data = conference.show_data(con, default_rules(), YEAR, Scope())
    finally:
        con.close()
    return {(lang, mask): conference.slides(data, lang, mask) for lang in ("zh", "en") for mask in (False, True)}


def export_file(tmp_path, slides, lang, mask, seconds) -> Path:
    path = tmp_path / f"show_{lang}_{int(mask)}_{seconds}.html"
    path.write_text(export_show(slides, ShowSettings(lang, mask, YEAR, seconds)), encoding="utf-8")
    return path


def offline_page(browser, width, height):
    """A page with networking off: any request that is not the file itself is aborted and recorded."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_offline(True)
    outside = []

    def block(route):
        outside.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith("file:") and not url.startswith("data:")
                  and not url.startswith("blob:"), block)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, outside, errors


@pytest.mark.parametrize("lang, mask, width, height", [("zh", False, 1920, 1080), ("en", True, 1280, 720)])
def test_every_slide_shows_offline_with_its_chart(browser, slides_by_setting, tmp_path, lang, mask, width, height):
    slides = slides_by_setting[(lang, mask)]
    path = export_file(tmp_path, slides, lang, mask, seconds=600)
    context, page, outside, errors = offline_page(browser, width, height)
    try:
        page.goto(path.as_uri())
        page.wait_for_function("typeof Plotly !== 'undefined' && document.body.dataset.slide === '0'")
        for index, slide in enumerate(slides):
            if index:
                page.keyboard.press("ArrowRight")
            page.wait_for_function(f"document.body.dataset.slide === '{index}'")
            active = page.locator("section.cf-slide.cf-active")
            assert active.count() == 1
            assert active.get_attribute("data-kind") == slide.kind
            assert active.locator(".cf-title").inner_text().strip() == slide.title
            if slide.figure is not None:
                page.wait_for_selector(f"#cf-chart-{index} .main-svg")
                marks = page.locator(f"#cf-chart-{index} .trace, #cf-chart-{index} .annotation").count()
                assert marks > 0, slide.kind
                box = page.locator(f"#cf-chart-{index}").bounding_box()
                assert box["width"] > 0.5 * width and box["y"] + box["height"] <= height
            # nothing scrolls and nothing of the stage is outside the window
            sizes = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight,"
                                  " innerWidth, innerHeight]")
            assert sizes[0] <= sizes[2] and sizes[1] <= sizes[3]
            stage = page.locator(".cf-stage").bounding_box()
            assert stage["x"] >= -0.5 and stage["y"] >= -0.5
            assert stage["x"] + stage["width"] <= width + 0.5 and stage["y"] + stage["height"] <= height + 0.5
            # large type: titles >= 40 px and big numbers >= 60 px on a 1920x1080 screen
            scale = min(width / 1920, height / 1080)
            sizes = page.evaluate("""[...document.querySelectorAll('.cf-active .cf-title, .cf-active .cf-big .cf-v')]
                .map(e => [e.classList.contains('cf-title'), parseFloat(getComputedStyle(e).fontSize)])""")
            assert all(px >= (40 if is_title else 60) for is_title, px in sizes), (slide.kind, sizes, scale)
        # back, first, last, the jump box and the buttons
        page.keyboard.press("ArrowLeft")
        page.wait_for_function(f"document.body.dataset.slide === '{len(slides) - 2}'")
        page.keyboard.press("Home")
        page.wait_for_function("document.body.dataset.slide === '0'")
        page.click("#cf-next")
        page.wait_for_function("document.body.dataset.slide === '1'")
        page.select_option("#cf-jump", str(len(slides) - 1))
        page.wait_for_function(f"document.body.dataset.slide === '{len(slides) - 1}'")
        assert outside == [] and errors == []
    finally:
        context.close()


def test_the_show_advances_on_its_own_and_pauses(browser, slides_by_setting, tmp_path):
    slides = slides_by_setting[("en", False)]
    path = export_file(tmp_path, slides, "en", False, seconds=1)
    context, page, outside, errors = offline_page(browser, 1280, 720)
    try:
        page.goto(path.as_uri())
        page.wait_for_function("document.body.dataset.slide === '2'", timeout=10000)
        page.keyboard.press(" ")  # pause
        paused_at = page.evaluate("document.body.dataset.slide")
        page.wait_for_timeout(2500)
        assert page.evaluate("document.body.dataset.slide") == paused_at
        assert page.locator("#cf-play").inner_text() == "Play"
        page.keyboard.press(" ")  # play again
        page.wait_for_function(f"document.body.dataset.slide !== '{paused_at}'", timeout=10000)
        assert outside == [] and errors == []
    finally:
        context.close()


def test_mask_mode_export_shows_no_amount(browser, slides_by_setting, tmp_path):
    import re

    slides = slides_by_setting[("zh", True)]
    path = export_file(tmp_path, slides, "zh", True, seconds=600)
    context, page, outside, errors = offline_page(browser, 1920, 1080)
    amount = re.compile(r"[¥￥]|\d\s*万|万元|\d\s*元|罚")
    try:
        page.goto(path.as_uri())
        for index in range(len(slides)):
            page.evaluate(f"window.cfShow({index})")
            page.wait_for_function(f"document.body.dataset.slide === '{index}'")
            if slides[index].figure is not None:
                page.wait_for_selector(f"#cf-chart-{index} .main-svg")
            text = page.locator("section.cf-active").inner_text()
            assert not amount.search(text), (index, text)
        assert outside == [] and errors == []
    finally:
        context.close()


# --- the live page, served by `streamlit run` --------------------------------------------------------

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_app(demo_path, tmp_path_factory):
    """The app on a free port over a copy of the demo database; stopped after the module."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    _playwright()
    path = tmp_path_factory.mktemp("conference_live") / "demo.duckdb"
    shutil.copy(demo_path, path)
    port = _free_port()
    root = Path(__file__).resolve().parents[2]
    log = open(path.with_suffix(".log"), "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless",
         "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=root, env={**os.environ, "SALESDASH_DB": str(path)}, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    pytest.fail("the app did not start: " + path.with_suffix(".log").read_text()[-2000:])
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _slide_number(page) -> int:
    import re

    found = re.search(r"[?&]slide=(\d+)", page.url)
    return int(found.group(1)) if found else 0


def _shown(page) -> tuple[int, str]:
    """(slide number in the link, title on the stage)."""
    title = page.evaluate("(document.querySelector('.st-key-conf_stage .cf-title') || {}).textContent || ''")
    return _slide_number(page), title


def _wait_for(page, predicate, timeout: float = 20, what: str = ""):
    import time

    deadline = time.time() + timeout
    timeline = []
    while time.time() < deadline:
        shown = _shown(page)
        if not timeline or timeline[-1] != shown:
            timeline.append(shown)
        if predicate(shown):
            return shown
        page.wait_for_timeout(150)
    raise AssertionError(f"{what} not reached: {timeline}")


def _stage_fits(page, width, height) -> None:
    sizes = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert sizes[0] <= width and sizes[1] <= height
    box = page.evaluate("JSON.stringify(document.querySelector('.st-key-conf_stage').getBoundingClientRect())")
    import json

    box = json.loads(box)
    assert box["x"] >= -0.5 and box["y"] >= -0.5
    assert box["x"] + box["width"] <= width + 0.5 and box["y"] + box["height"] <= height + 0.5


def test_the_live_show_advances_by_itself_and_by_keyboard(browser, live_app, slides_by_setting):
    titles = [s.title for s in slides_by_setting[("en", False)]]
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        # ?present=1 on another page's link opens the show, full screen, keeping the link's settings
        page.goto(f"{live_app}/overview?lang=en&present=1&secs=5")
        number, title = _wait_for(page, lambda s: s[0] >= 1 and s[1] in titles, 60, "the show")
        assert "/conference" in page.url and "lang=en" in page.url and "secs=5" in page.url
        assert not page.locator('[data-testid="stSidebar"]').is_visible()
        _stage_fits(page, 1280, 720)
        # on its own: the next slide, none skipped
        start = titles.index(title)
        _, title = _wait_for(page, lambda s: s[1] != titles[start], 30, "an automatic advance")
        assert title == titles[start + 1]
        # pause first, so the 5-second timer cannot race the arrow keys; a key pressed while the
        # advance is still being drawn would land on the old slide's buttons, so wait for the app
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
        page.keyboard.press(" ")
        page.wait_for_selector(".st-key-conf_pause button:has-text('Play')")
        _, title = _wait_for(page, lambda s: True, 5, "paused")
        here = titles.index(title)
        page.keyboard.press("ArrowRight")
        _wait_for(page, lambda s: s[1] == titles[here + 1], 20, "ArrowRight")
        page.keyboard.press("ArrowLeft")
        _wait_for(page, lambda s: s[1] == titles[here], 20, "ArrowLeft")
        page.wait_for_timeout(7000)               # paused: longer than the interval, no advance
        assert _shown(page)[1] == titles[here]
        page.keyboard.press("End")
        _wait_for(page, lambda s: s[1] == titles[-1], 20, "End")
        page.keyboard.press("Home")
        _wait_for(page, lambda s: s[1] == titles[0], 20, "Home")
        _stage_fits(page, 1280, 720)
    finally:
        context.close()


def test_the_live_show_in_mask_mode_shows_no_amount_at_1920(browser, live_app, slides_by_setting):
    import re

    titles = [s.title for s in slides_by_setting[("zh", True)]]
    amount = re.compile(r"[¥￥]|\d\s*万|万元|\d\s*元|\bCNY\b|罚|\bfines?\b|penalt", re.IGNORECASE)
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    try:
        page.goto(f"{live_app}/conference?lang=zh&mask=1&secs=120")
        for index, title in enumerate(titles):
            if index:
                page.keyboard.press("ArrowRight")
            _wait_for(page, lambda s: s[1] == title, 30, title)
            page.wait_for_timeout(400)
            if page.locator(".st-key-conf_stage .js-plotly-plot").count():
                page.wait_for_selector(".st-key-conf_stage .js-plotly-plot .main-svg")
            text = page.locator(".st-key-conf_stage").evaluate("e => e.textContent")
            assert not amount.search(text), (title, text)
            _stage_fits(page, 1920, 1080)
            sizes = page.evaluate("""[...document.querySelectorAll(
                '.st-key-conf_stage .cf-title, .st-key-conf_stage .cf-big .cf-v')].map(e =>
                [e.classList.contains('cf-title'), parseFloat(getComputedStyle(e).fontSize)])""")
            assert all(px >= (40 if is_title else 60) for is_title, px in sizes), (title, sizes)
    finally:
        context.close()
