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


def render_notification_settings() -> None:
    """Where e-mail goes and how often; the weekly wellbeing invitation (opt-in)."""
    from portal import notifications
    from portal.ui.widgets import service_call

    st.subheader(t("notify.prefs.heading"))
    with service_call(t) as session:
        mine = notifications.preferences(session, actor)
    prefs = RecordForm("notification_settings")
    prefs.show_saved()
    with st.form(prefs.key("form")):
        email = st.text_input(t("notify.prefs.email"), value=mine.email or "", max_chars=254, key=prefs.key("email"))
        prefs.show_error("email")
        mode = st.radio(t("notify.prefs.mode"), notifications.MODES, index=notifications.MODES.index(mine.mode),
                        format_func=lambda m: t(f"notify.prefs.mode.{m}"), key=prefs.key("mode"))
        prefs.show_error("mode")
        wellbeing = st.checkbox(t("notify.prefs.wellbeing"), value=mine.wellbeing_reminder,
                                help=t("notify.prefs.wellbeing_help"), key=prefs.key("wellbeing"))
        sent = st.form_submit_button(t("notify.prefs.save"))
    if sent and prefs.submit(t, lambda s: notifications.set_preferences(s, actor, email=email, mode=mode,
                                                                        wellbeing_reminder=wellbeing),
                             fields_by_error={"notify.error.email": "email", "notify.error.email_needed": "email",
                                              "notify.error.mode": "mode"}):
        prefs.saved(t("notify.prefs.saved"))
        st.rerun()


if not actor.must_change_password:
    render_notification_settings()
