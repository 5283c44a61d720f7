"""The web server: Streamlit's app plus two small routes that own the sign-in cookies.

`make run` starts this file (`streamlit run portal/ui/web.py`); Streamlit sees the
`st.App` below and serves `streamlit_app.py` through it, on Starlette.

A Streamlit script cannot set a cookie: it can only run JavaScript in the page,
and a cookie set by JavaScript can never be `HttpOnly`, so any script that ever
ran in the page could read the sign-in token. Here the server sets it:

- `POST /api/session` takes the one-use ticket the login page hands the browser
  (`auth.issue_cookie_ticket`) and answers with the login session's cookie token in the
  session cookie (and, the first time on this browser, the trusted-device cookie),
  both `HttpOnly; SameSite=Strict`, and `Secure` when the request came over HTTPS
  (directly, or through a proxy that says so in `X-Forwarded-Proto`).
- `POST /api/signout` ends the session named by the cookie and clears it.

The browser sends HttpOnly cookies with Streamlit's WebSocket handshake, where
`st.context.cookies` reads them, so a reload keeps the person signed in.
"""
import threading
from pathlib import Path

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal import auth, pdf_fonts, throttle
from portal.db import run_transaction
from portal.settings import get_settings
from portal.ui.state import SESSION_PATH, SIGNOUT_PATH

SESSION_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 3600
MAX_TICKET_BYTES = 200


def _is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _set(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
                        secure=_is_https(request))


async def open_session(request: Request) -> Response:
    ticket = (await request.body())[:MAX_TICKET_BYTES].decode("ascii", errors="replace").strip()
    grant = await run_in_threadpool(run_transaction, lambda session: auth.redeem_cookie_ticket(session, ticket))
    if grant is None:
        return Response(status_code=403)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    _set(response, request, get_settings().session_cookie_name, grant.session_token, SESSION_COOKIE_MAX_AGE_SECONDS)
    if grant.device_token:
        _set(response, request, throttle.DEVICE_COOKIE, grant.device_token, throttle.DEVICE_COOKIE_MAX_AGE_SECONDS)
    return response


async def sign_out(request: Request) -> Response:
    name = get_settings().session_cookie_name
    token = request.cookies.get(name)
    if token:
        await run_in_threadpool(run_transaction, lambda session: auth.close_session(session, token))
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.delete_cookie(name, path="/", httponly=True, samesite="strict", secure=_is_https(request))
    return response


ROUTES = [Route(SESSION_PATH, open_session, methods=["POST"]), Route(SIGNOUT_PATH, sign_out, methods=["POST"])]

# Parse the PDFs' CJK font while the server starts: the first coaching PDF, certificate or learning
# record then takes the ~0.2 s every later one does, not the extra ~0.3 s (20 MB) of reading the font.
threading.Thread(target=pdf_fonts.warm_up, name="pdf-font-warm-up", daemon=True).start()

app = st.App(Path(__file__).resolve().parents[2] / "streamlit_app.py", routes=ROUTES)
