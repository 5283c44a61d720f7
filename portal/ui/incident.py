"""One catch-all around the page run: a person never sees a traceback.

An unexpected error shows a plain message with a short incident id; the
details go to the server log under that id, so support can find them. On the
wellbeing pages the log keeps only the error's type and the incident id: an
exception's message or traceback could carry what someone wrote in a check-in.
"""
import logging
import secrets
from collections.abc import Callable

import streamlit as st

from portal.i18n import Translator

log = logging.getLogger("portal.incident")

#: Pages (by URL path) whose errors are logged without message or traceback (see module docstring).
PRIVATE_PAGE_PREFIX = "wellbeing_"


def new_incident_id() -> str:
    """Short enough to read out over the phone, random enough not to collide in a day's log."""
    return secrets.token_hex(4).upper()


def report_incident(exc: BaseException, url_path: str) -> str:
    """Log `exc` under a new incident id and return the id."""
    incident = new_incident_id()
    if url_path.startswith(PRIVATE_PAGE_PREFIX):
        log.error("incident %s on a wellbeing page: %s (details withheld)", incident, type(exc).__name__)
    else:
        log.error("incident %s on %s", incident, url_path, exc_info=exc)
    return incident


def run_guarded(run: Callable[[], None], url_path: str, t: Translator) -> None:
    """Run the page; an unexpected error becomes a plain message with an incident id.

    Streamlit's own control flow (`st.rerun`, `st.stop`, `st.switch_page`) raises
    BaseExceptions that are not `Exception`, so it passes through untouched.
    """
    try:
        run()
    except Exception as exc:  # the one place that catches everything
        incident = report_incident(exc, url_path)
        st.error(t("error.incident", incident=incident), icon=":material/error:")
