"""Landing page: which database is open, its row counts, the data's date range, the import log."""
import json

import pandas as pd
import streamlit as st

from lib import db
from lib.i18n import fmt_count, fmt_date, t
from ui.data import connection, database_path
from ui.frame import lang, leave_pages_directory_mode

leave_pages_directory_mode()
L = lang()
st.title(t("app.title", L))
con = connection()  # raises DatabaseError -> the frame says how to create one
path = database_path()

st.subheader(t("home.heading", L))
first, last = db.data_date_range(con)
c1, c2, c3 = st.columns(3)
c1.metric(t("home.file", L), path.name, help=str(path))
c2.metric(t("home.size", L), f"{path.stat().st_size / 1e6:,.1f} MB")
c3.metric(
    t("home.date_range", L),
    f"{fmt_date(first, L)} – {fmt_date(last, L)}" if first else t("home.no_orders", L),
)

counts = db.table_counts(con)
st.subheader(t("home.row_counts", L))
st.dataframe(
    pd.DataFrame({t("home.table", L): [t(f"tables.{name}", L) for name in counts],
                  t("home.rows", L): [fmt_count(n, L) for n in counts.values()]}),
    hide_index=True,
    key="row_counts",
)

st.subheader(t("home.import_log", L))
log = db.import_log(con)
if log.empty:
    st.info(t("home.no_imports", L))
else:
    def describe_files(text: str) -> str:
        return ", ".join(f.get("file", "") for f in json.loads(text)) or "–"

    def describe_counts(text: str) -> str:
        parts = []
        for table, c in json.loads(text).items():
            if isinstance(c, dict):
                parts.append(f"{t('tables.' + table, L)} +{c.get('inserted', 0):,}/~{c.get('updated', 0):,}")
            else:
                parts.append(f"{t('tables.' + table, L)} {c:,}")
        return "; ".join(parts)

    st.dataframe(
        pd.DataFrame({
            t("home.imported_at", L): log["imported_at"].astype(str).str[:19],
            t("home.source", L): [t(f"home.source_{s}", L) for s in log["source"]],
            t("home.files", L): log["files"].map(describe_files),
            t("home.counts", L): log["counts"].map(describe_counts),
        }),
        hide_index=True,
        key="import_log",
    )
