import streamlit as st

from portal import audit
from portal.ui import state
from portal.ui.dates import datetime_column
from portal.ui.tables import filled
from portal.ui.widgets import service_call

t = state.translator()
actor = state.actor()

st.title(t("admin.audit.title"))
with service_call(t) as session:
    choices = audit.actions(session)
    action = st.selectbox(t("admin.audit.action"), [None, *choices], format_func=lambda a: a or t("admin.audit.all"))
    entries = audit.recent_entries(session, actor, action=action)
if entries.empty:
    st.info(t("admin.audit.empty"))
else:
    shown, config = filled(t, entries, {
        "at": datetime_column(t, t("field.when")),
        "actor": t("field.actor"), "action": t("admin.audit.action"), "target": t("field.target"),
        "details": t("field.details")})
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
