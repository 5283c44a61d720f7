"""Drive the real app (streamlit_app.py) in-process with Streamlit's AppTest."""
import re
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


RAW_VALUE = re.compile(r"(?<![\w.])(None|nan|NaN|NaT|null|undefined)(?![\w])")
TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "text", "info", "warning", "success",
                 "toast", "latex", "code")


def texts_of(at: AppTest) -> list[str]:
    """Every piece of text the page shows a person: headings, prose, notices, metrics, labels, options."""
    texts = [str(e.value) for kind in TEXT_ELEMENTS for e in getattr(at, kind, [])]
    texts += [f"{m.label} {m.value}" for m in at.metric]
    for kind in ("button", "checkbox", "toggle", "radio", "selectbox", "multiselect", "text_input", "text_area",
                 "number_input", "date_input", "slider", "select_slider"):
        for widget in getattr(at, kind, []):
            texts.append(str(getattr(widget, "label", "")))
            texts.extend(str(o) for o in getattr(widget, "options", []) or [])
    return texts


def raw_values_shown(at: AppTest) -> list[str]:
    """Texts where a raw None/nan reached the person, and table cells that are empty values shown as None."""
    found = [text for text in texts_of(at) if RAW_VALUE.search(text)]
    for frame_element in list(at.dataframe) + list(at.table):
        frame = frame_element.value
        for column in frame.columns:
            if frame[column].isna().any() or (frame[column].dtype == object and frame[column].map(_shows_as_raw).any()):
                found.append(f"table column {column!r} shows None")  # Streamlit draws any missing value so
    return found


def _shows_as_raw(value) -> bool:
    """A text column's cell that Streamlit would draw as the word None (or that holds it as text)."""
    return value is None or (isinstance(value, str) and bool(RAW_VALUE.fullmatch(value.strip())))


def problems_of(at: AppTest) -> list[str]:
    """What a person must never see on a page: an exception, an error box, a raw None/nan."""
    return errors_of(at) + [f"error shown: {e.value}" for e in at.error] + \
        [f"raw value shown: {text[:120]}" for text in raw_values_shown(at)]
