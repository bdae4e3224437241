"""Command line: python -m lib.cli demo | import | report | rules  (see ../shared/spec/cli.md).

Exit status: 0 success; 2 bad input or usage (one line per problem on stderr, no traceback);
1 an internal error.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lib import db
from lib.auth import ROLES
from lib.periods import PeriodError, Quarter, parse_campaign, parse_date, parse_month
from lib.rules_file import RulesError, load_rules
from lib.scope import Scope


class UsageError(Exception):
    """Bad input or usage: exit 2 with this message."""


class _Parser(argparse.ArgumentParser):
    # argparse exits 2 with a usage dump; we want one clear line.
    def error(self, message):
        raise UsageError(f"{self.prog}: {message}")


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", type=Path, default=None, help="database file (default: data/sales.duckdb or $SALESDASH_DB)")
    p.add_argument("--rules", type=Path, default=None, help="rules file overriding the shipped defaults")


def build_parser() -> argparse.ArgumentParser:
    from lib.reports import REPORTS

    parser = _Parser(prog="python -m lib.cli", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = sub.add_parser("demo", help="write a realistic demo database (deterministic for a seed)")
    _add_common(demo)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--dealers", type=int, default=800)
    demo.add_argument("--months", type=int, default=36)
    demo.add_argument("--end", default=None, help="last month YYYY-MM (default: last month)")

    imp = sub.add_parser("import", help="import CSV/XLSX files, all or nothing")
    _add_common(imp)
    imp.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    imp.add_argument("paths", nargs="+", type=Path, metavar="FILE_OR_DIR")

    rep = sub.add_parser("report", help="print one report: " + ", ".join(REPORTS))
    _add_common(rep)
    rep.add_argument("name", metavar="NAME")
    rep.add_argument("--format", choices=("csv", "json"), default="csv")
    rep.add_argument("--out", type=Path, default=None)
    rep.add_argument("--as-of", dest="as_of")
    rep.add_argument("--from", dest="start")
    rep.add_argument("--to", dest="end")
    rep.add_argument("--vs-from", dest="vs_start")
    rep.add_argument("--vs-to", dest="vs_end")
    rep.add_argument("--month")
    rep.add_argument("--quarter")
    rep.add_argument("--year")
    rep.add_argument("--campaign")
    for name in ("region", "province", "territory", "salesperson"):
        rep.add_argument(f"--{name}", action="append", default=[])

    rules = sub.add_parser("rules", help="show every rule value in force and the file it came from")
    _add_common(rules)

    user = sub.add_parser("user", help="manage who may sign in and what they see")
    user_sub = user.add_subparsers(dest="user_command", required=True, parser_class=_Parser)
    for name in ("add", "set"):
        p = user_sub.add_parser(name, help=f"{name} a user (the password is asked for, or read from stdin)")
        _add_common(p)
        p.add_argument("username")
        p.add_argument("--role", required=(name == "add"), choices=ROLES)
        p.add_argument("--name", help="display name")
        for geo in ("region", "province", "territory"):
            p.add_argument(f"--{geo}", action="append", default=None, help=f"a manager's {geo} (repeatable)")
        p.add_argument("--salesperson", help="a rep's salesperson_id")
        p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
        if name == "set":
            p.add_argument("--password", action="store_true", help="set a new password")
            p.add_argument("--enable", action="store_true", help="enable a disabled user")
    for name in ("disable", "list"):
        p = user_sub.add_parser(name, help=f"{name} user(s)")
        _add_common(p)
        if name == "disable":
            p.add_argument("username")
    return parser


def _period_options(args, report):
    from lib.reports import PeriodOptions

    allowed = {
        "as_of": {"as_of", "year"},
        "range": {"range", "optional_range", "drivers"},
        "month": {"month"},
        "quarter": {"quarter"},
        "year": {"year"},
        "campaign": {"campaign"},
        "vs": {"drivers"},
    }
    given = {
        "as_of": ["--as-of"] if args.as_of else [],
        "range": [o for o, v in (("--from", args.start), ("--to", args.end)) if v],
        "month": ["--month"] if args.month else [],
        "quarter": ["--quarter"] if args.quarter else [],
        "year": ["--year"] if args.year else [],
        "campaign": ["--campaign"] if args.campaign else [],
        "vs": [o for o, v in (("--vs-from", args.vs_start), ("--vs-to", args.vs_end)) if v],
    }
    for group, options in given.items():
        if options and report.period not in allowed[group]:
            raise UsageError(f"report {report.name} does not take {options[0]}")
    year = None
    if args.year:
        if not args.year.isdigit() or len(args.year) != 4:
            raise PeriodError(f"malformed year '{args.year}': expected YYYY")
        year = int(args.year)
    return PeriodOptions(
        as_of=parse_date(args.as_of, "--as-of date") if args.as_of else None,
        start=parse_date(args.start, "--from date") if args.start else None,
        end=parse_date(args.end, "--to date") if args.end else None,
        month=parse_month(args.month) if args.month else None,
        quarter=Quarter.parse(args.quarter) if args.quarter else None,
        year=year,
        campaign=parse_campaign(args.campaign) if args.campaign else None,
        vs_start=parse_date(args.vs_start, "--vs-from date") if args.vs_start else None,
        vs_end=parse_date(args.vs_end, "--vs-to date") if args.vs_end else None,
    )


def cmd_report(args) -> int:
    from lib import export
    from lib.reports import REPORTS, run_report

    report = REPORTS.get(args.name)
    if report is None:
        raise UsageError(f"unknown report '{args.name}'; reports are: " + ", ".join(REPORTS))
    options = _period_options(args, report)
    rules = load_rules(args.rules)
    scope = Scope.of(args.region, args.province, args.territory, args.salesperson)
    con = db.connect(args.db, read_only=True)
    try:
        frame = run_report(con, rules, report.name, scope, options)
    finally:
        con.close()
    text = export.to_json(frame) + "\n" if args.format == "json" else export.to_csv(frame)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_rules(args) -> int:
    rules = load_rules(args.rules)
    print("rules files in force: " + " + ".join(rules.files))
    for row in rules.rows():
        print(f"{row['key']} = {row['value']}    # {row['source']}")
    return 0


def cmd_demo(args) -> int:
    from lib import demo
    from lib.periods import add_months
    import datetime as dt

    if args.dealers < 10:
        raise UsageError("--dealers must be at least 10")
    if not 12 <= args.months <= 120:
        raise UsageError("--months must be between 12 and 120")
    end = parse_month(args.end) if args.end else add_months(dt.date.today(), -1)
    path = args.db or db.default_db_path()
    counts = demo.build_demo(path, seed=args.seed, dealers=args.dealers, months=args.months, end=end,
                             progress=_progress, rules=load_rules(args.rules))
    print(f"{path}: " + ", ".join(f"{t} {n:,}" for t, n in counts.items()))
    return 0


def cmd_import(args) -> int:
    from lib import importer

    path = args.db or db.default_db_path()
    result = importer.import_paths(path, args.paths, dry_run=args.dry_run, progress=_progress)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if result.problems:
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"nothing imported: {result.problem_count} problem(s)", file=sys.stderr)
        return 2
    verb = "would import" if args.dry_run else "imported"
    for table, c in result.counts.items():
        print(f"{verb} {table}: {c['inserted']} inserted, {c['updated']} updated, {c['unchanged']} unchanged")
    return 0


def _read_password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise UsageError("the two passwords differ")
    return first


def cmd_user(args) -> int:
    from lib.auth import AuthError, AuthStore, auth_path

    store = AuthStore(auth_path(args.db or db.default_db_path()))
    try:
        if args.user_command == "add":
            user = store.add_user(args.username, args.role, _read_password(args), name=args.name,
                                  regions=args.region or (), provinces=args.province or (),
                                  territories=args.territory or (), salesperson_id=args.salesperson)
            print(f"added {user.username} ({user.role}: {user.describe_access()})")
        elif args.user_command == "set":
            wants_password = args.password or args.password_stdin
            user = store.set_user(args.username, role=args.role, name=args.name,
                                  password=_read_password(args) if wants_password else None,
                                  regions=args.region, provinces=args.province, territories=args.territory,
                                  salesperson_id=args.salesperson, disabled=False if args.enable else None)
            print(f"updated {user.username} ({user.role}: {user.describe_access()})")
        elif args.user_command == "disable":
            store.set_user(args.username, disabled=True)
            print(f"disabled {args.username}")
        else:
            users = store.list_users()
            if not users:
                print("no users: the app runs in local single-user mode (localhost only)")
            for u in users:
                state = "disabled" if u["disabled"] else "active"
                print(f"{u['username']}\t{u['role']}\t{u['access']}\t{state}\t{u['name']}\t{u['last_sign_in']}")
    except AuthError as exc:
        raise UsageError(str(exc)) from None
    return 0


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


COMMANDS = {"report": cmd_report, "rules": cmd_rules, "demo": cmd_demo, "import": cmd_import, "user": cmd_user}


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except (UsageError, PeriodError, RulesError, db.DatabaseError) as exc:
        for line in str(exc).splitlines():
            print(line, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - an internal error: say so in one line, exit 1
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
