"""Bulk work on a selection of users (issue 18): a preview, all or nothing, one audit entry per person;
the Users page's new filters (cohort, status, never signed in, sort)."""
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from portal import auth, users, users_bulk
from portal.clock import today, utcnow
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import AuditEntry, NotificationPreference, User
from portal.roles import Role
from portal.teams.membership import team_on
from tests.utils.factories import make_cohort, make_team, make_user


@pytest.fixture
def admin(session):
    return make_user(session, "root.admin", Role.ADMIN)


def agents(session, count: int, prefix: str = "bulk.agent", **placement) -> list[int]:
    return [make_user(session, f"{prefix}{n:02d}", Role.AGENT, **placement).id for n in range(count)]


@contextmanager
def refused_with(key: str):
    with pytest.raises(ValidationFailed) as refused:
        yield
    assert refused.value.key == key


def entries(session, action: str) -> list[str]:
    return list(session.exec(select(AuditEntry.target).where(AuditEntry.action == action)
                             .order_by(AuditEntry.target)).all())


def test_twenty_people_deactivated_at_once_one_audit_entry_each_and_a_second_time_changes_nothing(session, admin):
    ids = agents(session, 20)
    assert users_bulk.deactivate(session, admin, ids) == 20
    assert not any(session.get(User, i).active for i in ids)
    assert entries(session, "user.deactivated") == [f"bulk.agent{n:02d}" for n in range(20)]
    assert users_bulk.deactivate(session, admin, ids) == 0  # the double click: nothing left to do
    assert len(entries(session, "user.deactivated")) == 20


def test_deactivating_signs_each_person_out(session, admin):
    ids = agents(session, 2)
    token = auth.open_session(session, auth.actor_for(session, session.get(User, ids[0])))
    users_bulk.deactivate(session, admin, ids)
    assert auth.check_session(session, token).actor is None


def test_all_or_nothing_the_admin_in_the_selection_stops_everyone_and_is_named(session, admin):
    ids = agents(session, 3)
    with pytest.raises(users_bulk.BulkRefused) as refused:
        users_bulk.deactivate(session, admin, [*ids, admin.id])
    assert refused.value.problem_texts("en") == ["root.admin: You cannot deactivate your own account."]
    assert all(session.get(User, i).active for i in ids)
    assert entries(session, "user.deactivated") == []


def test_the_preview_says_what_changes_and_what_is_already_so(session, admin):
    ids = agents(session, 3)
    users.set_active(session, admin, ids[0], False)
    rows = users_bulk.preview(session, admin, users_bulk.BulkChange(users_bulk.DEACTIVATE), ids)
    assert [(r.username, r.before, r.after, r.changes) for r in rows] == [
        ("bulk.agent00", "inactive", "inactive", False), ("bulk.agent01", "active", "inactive", True),
        ("bulk.agent02", "active", "inactive", True)]
    rows = users_bulk.preview(session, admin, users_bulk.BulkChange(users_bulk.DEACTIVATE), [*ids, admin.id])
    assert rows[-1].problem == ("users.error.cannot_deactivate_self", {})


def test_nobody_chosen_is_refused(session, admin):
    with refused_with("admin.bulk.error.nobody"):
        users_bulk.deactivate(session, admin, [])


def test_move_team_needs_an_active_team_and_a_date_then_moves_everyone(session, admin):
    old, new, gone = make_team(session, "Old Team"), make_team(session, "New Team"), make_team(session, "Gone Team")
    users.set_team_archived(session, admin, gone.id, True)
    ids = agents(session, 3, team_id=old.id)
    day = today() + timedelta(days=1)
    with refused_with("admin.bulk.error.pick_team"):
        users_bulk.move_team(session, admin, ids, gone.id, day)
    with refused_with("admin.bulk.error.pick_date"):
        users_bulk.move_team(session, admin, ids, new.id, None)
    rows = users_bulk.preview(session, admin, users_bulk.BulkChange(users_bulk.MOVE_TEAM, team_id=new.id,
                                                                     effective=day), ids)
    assert {(r.before, r.after) for r in rows} == {("Old Team", "New Team")}
    assert users_bulk.move_team(session, admin, ids, new.id, day) == 3
    session.flush()
    assert {session.get(User, i).team_id for i in ids} == {new.id}
    assert entries(session, "user.moved_team") == ["bulk.agent00", "bulk.agent01", "bulk.agent02"]
    assert {(team_on(session, i, today()), team_on(session, i, day)) for i in ids} == {
        (old.id, new.id)}  # dated: the history before the move stays with the old team
    assert users_bulk.move_team(session, admin, ids, new.id, day) == 0  # a second click: nothing


