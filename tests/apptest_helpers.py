"""Finding elements in an AppTest run by what they hold, never by their position on the page."""
from __future__ import annotations

import json

import pandas as pd


def frame_with_columns(at, *columns: str) -> pd.DataFrame:
    """The one st.dataframe/st.table whose columns include all of `columns`."""
    found = [df.value for df in list(at.dataframe) + list(at.table) if all(c in df.value.columns for c in columns)]
    assert len(found) == 1, f"{len(found)} frames with columns {columns}"
    return found[0]


def plotly_figures(at) -> list[dict]:
    """Every plotly chart on the page as its figure JSON (data + layout)."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def figure_titled(at, text: str) -> dict:
    found = [f for f in plotly_figures(at) if text in json.dumps(f.get("layout", {}).get("title", {}), ensure_ascii=False)]
    assert len(found) == 1, f"{len(found)} figures titled {text!r}"
    return found[0]
