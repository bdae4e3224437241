"""Months, quarters, campaigns as users type them."""
import datetime as dt

import pytest

from lib.periods import PeriodError, Quarter, add_months, parse_campaign, parse_month, quarter_ends_before


def test_quarter_parse_bounds_and_previous():
    q = Quarter.parse("2025Q1")
    assert (q.start, q.end) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31))
    assert str(q.previous()) == "2024Q4"
    assert Quarter.parse("2024q4").end == dt.date(2024, 12, 31)


@pytest.mark.parametrize("bad", ["2025Q5", "2025Q0", "25Q1", "2025-Q1", "Q1"])
def test_bad_quarters(bad):
    with pytest.raises(PeriodError, match="malformed quarter"):
        Quarter.parse(bad)


@pytest.mark.parametrize("bad", ["2025-13", "2025-1", "2025/03", "march"])
def test_bad_months(bad):
    with pytest.raises(PeriodError, match="malformed month"):
        parse_month(bad)


def test_campaign_must_not_run_backwards():
    assert parse_campaign("2025-01:2025-06") == (dt.date(2025, 1, 1), dt.date(2025, 6, 1))
    with pytest.raises(PeriodError, match="starts after it ends"):
        parse_campaign("2025-06:2025-01")


def test_quarter_ends_before_a_quarter_end_and_mid_quarter():
    # D itself is not one of "the quarter-ends before D"
    assert quarter_ends_before(dt.date(2025, 12, 31), 3) == [dt.date(2025, 9, 30), dt.date(2025, 6, 30), dt.date(2025, 3, 31)]
    assert quarter_ends_before(dt.date(2025, 11, 15), 2) == [dt.date(2025, 9, 30), dt.date(2025, 6, 30)]
    assert len(quarter_ends_before(dt.date(2025, 11, 15), 7)) == 7


def test_add_months_wraps_years():
    assert add_months(dt.date(2025, 11, 30), 3) == dt.date(2026, 2, 1)
    assert add_months(dt.date(2025, 1, 15), -1) == dt.date(2024, 12, 1)
