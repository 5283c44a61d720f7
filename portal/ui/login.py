"""The login page's parts: single sign-on (when configured), the local form, and password reset by
e-mail (when SMTP is configured). Rules live in portal/auth.py, portal/sso.py, portal/password_reset.py."""
import threading

import streamlit as st

from portal import auth, password_reset, sso
from portal.clock import utcnow
from portal.db import DatabaseBusy
from portal.errors import AuthenticationFailed, PortalError
from portal.i18n import Translator
from portal.notifications.mail import SmtpSettings, smtp_settings
from portal.ui import state
from portal.ui.text import plain

RESET_PARAM = "reset"
FLASH_KEY = "login_flash"
FORGOT_OPEN_KEY = "login_forgot_open"
FORGOT_SENT_KEY = "login_forgot_sent_for"
SSO_REFUSAL_KEY = "login_sso_refusal"
RESET_LINK_KEY = "login_reset_link"


def sso_configured() -> bool:
    """An `[auth]` section in `.streamlit/secrets.toml` (Streamlit's own OpenID Connect settings)."""
    try:
        return bool(st.secrets.load_if_toml_exists() and st.secrets.get("auth"))
    except Exception:  # unreadable secrets: no single sign-on, local sign-in still works
        return False


def signed_in_with_sso() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except Exception:  # no auth configured, or no browser context (AppTest)
        return False


def sign_out() -> None:
    """End the portal session, and the provider's too when the person came through it."""
    state.sign_out()
    if signed_in_with_sso():
        st.logout()  # the browser goes to the provider's sign-out, then back to the login page
    else:
        st.rerun()


def render(t: Translator) -> None:
    st.title(t("login.title"))
    st.caption(t("login.subtitle"))
    if flash := st.session_state.pop(FLASH_KEY, None):
        st.success(t(flash), icon=":material/check_circle:")
    mail = smtp_settings()
    token = st.query_params.get(RESET_PARAM)
    if token and mail is not None and render_new_password(t, token):
        return
    if sso_configured():
        render_sso(t)
    render_local(t)
    if mail is None:
        st.caption(t("login.help"))
    else:
        render_forgot(t, mail)


def render_sso(t: Translator) -> None:
    """The provider's button; when the provider already vouched for someone, sign them in here."""
    if signed_in_with_sso():
        claims = st.user.to_dict()
        identity = sso.identity_from_claims(claims)
        if identity is None:
            _sso_refused(t, t("sso.error.no_claim", claim=sso.match_claim()))
            return
        if identity.is_fresh(utcnow()) and _try_sso(t, identity):
            return
    if st.button(t("sso.sign_in"), type="primary", icon=":material/badge:", use_container_width=True, key="sso_sign_in"):
        st.login()
    st.caption(t("sso.or_local"))


def _try_sso(t: Translator, identity: sso.Identity) -> bool:
    """Sign in as the identity's portal user, or say why not (once per identity and session: a
    refusal is audited once, not on every rerun). True when the page shows a refusal."""
    refusal = st.session_state.get(SSO_REFUSAL_KEY)
    if refusal is None or refusal[0] != identity.subject:
        try:
            actor = sso.sign_in(identity)
        except DatabaseBusy as exc:  # passing: the next run tries again
            st.error(t.error(exc), icon=":material/hourglass:")
            return True
        except AuthenticationFailed as exc:
            refusal = (identity.subject, t(exc.key, **{k: plain(v) for k, v in exc.params.items()}))
            st.session_state[SSO_REFUSAL_KEY] = refusal
        else:
            state.sign_in(actor, device_trusted=True)
            st.rerun()
    _sso_refused(t, refusal[1])
    return True


def _sso_refused(t: Translator, message: str) -> None:
    st.error(message, icon=":material/lock:")
    if st.button(t("sso.sign_out_provider"), icon=":material/logout:", key="sso_sign_out"):
        st.session_state.pop(SSO_REFUSAL_KEY, None)
        st.logout()


