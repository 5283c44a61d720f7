import streamlit as st

from portal import sso
from portal.ui import state
from portal.ui.login import sso_configured
from portal.notifications.mail import smtp_settings
from portal.ui.widgets import page_header, run_action, service_call

t = state.translator()
actor = state.actor()
page_header(t, "nav.sign_in_settings", "signin.caption")

with service_call(t) as session:
    current = sso.sign_in_settings(session, actor)

st.subheader(t("signin.sso"))
if sso_configured():
    st.success(t("signin.sso_on"), icon=":material/badge:")
else:
    st.info(t("signin.sso_off"), icon=":material/info:")
st.markdown(t("signin.match_claim", claim=t(f"signin.claim.{current.match_claim}")))
with st.form("sign_in_settings"):
    create = st.checkbox(t("signin.create_accounts"), value=current.create_accounts,
                         help=t("signin.create_accounts_help"))
    if st.form_submit_button(t("action.save"), type="primary"):
        if run_action(t, lambda s: sso.set_create_accounts(s, actor, create), "action.saved"):
            st.rerun()

st.subheader(t("signin.reset"))
if smtp_settings() is not None:
    st.success(t("signin.reset_on"), icon=":material/mail:")
else:
    st.info(t("signin.reset_off"), icon=":material/info:")
