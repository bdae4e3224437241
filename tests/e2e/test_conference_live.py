"""Conference mode in the running app (?present=1 on a link), at 1920x1080: the show opens, every
slide renders (its title, and its chart drawn where it has one), nothing scrolls, no error.
(The offline HTML export of the show has its own browser test: test_conference_export.py.)"""
from __future__ import annotations

import re

import pytest

from lib.i18n import t
from tests.e2e import helpers
from tests.e2e.conftest import ARTIFACTS, ROOT

pytestmark = [pytest.mark.e2e,
              pytest.mark.skipif(not (ROOT / "pages" / "conference.py").exists(), reason="no conference page")]
SCREEN = {"width": 1920, "height": 1080}

# Elements that scroll (a scrollbar a projector would show), the document included.
SCROLLING = """() => {
  const out = [];
  const root = document.scrollingElement;
  if (root.scrollHeight > innerHeight + 1 || root.scrollWidth > innerWidth + 1)
    out.push(`document ${root.scrollWidth}x${root.scrollHeight}`);
  for (const el of document.querySelectorAll('*')) {
    const style = getComputedStyle(el);
    const y = /(auto|scroll)/.test(style.overflowY) && el.scrollHeight > el.clientHeight + 1;
    const x = /(auto|scroll)/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    if ((x || y) && el.getClientRects().length)
      out.push(`${el.tagName} ${el.dataset.testid || el.className} ${el.scrollWidth}x${el.scrollHeight}`
               + ` in ${el.clientWidth}x${el.clientHeight}`);
  }
  return out;
}"""


def check_slide(page, problems, lang, number, total):
    helpers.healthy(page, problems)
    stage = page.locator(".st-key-conf_stage")
    title = stage.locator("h1").first.inner_text().strip()
    assert title, f"slide {number}: no title"
    assert f"{number} / {total}" in page.locator(".st-key-conf_slide").inner_text()
    for chart in helpers.charts(page):
        assert chart["drawn"] and (chart["traces"] or chart["annotations"]), f"slide {number}: {chart['title']}"
    assert page.evaluate(SCROLLING) == [], f"slide {number} ({title}) scrolls at 1920x1080"
    return title


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_conference_show_fits_the_screen(app, context, page, lang):
    page.set_viewport_size(SCREEN)
    helpers.open_page(page, app.url, "", present=1, lang=lang)
    assert urlpath(page.url) == "/conference", page.url  # any page's link with ?present=1 opens the show

    pause = page.locator(".st-key-conf_pause button")
    if t("conference.pause", lang) in pause.inner_text():  # it plays on its own: hold it still
        helpers.rerun(page, pause.click)
    total = int(re.search(r"/\s*(\d+)", page.locator(".st-key-conf_slide").inner_text()).group(1))
    assert total > 1

    titles = [check_slide(page, context.e2e_problems, lang, 1, total)]
    helpers.screenshot(page, f"conference-{lang}-1", ARTIFACTS)
    if lang == "zh":
        helpers.assert_chinese_in_cjk_font(context, page)
        for number in range(2, total + 1):  # every slide, with the Next button
            helpers.rerun(page, page.locator(".st-key-conf_next button").click)
            titles.append(check_slide(page, context.e2e_problems, lang, number, total))
            helpers.screenshot(page, f"conference-{lang}-{number}", ARTIFACTS)
        assert len(set(titles)) > 1
    else:
        helpers.rerun(page, page.locator(".st-key-conf_last button").click)
        check_slide(page, context.e2e_problems, lang, total, total)
        helpers.screenshot(page, f"conference-{lang}-{total}", ARTIFACTS)


def urlpath(url: str) -> str:
    from urllib.parse import urlparse

    return urlparse(url).path