def render_local(t: Translator) -> None:
    with st.form("login"):
        username = st.text_input(t("login.username"), autocomplete="username")
        password = st.text_input(t("login.password"), type="password", autocomplete="current-password")
        submitted = st.form_submit_button(t("login.submit"), type="primary", use_container_width=True)
    if submitted:
        if not username.strip() or not password:
            st.error(t("login.error.empty"))
            return
        try:
            signed_in, device_trusted = auth.sign_in_from_device(username, password, state.device_token_cookie())
        except AuthenticationFailed as exc:
            st.error(t.error(exc), icon=":material/lock:")
        except DatabaseBusy as exc:
            st.error(t.error(exc), icon=":material/hourglass:")
        else:
            state.sign_in(signed_in, device_trusted)
            st.rerun()


def render_forgot(t: Translator, mail: SmtpSettings) -> None:
    """"Forgot password?": the same answer whether or not the name or address is known."""
    if not st.session_state.get(FORGOT_OPEN_KEY):
        if st.button(t("reset.forgot"), type="tertiary", key="forgot_password"):
            st.session_state[FORGOT_OPEN_KEY] = True
            st.rerun()
        return
    with st.form("forgot_password"):
        st.markdown(f"**{t('reset.forgot_title')}**")
        identifier = st.text_input(t("reset.identifier"), autocomplete="username")
        sent = st.form_submit_button(t("reset.send"))
    if not sent:
        return
    typed = identifier.strip().lower()
    if not typed:
        st.error(t("reset.error.empty"))
        return
    if st.session_state.get(FORGOT_SENT_KEY) != typed:  # a double click or a resubmit sends no second mail
        try:
            found = password_reset.request_reset(typed, state.language())
        except (PortalError, DatabaseBusy) as exc:
            st.error(t.error(exc), icon=":material/hourglass:")
            return
        st.session_state[FORGOT_SENT_KEY] = typed
        if found is not None:  # sent after the answer, so that its time tells nothing
            threading.Thread(target=password_reset.send, args=(found, mail), name="reset-mail", daemon=True).start()
    st.success(t("reset.sent", minutes=password_reset.lifetime_minutes()), icon=":material/mail:")


def render_new_password(t: Translator, token: str) -> bool:
    """The form the e-mailed link opens; False when the link is no good (said above the login form)."""
    username = _open_link(t, token)
    if username is None:
        return False
    st.subheader(t("reset.new_title"))
    st.caption(t("reset.for_user", username=username))
    with st.form("new_password"):
        new = st.text_input(t("reset.new_password"), type="password", autocomplete="new-password")
        confirm = st.text_input(t("reset.confirm_password"), type="password", autocomplete="new-password")
        submitted = st.form_submit_button(t("reset.submit"), type="primary", use_container_width=True)
    if submitted:
        try:
            password_reset.complete_reset(token, new, confirm)
        except (PortalError, DatabaseBusy) as exc:
            st.error(t.error(exc))
        else:
            _back_to_sign_in("reset.done")
    if st.button(t("reset.back"), type="tertiary", key="reset_back"):
        _back_to_sign_in(None)
    return True


def _open_link(t: Translator, token: str) -> str | None:
    """The link's username, checked (and a refusal audited) once per session and link."""
    seen = st.session_state.get(RESET_LINK_KEY)
    if seen is None or seen[0] != token:
        try:
            seen = (token, password_reset.open_link(token), None)
        except (PortalError, DatabaseBusy) as exc:
            seen = (token, None, t.error(exc))
        st.session_state[RESET_LINK_KEY] = seen
    if seen[2]:
        st.error(seen[2], icon=":material/link_off:")
    return seen[1]


def _back_to_sign_in(flash: str | None) -> None:
    st.query_params.pop(RESET_PARAM, None)
    st.session_state.pop(RESET_LINK_KEY, None)
    if flash:
        st.session_state[FLASH_KEY] = flash
    st.rerun()
