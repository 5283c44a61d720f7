import streamlit as st

from portal import auth
from portal.i18n import LANGUAGE_NAMES, LANGUAGES
from portal.ui import state
from portal.ui.widgets import run_action

t = state.translator()
actor = state.actor()

st.title(t("account.title"))
if actor.must_change_password:
    st.warning(t("account.must_change"), icon=":material/key:")

st.subheader(t("account.language"))
current = state.language()
choice = st.radio(t("account.language"), LANGUAGES, index=LANGUAGES.index(current), horizontal=True,
                  format_func=LANGUAGE_NAMES.get, label_visibility="collapsed", key="account_language")
if choice != current:
    if run_action(t, lambda s: auth.set_own_language(s, actor, choice)):
        state.set_language(choice)
        st.rerun()

st.subheader(t("account.change_password"))
with st.form("change_password", clear_on_submit=True):
    current_pw = st.text_input(t("account.current_password"), type="password")
    new_pw = st.text_input(t("account.new_password"), type="password", help=t("account.password_rule"))
    confirm_pw = st.text_input(t("account.confirm_password"), type="password")
    submitted = st.form_submit_button(t("account.save_password"), type="primary")
if submitted:
    changed = run_action(t, lambda s: auth.change_own_password(s, actor, current=current_pw, new=new_pw,
                                                               confirm=confirm_pw), "account.password_saved")
    if changed and actor.must_change_password:
        st.rerun()  # the app reloads the actor and opens the full menu
