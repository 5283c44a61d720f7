import streamlit as st

from portal import users
from portal.clock import today
from portal.roles import Role
from portal.ui import state
from portal.ui.forms import RecordForm
from portal.ui.text import plain
from portal.ui.widgets import run_action, service_call

t = state.translator()
actor = state.actor()

st.title(t("admin.teams.title"))


def save_leads(team_id: int, chosen: list[int], names: dict[int, str]) -> None:
    if run_action(t, lambda s: users.set_team_leads(s, actor, team_id, chosen)):
        st.session_state["leads_flash"] = t("admin.teams.leads_saved", leads=", ".join(names[i] for i in chosen)
                                            or t("admin.teams.no_leads"))
        st.rerun()


@st.dialog(t("admin.teams.confirm_removal.title"))
def confirm_removal(team_id: int, team: str, chosen: list[int], removed: list[int], names: dict[int, str]) -> None:
    st.warning(t("admin.teams.confirm_removal.body", team=plain(team),
                 removed=", ".join(plain(names[i]) for i in removed)), icon=":material/person_remove:")
    keep, remove = st.columns(2)
    if keep.button(t("admin.teams.confirm_removal.no"), key="keep_leads"):
        st.rerun()
    if remove.button(t("admin.teams.confirm_removal.yes"), type="primary", key="remove_leads"):
        save_leads(team_id, chosen, names)


def render_team_leads(teams, leads) -> None:
    """The team's current leads are shown and pre-filled: adding and removing are explicit, a removal confirmed."""
    st.subheader(t("admin.teams.set_leads"))
    if message := st.session_state.pop("leads_flash", None):
        st.success(message, icon=":material/check_circle:")
    team_labels = dict(zip(teams["id"], teams["team"]))
    team_id = int(st.selectbox(t("field.team"), list(team_labels), format_func=team_labels.get, key="leads_team"))
    with service_call(t) as session:
        current = users.team_lead_ids(session, actor, team_id)
    names = {u.id: u.display_name for u in leads}
    st.caption(t("admin.teams.current_leads", leads=", ".join(plain(names.get(i, "?")) for i in current)
                 or t("admin.teams.no_leads")))
    with st.form(f"team_leads_{team_id}"):
        chosen = st.multiselect(t("field.leads"), list(names), default=[i for i in current if i in names],
                                format_func=names.get, placeholder=t("admin.teams.choose_leads"))
        sent = st.form_submit_button(t("admin.teams.set_leads"))
    if sent:
        removed = [i for i in current if i not in chosen]
        if removed:
            confirm_removal(team_id, team_labels[team_id], chosen, removed, names)
        else:
            save_leads(team_id, chosen, names)


RENAME = {"team": users.rename_team, "cohort": users.rename_cohort}
ARCHIVE = {"team": users.set_team_archived, "cohort": users.set_cohort_archived}


def archived_label(name: str, archived: bool) -> str:
    return t("admin.teams.archived_name", name=name) if archived else name


@st.dialog(t("admin.teams.confirm_archive.title"))
def confirm_archive(kind: str, record_id: int, name: str, archive: bool) -> None:
    """Archiving hides a team or cohort from every picker: asked first, and said when done."""
    verb = "archive" if archive else "unarchive"
    st.warning(t(f"admin.teams.confirm_archive.{kind}_{verb}", name=plain(name)), icon=":material/archive:")
    keep, go = st.columns(2)
    if keep.button(t("admin.teams.confirm_archive.no"), key=f"keep_{kind}"):
        st.rerun()
    if go.button(t(f"admin.teams.{verb}"), type="primary", key=f"do_{verb}_{kind}"):
        if run_action(t, lambda s: ARCHIVE[kind](s, actor, record_id, archive)):
            st.session_state[f"{kind}_flash"] = t(f"admin.teams.{verb}d", name=plain(name))
            st.rerun()


def render_change(kind: str, frame) -> None:
    """Rename (refused beside the field) and archive or bring back one team or cohort."""
    st.markdown(f"**{t(f'admin.teams.change_{kind}')}**")
    if message := st.session_state.pop(f"{kind}_flash", None):
        st.success(message, icon=":material/check_circle:")
    labels = {int(i): n for i, n in zip(frame["id"], frame[kind])}
    record_id = st.selectbox(t(f"admin.teams.which_{kind}"), list(labels), format_func=labels.get, key=f"change_{kind}")
    row = frame.set_index("id").loc[record_id]
    if row["archived"]:  # said beside the name: a select box keeps the label it was first drawn with
        st.caption(archived_label(row[kind], True))
    form = RecordForm(f"rename_{kind}_{record_id}")
    form.show_saved()
    with st.form(form.key("form")):
        name = st.text_input(t("admin.teams.new_name"), value=row[kind], key=form.key("name"))
        form.show_error("name")
        sent = st.form_submit_button(t("admin.teams.rename"), icon=":material/edit:")
    if sent and form.submit(t, lambda s: RENAME[kind](s, actor, record_id, name), fields_by_error={
            f"users.error.duplicate_{kind}": "name", f"users.error.{kind}_name_required": "name"}):
        form.saved(t("admin.teams.renamed", name=plain(name.strip())))
        st.rerun()
    archived = bool(row["archived"])
    if st.button(t("admin.teams.unarchive" if archived else "admin.teams.archive"), key=f"archive_{kind}",
                 icon=":material/unarchive:" if archived else ":material/archive:"):
        confirm_archive(kind, record_id, row[kind], not archived)


def shown_names(frame, kind: str):
    """The table's names, an archived one marked so."""
    return frame.assign(**{kind: [archived_label(n, a) for n, a in zip(frame[kind], frame["archived"])]})


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
        st.dataframe(shown_names(teams, "team").drop(columns=["id", "archived"]), hide_index=True, use_container_width=True,
                     column_config={"team": t("field.team"), "members": t("field.members"),
                                    "leads": t("field.leads")})
    with st.form("create_team", clear_on_submit=True):
        name = st.text_input(t("admin.teams.team_name"))
        if st.form_submit_button(t("admin.teams.create_team"), type="primary"):
            if run_action(t, lambda s: users.create_team(s, actor, name), "action.saved"):
                st.rerun()
    if not teams.empty:
        render_change("team", teams)
    active_teams = teams[~teams["archived"].astype(bool)]
    if not active_teams.empty and leads:
        render_team_leads(active_teams, leads)

with cohorts_col:
    st.subheader(t("admin.teams.cohorts"))
    if cohorts.empty:
        st.info(t("admin.teams.no_cohorts"))
    else:
        st.dataframe(shown_names(cohorts, "cohort").drop(columns=["id", "archived"]), hide_index=True, use_container_width=True,
                     column_config={"cohort": t("field.cohort"), "start_date": t("field.start_date"),
                                    "members": t("field.members")})
    with st.form("create_cohort", clear_on_submit=True):
        name = st.text_input(t("admin.teams.cohort_name"))
        start = st.date_input(t("field.start_date"), value=today())
        if st.form_submit_button(t("admin.teams.create_cohort"), type="primary"):
            if run_action(t, lambda s: users.create_cohort(s, actor, name, start), "action.saved"):
                st.rerun()
    if not cohorts.empty:
        render_change("cohort", cohorts)
