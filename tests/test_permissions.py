"""One permission table (portal/permissions.py): the menu and the services read the same rules.

The matrix tests put every kind of viewer against every kind of subject: the wrong role, the lead
of another team, the mentor of other new hires, an agent reading a colleague.
"""
from datetime import timedelta

import pytest
from sqlmodel import Session

from portal import auth, permissions
from portal.clock import utcnow
from portal.errors import PermissionDenied
from portal.models import Attempt, Exam
from portal.quizzes import results
from portal.roles import ALL_ROLES, Role
from portal.ui.navigation import PAGES, pages_for
from portal.users import set_team_leads
from portal.roles import SYSTEM
from tests.utils.factories import make_team, make_user


@pytest.fixture
def center(session):
    """Two teams with a lead each; a mentor with one mentee in team A; agents in both teams."""
    team_a, team_b = make_team(session, "Team A"), make_team(session, "Team B")
    people = {
        "admin": make_user(session, "admin1", Role.ADMIN),
        "trainer": make_user(session, "trainer1", Role.TRAINER),
        "lead_a": make_user(session, "lead_a", Role.LEAD),
        "lead_b": make_user(session, "lead_b", Role.LEAD),
        "mentor": make_user(session, "mentor1", Role.MENTOR, team_id=team_a.id),
        "other_mentor": make_user(session, "mentor2", Role.MENTOR, team_id=team_b.id),
    }
    people["mentee"] = make_user(session, "newhire1", Role.NEWHIRE, team_id=team_a.id, mentor_id=people["mentor"].id)
    people["agent_a"] = make_user(session, "agent_a", Role.AGENT, team_id=team_a.id)
    people["colleague_a"] = make_user(session, "agent_a2", Role.AGENT, team_id=team_a.id)
    people["agent_b"] = make_user(session, "agent_b", Role.AGENT, team_id=team_b.id)
    set_team_leads(session, SYSTEM, team_a.id, [people["lead_a"].id])
    set_team_leads(session, SYSTEM, team_b.id, [people["lead_b"].id])
    exam = Exam(code="written-1", kind="written", title_en="Written", title_zh="笔试")
    session.add(exam)
    session.flush()
    now = utcnow()
    for who in ("mentee", "agent_a", "colleague_a", "agent_b"):
        session.add(Attempt(exam_id=exam.id, user_id=people[who].id, status="graded", started_at=now,
                            submitted_at=now + timedelta(minutes=5), score=8, max_score=10, percent=80, passed=True))
    session.flush()
    return people


LEARNERS = ("mentee", "agent_a", "colleague_a", "agent_b")
RESULTS_SEEN_BY = {
    "admin": set(LEARNERS),
    "trainer": set(LEARNERS),
    "lead_a": {"mentee", "agent_a", "colleague_a"},
    "lead_b": {"agent_b"},  # the lead of another team sees none of team A
    "mentor": {"mentee"},
    "other_mentor": set(),  # the mentor of other new hires
    "mentee": {"mentee"},
    "agent_a": {"agent_a"},  # never a colleague
    "agent_b": {"agent_b"},
}


@pytest.mark.parametrize("viewer", sorted(RESULTS_SEEN_BY))
def test_exam_results_hold_exactly_the_people_a_viewer_may_read(session, center, viewer):
    ids = {center[name].id: name for name in LEARNERS}
    seen = {ids[i] for i in results.exam_results(session, center[viewer])["user_id"]}
    assert seen == RESULTS_SEEN_BY[viewer]
    asked_for_all = {ids[i] for i in results.exam_results(session, center[viewer], user_ids=list(ids))["user_id"]}
    assert asked_for_all == RESULTS_SEEN_BY[viewer], "asking by id does not widen the view"


@pytest.mark.parametrize("viewer", sorted(RESULTS_SEEN_BY))
def test_may_and_ensure_agree_with_the_matrix(session, center, viewer):
    for subject in LEARNERS:
        expected = subject in RESULTS_SEEN_BY[viewer]
        assert permissions.may(session, center[viewer], "exams:results_read", center[subject].id) is expected
        if expected:
            permissions.ensure(session, center[viewer], "exams:results_read", center[subject].id)
        else:
            with pytest.raises(PermissionDenied):
                permissions.ensure(session, center[viewer], "exams:results_read", center[subject].id)


