"""Small conversions every rule module needs, in one place."""
from __future__ import annotations

from decimal import Decimal

import pandas as pd


def exact(value) -> Decimal:
    """A rules-file number as an exact decimal, through str so 0.7 binds as 0.7, not 0.69999..."""
    return Decimal(str(value))


def as_dates(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """DATE columns as datetime.date objects (None when empty): DuckDB hands pandas datetime64."""
    for column in columns:
        frame[column] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in frame[column]]
    return frame
