"""Users: one page of 50 at a time, found by name, role, team, cohort and status (issues 15, 18), kept in the
address; people ticked in the table changed together after a preview and one confirmation."""
import hashlib
import secrets
from datetime import timedelta

import pandas as pd
import streamlit as st

from portal import users, users_bulk
from portal.clock import today
from portal.db import read_scope
from portal.errors import PortalError
from portal.formatting import format_date
from portal.notifications.mail import smtp_settings
from portal.roles import ALL_ROLES, Role
from portal.teams import membership
from portal.ui import state
from portal.ui.dates import date_column
from portal.ui.forms import RecordForm
from portal.paging import Page
from portal.ui.paging import ALL, UrlFilters, or_none, pager
from portal.ui.tables import filled
from portal.ui.text import plain
from portal.ui.widgets import empty_state, run_action, service_call, show_refusal

t = state.translator()
actor = state.actor()
role_label = lambda r: t(f"role.{r.value}")  # noqa: E731


def render_filters(team_names: dict[int, str], cohort_names: dict[int, str]
                   ) -> tuple[users.UserFilter, UrlFilters]:
    """Name or username, role, team, cohort, status and order: each in the URL, so a reload or Back shows the
    same people (Home's "never signed in" links here with `?filter=never_signed_in`)."""
    filters = UrlFilters()
    search_col, role_col, team_col, cohort_col = st.columns([4, 2, 2, 2], vertical_alignment="bottom")
    search = search_col.text_input(t("admin.users.filter"), placeholder=t("admin.users.filter_hint"),
                                   **filters.bind("users_search", "q", default=""))
    role = role_col.selectbox(t("field.roles"), [ALL, *ALL_ROLES],
                              format_func=lambda r: t("admin.users.all_roles") if r == ALL else role_label(r),
                              **filters.bind("users_role", "role", default=ALL, parse=Role, allowed=ALL_ROLES))
    team_id = team_col.selectbox(t("field.team"), [ALL, *team_names],
                                 format_func=lambda i: team_names.get(i, t("admin.users.all_teams")),
                                 **filters.bind("users_team", "team", default=ALL, parse=int,
                                                allowed=list(team_names)))
    cohort_id = cohort_col.selectbox(t("field.cohort"), [ALL, *cohort_names],
                                     format_func=lambda i: cohort_names.get(i, t("admin.users.all_cohorts")),
                                     **filters.bind("users_cohort", "cohort", default=ALL, parse=int,
                                                    allowed=list(cohort_names)))
    status_col, sort_col, order_col = st.columns([2, 2, 2], vertical_alignment="bottom")
    status = status_col.selectbox(t("admin.users.status"), [ALL, *users.STATUSES],
                                  format_func=lambda s: t("admin.users.all_statuses") if s == ALL
                                  else t(f"admin.users.status.{s}"),
                                  **filters.bind("users_status", "filter", default=ALL, allowed=users.STATUSES))
    sort = sort_col.selectbox(t("admin.users.sort"), list(users.SORTS),
                              format_func=lambda s: t(f"admin.users.sort.{s}"),
                              **filters.bind("users_sort", "sort", default="username", allowed=list(users.SORTS)))
    descending = order_col.toggle(t("admin.users.descending"),
                                  **filters.bind("users_desc", "desc", default=False, parse=lambda v: v == "1"))
    filters.keep()
    return users.UserFilter(search=search or "", role=or_none(role), team_id=or_none(team_id),
                            cohort_id=or_none(cohort_id), status=or_none(status), sort=sort,
                            descending=bool(descending)), filters


def render_table(listed: Page, wanted: users.UserFilter) -> list[int]:
    """The page's users; the ids of those ticked (a new filter or page starts with none ticked)."""
    shown = listed.rows
    if shown.empty:
        empty_state(t, "admin.users.none_match" if wanted != users.UserFilter() else "admin.users.none",
                    icon=":material/person_search:")
        return []
    shown = shown.assign(roles=[", ".join(role_label(Role(r)) for r in codes.split(", ") if r)
                                for codes in shown["roles"]])  # in words, not codes
    users_table, users_config = filled(t, shown.drop(columns=["id"]), {
        "username": t("field.username"), "display_name": t("field.display_name"), "roles": t("field.roles"),
        "employee_number": t("field.employee_number"),
        "active": st.column_config.CheckboxColumn(t("field.active")), "team": t("field.team"),
        "cohort": t("field.cohort"), "mentor": t("field.mentor"), "locked_until": t("field.locked_until"),
        "must_change_password": st.column_config.CheckboxColumn(t("field.must_change_password"))})
    view = hashlib.sha1(f"{wanted}|{listed.page}".encode()).hexdigest()[:12]
    picked = st.dataframe(users_table, hide_index=True, width="stretch", column_config=users_config,
                          on_select="rerun", selection_mode="multi-row", key=f"users_table.{view}")
    pager(t, listed, key="users_pager")
    return [int(shown["id"].iloc[i]) for i in picked.selection.rows if i < len(shown)]


