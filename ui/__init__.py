"""Streamlit glue shared by the pages: language, filters, cached calls into lib/, guards.

lib/ stays free of streamlit; pages stay free of SQL and rules; this package is the seam.
"""
