"""One record per form fill, however often its button is clicked.

A form that creates a record carries a token, kept in the page's session
state until the record is created. The service is given the token and,
seeing it again (a double click, a resubmitted form), returns the record it
already made instead of making a second one. After a success the page
renews the token, so the next fill creates the next record.
"""
from uuid import uuid4

import streamlit as st


def _key(form: str) -> str:
    return f"submit_once_{form}"


def form_token(form: str) -> str:
    """The token of the current fill of `form` (32 hex digits)."""
    return st.session_state.setdefault(_key(form), uuid4().hex)


def renew_token(form: str) -> None:
    """Call after the record was created: the next fill is a new record."""
    st.session_state[_key(form)] = uuid4().hex
