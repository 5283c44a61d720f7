"""Date and time columns for tables: the center's clock, the viewer's language (see `portal.formatting`)."""
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
