import streamlit as st

from portal import auth
from portal.db import DatabaseBusy
from portal.errors import AuthenticationFailed
from portal.ui import state

t = state.translator()

left, middle, right = st.columns([1, 2, 1])
with middle:
    st.title(t("login.title"))
    st.caption(t("login.subtitle"))
    with st.form("login"):
        username = st.text_input(t("login.username"), autocomplete="username")
        password = st.text_input(t("login.password"), type="password", autocomplete="current-password")
        submitted = st.form_submit_button(t("login.submit"), type="primary", use_container_width=True)
    if submitted:
        if not username.strip() or not password:
            st.error(t("login.error.empty"))
        else:
            try:
                signed_in, device_trusted = auth.sign_in_from_device(username, password, state.device_token_cookie())
            except AuthenticationFailed as exc:
                st.error(t.error(exc), icon=":material/lock:")
            except DatabaseBusy as exc:
                st.error(t.error(exc), icon=":material/hourglass:")
            else:
                state.sign_in(signed_in, device_trusted)
                st.rerun()
    st.caption(t("login.help"))
