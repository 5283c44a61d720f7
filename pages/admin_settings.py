"""Settings in force: what the server's environment fixes, said in words, read-only."""
from datetime import datetime

import pandas as pd
import streamlit as st

from portal.formatting import format_datetime
from portal.settings_in_force import settings_in_force
from portal.ui import state
from portal.ui.widgets import page_header, service_call

t = state.translator()
actor = state.actor()
page_header(t, "admin.settings.title", "admin.settings.caption")


def in_words(params: dict) -> dict:
    return {k: format_datetime(v, t.language) if isinstance(v, datetime) else v for k, v in params.items()}


with service_call(t) as session:
    lines = settings_in_force(session, actor)
st.dataframe(pd.DataFrame({t("admin.settings.col.setting"): [t(line.label) for line in lines],
                           t("admin.settings.col.value"): [t(line.value, **in_words(line.params)) for line in lines]}),
             hide_index=True, width="stretch")
