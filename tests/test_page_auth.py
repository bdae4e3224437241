"""Sign-in and access on the pages: a manager of 华东 sees no dealer, rep or name from elsewhere on any
page (checked on the data each page renders: tables and charts), a shared link cannot widen the view,
disabled users and idle sessions are signed out, roles open only their pages."""
import datetime as dt
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from lib import db
from lib.auth import AuthStore, auth_path
from tests.apptest_helpers import no_failure, plotly_figures

PASSWORD = "correct horse 1"
ANALYSIS_PAGES = ["pages/home.py", "pages/overview.py", "pages/funnel.py", "pages/lifecycle.py", "pages/tiers.py",
                  "pages/contest.py", "pages/contracts.py"]


@pytest.fixture(scope="module")
def site(demo_path, tmp_path_factory):
    """A copy of the demo with users (the shared demo must stay in single-user mode)."""
    path = tmp_path_factory.mktemp("auth") / "sales.duckdb"
    shutil.copy(demo_path, path)
    store = AuthStore(auth_path(path))
    store.add_user("wang", "manager", PASSWORD, regions=["华东"], name="王经理")
    store.add_user("chen", "director", PASSWORD)
    store.add_user("hall", "presenter", PASSWORD)
    store.add_user("it", "admin", PASSWORD)
    con = db.connect(path)
    outside = {
        r[0] for r in con.execute(
            "SELECT d.dealer_id FROM dealers d JOIN territories t USING (territory_id) WHERE t.region <> '华东' UNION "
            "SELECT d.dealer_name FROM dealers d JOIN territories t USING (territory_id) WHERE t.region <> '华东' UNION "
            "SELECT s.salesperson_id FROM salespeople s JOIN territories t USING (territory_id) WHERE t.region <> '华东' UNION "
            "SELECT s.name FROM salespeople s JOIN territories t USING (territory_id) WHERE t.region <> '华东'"
        ).fetchall()
    }
    inside = {r[0] for r in con.execute(
        "SELECT d.dealer_id FROM dealers d JOIN territories t USING (territory_id) WHERE t.region = '华东'").fetchall()}
    con.close()
    # a name shared by people inside and outside (common Chinese names) proves nothing either way
    inside_names = set()
    con = db.connect(path)
    inside_names = {r[0] for r in con.execute(
        "SELECT s.name FROM salespeople s JOIN territories t USING (territory_id) WHERE t.region = '华东' UNION "
        "SELECT d.dealer_name FROM dealers d JOIN territories t USING (territory_id) WHERE t.region = '华东'").fetchall()}
    con.close()
    return {"path": path, "store": store, "outside": outside - inside_names, "inside": inside}


def app(monkeypatch, site, query=None):
    monkeypatch.setenv("SALESDASH_DB", str(site["path"]))
    at = AppTest.from_file("app.py", default_timeout=120)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    return at


def sign_in(at, username, password=PASSWORD):
    at.run()
    at.text_input(key="auth_username").input(username)
    at.text_input(key="auth_password").input(password)
    at.button[0].click()
    return at.run()


def rendered_strings(at) -> set[str]:
    """Every string the page sends to the browser in tables and charts."""
    found = set()
    for df in list(at.dataframe) + list(at.table):
        frame = df.value
        frame = frame.data if hasattr(frame, "data") else frame
        for column in frame.columns:
            found |= {str(v) for v in frame[column].tolist()}
    def walk(node):
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, str):
            found.add(node)
            found.update(part for part in node.replace("<br>", " ").split() if part)
    for figure in plotly_figures(at):
        walk(figure.get("data", []))
    for el in list(at.markdown) + list(at.caption) + list(at.metric):
        found.add(str(el.value))
    return found


def test_with_users_the_data_waits_for_sign_in(monkeypatch, site):
    at = app(monkeypatch, site, {"lang": "en"}).run()
    assert at.text_input(key="auth_username") is not None
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")


def test_wrong_password_is_refused(monkeypatch, site):
    at = sign_in(app(monkeypatch, site, {"lang": "en"}), "chen", "not the password")
    assert any("Wrong username or password" in e.value for e in at.error)
    assert not at.dataframe


@pytest.mark.parametrize("page", ANALYSIS_PAGES)
def test_a_manager_never_receives_anything_from_another_region(monkeypatch, site, page):
    at = sign_in(app(monkeypatch, site, {"lang": "zh"}), "wang")
    at.switch_page(page).run()
    no_failure(at)
    seen = rendered_strings(at)
    leaked = seen & site["outside"]
    assert not leaked, f"{page} shows {sorted(leaked)[:5]}"
    if page in ("pages/tiers.py", "pages/contracts.py", "pages/overview.py"):
        assert seen & site["inside"], "the page shows the manager's own dealers"


def test_a_directors_link_is_narrowed_for_a_manager(monkeypatch, site):
    at = sign_in(app(monkeypatch, site, {"lang": "en", "region": "华南"}), "wang")
    at.switch_page("pages/tiers.py").run()
    no_failure(at)
    assert at.multiselect(key="f_region").value == []
    assert at.multiselect(key="f_region").options == ["华东"]
    assert any("narrowed" in i.value for i in at.sidebar.info)
    assert not rendered_strings(at) & site["outside"]


def test_the_director_sees_every_region(monkeypatch, site):
    at = sign_in(app(monkeypatch, site, {"lang": "en"}), "chen")
    assert len(at.multiselect(key="f_region").options) == 7


def test_a_disabled_user_is_signed_out_at_the_next_run(monkeypatch, site):
    site["store"].add_user("temp", "manager", PASSWORD, regions=["华南"])
    at = sign_in(app(monkeypatch, site, {"lang": "en"}), "temp")
    assert at.multiselect(key="f_region").options == ["华南"]
    site["store"].set_user("temp", disabled=True)
    at.run()
    assert at.text_input(key="auth_username") is not None
    assert any("disabled or removed" in i.value for i in at.info)


def test_an_idle_session_expires(monkeypatch, site):
    at = sign_in(app(monkeypatch, site, {"lang": "en"}), "chen")
    at.session_state["auth_last_seen"] = dt.datetime.now() - dt.timedelta(hours=2)
    at.run()
    assert at.text_input(key="auth_username") is not None
    assert any("inactivity" in i.value for i in at.info)


def test_a_forged_session_value_cannot_widen_the_scope(monkeypatch, site):
    at = sign_in(app(monkeypatch, site, {"lang": "en"}), "wang")
    # state a browser can change (widget values, query string) cannot name regions outside the access
    at.session_state["f_region"] = ["华南"]
    at.switch_page("pages/overview.py").run()
    assert at.multiselect(key="f_region").value == []
    assert not rendered_strings(at) & site["outside"]


def test_roles_open_only_their_pages(monkeypatch, site):
    at = sign_in(app(monkeypatch, site, {"lang": "en"}), "hall")
    no_failure(at)
    assert at.session_state["conf_mask_forced"] is True
    at = sign_in(app(monkeypatch, site, {"lang": "en"}), "it")
    at.switch_page("pages/data.py").run()
    no_failure(at)
    actions = [r["action"] for r in site["store"].audit_log()]
    assert "sign_in" in actions and "sign_in_failed" in actions


def test_without_users_the_app_runs_in_local_mode(monkeypatch, demo_path):
    monkeypatch.setenv("SALESDASH_DB", str(demo_path))
    at = AppTest.from_file("app.py", default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    assert any("Local single-user mode" in c.value for c in at.sidebar.caption)
