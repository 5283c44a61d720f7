"""Tables without gaps that read "None": Streamlit draws every missing value as the word None.

`filled(t, frame, config)` returns the frame to show and its column settings: a column with a
missing value becomes text, with "—" where the value is missing, the rest written as the column
would have shown them (numbers with their format, right-aligned; dates and times the viewer's
way on the center's clock). Columns without gaps are left alone, so they keep sorting as numbers.
"""
from datetime import date, datetime

import pandas as pd
import streamlit as st

from portal.formatting import NOTHING, format_date, format_datetime
from portal.i18n import Translator


def _text(value, t: Translator, number_format: str | None) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return NOTHING
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return format_datetime(value, t.language)
    if isinstance(value, date):
        return format_date(value, t.language)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return (number_format % value) if number_format else f"{value:g}"
    return str(value)


def filled(t: Translator, frame: pd.DataFrame, config: dict | None = None) -> tuple[pd.DataFrame, dict]:
    """`frame` with every gap shown as "—" (see the module docstring), and the settings to draw it."""
    config = dict(config or {})
    gaps = [c for c in frame.columns if frame[c].isna().any()]
    if not gaps:
        return frame, config
    shown = frame.copy()
    for column in gaps:
        setting = config.get(column)
        options = (setting or {}).get("type_config", {}) if isinstance(setting, dict) else {}
        number_format = options.get("format") if isinstance(options.get("format"), str) else None
        numeric = pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(frame[column])
        shown[column] = [_text(v, t, number_format) for v in frame[column]]
        label = (setting or {}).get("label") if isinstance(setting, dict) else setting if isinstance(setting, str) \
            else None
        config[column] = st.column_config.TextColumn(label or str(column), alignment="right" if numeric else None)
    return shown, config
