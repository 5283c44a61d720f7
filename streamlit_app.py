"""Agent Academy: login gate, language, and navigation by role."""
import streamlit as st

from portal.i18n import LANGUAGE_NAMES, LANGUAGES
from portal.ui import login, state
from portal.ui.incident import run_guarded
from portal.ui.text import plain
from portal.ui.inbox import page_title
from portal.ui.navigation import sections_for

st.set_page_config(page_title="Agent Academy", page_icon=":material/headset_mic:", layout="wide")
state.ensure_database()
actor = state.current_actor()  # first: it restores the user's saved language
t = state.translator()

if actor is None:
    page = st.navigation([st.Page("pages/login.py", title=t("login.title"), icon=":material/login:")],
                         position="hidden")
elif actor.must_change_password:
    page = st.navigation([st.Page("pages/account_settings.py", title=t("nav.account"),
                                  icon=":material/settings:")], position="hidden")
else:
    page = st.navigation({
        t(section) if section else "": [
            st.Page(p.path, title=page_title(t, actor, p), icon=p.icon, default=p.default) for p in pages]
        for section, pages in sections_for(actor).items()}, expanded=True)  # every page in sight, no "View more"

if actor is not None:
    with st.sidebar:
        st.caption(t("app.signed_in_as", name=plain(actor.display_name), username=actor.username))
        if st.button(t("app.sign_out"), icon=":material/logout:", key="sign_out"):
            login.sign_out()
else:
    with st.sidebar:
        choice = st.selectbox(t("account.language"), LANGUAGES, index=LANGUAGES.index(state.language()),
                              format_func=LANGUAGE_NAMES.get, key="login_language")
        if choice != state.language():
            state.set_language(choice)
            st.rerun()

state.flush_cookie()
run_guarded(page.run, page.url_path, t)
