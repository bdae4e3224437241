"""Browser helpers: wait for the app to be idle, read plotly charts and tables, check what a person
would see (no error, no console error, Chinese in a CJK font, no raw catalog key)."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

from lib.i18n import catalog, t

TIMEOUT_MS = 120_000  # a cold page on a busy 2-core runner; every wait is on a condition, never a sleep

# Counts the script runs the page has seen: a click that starts a rerun is waited for by this
# counter, not by the idle state, which still reads "notRunning" before the rerun starts.
INIT_SCRIPT = """
window.__e2e = {runs: 0, states: []};
new MutationObserver((records) => {
  for (const r of records) {
    const now = r.target.getAttribute('data-test-script-state');
    if (now === 'running') window.__e2e.runs += 1;
    window.__e2e.states.push(now);
  }
}).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
"""

# Idle and drawn: the script finished and the page drew something (the very first run of a server
# stops, empty, to rerun through app.py's navigation: see ui.frame.leave_pages_directory_mode), no
# element is still a loading skeleton (Streamlit loads plotly, the data grid and download buttons
# lazily), and every plotly chart has been plotted.
SETTLED = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || app.dataset.testScriptState !== 'notRunning') return false;
  if (!document.querySelector("[data-testid='stMainBlockContainer'] [data-testid='stElementContainer']")) return false;
  if (document.querySelector("[data-testid='stSkeleton']")) return false;
  if (document.querySelector("[data-stale='true']")) return false;
  const charts = [...document.querySelectorAll("[data-testid='stPlotlyChart']")];
  return charts.every(c => { const p = c.querySelector('.js-plotly-plot');
                             return p && p.data && p._fullLayout && p.querySelector('.main-svg'); });
}"""

CHARTS = """() => [...document.querySelectorAll("[data-testid='stPlotlyChart'] .js-plotly-plot")].map(el => {
  // Plotly keeps a figure's binary arrays ({dtype, bdata}) with the decoded array in _inputArray.
  const plain = (v) => {
    if (v && typeof v === 'object' && '_inputArray' in v) v = v._inputArray;
    if (v && ArrayBuffer.isView(v)) return Array.from(v);
    if (Array.isArray(v)) return v.map(plain);
    return v;
  };
  const title = (el.layout && el.layout.title && (el.layout.title.text ?? el.layout.title)) || '';
  const key = [...(el.closest("[data-testid='stElementContainer']") || {classList: []}).classList]
    .find(c => c.startsWith('st-key-'));
  return {
    title: String(title).replace(/<[^>]*>/g, ''),
    key: key ? key.slice(7) : null,
    annotations: ((el.layout && el.layout.annotations) || []).map(a => String(a.text || '')),
    drawn: el.querySelectorAll('.main-svg').length > 0,
    traces: el.data.map(d => ({type: d.type || 'scatter', name: d.name ?? null, x: plain(d.x), y: plain(d.y),
                               z: plain(d.z) ?? null, customdata: plain(d.customdata) ?? null})),
  };
})"""

# The dataframe that ends just before an element with key `key` (its download buttons follow a
# table): tagged with data-e2e=<key> so a locator can find it. st.dataframe keys give no CSS class.
TAG_FRAME_BEFORE = """(key) => {
  const anchor = document.querySelector('.st-key-' + key);
  if (!anchor) return false;
  const frames = [...document.querySelectorAll("[data-testid='stDataFrame']")]
    .filter(f => f.compareDocumentPosition(anchor) & Node.DOCUMENT_POSITION_FOLLOWING);
  if (!frames.length) return false;
  frames[frames.length - 1].setAttribute('data-e2e', key);
  return true;
}"""

