"""The message catalog is complete in both languages, and numbers/dates follow the local style."""
import datetime as dt
import re
from pathlib import Path

from lib.i18n import LANGUAGES, catalog, fmt_amount, fmt_date, fmt_month, fmt_rate, normalize_language, t

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_has_both_languages_and_the_same_placeholders():
    for key, entry in catalog().items():
        assert set(entry) == set(LANGUAGES), key
        placeholders = {lang: set(re.findall(r"{(\w+)}", entry[lang])) for lang in LANGUAGES}
        assert placeholders["zh"] == placeholders["en"], key


def test_every_key_used_in_the_code_exists():
    used = set()
    for folder in ("pages", "ui", "lib"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z_0-9]+)["']""", path.read_text(encoding="utf-8")))
    if (ROOT / "app.py").exists():
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z_0-9]+)["']""", (ROOT / "app.py").read_text(encoding="utf-8")))
    missing = sorted(used - set(catalog()))
    assert not missing, missing


def test_amounts_in_wan_for_chinese_and_separators_for_english():
    assert fmt_amount(1_234_567, "zh") == "123.5万"
    assert fmt_amount(1_234_567, "en") == "¥1,234,567"
    assert fmt_amount(-4_056_025, "en") == "-¥4,056,025"
    assert fmt_amount(-4_056_025, "zh") == "-405.6万"
    assert fmt_amount(None, "en") == "–"
    assert fmt_amount(float("nan"), "zh") == "–"


def test_dates_and_rates_in_local_style():
    assert fmt_date(dt.date(2025, 3, 7), "zh") == "2025年3月7日"
    assert fmt_date(dt.date(2025, 3, 7), "en") == "7 Mar 2025"
    assert fmt_month("2025-03", "zh") == "2025年3月"
    assert fmt_month("2025-03", "en") == "Mar 2025"
    assert fmt_rate(0.1234, "en") == "12.3%"


def test_language_names_and_fallbacks():
    assert normalize_language("en") == "en"
    assert normalize_language("zh-CN") == "zh"
    assert normalize_language("fr") == "zh"
    assert t("stage.lead", "en") == "Lead"
    assert t("stage.lead", "zh") == "潜在客户"
    assert t("app.no_database", "en", path="x.duckdb") == "No database yet: x.duckdb"


def test_an_empty_cell_reads_as_a_dash_not_none_in_both_languages():
    # st.dataframe writes a missing value as "None", an English word on a Chinese page.
    import pandas as pd

    from lib.charts.contest import new_dealers_style
    from lib.charts.common import missing_as_dash
    from ui.show import _formatted_copy

    frame = pd.DataFrame({"dealer_id": ["JX1", "JX2"], "dealer_name": ["甲", "乙"],
                          "salesperson_id": ["E1", "E1"], "signed_on": [dt.date(2025, 1, 8)] * 2,
                          "first_order_month": ["2025-01", None], "success_month": ["2025-03", None],
                          "success_rule": ["b", None], "suspected_duplicate": [False, True]})
    for lang in LANGUAGES:
        styler = new_dealers_style(frame, lang, lambda c: c, 3, {})
        # the browser shows the raw cell when it is empty, whatever the Styler says: so no None there
        assert list(styler.data["success_month"]) == ["2025-03", "–"]
        shown = _formatted_copy(styler)
        assert list(shown["first_order_month"]) == [fmt_month("2025-01", lang), "–"]
        assert list(shown["success_month"]) == [fmt_month("2025-03", lang), "–"]
        assert shown["success_rule"].iloc[1] == "–"
        assert "None" not in shown.astype(str).to_numpy().ravel().tolist()
    # unstyled tables: text columns only (a number or date column keeps its type for sorting)
    plain = missing_as_dash(pd.DataFrame({"name": ["a", None], "amount": [1.0, None],
                                           "when": [dt.date(2025, 1, 1), None]}))
    assert list(plain["name"]) == ["a", "–"]
    assert plain["amount"].isna().iloc[1] and plain["when"].iloc[1] is None
