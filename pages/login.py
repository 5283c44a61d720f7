import streamlit as st

from portal.ui import login, state

left, middle, right = st.columns([1, 2, 1])
with middle:
    login.render(state.translator())
