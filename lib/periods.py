"""Dates, months, quarters and campaigns as the CLI and pages name them (YYYY-MM, YYYYQn)."""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass


class PeriodError(ValueError):
    """A malformed or impossible period, worded for the user."""


def parse_date(text: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise PeriodError(f"malformed {what} '{text}': expected YYYY-MM-DD") from None


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """First day of the month `months` after day's month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> dt.date:
    """'2025-03' -> 2025-03-01."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise PeriodError(f"malformed month '{text}': expected YYYY-MM")
    return dt.date(int(m.group(1)), int(m.group(2)), 1)


def format_month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        m = re.fullmatch(r"(\d{4})\s*[Qq]([1-4])", str(text).strip())
        if not m:
            raise PeriodError(f"malformed quarter '{text}': expected YYYYQn with n in 1..4")
        return cls(int(m.group(1)), int(m.group(2)))

    @classmethod
    def containing(cls, day: dt.date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> dt.date:
        return month_end(dt.date(self.year, 3 * self.number, 1))

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


def quarter_ends_before(day: dt.date, count: int) -> list[dt.date]:
    """The `count` quarter-ends strictly before `day`, latest first."""
    out = []
    q = Quarter.containing(day).previous()
    while len(out) < count:
        out.append(q.end)
        q = q.previous()
    return out


def parse_campaign(text: str) -> tuple[dt.date, dt.date]:
    """'2025-01:2025-06' -> (first day of the first month, first day of the last month)."""
    parts = str(text).split(":")
    if len(parts) != 2:
        raise PeriodError(f"malformed campaign '{text}': expected YYYY-MM:YYYY-MM")
    start, end = parse_month(parts[0]), parse_month(parts[1])
    if start > end:
        raise PeriodError(f"campaign '{text}' starts after it ends")
    return start, end


def check_range(start: dt.date, end: dt.date, what: str = "period") -> None:
    if start > end:
        raise PeriodError(f"{what} starts {start} after it ends {end}")