def bulk_change(action: str, names: dict) -> users_bulk.BulkChange | None:
    """The action's own choices (a team and its date, a mentor, a cohort), none made for the admin."""
    change = users_bulk.BulkChange(action)
    if action == users_bulk.MOVE_TEAM:
        team_col, date_col = st.columns(2)
        team_id = team_col.selectbox(t("field.team"), list(names["teams"]), index=None, key="bulk_team",
                                     format_func=names["teams"].get, placeholder=t("admin.bulk.choose"))
        effective = date_col.date_input(t("admin.bulk.effective"), value=today(), key="bulk_effective",
                                        format="YYYY-MM-DD")  # as the one-person move asks it
        change = users_bulk.BulkChange(action, team_id=team_id, effective=effective)
    elif action == users_bulk.ASSIGN_MENTOR:
        change = users_bulk.BulkChange(action, mentor_id=st.selectbox(
            t("field.mentor"), list(names["mentors"]), index=None, key="bulk_mentor",
            format_func=names["mentors"].get, placeholder=t("admin.bulk.choose")))
    elif action == users_bulk.ASSIGN_COHORT:
        change = users_bulk.BulkChange(action, cohort_id=st.selectbox(
            t("field.cohort"), list(names["cohorts"]), index=None, key="bulk_cohort",
            format_func=names["cohorts"].get, placeholder=t("admin.bulk.choose")))
    return change


def render_bulk(ticked: list[int], total: int, wanted: users.UserFilter, names: dict) -> None:
    """Ticked people (or everyone the filter matches), an action, and a preview to confirm."""
    st.subheader(t("admin.bulk.heading"))
    every = st.toggle(t("admin.bulk.all_matching", count=total), key="bulk_every", disabled=not total)
    st.caption(t("admin.bulk.selected", count=total if every else len(ticked)) if every or ticked
               else t("admin.bulk.select_hint"))
    action = st.selectbox(t("admin.bulk.action"), users_bulk.ACTIONS, key="bulk_action",
                          format_func=lambda a: t(f"admin.bulk.action.{a}"))
    change = bulk_change(action, names)
    if st.button(t("admin.bulk.review"), icon=":material/preview:", key="bulk_review",
                 disabled=not (every or ticked)):
        try:
            with read_scope() as session:
                ids = users_bulk.matching_ids(session, actor, wanted) if every else ticked
                rows = users_bulk.preview(session, actor, change, ids)
        except PortalError as exc:
            show_refusal(t, exc)
            return
        st.session_state["bulk_pending"] = token = secrets.token_urlsafe(8)
        confirm_bulk(change, ids, rows, token, names)


def preview_frame(change: users_bulk.BulkChange, rows) -> pd.DataFrame:
    said = (lambda v: t(f"admin.bulk.status.{v}")) if change.action == users_bulk.DEACTIVATE else (lambda v: v)
    frame = pd.DataFrame({t("admin.bulk.col.person"): [f"{r.name} ({r.username})" for r in rows]})
    if change.action != users_bulk.RESET_PASSWORDS:
        frame[t("admin.bulk.col.now")] = [said(r.before) for r in rows]
        frame[t("admin.bulk.col.after")] = [said(r.after) if r.changes else "=" for r in rows]
    if any(r.problem for r in rows):
        frame[t("admin.bulk.col.problem")] = [t(r.problem[0], **r.problem[1]) if r.problem else "" for r in rows]
    return frame


@st.dialog(t("admin.bulk.confirm_title"), width="large")
def confirm_bulk(change: users_bulk.BulkChange, ids: list[int], rows, token: str, names: dict) -> None:
    """What will change, person by person; one confirmation (a second click finds nothing left to do)."""
    blocked = any(r.problem for r in rows)
    changing = sum(r.changes for r in rows)
    if blocked:
        st.error(t("admin.bulk.blocked"), icon=":material/block:")
    else:
        st.markdown(t("admin.bulk.will_change", count=changing))
        if changing < len(rows):
            st.caption(t("admin.bulk.unchanged", count=len(rows) - changing))
    if change.action == users_bulk.RESET_PASSWORDS:
        st.warning(t("admin.bulk.reset_warning"), icon=":material/lock_reset:")
        if smtp_settings():
            st.caption(t("admin.bulk.reset_by_email"))
    st.dataframe(preview_frame(change, rows), hide_index=True, width="stretch")
    keep, go = st.columns(2)
    if keep.button(t("admin.bulk.cancel"), key="bulk_cancel"):
        st.rerun()
    if go.button(t("admin.bulk.confirm"), type="primary", key="bulk_confirm", disabled=blocked or not changing):
        if st.session_state.pop("bulk_pending", None) != token:
            st.rerun()  # already done by an earlier click
        if done := run_action(t, lambda s: apply_bulk(s, change, ids)):
            if change.action == users_bulk.RESET_PASSWORDS:
                st.session_state["bulk_issued"] = done.value
            st.session_state["users_flash"] = done_message(change, done.value, names)
            st.rerun()


