"""Small reusable Streamlit pieces shared by pages."""
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import streamlit as st

from portal.db import read_scope, run_transaction
from portal.errors import PortalError
from portal.i18n import Translator
from portal.quizzes.render import escape_markdown


def empty_state(t: Translator, key: str, icon: str = ":material/inbox:") -> None:
    """A clear 'nothing here yet' message, never a fake page."""
    st.info(t(key), icon=icon)


def page_header(t: Translator, title_key: str, caption_key: str | None = None) -> None:
    st.title(t(title_key))
    if caption_key:
        st.caption(t(caption_key))


def refusal_text(t: Translator, exc: PortalError) -> str:
    """A refusal in the viewer's language; its problems (every line wrong in a file, ...) listed under it."""
    problems = exc.problem_texts(t.language)
    if not problems:
        return t.error(exc)
    return f"**{t.error(exc)}**\n\n" + "\n".join(f"- {escape_markdown(problem)}" for problem in problems)


def show_refusal(t: Translator, exc: PortalError) -> None:
    st.error(refusal_text(t, exc), icon=":material/error:")


@contextmanager
def refusals_shown(t: Translator) -> Iterator[None]:
    """Run a service that touches no database (reading an upload, ...); a refusal is shown and the page stops."""
    try:
        yield
    except PortalError as exc:
        show_refusal(t, exc)
        st.stop()


@contextmanager
def service_call(t: Translator) -> Iterator:
    """Run reading service calls; show a PortalError (and its problems) in the user's language.

    Usage: `with service_call(t) as session: ...`. Reads only: writes go through
    `run_action`, which retries them whole when the database is busy.
    """
    with refusals_shown(t), read_scope() as session:
        yield session


@dataclass(frozen=True)
class Outcome:
    """What an action came to: true when it was done, with what the action returned in `value`."""

    done: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.done


REFUSED = Outcome(done=False)


def run_action(t: Translator, action: Callable, success_key: str | None = None, **success_params) -> Outcome:
    """Run `action(session)` in one transaction (retried when the database is busy); report the outcome.

    `if done := run_action(...)`: `done.value` is what the action returned; a refusal is shown here.
    """
    try:
        value = run_transaction(action)
    except PortalError as exc:
        show_refusal(t, exc)
        return REFUSED
    if success_key:
        st.toast(t(success_key, **success_params), icon=":material/check_circle:")
    return Outcome(done=True, value=value)