COACHES_OF = {"trainer": set(LEARNERS), "lead_a": {"mentee", "agent_a", "colleague_a"}, "lead_b": {"agent_b"},
              "mentor": {"mentee"}, "other_mentor": set(), "agent_a": set(), "admin": set()}


@pytest.mark.parametrize("coach", sorted(COACHES_OF))
def test_who_may_coach_whom(session, center, coach):
    allowed = {name for name in LEARNERS if permissions.may(session, center[coach], "coaching:write", center[name].id)}
    assert allowed == COACHES_OF[coach]


def test_every_page_opens_by_a_named_permission_and_menus_are_unchanged():
    assert {page.action for page in PAGES} <= set(permissions.PERMISSIONS)
    menu = {role: {p.path.removeprefix("pages/").removesuffix(".py")
                   for p in pages_for(auth.Actor(id=1, username="x", display_name="x", roles=frozenset({role})))}
            for role in ALL_ROLES}
    everyone = {"home", "inbox", "wellbeing_checkin", "wellbeing_resources", "account_settings", "recognition",
                "training_learning_record",
                "profile"}
    assert menu[Role.NEWHIRE] == everyone | {"training_onboarding", "training_shadowing", "training_supervised",
                                             "training_quizzes", "training_exams", "training_coaching",
                                             "training_quality", "training_contests"}
    assert menu[Role.AGENT] == everyone | {"training_quizzes", "training_exams", "training_coaching",
                                           "training_quality", "training_contests"}
    assert menu[Role.MENTOR] == everyone | {"team_mentees", "team_coaching", "contests_judging"}
    assert menu[Role.LEAD] == everyone | {"team_cohort_board", "team_dashboard", "team_coaching", "wellbeing_team",
                                          "qa_disputes", "qa_calibration", "qa_dashboard", "team_contests",
                                          "contests_judging"}
    assert menu[Role.TRAINER] == everyone | {"authoring_courses", "authoring_questions", "authoring_exams",
                                             "authoring_marking", "authoring_item_analysis", "team_cohort_board",
                                             "team_dashboard", "team_coaching", "authoring_rubrics", "qa_scorecards",
                                             "qa_calibration", "qa_dashboard", "qa_focus", "authoring_recertification",
                                             "authoring_contests", "contests_judging"}
    assert menu[Role.ADMIN] == everyone | {"team_dashboard", "wellbeing_team", "admin_users", "admin_teams",
                                           "admin_import", "admin_coaching_settings", "admin_sign_in", "admin_audit", "admin_settings", "qa_calls",
                                           "qa_dashboard", "admin_certificates", "contests_judging"}


def test_an_unknown_action_is_an_error_not_a_silent_no():
    with pytest.raises(KeyError, match="no permission named"):
        permissions.may(None, permissions.SYSTEM, "exams:sitt")


def test_the_system_actor_is_explicit_and_holds_every_role():
    assert permissions.SYSTEM.roles == frozenset(ALL_ROLES) and permissions.SYSTEM.username == "system"
    assert all(permissions.allowed_at_all(permissions.SYSTEM, action) for action in permissions.PERMISSIONS)


def test_demo_lead_of_team_b_does_not_get_the_whole_center(demo_engine):
    """The leak from the audit: `exam_results` gave any staff role everyone's results."""
    with Session(demo_engine) as session:
        zhao = auth.actor_for(session, auth.find_user(session, "zhao.lei"))
        frame = results.exam_results(session, zhao)
        teams = {auth.find_user(session, u).team_id for u in ("qian.lu", "deng.kai", "cao.ying")}
        from portal.models import User
        seen_teams = {session.get(User, i).team_id for i in frame["user_id"]}
    assert not frame.empty and seen_teams <= teams


@pytest.mark.parametrize("call", [
    lambda s: __import__("portal.users", fromlist=["x"]).create_team(s, None, "Nobody's team"),
    lambda s: __import__("portal.users", fromlist=["x"]).reset_password(s, None, 1),
    lambda s: __import__("portal.quizzes.bank", fromlist=["x"]).list_questions(s, None),
])
def test_none_is_not_an_actor(session, call):
    """`actor=None` used to mean "skip every check"; now only the explicit SYSTEM actor is the system."""
    with pytest.raises((AttributeError, TypeError)):
        call(session)
