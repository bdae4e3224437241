"""Finding elements in an AppTest run by what they hold, never by their position on the page."""
from __future__ import annotations

import json

import pandas as pd

from lib.i18n import MISSING


def frame_with_columns(at, *columns: str) -> pd.DataFrame:
    """The one st.dataframe/st.table whose columns include all of `columns`."""
    found = [df.value for df in list(at.dataframe) + list(at.table) if all(c in df.value.columns for c in columns)]
    assert len(found) == 1, f"{len(found)} frames with columns {columns}"
    return as_report_values(found[0])


def as_report_values(frame: pd.DataFrame) -> pd.DataFrame:
    """A shown table's empty text cells (a dash on the page) back as the report's None."""
    texts = [c for c in frame.columns if frame[c].dtype == object and (frame[c] == MISSING).any()]
    return frame.assign(**{c: frame[c].where(frame[c] != MISSING, None) for c in texts}) if texts else frame


def _decode(node):
    """Plotly 6 writes numpy arrays as {"dtype", "bdata"} (base64); turn them back into lists."""
    import base64

    import numpy as np

    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            array = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            if "shape" in node:
                shape = [int(n) for n in str(node["shape"]).split(",")]
                array = array.reshape(shape)
            return array.tolist()
        return {k: _decode(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_decode(v) for v in node]
    return node


def plotly_figures(at) -> list[dict]:
    """Every plotly chart on the page as its figure JSON (data + layout), arrays decoded."""
    return [_decode(json.loads(el.proto.spec)) for el in at.get("plotly_chart")]


def figure_titled(at, text: str) -> dict:
    found = [f for f in plotly_figures(at) if text in json.dumps(f.get("layout", {}).get("title", {}), ensure_ascii=False)]
    assert len(found) == 1, f"{len(found)} figures titled {text!r}"
    return found[0]


def run_page(monkeypatch, db_path, page: str | None, lang: str = "zh", query: dict | None = None,
             timeout: int = 120):
    """Run app.py on `page` (e.g. "pages/overview.py") with ?lang= and other query parameters."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SALESDASH_DB", str(db_path))
    at = AppTest.from_file("app.py", default_timeout=timeout)
    at.query_params["lang"] = lang
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    return at.run()


def no_failure(at) -> None:
    """No exception element and no error box: the page rendered."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def metric(at, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert len(found) == 1, f"{len(found)} metrics labelled {label!r}"
    return found[0]
