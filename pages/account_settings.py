import streamlit as st

from portal import auth
from portal.i18n import LANGUAGE_NAMES, LANGUAGES
from portal.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, POLICY_ERRORS
from portal.ui import state
from portal.ui.forms import RecordForm
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
st.caption(t("account.password_rule", minimum=MIN_PASSWORD_LENGTH, maximum=MAX_PASSWORD_LENGTH))
form = RecordForm("change_password")
form.show_saved()
with st.form(form.key("form")):
    current_pw = st.text_input(t("account.current_password"), type="password", key=form.key("current"))
    form.show_error("current")
    new_pw = st.text_input(t("account.new_password"), type="password", key=form.key("new"))
    form.show_error("new")
    confirm_pw = st.text_input(t("account.confirm_password"), type="password", key=form.key("confirm"))
    form.show_error("confirm")
    submitted = st.form_submit_button(t("account.save_password"), type="primary")
if submitted and form.submit(
        t, lambda s: auth.change_own_password(s, actor, current=current_pw, new=new_pw, confirm=confirm_pw),
        fields_by_error={"auth.error.current_password_wrong": "current", "auth.error.passwords_differ": "confirm",
                         **dict.fromkeys(POLICY_ERRORS, "new")},
        clear_on_error={"current": ("current",), "new": ("new", "confirm"), "confirm": ("confirm",)}):
    form.saved(t("account.password_saved"))
    st.rerun()  # a fresh form; after a forced change the app reloads the actor and opens the full menu
