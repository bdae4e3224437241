"""Users, roles, sign-in throttling and the audit log.

They live in a SQLite file next to the DuckDB database (data/sales.auth.sqlite for
data/sales.duckdb), not inside it: the app holds the DuckDB file read-only while it runs, and
DuckDB lets one process write a file only when no other holds it, so sign-ins (audit rows, failed
attempt counters) and `cli user add` could not be written there while the app serves. SQLite
(standard library) takes short writes from several processes safely.

Passwords are hashed with bcrypt; neither the password nor its hash is ever logged or printed.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import bcrypt

from lib.scope import Scope

ROLES = ("director", "manager", "rep", "presenter", "admin")
MIN_PASSWORD = 8
FREE_ATTEMPTS = 3          # failures allowed before the account is throttled
MAX_LOCK_SECONDS = 15 * 60
# A real bcrypt hash to check against when the user does not exist, so an unknown name costs the
# same time as a wrong password and names cannot be probed.
_DUMMY_HASH = bcrypt.hashpw(b"not a password", bcrypt.gensalt(rounds=12))

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username       TEXT PRIMARY KEY,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('director', 'manager', 'rep', 'presenter', 'admin')),
    regions        TEXT NOT NULL DEFAULT '[]',
    provinces      TEXT NOT NULL DEFAULT '[]',
    territories    TEXT NOT NULL DEFAULT '[]',
    salesperson_id TEXT,
    password_hash  BLOB NOT NULL,
    disabled       INTEGER NOT NULL DEFAULT 0,
    failed_count   INTEGER NOT NULL DEFAULT 0,
    locked_until   TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    last_sign_in   TEXT
);
CREATE TABLE IF NOT EXISTS audit_log (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    username TEXT,
    action   TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT '{}'
);
"""


class AuthError(ValueError):
    """A refused sign-in or a bad user command, worded for the user."""

    def __init__(self, message: str, reason: str = "invalid"):
        super().__init__(message)
        self.reason = reason  # invalid | locked | disabled


@dataclass(frozen=True)
class User:
    username: str
    name: str
    role: str
    regions: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()
    salesperson_id: str | None = None
    disabled: bool = False

    @property
    def access(self) -> Scope:
        """What this user may see; everything for the director, presenter and admin."""
        if self.role == "manager":
            return Scope.of(self.regions, self.provinces, self.territories)
        if self.role == "rep":
            return Scope.of(salespeople=[self.salesperson_id or "\0none"])
        return Scope()

    @property
    def restricted(self) -> bool:
        return not self.access.is_everything

    def describe_access(self) -> str:
        parts = [*self.regions, *self.provinces, *self.territories]
        if self.role == "rep":
            parts.append(self.salesperson_id or "")
        return ", ".join(p for p in parts if p) or "*"


LOCAL_USER = User(username="local", name="local", role="director")  # single-user mode, localhost only