def test_a_move_dated_too_far_ahead_names_everyone_it_refuses(session, admin):
    old, new = make_team(session, "Old Team"), make_team(session, "New Team")
    ids = agents(session, 2, team_id=old.id)
    with pytest.raises(users_bulk.BulkRefused) as refused:
        users_bulk.move_team(session, admin, ids, new.id, today() + timedelta(days=400))
    assert [text.split(":")[0] for text in refused.value.problem_texts("en")] == ["bulk.agent00", "bulk.agent01"]


def test_assign_mentor_uses_the_one_mentor_rule_and_refuses_a_mentor_of_themselves(session, admin):
    mentor = make_user(session, "good.mentor", Role.MENTOR)
    not_a_mentor = make_user(session, "plain.agent", Role.AGENT)
    ids = agents(session, 2)
    with refused_with("users.error.mentor_without_role"):
        users_bulk.assign_mentor(session, admin, ids, not_a_mentor.id)
    with pytest.raises(users_bulk.BulkRefused):
        users_bulk.assign_mentor(session, admin, [*ids, mentor.id], mentor.id)
    assert all(session.get(User, i).mentor_id is None for i in ids)
    assert users_bulk.assign_mentor(session, admin, ids, mentor.id) == 2
    assert {session.get(User, i).mentor_id for i in ids} == {mentor.id}
    assert entries(session, "user.assigned") == ["bulk.agent00", "bulk.agent01"]


def test_assign_cohort_refuses_an_archived_one_and_keeps_each_team_and_mentor(session, admin):
    team = make_team(session)
    intake, old = make_cohort(session, "Intake Dec"), make_cohort(session, "Intake Old", date(2025, 1, 1))
    users.set_cohort_archived(session, admin, old.id, True)
    ids = agents(session, 2, team_id=team.id)
    with refused_with("admin.bulk.error.pick_cohort"):
        users_bulk.assign_cohort(session, admin, ids, old.id)
    assert users_bulk.assign_cohort(session, admin, ids, intake.id) == 2
    assert {(session.get(User, i).cohort_id, session.get(User, i).team_id) for i in ids} == {(intake.id, team.id)}


def test_reset_passwords_shows_each_once_or_mails_it_when_there_is_an_address(session, admin):
    ids = agents(session, 2)
    session.add(NotificationPreference(user_id=ids[1], email="agent01@example.com"))
    session.flush()
    sent = []
    issued = users_bulk.reset_passwords(session, admin, ids,
                                        mailer=lambda user, address, password: sent.append((user.username, address,
                                                                                             password)))
    assert [(i.username, i.password is not None, i.emailed_to) for i in issued] == [
        ("bulk.agent00", True, None), ("bulk.agent01", False, "agent01@example.com")]
    assert [s[:2] for s in sent] == [("bulk.agent01", "agent01@example.com")]
    for username, password in (("bulk.agent00", issued[0].password), ("bulk.agent01", sent[0][2])):
        actor = auth.authenticate(session, username, password)
        assert actor.must_change_password
    assert entries(session, "password.reset") == ["bulk.agent00", "bulk.agent01"]


def test_reset_passwords_without_e_mail_shows_them_all(session, admin):
    ids = agents(session, 2)
    issued = users_bulk.reset_passwords(session, admin, ids)
    assert all(i.password and i.emailed_to is None for i in issued)


@pytest.mark.parametrize("role", [Role.LEAD, Role.TRAINER, Role.AGENT])
def test_only_admins_act_in_bulk(session, role):
    someone = make_user(session, "someone", role)
    ids = agents(session, 1)
    team, cohort = make_team(session), make_cohort(session)
    mentor = make_user(session, "a.mentor", Role.MENTOR)
    for call in (lambda: users_bulk.deactivate(session, someone, ids),
                 lambda: users_bulk.move_team(session, someone, ids, team.id, date(2026, 12, 1)),
                 lambda: users_bulk.assign_mentor(session, someone, ids, mentor.id),
                 lambda: users_bulk.assign_cohort(session, someone, ids, cohort.id),
                 lambda: users_bulk.reset_passwords(session, someone, ids),
                 lambda: users_bulk.preview(session, someone, users_bulk.BulkChange(users_bulk.DEACTIVATE), ids),
                 lambda: users_bulk.matching_ids(session, someone, users.UserFilter())):
        with pytest.raises(PermissionDenied):
            call()
    assert session.get(User, ids[0]).active


# --- the Users page's filters ------------------------------------------------------------------------

def _old(session, user_id: int, days: int = 10) -> None:
    session.get(User, user_id).created_at = utcnow() - timedelta(days=days)
    session.flush()


