"""The suite catches a broken page: with a chart function that raises, the page shows the app's
error message, and the check every page test makes (helpers.healthy) fails on it.

A second server runs the same app through tests/e2e/serve.py, which replaces
lib.charts.overview.drivers_waterfall by a function that raises before `streamlit run` starts."""
from __future__ import annotations

import pytest

from lib.i18n import t
from tests.e2e import helpers
from tests.e2e.conftest import ARTIFACTS, serve

pytestmark = pytest.mark.e2e
BROKEN = "lib.charts.overview:drivers_waterfall"


@pytest.fixture(scope="module")
def broken_app(e2e_db):
    with serve(e2e_db, "server-broken", module=["-m", "tests.e2e.serve"], env={"E2E_BREAK": BROKEN}) as server:
        yield server


def test_a_chart_that_raises_fails_the_page_check(broken_app, context, page):
    lang = "en"
    helpers.open_page(page, broken_app.url, "overview", lang=lang)
    helpers.screenshot(page, "broken-overview-en", ARTIFACTS)

    error = page.locator("[data-testid='stAlertContentError']")
    assert error.count() == 1 and t("app.internal_error", lang) in error.inner_text()
    assert page.locator("[data-testid='stException']").count() == 0  # the guard: no traceback on screen
    with pytest.raises(AssertionError, match="error box on the page"):
        helpers.healthy(page, context.e2e_problems)
    assert "broken on purpose" in broken_app.log_text()  # the terminal has the traceback
