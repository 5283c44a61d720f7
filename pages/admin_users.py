"""Users: one page of 50 at a time, found by name, role and team (issue 15), kept in the address."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from portal import users
from portal.clock import today
from portal.roles import ALL_ROLES, Role
from portal.teams import membership
from portal.ui import state
from portal.ui.dates import date_column
from portal.ui.forms import RecordForm
from portal.paging import Page
from portal.ui.paging import ALL, UrlFilters, or_none, pager
from portal.ui.tables import filled
from portal.ui.text import plain
from portal.ui.widgets import empty_state, run_action, service_call

t = state.translator()
actor = state.actor()
role_label = lambda r: t(f"role.{r.value}")  # noqa: E731


def render_filters(team_names: dict[int, str]) -> tuple[users.UserFilter, UrlFilters]:
    """Name or username, role, team: each in the URL, so a reload or Back shows the same people."""
    filters = UrlFilters()
    search_col, role_col, team_col = st.columns([4, 2, 2], vertical_alignment="bottom")
    search = search_col.text_input(t("admin.users.filter"), placeholder=t("admin.users.filter_hint"),
                                   **filters.bind("users_search", "q", default=""))
    role = role_col.selectbox(t("field.roles"), [ALL, *ALL_ROLES],
                              format_func=lambda r: t("admin.users.all_roles") if r == ALL else role_label(r),
                              **filters.bind("users_role", "role", default=ALL, parse=Role, allowed=ALL_ROLES))
    team_id = team_col.selectbox(t("field.team"), [ALL, *team_names],
                                 format_func=lambda i: team_names.get(i, t("admin.users.all_teams")),
                                 **filters.bind("users_team", "team", default=ALL, parse=int,
                                                allowed=list(team_names)))
    filters.keep()
    return users.UserFilter(search=search or "", role=or_none(role), team_id=or_none(team_id)), filters


def render_table(listed: Page, filtered: bool) -> None:
    shown = listed.rows
    if shown.empty:
        empty_state(t, "admin.users.none_match" if filtered else "admin.users.none", icon=":material/person_search:")
        return
    shown = shown.assign(roles=[", ".join(role_label(Role(r)) for r in codes.split(", ") if r)
                                for codes in shown["roles"]])  # in words, not codes
    users_table, users_config = filled(t, shown.drop(columns=["id"]), {
        "username": t("field.username"), "display_name": t("field.display_name"), "roles": t("field.roles"),
        "active": st.column_config.CheckboxColumn(t("field.active")), "team": t("field.team"),
        "cohort": t("field.cohort"), "mentor": t("field.mentor"), "locked_until": t("field.locked_until"),
        "must_change_password": st.column_config.CheckboxColumn(t("field.must_change_password"))})
    st.dataframe(users_table, hide_index=True, width="stretch", column_config=users_config)
    pager(t, listed, key="users_pager")


def render_create(team_names: dict, cohort_names: dict, mentor_names: dict) -> None:
    """A new user: the temporary password shown once, above a fresh form."""
    form = RecordForm("create_user")
    form.show_saved()
    with st.form(form.key("form")):
        c1, c2 = st.columns(2)
        username = c1.text_input(t("field.username"), help=t("admin.users.username_rule"), key=form.key("username"))
        with c1:
            form.show_error("username")
        display_name = c2.text_input(t("field.display_name"), key=form.key("display_name"))
        with c2:
            form.show_error("display_name")
        employee_number = c1.text_input(t("field.employee_number"), help=t("admin.users.employee_number_help"),
                                        max_chars=32, key=form.key("employee_number"))
        with c1:
            form.show_error("employee_number")
        roles = st.multiselect(t("field.roles"), ALL_ROLES, format_func=role_label, key=form.key("roles"),
                               placeholder=t("widget.choose_many"))
        form.show_error("roles")
        c3, c4, c5 = st.columns(3)
        team_id = c3.selectbox(t("field.team"), [None, *team_names], format_func=lambda i: team_names.get(i, "—"),
                               key=form.key("team"))
        cohort_id = c4.selectbox(t("field.cohort"), [None, *cohort_names],
                                 format_func=lambda i: cohort_names.get(i, "—"), key=form.key("cohort"))
        mentor_id = c5.selectbox(t("field.mentor"), [None, *mentor_names],
                                 format_func=lambda i: mentor_names.get(i, "—"), key=form.key("mentor"))
        submitted = st.form_submit_button(t("admin.users.create_submit"), type="primary")
    if submitted:
        temp = users.temporary_password()
        new = users.NewUser(username=username, display_name=display_name, roles=tuple(roles), password=temp,
                            team_id=team_id, cohort_id=cohort_id, mentor_id=mentor_id, must_change_password=True,
                            employee_number=employee_number)
        if form.submit(t, lambda s: users.create_user(s, actor, new), fields_by_error={
                "users.error.bad_username": "username", "users.error.duplicate_username": "username",
                "users.error.display_name_required": "display_name", "users.error.no_role": "roles",
                "users.error.bad_employee_number": "employee_number",
                "users.error.duplicate_employee_number": "employee_number"}):
            # A fresh form, and the temporary password shown once above it: a second click cannot hide it.
            form.saved(t("admin.users.temp_password", username=username.strip().lower(), password=temp))
            st.rerun()


def flash(message: str) -> None:
    """Say `message` above the page after the rerun that shows the change."""
    st.session_state["users_flash"] = message
    st.rerun()


@st.dialog(t("admin.users.confirm_title"))
def confirm_account_change(user_id: int, name: str, change: str) -> None:
    """Deactivating signs the person out everywhere; a reset ends their password: both asked first."""
    st.warning(t(f"admin.users.confirm_{change}", name=plain(name)), icon=":material/warning:")
    keep, go = st.columns(2)
    if keep.button(t("admin.users.confirm_no"), key="account_keep"):
        st.rerun()
    if go.button(t(f"admin.users.confirm_{change}_yes"), type="primary", key="account_change"):
        if change == "deactivate":
            if run_action(t, lambda s: users.set_active(s, actor, user_id, False)):
                flash(t("admin.users.deactivated", name=plain(name)))
        elif issued := run_action(t, lambda s: users.reset_password(s, actor, user_id)):
            st.success(t("admin.users.temp_password_once", name=plain(name), password=issued.value),
                       icon=":material/key:")


EFFECTIVE_ERRORS = {key: "effective" for key in ("teams.error.effective_required", "teams.error.effective_before_start",
                                                  "teams.error.effective_too_late")}


def render_team_effective(team_form: RecordForm):
    """The day a team change takes effect (the center's today unless said otherwise), refused beside itself."""
    effective = st.date_input(t("admin.users.team_effective"), value=today(), format="YYYY-MM-DD",
                              help=t("admin.users.team_effective_help"), key=team_form.key("effective"))
    team_form.show_error("effective")
    return effective


def render_team_history(user_id: int) -> None:
    """Which team the person was in from when to when (newest first)."""
    with service_call(t) as session:
        history = membership.membership_history(session, actor, user_id)
    st.markdown(f"**{t('admin.users.team_history')}**")
    if not history:
        st.caption(t("admin.users.team_history_none"))
        return
    frame = pd.DataFrame([(team, first, None if ended is None else ended - timedelta(days=1))
                          for team, first, ended in history], columns=["team", "first_day", "last_day"])
    shown, config = filled(t, frame, {"team": t("field.team"), "first_day": date_column(t, t("admin.users.team_from")),
                                      "last_day": date_column(t, t("admin.users.team_until"))})
    st.dataframe(shown, hide_index=True, width="stretch", key=f"team_history_{user_id}", column_config=config)


def render_edit(frame, team_names: dict, cohort_names: dict, mentor_names: dict) -> None:
    """One of the users on the page shown: names, roles, team, cohort, mentor; deactivate; reset password."""
    if frame.empty:
        st.info(t("admin.users.none_on_page"))
    else:
        labels = dict(zip(frame["id"], frame["display_name"] + " (" + frame["username"] + ")"))
        user_id = st.selectbox(t("admin.users.pick"), list(labels), format_func=labels.get,
                               help=t("admin.users.pick_help"))
        row = frame.set_index("id").loc[user_id]
        current_roles = [Role(r) for r in row["roles"].split(", ") if r]
        team_form = RecordForm(f"edit_user_team_{user_id}")
        with st.form("edit_user"):
            new_name = st.text_input(t("field.display_name"), value=row["display_name"])
            new_roles = st.multiselect(t("field.roles"), ALL_ROLES, default=current_roles, format_func=role_label,
                                       placeholder=t("widget.choose_many"))
            e1, e2, e3 = st.columns(3)
            team_ids, cohort_ids, mentor_ids = [None, *team_names], [None, *cohort_names], [None, *mentor_names]
            inv_team = {v: k for k, v in team_names.items()}
            inv_cohort = {v: k for k, v in cohort_names.items()}
            current_team = inv_team.get(row["team"])
            new_team = e1.selectbox(t("field.team"), team_ids, index=team_ids.index(current_team),
                                    format_func=lambda i: team_names.get(i, "—"))
            with e1:
                effective = render_team_effective(team_form)
            new_cohort = e2.selectbox(t("field.cohort"), cohort_ids,
                                      index=cohort_ids.index(inv_cohort.get(row["cohort"])),
                                      format_func=lambda i: cohort_names.get(i, "—"))
            mentor_index = next((i for i, m in enumerate(mentor_ids) if m and
                                 mentor_names[m].endswith(f"({row['mentor']})")), 0)
            new_mentor = e3.selectbox(t("field.mentor"), mentor_ids, index=mentor_index,
                                      format_func=lambda i: mentor_names.get(i, "—"))
            saved = st.form_submit_button(t("action.save"), type="primary")
        if saved:
            def save(session):
                users.set_roles(session, actor, int(user_id), new_roles)
                if new_team != current_team:  # a move, dated (the same move twice changes nothing)
                    membership.move_to_team(session, actor, int(user_id), new_team, effective)
                users.assign(session, actor, int(user_id), team_id=new_team, cohort_id=new_cohort,
                             mentor_id=new_mentor, display_name=new_name)
            if team_form.submit(t, save, fields_by_error=EFFECTIVE_ERRORS):
                team_form.saved()  # the next change's date starts from today again
                st.toast(t("action.saved"), icon=":material/check_circle:")
                st.rerun()
        render_team_history(int(user_id))
        b1, b2 = st.columns(2)
        if row["active"]:
            if b1.button(t("admin.users.deactivate"), icon=":material/person_off:"):
                confirm_account_change(int(user_id), row["display_name"], "deactivate")
        elif b1.button(t("admin.users.reactivate"), icon=":material/person_check:"):
            if run_action(t, lambda s: users.set_active(s, actor, int(user_id), True)):
                flash(t("admin.users.reactivated", name=plain(row["display_name"])))
        if b2.button(t("admin.users.reset_password"), icon=":material/lock_reset:"):
            confirm_account_change(int(user_id), row["display_name"], "reset")


st.title(t("admin.users.title"))
if message := st.session_state.pop("users_flash", None):
    st.success(message, icon=":material/check_circle:")
with service_call(t) as session:
    teams = users.list_teams(session)
    cohorts = users.list_cohorts(session)
    mentors = users.people_with_role(session, Role.MENTOR)
team_names = {tm.id: tm.name for tm in teams}
cohort_names = {c.id: c.name for c in cohorts}
mentor_names = {m.id: f"{m.display_name} ({m.username})" for m in mentors}

wanted, filters = render_filters(team_names)
with service_call(t) as session:
    listed = users.user_page(session, actor, wanted, page=filters.page_index())  # past the end: the last page
render_table(listed, wanted != users.UserFilter())

create_tab, edit_tab = st.tabs([t("admin.users.create"), t("admin.users.edit")])
with create_tab:
    render_create(team_names, cohort_names, mentor_names)
with edit_tab:
    render_edit(listed.rows, team_names, cohort_names, mentor_names)
