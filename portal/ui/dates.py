"""Date and time columns for tables: the center's clock, the viewer's language (see `portal.formatting`)."""
from datetime import date, datetime

import pandas as pd
import streamlit as st

from portal.clock import center_zone
from portal.formatting import table_formats
from portal.i18n import Translator


def date_column(t: Translator, label: str, **options):
    """A column of calendar days (already the center's days)."""
    return st.column_config.DateColumn(label, format=table_formats(t.language)[0], **options)


def datetime_column(t: Translator, label: str, **options):
    """A column of instants, shown on the center's clock whatever zone the data or the browser is in."""
    return st.column_config.DatetimeColumn(label, format=table_formats(t.language)[1], timezone=center_zone().key,
                                           **options)


def time_columns(t: Translator, frame: pd.DataFrame, headers: dict[str, str] | None = None) -> dict:
    """Column settings for every date or time column of `frame` (keyed by their `headers`, if renamed)."""
    headers = headers or {}
    config = {}
    for column in frame.columns:
        label = headers.get(column, column)
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            config[label] = datetime_column(t, label)
        elif values.dtype == object:
            first = next((v for v in values if v is not None and v == v), None)
            if isinstance(first, datetime):
                config[label] = datetime_column(t, label)
            elif isinstance(first, date):
                config[label] = date_column(t, label)
    return config
