"""Drive the real app (streamlit_app.py) in-process with Streamlit's AppTest."""
from pathlib import Path

from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from portal import auth

APP = str(Path(__file__).resolve().parents[2] / "streamlit_app.py")


def app_as(engine, username: str | None, *, language: str | None = None) -> AppTest:
    """The app with `username` signed in (None: signed out), not yet run."""
    at = AppTest.from_file(APP, default_timeout=30)
    if username:
        with Session(engine) as session:
            actor = auth.find_user(session, username)
            token = auth.open_session(session, auth.actor_for(session, actor))
            session.commit()
        at.session_state["auth_token"] = token
    if language:
        at.session_state["language"] = language
    return at


def errors_of(at: AppTest) -> list[str]:
    return [e.value for e in at.exception]