# Elements whose own text holds Chinese, tagged data-e2e-cjk=<n>: one page title, one sidebar
# label, one chart text (SVG), one metric label, at most.
TAG_CJK = r"""() => {
  const han = /[\u4e00-\u9fff]/;
  const areas = ["[data-testid='stMain'] h1", "[data-testid='stSidebar']", "[data-testid='stPlotlyChart'] svg",
                 "[data-testid='stMetricLabel']"];
  const found = [];
  for (const area of areas) {
    for (const root of document.querySelectorAll(area)) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      let node, hit = null;
      while ((node = walker.nextNode())) {
        if (han.test(node.nodeValue) && node.parentElement && node.parentElement.getClientRects().length) {
          hit = node.parentElement; break;
        }
      }
      if (hit) {
        const own = [...hit.childNodes].filter(n => n.nodeType === 3).map(n => n.nodeValue).join('');
        hit.setAttribute('data-e2e-cjk', String(found.length));
        found.push({area, text: own});
        break;
      }
    }
  }
  return found;
}"""
CJK_FAMILY = re.compile(r"CJK|Source Han|WenQuanYi|Droid Sans Fallback|AR PL|PingFang|YaHei|SimHei|SimSun",
                        re.IGNORECASE)
HAN = re.compile(r"[\u4e00-\u9fff]")

# Known benign console errors, each matched on message and URL:
# - Streamlit's frontend finds the server's base path by asking for /_stcore/health and
#   /_stcore/host-config under the page's own path first (/overview/_stcore/health: 404), then
#   at the root. Streamlit does this for every multipage URL; nothing of the app is missing.
# Any request that leaves 127.0.0.1 is blocked (an intranet has no internet either), so a page
# that needs the internet shows up as a console error.
BENIGN = (
    (re.compile(r"status of 404"), re.compile(r"^http://127\.0\.0\.1:\d+/[^/?#]+/_stcore/(health|host-config)$")),
)


def record_console(problems: list[str], message) -> None:
    if message.type != "error":
        return
    url = (message.location or {}).get("url", "")
    if any(text.search(message.text) and where.search(url) for text, where in BENIGN):
        return
    problems.append(f"console error: {message.text} ({url})")


# ---------------------------------------------------------------------------------------- waiting


def settle(page, timeout: int = TIMEOUT_MS) -> None:
    page.wait_for_function(SETTLED, timeout=timeout, polling=100)


def runs(page) -> int:
    return page.evaluate("window.__e2e.runs")


def rerun(page, action, timeout: int = TIMEOUT_MS) -> None:
    """Do `action` (a click...) and wait until the rerun it starts has finished and is drawn."""
    before = runs(page)
    action()
    page.wait_for_function(f"window.__e2e.runs > {before}", timeout=timeout, polling=50)
    settle(page, timeout)


def url_of(base: str, path: str, **query) -> str:
    return f"{base}/{path}" + (f"?{urlencode(query, doseq=True)}" if query else "")


def open_page(page, base: str, path: str, **query) -> None:
    page.goto(url_of(base, path, **query))
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=TIMEOUT_MS)
    settle(page)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlparse(url).query)


# ---------------------------------------------------------------------------------------- reading


def charts(page) -> list[dict]:
    return page.evaluate(CHARTS)


def title_fragment(key: str, lang: str) -> str:
    """The longest literal part of a catalog title ("Weighted forecast by stage (next {days} days)"
    gives "Weighted forecast by stage (next "): charts are found by their title, whatever it holds."""
    return max(re.split(r"\{[^}]*\}", t(key, lang)), key=len)


def chart_titled(found: list[dict], lang: str, *keys: str) -> dict:
    """The one chart whose title holds the text of one of the catalog `keys`."""
    fragments = [title_fragment(k, lang) for k in keys]
    hits = [c for c in found if any(f in c["title"] for f in fragments)]
    assert len(hits) == 1, f"{len(hits)} charts titled {fragments}: {[c['title'] for c in found]}"
    return hits[0]


def tag_frame_before(page, key: str) -> str:
    """Selector of the dataframe drawn just before the element keyed `key`."""
    page.wait_for_function(TAG_FRAME_BEFORE, arg=key, timeout=TIMEOUT_MS)
    return f"[data-e2e='{key}']"


def frame_rows(page, selector: str) -> int:
    """Data rows of a drawn st.dataframe (the grid's aria-rowcount counts the header row too)."""
    grid = page.locator(f"{selector} [role='grid'][aria-rowcount]")
    grid.wait_for(state="attached")
    return int(grid.get_attribute("aria-rowcount")) - 1


