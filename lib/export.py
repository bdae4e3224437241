"""Report frames as CSV, JSON and XLSX: one writer for the CLI and the pages' downloads."""
from __future__ import annotations

import datetime as dt
import decimal
import io
import json
import math

import numpy as np
import pandas as pd


def _plain(value):
    """A JSON/CSV-friendly Python value: ISO dates, None for missing, plain numbers."""
    if value is None:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is pd.NaT or (not isinstance(value, (str, list, dict)) and pd.isna(value)):
        return None
    return value


def _plain_column(series: pd.Series) -> list:
    """A column's values as plain Python values, converted a column at a time (10k+ row
    downloads would spend seconds converting cell by cell)."""
    kind = series.dtype.kind
    if kind == "b":
        return series.astype(bool).tolist()
    if kind in "iu":
        return series.astype("int64").tolist()
    if kind == "f":
        return [None if v != v else v for v in series.astype(float).tolist()]
    if kind == "M":
        midnight = (series.dropna() == series.dropna().dt.normalize()).all()
        text = series.dt.strftime("%Y-%m-%d") if midnight else series.map(lambda v: v.isoformat() if v == v else None)
        return [None if pd.isna(v) else v for v in text.tolist()]
    return [_plain(v) for v in series.tolist()]


def plain_rows(frame: pd.DataFrame) -> list[tuple]:
    """The frame's rows as tuples of plain values (ISO dates, None for missing)."""
    columns = [_plain_column(frame.iloc[:, i]) for i in range(frame.shape[1])]
    return list(zip(*columns)) if columns else [() for _ in range(len(frame))]


def records(frame: pd.DataFrame) -> list[dict]:
    cols = list(frame.columns)
    return [dict(zip(cols, row)) for row in plain_rows(frame)]


def to_json(frame: pd.DataFrame) -> str:
    return json.dumps(records(frame), ensure_ascii=False, indent=1)


def to_csv(frame: pd.DataFrame) -> str:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in plain_rows(frame):
        writer.writerow("" if v is None else ("true" if v is True else "false" if v is False else v) for v in row)
    return out.getvalue()


def to_xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One workbook, a sheet per frame, header row frozen (HR opens it in Excel/WPS)."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, frame in sheets.items():
        sheet = book.create_sheet(title=title[:31])
        sheet.append(list(frame.columns))
        for row in plain_rows(frame):
            sheet.append(row)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
