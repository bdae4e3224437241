"""The message catalog (lib/messages/*.toml, one file per page or area) and the local number and
date styles.

Chinese shows amounts in 万元 and dates as 2025年3月7日; English shows thousands separators and
7 Mar 2025. No streamlit here: pages pass the language in.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import tomllib
from pathlib import Path

LANGUAGES = ("zh", "en")
DEFAULT_LANGUAGE = "zh"
CATALOG = Path(__file__).resolve().parent / "messages"


@functools.lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """Flat 'section.key' -> {'zh': ..., 'en': ...}, merged from every file of the catalog.

    A section may live in one file only, so two pages cannot silently redefine a text.
    """
    merged: dict[str, dict[str, str]] = {}
    owner: dict[str, str] = {}
    for path in sorted(CATALOG.glob("*.toml")):
        with open(path, "rb") as f:
            data = tomllib.load(f)
        for section, keys in data.items():
            if section in owner:
                raise ValueError(f"{path.name}: section [{section}] already defined in {owner[section]}")
            owner[section] = path.name
            merged.update({f"{section}.{key}": value for key, value in keys.items()})
    return merged


def normalize_language(value: str | None) -> str:
    value = (value or "").lower()
    if value.startswith("en"):
        return "en"
    if value.startswith("zh") or value.startswith("cn"):
        return "zh"
    return DEFAULT_LANGUAGE


def t(key: str, lang: str, **values) -> str:
    """The text of `key` in `lang`; a missing key shows itself (and a test catches it)."""
    entry = catalog().get(key)
    text = entry.get(lang, key) if entry else key
    return text.format(**values) if values else text


# How a missing value (no first order yet, no rate) reads in a table or label, in either language.
MISSING = "–"


def _missing(value) -> bool:
    return value is None or value == MISSING or (isinstance(value, float) and math.isnan(value))


def fmt_amount(value, lang: str, decimals: int | None = None) -> str:
    """zh: 123.4万 (万元 with one decimal); en: ¥1,234,567."""
    if _missing(value):
        return MISSING
    value = float(value)
    if lang == "zh":
        places = 1 if decimals is None else decimals
        return f"{value / 10000:,.{places}f}万"
    places = 0 if decimals is None else decimals
    sign = "-" if value < 0 and round(value, places) != 0 else ""
    return f"{sign}¥{abs(value):,.{places}f}"


def amount_axis(lang: str) -> tuple[float, str]:
    """(divisor, unit label) for chart axes: 万元 in Chinese, yuan in English."""
    return (10000.0, "万元") if lang == "zh" else (1.0, "CNY")


def fmt_rate(value, lang: str, decimals: int = 1) -> str:
    if _missing(value):
        return MISSING
    return f"{float(value) * 100:.{decimals}f}%"


def fmt_count(value, lang: str) -> str:
    if _missing(value):
        return MISSING
    return f"{int(value):,}"


def fmt_date(value, lang: str) -> str:
    if _missing(value) or value == "":
        return MISSING
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = value.date()
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.strftime("%-d %b %Y")


def fmt_month(value, lang: str) -> str:
    """'2025-03' or a date -> 2025年3月 / Mar 2025."""
    if _missing(value) or value == "":
        return MISSING
    if isinstance(value, str):
        value = dt.date(int(value[:4]), int(value[5:7]), 1)
    return f"{value.year}年{value.month}月" if lang == "zh" else value.strftime("%b %Y")
