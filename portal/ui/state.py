"""Who is signed in, in which language, and the login cookie.

The browser holds a random token in an HttpOnly cookie; the server keeps its
hash in `auth_session`. Streamlit can read cookies (`st.context.cookies`, taken
when the page loads) but cannot set them, so after a sign-in the page hands
the browser a one-use ticket, and a small script posts it to the server's own
route (portal/ui/web.py), which answers with the cookie; signing out posts to
another route that clears it. The session token never passes through the
page's JavaScript. Only the language choice is a plain script-set cookie.
"""
import gc
import importlib
import json
import pkgutil
import threading

import streamlit as st

from portal import auth, throttle
from portal.db import DatabaseBusy, migrate, read_scope, run_transaction
from portal.i18n import LANGUAGES, Translator, negotiate
from portal.roles import Actor
from portal.settings import get_settings

TOKEN_KEY = "auth_token"
ACTOR_KEY = "actor"
LANGUAGE_KEY = "language"
COOKIE_QUEUE_KEY = "pending_cookies"
SERVER_CALL_QUEUE_KEY = "pending_server_calls"
SESSION_PATH = "/api/session"  # the routes of portal/ui/web.py
SIGNOUT_PATH = "/api/signout"
LANGUAGE_COOKIE = "academy_lang"
COOKIE_MAX_AGE_SECONDS = 30 * 24 * 3600


@st.cache_resource(show_spinner=False)
def ensure_database() -> bool:
    """Migrate to the newest schema once per server process, then load the rest of the
    code in the background, so that the first person to open a page does not wait
    about half a second for pandas, Altair and the services to be imported."""
    migrate()
    threading.Thread(target=_import_everything, name="preload", daemon=True).start()
    return True


def _import_everything() -> None:
    import portal

    for module in pkgutil.walk_packages(portal.__path__, "portal."):
        if module.name != "portal.ui.web":  # the server's entry point, already running
            importlib.import_module(module.name)
    # Everything imported lives as long as the server: move it out of the collector's sight, so
    # a full collection (every few page runs) walks the page's objects, not ~200,000 module ones.
    # Once per process: a later freeze would also keep whatever garbage awaits collection.
    if gc.get_freeze_count() == 0:
        gc.freeze()


def current_actor() -> Actor | None:
    """The signed-in actor, resuming from the cookie after a refresh."""
    token = st.session_state.get(TOKEN_KEY) or _cookie_token()
    if not token:
        return None
    with read_scope() as session:
        check = auth.check_session(session, token)
    if check.write_due:
        _best_effort(lambda session: auth.settle_session(session, token, check))
    actor = check.actor
    if actor is None:
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state.pop(ACTOR_KEY, None)
        return None
    st.session_state[TOKEN_KEY] = token
    st.session_state[ACTOR_KEY] = actor
    if actor.language and LANGUAGE_KEY not in st.session_state:
        st.session_state[LANGUAGE_KEY] = actor.language
    return actor


def _best_effort(write) -> None:
    """A session's bookkeeping write; when the database is busy it waits for the next page run.

    Reading who is signed in never writes, so a page is never refused over it (under load a
    deferred write here used to meet "database is locked" and stop the page before it ran)."""
    try:
        run_transaction(write, attempts=1)
    except DatabaseBusy:
        pass


def _cookie(name: str) -> str | None:
    try:
        value = st.context.cookies.get(name)
    except Exception:  # no browser context (bare mode)
        return None
    return value if isinstance(value, str) and value else None  # AppTest hands back a mock


def _cookie_token() -> str | None:
    return _cookie(get_settings().session_cookie_name)


def sign_in(actor: Actor, device_trusted: bool = False) -> None:
    """This Streamlit session is signed in at once; the browser gets its cookies from the server."""
    def open_both(session):
        token = auth.open_session(session, actor)
        session.flush()
        return token, auth.issue_cookie_ticket(session, token, trust_device=not device_trusted)

    token, ticket = run_transaction(open_both)
    st.session_state[TOKEN_KEY] = token
    st.session_state[ACTOR_KEY] = actor
    if actor.language:
        set_language(actor.language)
    _queue_server_call(SESSION_PATH, ticket)


def device_token_cookie() -> str | None:
    """This browser's trusted-device token (portal/throttle.py), if it has one."""
    return _cookie(throttle.DEVICE_COOKIE)


def sign_out() -> None:
    token = st.session_state.get(TOKEN_KEY) or _cookie_token()
    run_transaction(lambda session: auth.close_session(session, token))
    for key in (TOKEN_KEY, ACTOR_KEY):
        st.session_state.pop(key, None)
    _queue_server_call(SIGNOUT_PATH, "")


def _queue_cookie(value: str, max_age: int, name: str) -> None:
    st.session_state.setdefault(COOKIE_QUEUE_KEY, {})[name] = (value, int(max_age))


def _queue_server_call(path: str, body: str) -> None:
    st.session_state.setdefault(SERVER_CALL_QUEUE_KEY, []).append((path, body))


def flush_cookie() -> None:
    """Send queued cookie changes to the browser (call once per run).

    The language cookie is set by script; the sign-in cookies by the server's routes, which
    the script calls with `fetch` (same origin, so the answer's Set-Cookie is kept).
    """
    queued = st.session_state.pop(COOKIE_QUEUE_KEY, None) or {}
    calls = st.session_state.pop(SERVER_CALL_QUEUE_KEY, None) or []
    if not queued and not calls:
        return
    assignments = "".join(
        f"document.cookie={json.dumps(name)}+'='+{json.dumps(value)}"
        f"+'; Path=/; Max-Age={max_age}; SameSite=Strict'+secure;"
        for name, (value, max_age) in queued.items())
    base = "/" + (st.get_option("server.baseUrlPath") or "").strip("/")
    fetches = "".join(
        f"fetch({json.dumps(base.rstrip('/') + path)},{{method:'POST',credentials:'same-origin',"
        f"cache:'no-store',body:{json.dumps(body)}}});"
        for path, body in calls)
    st.html("<script>(function(){var secure=location.protocol==='https:'?'; Secure':'';"
            + assignments + fetches + "})();</script>", unsafe_allow_javascript=True)


def language() -> str:
    """The chosen language: this session's, else this device's, else the browser's."""
    chosen = st.session_state.get(LANGUAGE_KEY) or _cookie(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    try:
        locale = st.context.locale
    except Exception:
        locale = None
    return negotiate(locale if isinstance(locale, str) else None)


def set_language(value: str) -> None:
    st.session_state[LANGUAGE_KEY] = value
    _queue_cookie(value, COOKIE_MAX_AGE_SECONDS, LANGUAGE_COOKIE)


def translator() -> Translator:
    return Translator(language())


def actor() -> Actor:
    """The signed-in actor for a page; stops the page if there is none."""
    found = st.session_state.get(ACTOR_KEY)
    if found is None:
        st.stop()
    return found
