"""Drawing helpers shared by the pages: charts with selection, tables with downloads, empty states."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from lib import export
from lib.charts.common import missing_as_dash
from lib.i18n import catalog, t
from ui.frame import lang


def column_label(column: str, L: str) -> str:
    """Header text of a frame column: [columns] of the catalog, else a page's own [columns_*]."""
    messages = catalog()
    if f"columns.{column}" in messages:
        return t(f"columns.{column}", L)
    for key in messages:
        if key.startswith("columns_") and key.endswith(f".{column}"):
            return t(key, L)
    return column


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


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@st.cache_data(show_spinner=False, max_entries=64)
def csv_bytes(frame: pd.DataFrame) -> bytes:
    return export.to_csv(frame).encode("utf-8-sig")  # BOM: Excel opens Chinese CSV correctly


@st.cache_data(show_spinner=False, max_entries=16)
def _xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    return export.to_xlsx(sheets)


def audit_export(filename: str) -> None:
    """on_click of every download button: who took which file, in the audit log."""
    from ui.auth import audit

    audit("export", file=filename)


def _fingerprint(sheets: dict[str, pd.DataFrame]) -> str:
    return "|".join(f"{name}:{len(f)}:{int(pd.util.hash_pandas_object(f, index=False).sum())}"
                    for name, f in sheets.items())


@st.fragment
def xlsx_download(sheets: dict[str, pd.DataFrame], filename: str, key: str, label: str | None = None) -> None:
    """An Excel download built only when asked for: a workbook of a few thousand rows takes
    seconds, too long to pay on every page view. The first click prepares it (this fragment
    alone reruns), the second downloads it."""
    L = lang()
    ready_key = f"{key}__ready"
    fingerprint = _fingerprint(sheets)
    if st.session_state.get(ready_key) == fingerprint:
        st.download_button(label or t("common.download_xlsx", L), _xlsx(sheets), file_name=f"{filename}.xlsx",
                           key=f"{key}_xlsx", on_click=audit_export, args=(f"{filename}.xlsx",), mime=XLSX_MIME)
    else:
        st.button(t("common.prepare_xlsx", L), key=f"{key}_prepare",
                  on_click=st.session_state.__setitem__, args=(ready_key, fingerprint))


def downloads(frame: pd.DataFrame, key: str, filename: str, sheet: str = "data") -> None:
    """CSV and XLSX of a frame with its contract column names (what the CLI prints); each download
    is written to the audit log."""
    L = lang()
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(t("common.download_csv", L), csv_bytes(frame), file_name=f"{filename}.csv", mime="text/csv",
                       key=f"{key}_csv", on_click=audit_export, args=(f"{filename}.csv",))
    with c2:
        xlsx_download({sheet: frame}, filename, key)


# Rendering a pandas Styler costs ~0.2 ms per cell: beyond this many rows a table keeps its
# formatted values but drops its colours, so a page of big lists still reruns in well under 1 s.
STYLED_ROWS = 400


def _formatted_copy(styler) -> pd.DataFrame:
    """The Styler's values as its formatters show them, without per-cell CSS."""
    data = styler.data
    funcs = styler._display_funcs  # (row, column) -> formatter; one formatter per column here
    return pd.DataFrame({col: (data[col].map(funcs[(0, j)]) if (0, j) in funcs else data[col])
                         for j, col in enumerate(data.columns)})


def table(frame: pd.DataFrame, key: str, filename: str | None = None, selectable: bool = False,
          column_config: dict | None = None, height: int | str = "auto", styler=None):
    """A table with translated headers and (optionally) downloads; returns selected row positions."""
    L = lang()
    if frame.empty:
        st.info(t("charts.empty", L))
        return []
    if styler is None:
        shown = labelled(missing_as_dash(frame), L)
    elif len(frame) > STYLED_ROWS:
        shown = _formatted_copy(styler)
        st.caption(t("common.plain_table", L, rows=f"{len(frame):,}", limit=STYLED_ROWS))
    else:
        shown = styler
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


def clicked(points: list, field: str = "customdata"):
    """The value of `field` of the first clicked point (customdata lists give their first item)."""
    if not points:
        return None
    value = points[0].get(field) if isinstance(points[0], dict) else getattr(points[0], field, None)
    if isinstance(value, (list, tuple)):
        return tuple(value) if len(value) > 1 else (value[0] if value else None)
    return value


def drill_select(label: str, options: list, key: str, click=None, format_func=str):
    """The drill-down choice: a select box (keyboard, tests, links) that a chart click also sets.

    A new click on the chart moves the box to the clicked item; afterwards the box can be changed
    by hand without the old click taking it back. Returns the chosen option (None = nothing).
    """
    last_key = f"{key}__last_click"
    if click is not None and click != st.session_state.get(last_key):
        st.session_state[last_key] = click
        if click in options:
            st.session_state[key] = click
    if st.session_state.get(key) not in options:
        st.session_state[key] = None
    return st.selectbox(label, options, key=key, format_func=format_func,
                        placeholder=t("common.drill_placeholder", lang()))
