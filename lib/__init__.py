"""Dealer sales leadership dashboard: data layer, rules and charts (no streamlit below pages/)."""
