"""Drawing helpers shared by the pages: charts with selection, tables with downloads, empty states."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib import export
from lib.i18n import catalog, t
from ui.frame import lang


def column_label(column: str, L: str) -> str:
    key = f"columns.{column}"
    return t(key, L) if key in catalog() else column


def labelled(frame: pd.DataFrame, L: str) -> pd.DataFrame:
    """The frame with its column names in the page's language (values untouched)."""
    return frame.rename(columns={c: column_label(c, L) for c in frame.columns})


def chart(fig: go.Figure, key: str, selectable: bool = False):
    """Draw a figure; with `selectable`, return the clicked points (a list, empty when none)."""
    if not selectable:
        st.plotly_chart(fig, key=key, config={"displaylogo": False})
        return []
    event = st.plotly_chart(fig, key=key, on_select="rerun",
                            selection_mode=("points",), config={"displaylogo": False})
    try:
        return list(event.selection.points)
    except AttributeError:
        return []


def downloads(frame: pd.DataFrame, key: str, filename: str, sheet: str = "data") -> None:
    """CSV and XLSX of a frame with its contract column names (what the CLI prints)."""
    L = lang()
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(t("common.download_csv", L), export.to_csv(frame).encode("utf-8-sig"),
                       file_name=f"{filename}.csv", mime="text/csv", key=f"{key}_csv", on_click="ignore")
    c2.download_button(t("common.download_xlsx", L), export.to_xlsx({sheet: frame}),
                       file_name=f"{filename}.xlsx", key=f"{key}_xlsx", on_click="ignore",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def table(frame: pd.DataFrame, key: str, filename: str | None = None, selectable: bool = False,
          column_config: dict | None = None, height: int | str = "auto", styler=None):
    """A table with translated headers and (optionally) downloads; returns selected row positions."""
    L = lang()
    if frame.empty:
        st.info(t("charts.empty", L))
        return []
    shown = labelled(frame, L) if styler is None else styler
    config = {column_label(c, L): v for c, v in (column_config or {}).items()}
    kwargs = dict(hide_index=True, key=key, column_config=config, height=height, width="stretch")
    if selectable:
        event = st.dataframe(shown, on_select="rerun", selection_mode="single-row", **kwargs)
        rows = list(event.selection.rows) if event and event.selection else []
    else:
        st.dataframe(shown, **kwargs)
        rows = []
    if filename:
        downloads(frame, key, filename)
    return rows
