"""Streamlit glue of conference mode: the full-screen look (CSS that hides the sidebar, header,
toolbar and footer and scales a 1920x1080 stage to the window), the show's settings kept in the
URL, the cached slides and export, the control callbacks, and the keyboard / auto-advance script.

Keys and the timer work by clicking the control bar's own buttons (found by their `st-key-*`
class) from a small script in a zero-height components iframe, so a keypress is exactly a click.
The script is re-created whenever the slide, the play state or the interval changes, which
restarts the (single, page-wide) timer; nothing else needs to run in the browser.
"""
from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import streamlit as st
import streamlit.components.v1 as components
from streamlit import runtime

from lib import conference
from lib.charts.conference import STAGE_H, STAGE_W
from lib.present_export import SLIDE_CSS, ShowSettings, bottom_html, export_show, slide_section, stage_css, top_html
from ui import url_state
from ui.data import call, database_key, rules

log = logging.getLogger("salesdash")

SECONDS = ("5", "8", "10", "15", "20", "30", "45", "60", "90", "120")
DEFAULT_SECONDS = "15"
AUDIENCES = ("0", "1")  # 0 internal (amounts shown), 1 external (mask)
LINK_KEY = "conf_link"

CHROME_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"],
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
[data-testid="stBottom"], footer, #MainMenu { display: none !important; }
html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {
  overflow: hidden !important; background: #000 !important; }
[data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: none !important;
  width: %(w)dpx !important; min-width: %(w)dpx !important; }
.st-key-conf_stage { gap: 0 !important; }
.st-key-conf_stage [data-testid="stElementContainer"], .st-key-conf_stage .stElementContainer { margin: 0 !important; }
.st-key-conf_stage [data-testid="stHtml"] { margin: 0 !important; }
.st-key-conf_js { position: fixed !important; width: 0 !important; height: 0 !important; overflow: hidden !important; }
.st-key-conf_bar { position: fixed !important; right: 12px; bottom: 8px; z-index: 1000; width: auto !important;
  gap: 6px !important; opacity: 0.35; transition: opacity 0.2s; background: rgba(0,0,0,0.6); border-radius: 8px;
  padding: 2px 4px; }
.st-key-conf_bar:hover, .st-key-conf_bar:focus-within { opacity: 1; }
.st-key-conf_bar button { min-height: 30px !important; padding: 2px 10px !important; }
.st-key-conf_bar button p { font-size: 14px !important; }
.st-key-conf_bar [data-testid="stSelectbox"] { width: 260px; }
.st-key-conf_bar [data-baseweb="select"] > div { min-height: 30px !important; font-size: 14px; }
</style>
"""


def page_css() -> str:
    """Chrome hidden, the stage fixed and scaled, the slide theme. The main block keeps the stage's
    design width whatever the window, so Streamlit sizes the chart for the 1920 px stage (the stage
    is then scaled as a whole)."""
    return CHROME_CSS.replace("%(w)d", str(STAGE_W)) + "<style>" + stage_css(".st-key-conf_stage") + SLIDE_CSS + "</style>"


# --- ?present=1 ------------------------------------------------------------------------------------
# st.switch_page clears the query string (and the widgets' state), so the link's parameters are kept
# in the session across the switch and put back by `restore_link` at the top of app.py: the
# language and the filters are then seeded from them as on any first visit. `present` itself is
# not kept afterwards: the show is its own page, full screen whichever way it was opened.


def open_show(page) -> None:
    """From app.py: a link with ?present=1 opened another page; switch to the show, keeping the
    link's parameters."""
    st.session_state[LINK_KEY] = {key: st.query_params.get_all(key) for key in st.query_params}
    st.switch_page(page)


def restore_link() -> None:
    """From app.py, first thing: the parameters of the link that was switched away from."""
    link = st.session_state.pop(LINK_KEY, None)
    if link:
        st.query_params.from_dict(link)


# --- settings kept in the URL ----------------------------------------------------------------------

def year_options(data_years: list[int], filter_year: int) -> list[int]:
    """The years with orders and the year of the shared period filter, which comes first (the
    default): the show follows the period the user is looking at."""
    return [filter_year] + [y for y in data_years if y != filter_year]


def bind_settings(years: list[int], lang: str) -> None:
    """Seed the show's settings from the link: ?year=2025&mask=1&secs=15&slide=3 (the first of
    `years` by default)."""
    url_state.bind_text("conf_year", "year", str(years[0]), valid=lambda v: v in {str(y) for y in years})
    url_state.bind_choice("conf_mask", "mask", "0", AUDIENCES)
    url_state.bind_choice("conf_secs", "secs", DEFAULT_SECONDS, SECONDS)
    url_state.bind_text("conf_slide", "slide", "1", valid=lambda v: v.isdigit() and int(v) >= 1)
    for key in ("conf_year", "conf_mask", "conf_secs", "conf_slide"):
        # A widget whose label changes (the language) is a new widget to Streamlit and would start
        # from its default; handing the value over through session state keeps it.
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    if st.session_state.get("conf_year") not in {str(y) for y in years}:
        st.session_state["conf_year"] = str(years[0])
    st.session_state.setdefault("conf_playing", True)
    st.session_state["conf_lang"] = lang


def year() -> int:
    return int(st.session_state["conf_year"])


def mask_forced() -> bool:
    """Mask mode imposed on this session (e.g. by a presenter role): set session key
    `conf_mask_forced`; the audience setting is then shown but cannot turn it off."""
    return bool(st.session_state.get("conf_mask_forced"))


def masked() -> bool:
    """Mask mode: no amount, no fine anywhere. The audience setting, or forced."""
    return mask_forced() or st.session_state.get("conf_mask") == "1"


def seconds() -> int:
    return int(st.session_state.get("conf_secs") or DEFAULT_SECONDS)


def playing() -> bool:
    return bool(st.session_state.get("conf_playing", True))


def slide_index(count: int) -> int:
    """The current slide (0-based), kept inside the show; the select box holds it 1-based."""
    value = st.session_state.get("conf_slide") or "1"
    number = min(max(int(value) if str(value).isdigit() else 1, 1), count)
    st.session_state["conf_slide"] = str(number)
    return number - 1


# --- callbacks ------------------------------------------------------------------------------------

def step(delta: int, count: int) -> None:
    current = int(st.session_state.get("conf_slide") or 1) - 1
    st.session_state["conf_slide"] = str((current + delta) % count + 1)


def go_to(number: int) -> None:
    st.session_state["conf_slide"] = str(number)


def toggle_play() -> None:
    st.session_state["conf_playing"] = not playing()


def set_language() -> None:
    # The app's language is the sidebar radio's key; a callback may set it before the widgets run.
    st.session_state["lang"] = st.session_state["conf_lang"]


# --- the numbers, part by part (cached), and the slides -----------------------------------------

_PREFETCH = ThreadPoolExecutor(max_workers=1, thread_name_prefix="conference-prefetch")
_LOCK = threading.Lock()
_PENDING: set = set()
_DONE: set = set()  # parts computed (in this process), so a prefetch does not queue them again


def _key(year: int, scope, part: str) -> tuple:
    return (database_key(), rules().fingerprint, year, scope, part)


def frame(year: int, scope) -> conference.ShowData:
    """The show's period and scope (no part yet)."""
    return call("lib.conference:show_frame", year=year, scope=scope)


def part(name: str, year: int, scope):
    """One part of the show (cached like every page's data)."""
    value = call("lib.conference:show_part", part=name, year=year, scope=scope)
    with _LOCK:
        _DONE.add(_key(year, scope, name))
    return value


def data_for(kinds, year: int, scope) -> conference.ShowData:
    """The show's numbers with the parts that slides of `kinds` are drawn from (and `promoted`,
    which decides how many slides the show has)."""
    needed = dict.fromkeys(["promoted", *[p for kind in kinds for p in conference.NEEDS[kind]]])
    return frame(year, scope).with_parts(**{name: part(name, year, scope) for name in needed})


def _prefetch_one(name: str, year: int, scope, key: tuple) -> None:
    try:
        part(name, year, scope)
    except Exception:  # noqa: BLE001 - the page computes it again when shown, and says so if it fails
        log.exception("conference prefetch of %s failed", name)
    finally:
        with _LOCK:
            _PENDING.discard(key)


def prefetch(year: int, scope, order) -> None:
    """Compute the parts of the coming slides in the background while the current one is shown, so
    the next slide (and the export) is ready when the presenter gets there. Only in a running
    server (AppTest measures and checks the page's own run)."""
    if not runtime.exists():
        return
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(logging.ERROR)
    for kind in order:
        for name in conference.NEEDS[kind]:
            key = _key(year, scope, name)
            with _LOCK:
                if key in _PENDING or key in _DONE:
                    continue
                _PENDING.add(key)
            _PREFETCH.submit(_prefetch_one, name, year, scope, key)


def want_export() -> None:
    st.session_state["conf_export_wanted"] = True


def export_wanted() -> bool:
    return bool(st.session_state.get("conf_export_wanted"))


@st.cache_data(show_spinner=False, max_entries=4)
def _export(db_key: tuple, rules_fingerprint: str, year: int, scope, lang: str, mask: bool, secs: int) -> bytes:
    data = data_for(conference.KINDS, year, scope)
    return export_show(conference.slides(data, lang, mask), ShowSettings(lang, mask, year, secs)).encode("utf-8")


def export(year: int, scope, lang: str, mask: bool, secs: int) -> bytes:
    """The offline HTML of the same slides and settings."""
    return _export(database_key(), rules().fingerprint, year, scope, lang, mask, secs)


# --- drawing ---------------------------------------------------------------------------------------

def draw_slide(slide, index: int) -> None:
    """One slide on the stage: HTML parts from lib.present_export around the chart, if any."""
    if slide.figure is None:
        st.html(slide_section(slide, index))
        return
    st.html(top_html(slide))
    st.plotly_chart(slide.figure, key="conf_chart", theme=None,
                    config={"displayModeBar": False, "staticPlot": True, "responsive": False})
    st.html(bottom_html(slide))


KEYS_JS = """
<script>
(function () {
  // The handlers must live in the parent page's realm: this iframe is replaced on every slide, and
  // a browser silently drops callbacks (key handler, timer, retry) whose iframe has gone, which lost
  // key presses made while a slide was being drawn. So the code is installed once in the parent and
  // this iframe only hands it the new state.
  var host = window.parent, doc = host.document;
  if (host.__cfVersion !== %(version)d) {
    var code = doc.createElement('script');
    code.textContent = %(host_code)s;
    doc.head.appendChild(code);
  }
  host.__cfShow(%(state)s);
})();
</script>
"""

# Runs in the parent page (see KEYS_JS). __cfShow(state) (re)arms the auto-advance timer.
KEYS_HOST_JS = """
(function () {
  var host = window, doc = document;
  if (host.__cfKeys) doc.removeEventListener('keydown', host.__cfKeys, true);
  function click(key, tries) {
    // A key pressed while a slide is still being drawn would hit buttons about to be replaced:
    // wait (briefly) for the app to be idle, then press the current button.
    var app = doc.querySelector("[data-testid='stApp']");
    tries = tries || 0;
    if (app && app.getAttribute('data-test-script-state') === 'running' && tries < 100) {
      host.setTimeout(function () { click(key, tries + 1); }, 100);
      return;
    }
    var b = doc.querySelector('.st-key-' + key + ' button');
    if (b) b.click();
  }
  function onKey(e) {
    var t = e.target || {}, tag = (t.tagName || '').toLowerCase();
    if (tag === 'input' || tag === 'textarea' || tag === 'select' || t.isContentEditable) return;
    if (!doc.querySelector('.st-key-conf_next')) return;      // not on the conference page
    var key = null;
    if (e.key === 'ArrowRight' || e.key === 'PageDown') key = 'conf_next';
    else if (e.key === 'ArrowLeft' || e.key === 'PageUp') key = 'conf_prev';
    else if (e.key === ' ' || e.key === 'Spacebar') key = 'conf_pause';
    else if (e.key === 'Home') key = 'conf_first';
    else if (e.key === 'End') key = 'conf_last';
    else if (e.key === 'f' || e.key === 'F') {
      if (!doc.fullscreenElement) { doc.documentElement.requestFullscreen && doc.documentElement.requestFullscreen(); }
      else { doc.exitFullscreen && doc.exitFullscreen(); }
      e.preventDefault();
      return;
    }
    if (key) { e.preventDefault(); e.stopPropagation(); click(key); }
  }
  host.__cfKeys = onKey;
  doc.addEventListener('keydown', onKey, true);
  // One timer for the whole page: the newest slide (or play state, or interval) replaces it.
  host.__cfShow = function (state) {
    if (host.__cfTimer) host.clearTimeout(host.__cfTimer);
    host.__cfTimer = state.playing ? host.setTimeout(function () {
      host.__cfTimer = null;
      if (doc.querySelector('.st-key-conf_next')) click('conf_next');
    }, state.seconds * 1000) : null;
  };
  host.__cfVersion = %(version)d;
})();
"""
KEYS_JS_VERSION = 2


def keys_and_timer(index: int, count: int, is_playing: bool, secs: int) -> None:
    """Arrow keys / PageUp / PageDown / space / Home / End / F, and the auto-advance timer."""
    state = {"slide": index, "count": count, "playing": is_playing, "seconds": secs,
             "stage": [STAGE_W, STAGE_H]}
    with st.container(key="conf_js"):
        host_code = KEYS_HOST_JS % {"version": KEYS_JS_VERSION}
        components.html(KEYS_JS % {"state": json.dumps(state), "version": KEYS_JS_VERSION,
                                   "host_code": json.dumps(host_code)}, height=0)
