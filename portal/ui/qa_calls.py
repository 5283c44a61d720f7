"""Widgets the QA calls and queue pages share: calls drawn as people read them (paging: `portal/ui/paging.py`)."""
import pandas as pd
import streamlit as st

from portal.formatting import format_datetime
from portal.i18n import Translator
from portal.qa.calls import format_duration
from portal.ui.dates import datetime_column
from portal.ui.tables import filled


def direction_label(t: Translator, direction: str) -> str:
    return t(f"qa.calls.direction.{direction}")


def yes_no(t: Translator, flag: bool) -> str:
    return t("qa.calls.yes") if flag else t("qa.calls.no")


def started_text(t: Translator, moment) -> str:
    """A call's start on the center's clock, as text (for places that are not table columns)."""
    return format_datetime(pd.Timestamp(moment).to_pydatetime(), t.language)


COLUMN_LABELS = {"external_id": "qa.calls.column.call_id", "agent": "qa.calls.column.agent",
                 "team": "qa.calls.column.team", "started_at": "qa.calls.column.started_at",
                 "duration_seconds": "qa.calls.column.duration", "queue": "qa.calls.column.queue",
                 "direction": "qa.calls.column.direction", "satisfaction": "qa.calls.column.satisfaction",
                 "complaint": "qa.calls.column.complaint", "ticket_ref": "qa.calls.column.ticket"}


def calls_table(t: Translator, frame: pd.DataFrame, *, first: dict[str, str] | None = None,
                key: str | None = None) -> None:
    """Calls as a table: start on the center's clock, duration as mm:ss, the recording as a link (new tab).

    `first`: columns of `frame` already in display text to show first, with their labels."""
    shown = pd.DataFrame({label: frame[column] for column, label in (first or {}).items()})
    for column, label_key in COLUMN_LABELS.items():
        if column in frame:
            shown[t(label_key)] = frame[column]
    shown[t("qa.calls.column.duration")] = frame["duration_seconds"].map(format_duration)
    shown[t("qa.calls.column.direction")] = frame["direction"].map(lambda d: direction_label(t, d))
    shown[t("qa.calls.column.complaint")] = frame["complaint"].map(lambda c: yes_no(t, bool(c)))
    started = t("qa.calls.column.started_at")
    config = {started: datetime_column(t, started),
              t("qa.calls.column.satisfaction"): st.column_config.NumberColumn(format="%g")}
    shown, config = filled(t, shown, config)
    recording = t("qa.calls.column.recording")
    shown[recording] = frame["recording_url"].fillna("")  # an empty link cell shows nothing; None would read "None"
    config[recording] = st.column_config.LinkColumn(recording, display_text=t("qa.calls.recording.open"))
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config, key=key)