def apply_bulk(session, change: users_bulk.BulkChange, ids: list[int]):
    if change.action == users_bulk.DEACTIVATE:
        return users_bulk.deactivate(session, actor, ids)
    if change.action == users_bulk.MOVE_TEAM:
        return users_bulk.move_team(session, actor, ids, change.team_id, change.effective)
    if change.action == users_bulk.ASSIGN_MENTOR:
        return users_bulk.assign_mentor(session, actor, ids, change.mentor_id)
    if change.action == users_bulk.ASSIGN_COHORT:
        return users_bulk.assign_cohort(session, actor, ids, change.cohort_id)
    smtp = smtp_settings()
    return users_bulk.reset_passwords(session, actor, ids, mailer=users_bulk.password_mailer(smtp) if smtp else None)


def done_message(change: users_bulk.BulkChange, value, names: dict) -> str:
    count = len(value) if change.action == users_bulk.RESET_PASSWORDS else value
    return t(f"admin.bulk.done.{change.action}", count=count, team=plain(names["teams"].get(change.team_id, "")),
             date=format_date(change.effective, t.language) if change.effective else "",
             mentor=plain(names["mentors"].get(change.mentor_id, "")),
             cohort=plain(names["cohorts"].get(change.cohort_id, "")))


@st.dialog(t("admin.bulk.col.password"), width="large")
def show_passwords(issued) -> None:
    """The temporary passwords, once: this dialog is not drawn again."""
    st.warning(t("admin.bulk.passwords_once"), icon=":material/key:")
    st.dataframe(pd.DataFrame({
        t("admin.bulk.col.person"): [f"{i.name} ({i.username})" for i in issued],
        t("admin.bulk.col.password"): [i.password or t("admin.bulk.emailed", address=i.emailed_to)
                                       for i in issued]}), hide_index=True, width="stretch")
    if st.button(t("admin.bulk.close"), type="primary", key="bulk_passwords_done"):
        st.rerun()


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


def with_current(names: dict[int, str], every: dict[int, str], current: str | None) -> dict[int, str]:
    """The picker's options: the active ones, and the person's own even if archived (kept, not lost)."""
    own = next((i for i, n in every.items() if n == current), None)
    return names if own is None or own in names else {**names, own: t("admin.teams.archived_name", name=current)}


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


def render_edit(frame, team_names: dict, cohort_names: dict, mentor_names: dict, all_teams: dict,
                all_cohorts: dict) -> None:
    """One of the users on the page shown: names, roles, team, cohort, mentor; deactivate; reset password."""
    if frame.empty:
        st.info(t("admin.users.none_on_page"))
    else:
        labels = dict(zip(frame["id"], frame["display_name"] + " (" + frame["username"] + ")"))
        user_id = st.selectbox(t("admin.users.pick"), list(labels), format_func=labels.get,
                               help=t("admin.users.pick_help"))
        row = frame.set_index("id").loc[user_id]
        team_names = with_current(team_names, all_teams, row["team"])
        cohort_names = with_current(cohort_names, all_cohorts, row["cohort"])
        current_roles = [Role(r) for r in row["roles"].split(", ") if r]
        team_form = RecordForm(f"edit_user_team_{user_id}")
        with st.form("edit_user"):
            new_name = st.text_input(t("field.display_name"), value=row["display_name"])
            new_roles = st.multiselect(t("field.roles"), ALL_ROLES, default=current_roles, format_func=role_label,
                                       placeholder=t("widget.choose_many"))
            e1, e2, e3 = st.columns(3)
            team_ids, cohort_ids, mentor_ids = [None, *team_names], [None, *cohort_names], [None, *mentor_names]
            inv_team = {v: k for k, v in all_teams.items()}
            inv_cohort = {v: k for k, v in all_cohorts.items()}
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
issued = st.session_state.pop("bulk_issued", ())
if any(i.password for i in issued):
    show_passwords(issued)
with service_call(t) as session:
    all_teams = {tm.id: tm.name for tm in users.list_teams(session)}
    all_cohorts = {c.id: c.name for c in users.list_cohorts(session)}
    team_names = {tm.id: tm.name for tm in users.active_teams(session)}
    cohort_names = {c.id: c.name for c in users.active_cohorts(session)}
    mentors = users.people_with_role(session, Role.MENTOR)
mentor_names = {m.id: f"{m.display_name} ({m.username})" for m in mentors}

wanted, filters = render_filters(all_teams, all_cohorts)  # a filter finds people in archived ones too
with service_call(t) as session:
    listed = users.user_page(session, actor, wanted, page=filters.page_index())  # past the end: the last page
ticked = render_table(listed, wanted)
render_bulk(ticked, listed.total, wanted, {"teams": team_names, "cohorts": cohort_names, "mentors": mentor_names})

create_tab, edit_tab = st.tabs([t("admin.users.create"), t("admin.users.edit")])
with create_tab:
    render_create(team_names, cohort_names, mentor_names)
with edit_tab:
    render_edit(listed.rows, team_names, cohort_names, mentor_names, all_teams, all_cohorts)
