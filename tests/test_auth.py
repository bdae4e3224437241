"""Users, roles, passwords, throttling and the audit log (lib/auth.py), and `cli user`."""
import datetime as dt
import sqlite3

import pytest

from lib import cli
from lib.auth import AuthError, AuthStore, FREE_ATTEMPTS, auth_path
from lib.scope import Scope

PASSWORD = "correct horse 1"


@pytest.fixture
def store(tmp_path):
    return AuthStore(auth_path(tmp_path / "sales.duckdb"))


def test_the_store_sits_next_to_the_database(tmp_path):
    assert auth_path(tmp_path / "sales.duckdb") == tmp_path / "sales.auth.sqlite"


def test_roles_map_to_access_scopes(store):
    assert not store.has_users()
    manager = store.add_user("wang", "manager", PASSWORD, regions=["华东"], provinces=["广东"])
    rep = store.add_user("li", "rep", PASSWORD, salesperson_id="S007")
    director = store.add_user("chen", "director", PASSWORD)
    assert store.has_users()
    assert manager.access == Scope.of(regions=["华东"], provinces=["广东"])
    assert rep.access == Scope.of(salespeople=["S007"])
    assert director.access.is_everything and not director.restricted


@pytest.mark.parametrize("kwargs, message", [
    (dict(username="m", role="manager"), "a manager needs --region"),
    (dict(username="r", role="rep"), "a rep needs --salesperson"),
    (dict(username="x", role="king"), "unknown role"),
    (dict(username="two words", role="director"), "one word"),
])
def test_bad_users_are_refused(store, kwargs, message):
    with pytest.raises(AuthError, match=message):
        store.add_user(password=PASSWORD, **kwargs)


def test_password_is_hashed_never_stored_in_clear(store):
    store.add_user("chen", "director", PASSWORD)
    raw = store.path.read_bytes()
    assert PASSWORD.encode() not in raw
    with sqlite3.connect(store.path) as con:
        stored = con.execute("SELECT password_hash FROM users").fetchone()[0]
    assert bytes(stored).startswith(b"$2b$")
    with pytest.raises(AuthError, match="at least 8"):
        store.add_user("short", "director", "1234567")


def test_sign_in_success_and_failure_are_audited(store):
    store.add_user("chen", "director", PASSWORD)
    assert store.authenticate("chen", PASSWORD).role == "director"
    with pytest.raises(AuthError) as err:
        store.authenticate("chen", "wrong password")
    assert err.value.reason == "invalid"
    with pytest.raises(AuthError):
        store.authenticate("nobody", "whatever1")
    actions = [(r["username"], r["action"]) for r in store.audit_log()]
    assert actions[:3] == [("nobody", "sign_in_failed"), ("chen", "sign_in_failed"), ("chen", "sign_in")]
    assert all(PASSWORD not in r["detail"] for r in store.audit_log())


def test_failed_attempts_are_throttled_then_released(store):
    store.add_user("chen", "director", PASSWORD)
    t0 = dt.datetime(2026, 1, 1, 9, 0, 0)
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(AuthError) as err:
            store.authenticate("chen", "bad password", now=t0)
        assert err.value.reason == "invalid"
    with pytest.raises(AuthError):  # the attempt after the free ones locks the account for 30 s
        store.authenticate("chen", "bad password", now=t0)
    with pytest.raises(AuthError) as err:  # even the right password waits
        store.authenticate("chen", PASSWORD, now=t0 + dt.timedelta(seconds=10))
    assert err.value.reason == "locked"
    assert store.authenticate("chen", PASSWORD, now=t0 + dt.timedelta(seconds=31)).username == "chen"


def test_a_disabled_user_cannot_sign_in_and_is_dropped_from_sessions(store):
    store.add_user("wang", "manager", PASSWORD, regions=["华东"])
    assert store.still_valid("wang") is not None
    store.set_user("wang", disabled=True)
    assert store.still_valid("wang") is None
    with pytest.raises(AuthError) as err:
        store.authenticate("wang", PASSWORD)
    assert err.value.reason == "disabled"
    store.set_user("wang", disabled=False, regions=["华南"])
    assert store.authenticate("wang", PASSWORD).access == Scope.of(regions=["华南"])


def test_cli_user_commands(tmp_path, capsys, monkeypatch):
    db_path = tmp_path / "sales.duckdb"
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(PASSWORD + "\n"))
    assert cli.main(["user", "add", "wang", "--role", "manager", "--region", "华东", "--name", "王经理",
                     "--db", str(db_path), "--password-stdin"]) == 0
    assert cli.main(["user", "disable", "wang", "--db", str(db_path)]) == 0
    assert cli.main(["user", "list", "--db", str(db_path)]) == 0
    out = capsys.readouterr()
    assert "added wang (manager: 华东)" in out.out
    assert "wang\tmanager\t华东\tdisabled\t王经理" in out.out
    assert PASSWORD not in out.out + out.err
    assert cli.main(["user", "add", "r1", "--role", "rep", "--db", str(db_path), "--password-stdin"]) == 2
    assert "a rep needs --salesperson" in capsys.readouterr().err
