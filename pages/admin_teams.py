import streamlit as st

from portal import users
from portal.clock import today
from portal.roles import Role
from portal.ui import state
from portal.ui.widgets import run_action, service_call

t = state.translator()
actor = state.actor()

st.title(t("admin.teams.title"))

with service_call(t) as session:
    teams = users.teams_frame(session, actor)
    cohorts = users.cohorts_frame(session, actor)
    leads = users.people_with_role(session, Role.LEAD)

teams_col, cohorts_col = st.columns(2)
with teams_col:
    st.subheader(t("admin.teams.teams"))
    if teams.empty:
        st.info(t("admin.teams.no_teams"))
    else:
        st.dataframe(teams.drop(columns=["id"]), hide_index=True, use_container_width=True,
                     column_config={"team": t("field.team"), "members": t("field.members"),
                                    "leads": t("field.leads")})
    with st.form("create_team", clear_on_submit=True):
        name = st.text_input(t("admin.teams.team_name"))
        if st.form_submit_button(t("admin.teams.create_team"), type="primary"):
            if run_action(t, lambda s: users.create_team(s, actor, name), "action.saved"):
                st.rerun()
    if not teams.empty and leads:
        with st.form("team_leads"):
            team_labels = dict(zip(teams["id"], teams["team"]))
            team_id = st.selectbox(t("field.team"), list(team_labels), format_func=team_labels.get)
            lead_labels = {u.id: u.display_name for u in leads}
            chosen = st.multiselect(t("field.leads"), list(lead_labels), format_func=lead_labels.get)
            if st.form_submit_button(t("admin.teams.set_leads")):
                if run_action(t, lambda s: users.set_team_leads(s, actor, int(team_id), chosen), "action.saved"):
                    st.rerun()

with cohorts_col:
    st.subheader(t("admin.teams.cohorts"))
    if cohorts.empty:
        st.info(t("admin.teams.no_cohorts"))
    else:
        st.dataframe(cohorts.drop(columns=["id"]), hide_index=True, use_container_width=True,
                     column_config={"cohort": t("field.cohort"), "start_date": t("field.start_date"),
                                    "members": t("field.members")})
    with st.form("create_cohort", clear_on_submit=True):
        name = st.text_input(t("admin.teams.cohort_name"))
        start = st.date_input(t("field.start_date"), value=today())
        if st.form_submit_button(t("admin.teams.create_cohort"), type="primary"):
            if run_action(t, lambda s: users.create_cohort(s, actor, name, start), "action.saved"):
                st.rerun()
