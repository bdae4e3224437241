"""Being written."""
import streamlit as st

st.write("…")
