"""DataFrame → plotly Figure, one module per page; no streamlit, no SQL, no business rules.

Every figure takes the language so axis titles, legends and category names come from the catalog,
and amounts are shown in 万元 (zh) or yuan with separators (en).
"""