def auth_path(db_path: Path | str) -> Path:
    """The auth store that belongs to a database file."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + ".auth.sqlite")


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


class AuthStore:
    def __init__(self, path: Path | str):
        self.path = Path(path)

    def _connect(self, create: bool = False) -> sqlite3.Connection:
        if not create and not self.path.exists():
            raise FileNotFoundError(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA journal_mode=WAL")
        con.executescript(SCHEMA)
        return con

    # ----- users -------------------------------------------------------------------------------
    def has_users(self) -> bool:
        """True once any user exists (then sign-in is required, even if all are disabled)."""
        if not self.path.exists():
            return False
        with closing(self._connect()) as con:
            return con.execute("SELECT count(*) FROM users").fetchone()[0] > 0

    def add_user(self, username: str, role: str, password: str, name: str | None = None,
                 regions=(), provinces=(), territories=(), salesperson_id: str | None = None) -> User:
        username = (username or "").strip()
        if not username or any(c.isspace() for c in username):
            raise AuthError("a username is one word without spaces")
        user = User(username=username, name=(name or username).strip(), role=role,
                    regions=tuple(regions), provinces=tuple(provinces), territories=tuple(territories),
                    salesperson_id=salesperson_id)
        _check_user(user)
        _check_password(password)
        stamp = _now().isoformat()
        with closing(self._connect(create=True)) as con:
            try:
                con.execute(
                    "INSERT INTO users (username, display_name, role, regions, provinces, territories,"
                    " salesperson_id, password_hash, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (user.username, user.name, user.role, json.dumps(user.regions, ensure_ascii=False),
                     json.dumps(user.provinces, ensure_ascii=False),
                     json.dumps(user.territories, ensure_ascii=False), user.salesperson_id,
                     _hash(password), stamp, stamp),
                )
            except sqlite3.IntegrityError:
                raise AuthError(f"user {username} already exists; change it with `user set`") from None
        self.audit(None, "user_add", {"user": username, "role": role})
        return user

    def set_user(self, username: str, role: str | None = None, password: str | None = None,
                 name: str | None = None, regions=None, provinces=None, territories=None,
                 salesperson_id: str | None = None, disabled: bool | None = None) -> User:
        current = self.get(username)
        if current is None:
            raise AuthError(f"no user {username}")
        user = User(
            username=username,
            name=name if name is not None else current.name,
            role=role or current.role,
            regions=tuple(regions) if regions is not None else current.regions,
            provinces=tuple(provinces) if provinces is not None else current.provinces,
            territories=tuple(territories) if territories is not None else current.territories,
            salesperson_id=salesperson_id if salesperson_id is not None else current.salesperson_id,
            disabled=current.disabled if disabled is None else disabled,
        )
        _check_user(user)
        with closing(self._connect()) as con:
            con.execute(
                "UPDATE users SET display_name=?, role=?, regions=?, provinces=?, territories=?,"
                " salesperson_id=?, disabled=?, updated_at=? WHERE username=?",
                (user.name, user.role, json.dumps(user.regions, ensure_ascii=False),
                 json.dumps(user.provinces, ensure_ascii=False), json.dumps(user.territories, ensure_ascii=False),
                 user.salesperson_id, int(user.disabled), _now().isoformat(), username),
            )
            if password is not None:
                _check_password(password)
                # a new password also lifts a throttle: the admin has just vouched for the user
                con.execute("UPDATE users SET password_hash=?, failed_count=0, locked_until=NULL WHERE username=?",
                            (_hash(password), username))
        changed = [k for k, v in dict(role=role, name=name, regions=regions, provinces=provinces,
                                       territories=territories, salesperson_id=salesperson_id,
                                       disabled=disabled).items() if v is not None]
        if password is not None:
            changed.append("password")
        self.audit(None, "user_set", {"user": username, "changed": changed})
        return user

    def get(self, username: str) -> User | None:
        if not self.path.exists():
            return None
        with closing(self._connect()) as con:
            row = con.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        return _user(row) if row else None

    def list_users(self) -> list[dict]:
        if not self.path.exists():
            return []
        with closing(self._connect()) as con:
            rows = con.execute("SELECT * FROM users ORDER BY username").fetchall()
        return [{"username": r["username"], "name": r["display_name"], "role": r["role"],
                 "access": _user(r).describe_access(), "disabled": bool(r["disabled"]),
                 "last_sign_in": r["last_sign_in"] or ""} for r in rows]

    # ----- sign-in ------------------------------------------------------------------------------
    def authenticate(self, username: str, password: str, now: dt.datetime | None = None) -> User:
        """The user, or AuthError; every outcome is audited, failures counted and throttled."""
        now = now or _now()
        username = (username or "").strip()
        with closing(self._connect(create=True)) as con:
            row = con.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
            if row is None:
                bcrypt.checkpw(password.encode("utf-8"), _DUMMY_HASH)
                self._audit(con, username, "sign_in_failed", {"reason": "unknown user"})
                raise AuthError("wrong username or password", "invalid")
            if row["locked_until"] and dt.datetime.fromisoformat(row["locked_until"]) > now:
                wait = int((dt.datetime.fromisoformat(row["locked_until"]) - now).total_seconds()) + 1
                self._audit(con, username, "sign_in_failed", {"reason": "throttled"})
                raise AuthError(f"too many failed attempts; try again in {wait} s", "locked")
            if not bcrypt.checkpw(password.encode("utf-8"), bytes(row["password_hash"])):
                failed = row["failed_count"] + 1
                lock = None
                if failed > FREE_ATTEMPTS:
                    seconds = min(MAX_LOCK_SECONDS, 30 * 2 ** (failed - FREE_ATTEMPTS - 1))
                    lock = (now + dt.timedelta(seconds=seconds)).isoformat()
                con.execute("UPDATE users SET failed_count=?, locked_until=? WHERE username=?",
                            (failed, lock, username))
                self._audit(con, username, "sign_in_failed", {"reason": "wrong password", "failed": failed})
                raise AuthError("wrong username or password", "invalid")
            if row["disabled"]:
                self._audit(con, username, "sign_in_failed", {"reason": "disabled"})
                raise AuthError("this account is disabled", "disabled")
            con.execute("UPDATE users SET failed_count=0, locked_until=NULL, last_sign_in=? WHERE username=?",
                        (now.isoformat(), username))
            self._audit(con, username, "sign_in", {})
            return _user(row)

    def still_valid(self, username: str) -> User | None:
        """The current record of a signed-in user: None when deleted or disabled since."""
        user = self.get(username)
        return None if user is None or user.disabled else user

    # ----- audit --------------------------------------------------------------------------------
    def audit(self, username: str | None, action: str, detail: dict | None = None) -> None:
        with closing(self._connect(create=True)) as con:
            self._audit(con, username, action, detail or {})

    @staticmethod
    def _audit(con: sqlite3.Connection, username, action: str, detail: dict) -> None:
        con.execute("INSERT INTO audit_log (at, username, action, detail) VALUES (?,?,?,?)",
                    (_now().isoformat(), username, action, json.dumps(detail, ensure_ascii=False)))

    def audit_log(self, limit: int = 500) -> list[dict]:
        if not self.path.exists():
            return []
        with closing(self._connect()) as con:
            rows = con.execute("SELECT at, username, action, detail FROM audit_log ORDER BY id DESC LIMIT ?",
                               (limit,)).fetchall()
        return [dict(r) for r in rows]


def _hash(password: str) -> bytes:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=12))


def _check_password(password: str) -> None:
    if password is None or len(password) < MIN_PASSWORD:
        raise AuthError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password.encode("utf-8")) > 72:
        raise AuthError("a password may have at most 72 bytes (bcrypt's limit)")


def _check_user(user: User) -> None:
    if user.role not in ROLES:
        raise AuthError(f"unknown role {user.role!r}; roles are " + ", ".join(ROLES))
    if user.role == "manager" and not (user.regions or user.provinces or user.territories):
        raise AuthError("a manager needs --region, --province or --territory (their own part of the network)")
    if user.role == "rep" and not user.salesperson_id:
        raise AuthError("a rep needs --salesperson (their salesperson_id)")


def _user(row: sqlite3.Row) -> User:
    return User(username=row["username"], name=row["display_name"], role=row["role"],
                regions=tuple(json.loads(row["regions"])), provinces=tuple(json.loads(row["provinces"])),
                territories=tuple(json.loads(row["territories"])), salesperson_id=row["salesperson_id"],
                disabled=bool(row["disabled"]))