# ---------------------------------------------------------------------------------------- checking


FILE_TYPES = {"py", "toml", "csv", "xlsx", "json", "duckdb", "html", "sql", "md", "txt", "log", "png", "zip"}


def visible_catalog_keys(page) -> list[str]:
    """Raw catalog keys on screen: t() shows a missing key as itself ("conference.nav")."""
    sections = sorted({key.split(".")[0] for key in catalog()}, key=len, reverse=True)
    pattern = r"(?<![\w./-])(?:" + "|".join(map(re.escape, sections)) + r")\.[a-z][a-z0-9_]*(?![\w/(.-])"
    text = page.evaluate("document.body.innerText")
    return sorted({key for key in re.findall(pattern, text) if key.rsplit(".", 1)[1] not in FILE_TYPES})


def healthy(page, problems: list[str]) -> None:
    """What a person must not see: an exception, an error box, a raw catalog key; nor a console error."""
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, f"exception on the page: {exceptions.all_inner_texts()}"
    errors = page.locator("[data-testid='stAlertContentError']")
    assert errors.count() == 0, f"error box on the page: {errors.all_inner_texts()}"
    assert not visible_catalog_keys(page), f"raw catalog keys on screen: {visible_catalog_keys(page)}"
    assert not problems, "\n".join(problems)


def cjk_fonts(context, page) -> list[tuple[str, str, list[tuple[str, int]]]]:
    """For sampled elements holding Chinese: (area, text, [(font family, glyphs)]) as Chromium drew them.

    CSS.getPlatformFontsForNode reports the fonts that really rendered the node's text; without a
    CJK font installed the glyphs come from a fallback without Chinese (drawn as boxes).
    """
    found = page.evaluate(TAG_CJK)
    cdp = context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        result = []
        for n, item in enumerate(found):
            node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": f"[data-e2e-cjk='{n}']"})["nodeId"]
            fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            result.append((item["area"], item["text"], [(f["familyName"], f["glyphCount"]) for f in fonts]))
        return result
    finally:
        cdp.detach()


def assert_chinese_in_cjk_font(context, page) -> None:
    samples = cjk_fonts(context, page)
    assert samples, "no Chinese text found on the page"
    for area, text, fonts in samples:
        han = len(HAN.findall(text))
        in_cjk = sum(glyphs for family, glyphs in fonts if CJK_FAMILY.search(family))
        assert in_cjk >= han, f"{area}: {text!r} drawn with {fonts}, not a CJK font (install fonts-noto-cjk)"


FULL_HEIGHT = """() => Math.max(...["stMain", "stSidebarContent"].map(id => {
  const el = document.querySelector(`[data-testid='${id}']`);
  return el ? el.scrollHeight : 0;
}), window.innerHeight)"""
NEXT_FRAME = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
MAX_SHOT_HEIGHT = 20_000


def screenshot(page, name: str, folder: Path, wait: bool = True) -> Path:
    """The whole page as a PNG. Streamlit scrolls inside its main area, not the document, so the
    window is made as tall as the content for the shot, then put back."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    size = page.viewport_size
    height = min(int(page.evaluate(FULL_HEIGHT)), MAX_SHOT_HEIGHT)
    if height > size["height"]:
        page.set_viewport_size({"width": size["width"], "height": height})
        page.evaluate(NEXT_FRAME)
        if wait:
            settle(page)
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if height > size["height"]:
            page.set_viewport_size(size)
            page.evaluate(NEXT_FRAME)
    return path


def default_period(last: dt.date) -> dict[str, dt.date]:
    """The sidebar's defaults: 1 Jan of the data's last year to its last day, vs a year earlier."""
    def year_earlier(day: dt.date) -> dt.date:
        try:
            return day.replace(year=day.year - 1)
        except ValueError:
            return day.replace(year=day.year - 1, day=28)

    start = dt.date(last.year, 1, 1)
    return dict(start=start, end=last, vs_start=year_earlier(start), vs_end=year_earlier(last))
