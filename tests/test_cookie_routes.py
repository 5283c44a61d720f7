"""The server routes that own the sign-in cookies (portal/ui/web.py): HttpOnly, one-use tickets."""
from datetime import timedelta

import pytest
from sqlmodel import Session
import asyncio
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from starlette.applications import Starlette

from portal import auth
from portal.ui import web
from tests.utils.factories import make_user


@dataclass
class Answer:
    status_code: int
    set_cookies: list[str] = field(default_factory=list)

    @property
    def cookies(self) -> dict[str, str]:
        jar = SimpleCookie()
        for header in self.set_cookies:
            jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}


class Client:
    """Posts to the routes through ASGI directly (Starlette's TestClient needs another package)."""

    def __init__(self):
        self.app = Starlette(routes=web.ROUTES)

    def post(self, path: str, content: str = "", headers: dict | None = None, cookies: dict | None = None) -> Answer:
        raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
        if cookies:
            raw.append((b"cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()).encode()))
        scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"",
                 "headers": raw, "scheme": "http", "server": ("testserver", 80), "client": ("127.0.0.1", 1),
                 "root_path": "", "http_version": "1.1"}
        messages = [{"type": "http.request", "body": content.encode(), "more_body": False}]
        sent = []

        async def receive():
            return messages.pop(0) if messages else {"type": "http.disconnect"}

        async def send(message):
            sent.append(message)

        asyncio.run(self.app(scope, receive, send))
        start = next(m for m in sent if m["type"] == "http.response.start")
        return Answer(start["status"], [v.decode() for k, v in start["headers"] if k == b"set-cookie"])


@pytest.fixture
def client(engine):
    return Client()


def ticket_for(engine, username="li.na", *, trust_device=True):
    with Session(engine) as session:
        user = auth.find_user(session, username)
        actor = auth.actor_for(session, user) if user else make_user(session, username)
        ticket = auth.issue_cookie_ticket(session, auth.open_session(session, actor), trust_device=trust_device)
        session.commit()
    return ticket


def test_a_ticket_buys_httponly_strict_cookies_once(client, engine):
    ticket = ticket_for(engine)
    first = client.post("/api/session", content=ticket)
    assert first.status_code == 204
    cookies = first.set_cookies
    session_cookie = next(c for c in cookies if c.startswith("academy_session="))
    assert "HttpOnly" in session_cookie and "SameSite=strict" in session_cookie and "Path=/" in session_cookie
    assert "Secure" not in session_cookie  # plain HTTP on loopback
    assert any(c.startswith("academy_device=") and "HttpOnly" in c for c in cookies)
    token = session_cookie.split(";")[0].split("=", 1)[1]
    with Session(engine) as session:
        assert auth.check_session(session, token).actor.username == "li.na"
    again = client.post("/api/session", content=ticket)
    assert again.status_code == 403 and not again.set_cookies


def test_a_stale_or_made_up_ticket_is_refused(client, engine, monkeypatch):
    ticket = ticket_for(engine)
    later = auth.utcnow() + timedelta(minutes=2)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    assert client.post("/api/session", content=ticket).status_code == 403
    assert client.post("/api/session", content="made-up").status_code == 403
    assert client.post("/api/session", content="").status_code == 403


def test_a_browser_already_trusted_gets_no_new_device_cookie(client, engine):
    response = client.post("/api/session", content=ticket_for(engine, trust_device=False))
    assert not any(c.startswith("academy_device=") for c in response.set_cookies)


def test_cookies_are_secure_behind_an_https_proxy(client, engine):
    response = client.post("/api/session", content=ticket_for(engine), headers={"X-Forwarded-Proto": "https"})
    assert response.set_cookies and all("Secure" in c for c in response.set_cookies)


def test_signing_out_ends_the_session_and_clears_the_cookie(client, engine):
    token = client.post("/api/session", content=ticket_for(engine)).cookies["academy_session"]
    response = client.post("/api/signout", cookies={"academy_session": token})
    assert response.status_code == 204
    assert any(c.startswith("academy_session=") and "Max-Age=0" in c for c in response.set_cookies)
    with Session(engine) as session:
        assert auth.check_session(session, token).actor is None


def test_signing_out_in_the_page_ends_the_cookie_too(client, engine):
    """The page's sign-out may never reach /api/signout (the person closes the tab, or leaves at once):
    the cookie is a second token of the same login session, so revoking the session ends it."""
    with Session(engine) as session:
        actor = make_user(session, "wu.hao")
        page_token = auth.open_session(session, actor)
        ticket = auth.issue_cookie_ticket(session, page_token, trust_device=False)
        session.commit()
    cookie = client.post("/api/session", content=ticket).cookies["academy_session"]
    with Session(engine) as session:
        assert auth.check_session(session, cookie).actor.username == "wu.hao"
        auth.close_session(session, page_token)
        session.commit()
    with Session(engine) as session:
        assert auth.check_session(session, cookie).actor is None