def test_filters_by_cohort_and_status_and_never_signed_in(session, admin):
    intake = make_cohort(session, "Intake F")
    in_cohort = agents(session, 2, prefix="in.cohort", cohort_id=intake.id)
    others = agents(session, 2, prefix="other")
    users.set_active(session, admin, others[1], False)
    for user_id in (*in_cohort, *others):
        _old(session, user_id)
    auth.open_session(session, auth.actor_for(session, session.get(User, in_cohort[0])))

    def names(**wanted):
        return users.user_page(session, admin, users.UserFilter(**wanted)).rows["username"].tolist()
    assert names(cohort_id=intake.id) == ["in.cohort00", "in.cohort01"]
    assert names(status=users.INACTIVE) == ["other01"]
    assert "other01" not in names(status=users.ACTIVE)
    assert names(status=users.NEVER_SIGNED_IN, search="o") == ["in.cohort01", "other00"]  # not the admin (new)


def test_never_signed_in_is_the_rule_homes_to_do_counts(session, admin):
    from portal.todo.staff import admin_items

    ids = agents(session, 3)
    for user_id in ids:
        _old(session, user_id)
    listed = users.user_page(session, admin, users.UserFilter(status=users.NEVER_SIGNED_IN)).total
    assert [dict(item.params)["count"] for item in admin_items(session, admin)] == [listed] == [3]


def test_sorts_by_name_team_or_newest_either_way(session, admin):
    a, b = make_team(session, "Alpha"), make_team(session, "Beta")
    make_user(session, "s.one", Role.AGENT, team_id=b.id)
    make_user(session, "s.two", Role.AGENT, team_id=a.id)

    def order(**wanted):
        return users.user_page(session, admin, users.UserFilter(search="s.", **wanted)).rows["username"].tolist()
    assert order() == ["s.one", "s.two"]
    assert order(sort="team") == ["s.two", "s.one"]
    assert order(sort="team", descending=True) == ["s.one", "s.two"]
    assert order(sort="username", descending=True) == ["s.two", "s.one"]


def test_matching_ids_reaches_past_the_first_page(session, admin):
    agents(session, 60, prefix="many")
    ids = users_bulk.matching_ids(session, admin, users.UserFilter(search="many"))
    assert len(ids) == 60


def _users_page(engine, **params):
    from tests.utils.apptest import app_as

    at = app_as(engine, "admin").run()
    at.query_params.update(params)
    return at.switch_page("pages/admin_users.py").run()


def test_homes_never_signed_in_link_narrows_the_users_page(demo_engine):
    """Home's admin to-do links to `admin_users?filter=never_signed_in`: the page used to ignore it."""
    from tests.utils.apptest import errors_of

    with Session(demo_engine) as session:
        never = session.exec(select(func.count(User.id)).where(*users.never_signed_in())).one()
        user = User(username="zz.never", display_name="Zz Never", password_hash="x",
                    created_at=utcnow() - timedelta(days=30))
        session.add(user)
        session.commit()
    at = _users_page(demo_engine, filter="never_signed_in")
    assert not errors_of(at)
    assert at.selectbox(key="users_status").value == users.NEVER_SIGNED_IN
    shown = at.dataframe[0].value["username"].tolist()
    assert "zz.never" in shown and "admin" not in shown and len(shown) == never + 1


def test_the_page_previews_a_reset_of_everyone_the_filter_matches_and_shows_passwords_once(demo_engine):
    """In the page: everyone the filter matches, reset passwords, the preview naming each; the temporary passwords
    shown once. (AppTest reruns the whole script, not a dialog: the confirmation itself is the browser test's.)"""
    from tests.utils.apptest import errors_of

    with Session(demo_engine) as session:
        ids = [make_user(session, f"zz.reset{n}", Role.AGENT).id for n in range(3)]
        session.commit()
    at = _users_page(demo_engine, q="zz.reset")
    at.toggle(key="bulk_every").set_value(True).run()
    at.selectbox(key="bulk_action").set_value(users_bulk.RESET_PASSWORDS).run()
    at.button(key="bulk_review").click().run()
    assert not errors_of(at)
    assert "3 people will change:" in [m.value for m in at.markdown]
    preview = next(frame.value for frame in at.dataframe if "Person" in frame.value.columns)
    assert preview["Person"].tolist() == [f"Zz.Reset{n} (zz.reset{n})" for n in range(3)]
    with Session(demo_engine) as session:
        assert all(not session.get(User, i).must_change_password for i in ids)  # nothing changed before confirming
    at.session_state["bulk_issued"] = [users_bulk.IssuedPassword(ids[0], "Zz.Reset0", "zz.reset0", "temp-Pass-123")]
    at.run()
    shown = next(frame.value for frame in at.dataframe if "Temporary password" in frame.value.columns)
    assert shown["Temporary password"].tolist() == ["temp-Pass-123"]
    at.run()  # the next run: not shown again
    assert not any("Temporary password" in frame.value.columns for frame in at.dataframe)
