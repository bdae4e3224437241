"""The conference show as HTML: the projector theme (CSS), each slide's HTML, and the offline export.

Both renderers use this module: the Conference page draws a slide's HTML parts around
st.plotly_chart, and `export_show` writes every slide into one self-contained file (plotly.js
inlined once, no CDN, no server) that plays in a browser with no network. Pure, no streamlit.

Every slide is designed on a 1920x1080 stage (titles 64 px, big numbers 84-110 px) and the whole
stage is scaled to fit the window (letterboxed), so nothing scrolls or is cut off at 1920x1080,
1280x720 or any other size.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass

from lib.charts import common
from lib.charts.conference import (ACCENT, BACKGROUND, BODY_H, FOREGROUND, HEAD_H, MUTED, NOTE_H, NUMBERS_H,
                                   PAD_BOTTOM, PAD_TOP, PAD_X, STAGE_H, STAGE_W)
from lib.conference import Slide
from lib.i18n import t

# The stage's scale factor: min(window width / 1920, window height / 1080), as a unitless CSS number
# (tan(atan2(a, b)) = a / b is the CSS way to divide two lengths).
SCALE = f"min(tan(atan2(100vw, {STAGE_W}px)), tan(atan2(100vh, {STAGE_H}px)))"
def stage_css(selector: str = ".cf-stage") -> str:
    """The 1920x1080 stage, fixed and scaled to fit the window, centred (letterboxed)."""
    return f"""
{selector} {{
  --cf-s: {SCALE};
  position: fixed; top: 0; left: 0; z-index: 10;
  width: {STAGE_W}px !important; height: {STAGE_H}px !important; box-sizing: border-box;
  min-width: {STAGE_W}px; max-width: none !important;
  padding: {PAD_TOP}px {PAD_X}px {PAD_BOTTOM}px;
  transform-origin: 0 0;
  transform: translate(calc((100vw - {STAGE_W}px * var(--cf-s)) / 2), calc((100vh - {STAGE_H}px * var(--cf-s)) / 2))
             scale(var(--cf-s));
  background: {BACKGROUND}; color: {FOREGROUND}; overflow: hidden;
  font-family: {common.FONT};
}}
"""


SLIDE_CSS = f"""
.cf-slide {{ display: flex; flex-direction: column; height: {STAGE_H - PAD_TOP - PAD_BOTTOM}px; }}
.cf-head {{ height: {HEAD_H}px; flex: none; overflow: hidden; }}
.cf-title {{ font-size: 64px; line-height: 1.2; font-weight: 800; color: {ACCENT}; margin: 0; padding: 0;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; letter-spacing: 0.01em; }}
.cf-sub {{ font-size: 30px; line-height: 1.4; color: {FOREGROUND}; margin-top: 8px;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.cf-note {{ height: {NOTE_H}px; flex: none; font-size: 24px; line-height: 1.3; color: {MUTED};
  overflow: hidden; display: flex; align-items: flex-end; }}
.cf-body {{ height: {BODY_H}px; flex: none; overflow: hidden; }}
.cf-numbers {{ display: grid; gap: 28px 40px; align-content: center; height: 100%; }}
.cf-numbers.cf-compact {{ height: {NUMBERS_H}px; align-content: start; }}
.cf-big {{ border-left: 8px solid {ACCENT}; padding-left: 24px; overflow: hidden; }}
.cf-big .cf-v {{ font-size: 110px; line-height: 1.1; font-weight: 800; color: {FOREGROUND}; white-space: nowrap; }}
.cf-big .cf-l {{ font-size: 34px; line-height: 1.3; color: {ACCENT}; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }}
.cf-big .cf-d {{ font-size: 26px; line-height: 1.3; color: {MUTED}; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }}
.cf-big .cf-v.cf-mid {{ font-size: 92px; }}
.cf-big .cf-v.cf-long {{ font-size: 72px; }}
.cf-compact .cf-big .cf-v {{ font-size: 84px; }}
.cf-compact .cf-big .cf-v.cf-long {{ font-size: 66px; }}
.cf-compact .cf-big .cf-l {{ font-size: 28px; }}
.cf-chart {{ width: 100%; overflow: hidden; }}
.cf-ranking {{ list-style: none; margin: 0; padding: 0; height: 100%; display: grid;
  grid-template-columns: 1fr 1fr; grid-template-rows: repeat(5, 1fr); grid-auto-flow: column; gap: 12px 64px; }}
.cf-rank-row {{ display: flex; align-items: center; gap: 24px; border-bottom: 2px solid #333; min-width: 0; }}
.cf-rank {{ flex: none; width: 84px; height: 84px; border-radius: 50%; display: flex; align-items: center;
  justify-content: center; font-size: 44px; font-weight: 800; background: #333; color: {FOREGROUND}; }}
.cf-rank-1 .cf-rank {{ background: #FFD400; color: #000; }}
.cf-rank-2 .cf-rank {{ background: #D9D9D9; color: #000; }}
.cf-rank-3 .cf-rank {{ background: #E08A3C; color: #000; }}
.cf-rank-name {{ flex: 1 1 auto; min-width: 0; font-size: 42px; font-weight: 700; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }}
.cf-rank-val {{ flex: none; text-align: right; }}
.cf-rank-val .cf-v {{ font-size: 46px; font-weight: 800; color: {ACCENT}; white-space: nowrap; }}
.cf-rank-val .cf-d {{ font-size: 24px; color: {MUTED}; white-space: nowrap; }}
.cf-names {{ list-style: none; margin: 0; padding: 0; height: 100%; display: grid;
  grid-template-columns: repeat(3, 1fr); grid-template-rows: repeat(10, 1fr); grid-auto-flow: column;
  gap: 0 48px; }}
.cf-names li {{ font-size: 38px; line-height: 1.2; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
  display: flex; align-items: center; min-width: 0; }}
.cf-names li::before {{ content: "★"; color: {ACCENT}; margin-right: 16px; font-size: 30px; }}
.cf-podium {{ height: 100%; display: flex; justify-content: center; align-items: flex-end; gap: 48px; }}
.cf-step {{ width: 460px; display: flex; flex-direction: column; justify-content: flex-end; min-width: 0; }}
.cf-step-names {{ font-size: 50px; font-weight: 800; text-align: center; line-height: 1.2; overflow: hidden;
  white-space: nowrap; text-overflow: ellipsis; }}
.cf-step-detail {{ font-size: 28px; color: {MUTED}; text-align: center; margin: 6px 0 14px; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }}
.cf-block {{ display: flex; align-items: center; justify-content: center; font-size: 140px; font-weight: 900;
  color: #000; border-radius: 12px 12px 0 0; }}
.cf-pos-0 .cf-block {{ height: 400px; background: #FFD400; }}
.cf-pos-1 .cf-block {{ height: 300px; background: #D9D9D9; }}
.cf-pos-2 .cf-block {{ height: 220px; background: #E08A3C; }}
.cf-empty {{ height: 100%; display: flex; align-items: center; justify-content: center; text-align: center;
  font-size: 48px; color: {FOREGROUND}; border: 3px dashed #555; border-radius: 16px; box-sizing: border-box;
  padding: 40px; }}
.cf-cover {{ justify-content: center; }}
.cf-cover .cf-head {{ height: auto; }}
.cf-cover .cf-title {{ font-size: 120px; white-space: normal; }}
.cf-cover .cf-sub {{ font-size: 44px; margin-top: 32px; white-space: normal; }}
.cf-cover .cf-note {{ height: auto; font-size: 40px; color: {ACCENT}; margin-top: 72px; }}
"""
THEME_CSS = stage_css() + SLIDE_CSS


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def head_html(slide: Slide) -> str:
    sub = f'<div class="cf-sub">{_e(slide.subtitle)}</div>' if slide.subtitle else ""
    return f'<div class="cf-head"><h1 class="cf-title">{_e(slide.title)}</h1>{sub}</div>'


def _length_class(value: str) -> str:
    """Long values (amounts) get a smaller size so they fit their column (still >= 60 px)."""
    return " cf-long" if len(value) > 10 else " cf-mid" if len(value) > 7 else ""


def numbers_html(slide: Slide, compact: bool) -> str:
    if not slide.numbers:
        return ""
    columns = len(slide.numbers) if compact or len(slide.numbers) <= 3 else (len(slide.numbers) + 1) // 2
    items = "".join(
        f'<div class="cf-big"><div class="cf-v{_length_class(b.value)}">{_e(b.value)}</div><div class="cf-l">{_e(b.label)}</div>'
        + (f'<div class="cf-d">{_e(b.detail)}</div>' if b.detail else "") + "</div>"
        for b in slide.numbers)
    cls = "cf-numbers cf-compact" if compact else "cf-numbers"
    return f'<div class="{cls}" style="grid-template-columns: repeat({columns}, 1fr)">{items}</div>'


def _ranking_html(slide: Slide) -> str:
    rows = "".join(
        f'<li class="cf-rank-row cf-rank-{r.rank}"><span class="cf-rank">{r.rank}</span>'
        f'<span class="cf-rank-name">{_e(r.name)}</span><span class="cf-rank-val"><div class="cf-v">{_e(r.value)}</div>'
        + (f'<div class="cf-d">{_e(r.detail)}</div>' if r.detail else "") + "</span></li>"
        for r in slide.ranking)
    return f'<ol class="cf-ranking">{rows}</ol>'


def _names_html(slide: Slide) -> str:
    return '<ul class="cf-names">' + "".join(f"<li>{_e(n)}</li>" for n in slide.names) + "</ul>"


def _podium_html(slide: Slide) -> str:
    steps = sorted(slide.podium, key=lambda s: s.rank)
    order = [1, 0, 2][: len(steps)] if len(steps) > 1 else [0]  # second, first, third
    parts = []
    for position in order:
        step = steps[position]
        parts.append(
            f'<div class="cf-step cf-pos-{position}"><div class="cf-step-names">{"<br>".join(_e(n) for n in step.names)}</div>'
            f'<div class="cf-step-detail">{_e(step.detail) or "&nbsp;"}</div><div class="cf-block">{step.rank}</div></div>')
    return '<div class="cf-podium">' + "".join(parts) + "</div>"


def main_html(slide: Slide) -> str:
    """What fills the slide's body when it has no chart: numbers, a ranking, names, the podium or
    the empty state."""
    if slide.empty and not slide.figure:
        return f'<div class="cf-body"><div class="cf-empty">{_e(slide.empty)}</div></div>'
    if slide.ranking:
        inner = _ranking_html(slide)
    elif slide.names:
        inner = _names_html(slide)
    elif slide.podium:
        inner = _podium_html(slide)
    elif slide.numbers and not slide.figure:
        inner = numbers_html(slide, compact=False)
    else:
        return ""
    return f'<div class="cf-body">{inner}</div>'


def note_html(slide: Slide) -> str:
    return f'<div class="cf-note">{_e(slide.note)}</div>' if slide.note else '<div class="cf-note"></div>'


def top_html(slide: Slide) -> str:
    """Title, subtitle and (above a chart) the compact numbers."""
    return head_html(slide) + (numbers_html(slide, compact=True) if slide.figure is not None else "")


def bottom_html(slide: Slide) -> str:
    """The body (when there is no chart) and the note."""
    return (main_html(slide) if slide.figure is None else "") + note_html(slide)


# ---------------------------------------------------------------------------------------------
# The offline export

@dataclass(frozen=True)
class ShowSettings:
    lang: str
    mask: bool
    year: int
    seconds: int = 15


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _json_for_script(value) -> str:
    # Inside <script>, "</" would end the element; "<\/" is the same string to JSON.
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


PLAYER_JS = r"""
(function () {
  var slides = Array.prototype.slice.call(document.querySelectorAll('.cf-slide'));
  var figures = JSON.parse(document.getElementById('cf-figures').textContent);
  var settings = JSON.parse(document.getElementById('cf-settings').textContent);
  var stage = document.querySelector('.cf-stage');
  var counter = document.getElementById('cf-counter');
  var jump = document.getElementById('cf-jump');
  var seconds = document.getElementById('cf-seconds');
  var playButton = document.getElementById('cf-play');
  var index = 0, playing = true, timer = null, drawn = {};
  function fit() {
    var s = Math.min(window.innerWidth / settings.width, window.innerHeight / settings.height);
    var x = (window.innerWidth - settings.width * s) / 2, y = (window.innerHeight - settings.height * s) / 2;
    stage.style.transform = 'translate(' + x + 'px,' + y + 'px) scale(' + s + ')';
  }
  function draw(i) {
    var figure = figures[String(i)];
    if (!figure || drawn[i] || typeof Plotly === 'undefined') return;
    Plotly.newPlot('cf-chart-' + i, figure.data, figure.layout, {displayModeBar: false, staticPlot: true});
    drawn[i] = true;
  }
  function schedule() {
    if (timer) clearTimeout(timer);
    timer = playing ? setTimeout(function () { show(index + 1); }, Math.max(1, Number(seconds.value) || settings.seconds) * 1000) : null;
  }
  function show(i) {
    index = (i + slides.length) % slides.length;
    slides.forEach(function (s, k) { s.classList.toggle('cf-active', k === index); });
    draw(index);
    counter.textContent = (index + 1) + ' / ' + slides.length;
    jump.value = String(index);
    document.body.setAttribute('data-slide', String(index));
    schedule();
  }
  function toggle() {
    playing = !playing;
    playButton.textContent = playing ? settings.labels.pause : settings.labels.play;
    document.body.classList.toggle('cf-paused', !playing);
    schedule();
  }
  document.getElementById('cf-prev').addEventListener('click', function () { show(index - 1); });
  document.getElementById('cf-next').addEventListener('click', function () { show(index + 1); });
  playButton.addEventListener('click', toggle);
  jump.addEventListener('change', function () { show(Number(jump.value)); });
  seconds.addEventListener('change', schedule);
  document.addEventListener('keydown', function (e) {
    var tag = (e.target && e.target.tagName || '').toLowerCase();
    if (tag === 'input' || tag === 'select' || tag === 'textarea') return;
    if (e.key === 'ArrowRight' || e.key === 'PageDown' || e.key === 'Enter') { show(index + 1); }
    else if (e.key === 'ArrowLeft' || e.key === 'PageUp' || e.key === 'Backspace') { show(index - 1); }
    else if (e.key === ' ' || e.key === 'Spacebar') { toggle(); }
    else if (e.key === 'Home') { show(0); }
    else if (e.key === 'End') { show(slides.length - 1); }
    else if (e.key === 'f' || e.key === 'F') {
      if (!document.fullscreenElement) { document.documentElement.requestFullscreen && document.documentElement.requestFullscreen(); }
      else { document.exitFullscreen && document.exitFullscreen(); }
    } else { return; }
    e.preventDefault();
  });
  window.addEventListener('resize', fit);
  window.cfShow = show;
  fit();
  show(0);
})();
"""

EXPORT_CSS = f"""
html, body {{ margin: 0; padding: 0; width: 100%; height: 100%; overflow: hidden; background: {BACKGROUND}; }}
.cf-slide {{ display: none; }}
.cf-slide.cf-active {{ display: flex; }}
.cf-bar {{ position: fixed; right: 12px; bottom: 10px; z-index: 20; display: flex; gap: 6px; align-items: center;
  font: 14px {common.FONT}; color: #fff; opacity: 0.35; transition: opacity 0.2s; }}
.cf-bar:hover, .cf-bar:focus-within {{ opacity: 1; }}
.cf-bar button, .cf-bar select, .cf-bar input {{ font: 14px {common.FONT}; background: #222; color: #fff;
  border: 1px solid #666; border-radius: 6px; padding: 4px 10px; }}
.cf-bar input {{ width: 56px; }}
.cf-bar label {{ color: #ccc; }}
"""


def slide_section(slide: Slide, index: int) -> str:
    has_chart = slide.figure is not None
    chart = ""
    if has_chart:
        height = slide.figure.layout.height
        chart = f'<div class="cf-chart" id="cf-chart-{index}" style="height:{height}px"></div>'
    cls = "cf-slide cf-cover" if slide.kind == "cover" else "cf-slide"
    return (f'<section class="{cls}" data-kind="{_e(slide.kind)}" data-index="{index}" '
            f'data-has-chart="{1 if has_chart else 0}">{top_html(slide)}{chart}{bottom_html(slide)}</section>')


def export_show(slides: list[Slide], settings: ShowSettings) -> str:
    """The whole show as one self-contained HTML file (str): every slide, plotly.js inlined once,
    auto-advance every `settings.seconds`, keyboard and buttons; no network needed."""
    L = settings.lang
    figures = {str(i): json.loads(s.figure.to_json()) for i, s in enumerate(slides) if s.figure is not None}
    player_settings = {
        "seconds": int(settings.seconds), "width": STAGE_W, "height": STAGE_H, "mask": bool(settings.mask),
        "labels": {"pause": t("conference.pause", L), "play": t("conference.play", L)},
    }
    options = "".join(
        f'<option value="{i}">{_e(t("conference.slide_option", L, n=i + 1, total=len(slides), title=s.title))}</option>'
        for i, s in enumerate(slides))
    bar = (
        '<nav class="cf-bar">'
        f'<button id="cf-prev" type="button">{_e(t("conference.prev", L))}</button>'
        f'<button id="cf-play" type="button">{_e(t("conference.pause", L))}</button>'
        f'<button id="cf-next" type="button">{_e(t("conference.next", L))}</button>'
        f'<select id="cf-jump" aria-label="{_e(t("conference.jump", L))}">{options}</select>'
        f'<span id="cf-counter">1 / {len(slides)}</span>'
        f'<label for="cf-seconds">{_e(t("conference.seconds", L))}</label>'
        f'<input id="cf-seconds" type="number" min="1" max="600" value="{int(settings.seconds)}">'
        "</nav>")
    sections = "".join(slide_section(s, i) for i, s in enumerate(slides))
    title = slides[0].title if slides else t("conference.nav", L)
    lang_attr = "zh-CN" if L == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang_attr}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{THEME_CSS}{EXPORT_CSS}</style>"
        f"<script>{_plotly_js()}</script></head>"
        f'<body><main class="cf-stage">{sections}</main>{bar}'
        f'<script type="application/json" id="cf-figures">{_json_for_script(figures)}</script>'
        f'<script type="application/json" id="cf-settings">{_json_for_script(player_settings)}</script>'
        f"<script>{PLAYER_JS}</script></body></html>")
