"""The command line contract (cli.md): every report by name with its filters and formats, exit 2 with
one line for bad usage, rules-file overrides reaching the output, never a traceback."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lib import cli
from lib.reports import REPORTS

ROOT = Path(__file__).resolve().parent.parent


def run(args, capsys):
    code = cli.main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_report_prints_exactly_its_columns(demo_path, capsys, name):
    code, out, err = run(["report", name, "--db", demo_path, "--format", "json"], capsys)
    assert code == 0, err
    rows = json.loads(out)
    assert rows, f"{name} printed no rows on the demo data"
    assert list(rows[0]) == list(REPORTS[name].columns)
    code, out, err = run(["report", name, "--db", demo_path], capsys)
    assert code == 0
    assert out.splitlines()[0] == ",".join(REPORTS[name].columns)


@pytest.mark.parametrize(
    "args, message",
    [
        (["report", "nonsense"], "unknown report 'nonsense'"),
        (["report", "contest", "--month", "2025-13"], "malformed month '2025-13'"),
        (["report", "tiers", "--quarter", "2025Q5"], "malformed quarter '2025Q5'"),
        (["report", "funnel", "--from", "2025-06-01", "--to", "2025-01-31"], "after it ends"),
        (["report", "funnel", "--from", "2025-02-30"], "malformed --from date"),
        (["report", "contest-score", "--campaign", "2025-06:2025-01"], "starts after it ends"),
        (["report", "tiers", "--month", "2025-01"], "report tiers does not take --month"),
        (["report", "elimination", "--year", "25"], "malformed year '25'"),
        (["report", "elimination", "--year", "2025", "--as-of", "2024-05-01"], "is not in --year 2025"),
        (["report", "funnel", "--format", "xml"], "invalid choice: 'xml'"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_options_exit_2_with_one_line(demo_path, capsys, args, message):
    code, out, err = run(args + ["--db", demo_path] if args[0] == "report" else args, capsys)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_missing_and_damaged_databases_exit_2(tmp_path, capsys):
    code, _, err = run(["report", "funnel", "--db", tmp_path / "none.duckdb"], capsys)
    assert code == 2 and "none.duckdb" in err and "lib.cli demo" in err
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"\x00garbage" * 500)
    code, _, err = run(["report", "funnel", "--db", bad], capsys)
    assert code == 2 and str(bad) in err and len(err.strip().splitlines()) == 1


def test_a_rules_override_changes_the_contest_payouts(demo_path, tmp_path, capsys):
    month = "2025-06"
    code, out, _ = run(["report", "contest", "--db", demo_path, "--month", month, "--format", "json"], capsys)
    default = {r["salesperson_id"]: r for r in json.loads(out)}
    rules = tmp_path / "rules.toml"
    rules.write_text("[contest]\ntop_awards = [5000, 3000, 1000]\nintention_penalty = 0\n", encoding="utf-8")
    code, out, _ = run(["report", "contest", "--db", demo_path, "--month", month, "--format", "json",
                        "--rules", rules], capsys)
    assert code == 0
    changed = {r["salesperson_id"]: r for r in json.loads(out)}
    for rep, row in changed.items():
        # awards are ten times the defaults; the penalty is gone; everything else is the same
        assert row["award_developed"] == 10 * default[rep]["award_developed"]
        assert row["award_sales"] == 10 * default[rep]["award_sales"]
        assert row["intention_penalty"] == 0
        assert row["payout"] == pytest.approx(
            default[rep]["payout"] + default[rep]["intention_penalty"]
            + 9 * (default[rep]["award_developed"] + default[rep]["award_sales"]), abs=0.005)
    assert any(r["award_developed"] > 0 for r in changed.values())


def test_a_bad_rules_file_exits_2_naming_the_key(demo_path, tmp_path, capsys):
    rules = tmp_path / "rules.toml"
    rules.write_text("[tiers]\npeer_group = 'planet'\n", encoding="utf-8")
    code, _, err = run(["report", "tiers", "--db", demo_path, "--rules", rules], capsys)
    assert code == 2 and "tiers.peer_group" in err and "Traceback" not in err


def test_rules_command_names_the_source_of_each_value(tmp_path, capsys):
    rules = tmp_path / "rules.toml"
    rules.write_text("[core]\nshare = 0.7\n", encoding="utf-8")
    code, out, _ = run(["rules", "--rules", rules], capsys)
    assert code == 0
    assert f"core.share = 0.7    # {rules}" in out
    assert "contest.top_awards = [500, 300, 100]    # default" in out


def test_out_file_and_scope_filters(demo_path, tmp_path, capsys):
    out_file = tmp_path / "core.csv"
    code, out, _ = run(["report", "core-dealers", "--db", demo_path, "--region", "华南", "--region", "华东",
                        "--out", out_file], capsys)
    assert code == 0 and out == ""
    lines = out_file.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "dealer_id,dealer_name,amount,cumulative_share,is_core" and len(lines) > 1


def test_module_entry_point_runs_as_a_process(demo_path):
    done = subprocess.run([sys.executable, "-m", "lib.cli", "report", "nonsense", "--db", str(demo_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "unknown report" in done.stderr and "Traceback" not in done.stderr
