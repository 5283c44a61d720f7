"""Forms that save something: sent once, cleared when saved, refused beside the field.

`RecordForm` gives a form an idempotency key, made when the form is first drawn
and kept until the form saves, and puts that key into every widget key of the
form. So:

- saving makes a new key, and the next run draws new, empty widgets (Streamlit
  keeps a typed value in the browser: removing a widget's entry from
  `st.session_state` does not clear what the person sees);
- a second click that reaches the server after the save names widgets that no
  longer exist, and Streamlit sees no submission at all;
- the service stores the key with the record (`portal.submissions`), so when two
  runs do carry the same submission, the second finds the first one's record.

A refusal goes beside the field it is about (`fields_by_error` maps an error's
i18n key to a field) and, when asked, clears only that field; the other fields
keep what was typed.
"""
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import streamlit as st

from portal.db import run_transaction
from portal.errors import PortalError
from portal.i18n import Translator
from portal.ui.widgets import REFUSED, Outcome, refusal_text

STATE_PREFIX = "record_form."


def new_submission_key() -> str:
    return secrets.token_urlsafe(16)


@dataclass
class _FormState:
    submission_key: str = field(default_factory=new_submission_key)
    generations: dict[str, int] = field(default_factory=dict)
    """Fields cleared after a refusal get a new widget key: field -> how many times."""
    errors: dict[str, str] = field(default_factory=dict)
    """The message shown beside each refused field, until the form is sent again."""
    saved_message: str | None = None
    """Said once above the fresh form after a save."""


class RecordForm:
    """The keys and messages of one form that creates a record (see the module's docstring)."""

    def __init__(self, name: str):
        self.name = name
        self._state: _FormState = st.session_state.setdefault(STATE_PREFIX + name, _FormState())

    @property
    def submission_key(self) -> str:
        """The idempotency key to hand to the service with this submission."""
        return self._state.submission_key

    def key(self, name: str) -> str:
        """The widget key of one field (or of the form itself) as drawn now: the field's name first."""
        generation = self._state.generations.get(name, 0)
        return f"{name}.{self.name}.{self._state.submission_key}.{generation}"

    def show_error(self, name: str) -> None:
        """The message left for this field by the last refusal, if any: call it right below the field."""
        message = self._state.errors.get(name)
        if message:
            st.error(message, icon=":material/error:")

    def submit(self, t: Translator, action: Callable, *, fields_by_error: Mapping[str, str] | None = None,
               clear_on_error: Mapping[str, Iterable[str]] | None = None) -> Outcome:
        """Run `action(session)` in one transaction; true when it saved, with the action's result in `.value`.

        A refusal whose i18n key is in `fields_by_error` is shown beside that field after a
        rerun, and the fields `clear_on_error[field]` are emptied (by default none: what was
        typed stays); any other refusal is shown here. The caller calls `saved()` on success.
        """
        self._state.errors.clear()
        try:
            return Outcome(done=True, value=run_transaction(action))
        except PortalError as exc:
            refused = (fields_by_error or {}).get(exc.key)
            message = refusal_text(t, exc)
        if refused is None:
            st.error(message, icon=":material/error:")
            return REFUSED
        self._state.errors[refused] = message
        for name in (clear_on_error or {}).get(refused, ()):
            self._state.generations[name] = self._state.generations.get(name, 0) + 1
        st.rerun()

    def saved(self, message: str | None = None) -> None:
        """Start a fresh, empty form with a new idempotency key (drawn on the next run), saying `message` once."""
        st.session_state[STATE_PREFIX + self.name] = _FormState(saved_message=message)

    def show_saved(self) -> None:
        """The message of the last save, once."""
        message, self._state.saved_message = self._state.saved_message, None
        if message:
            st.success(message, icon=":material/check_circle:")
