"""The permission table against an expectation written the other way round, person by person.

`EXPECTED` says, role by role, how far each role reaches for each action, in words about people
(themselves, their mentees, the members of the teams they lead, anyone). The relations between
the people of a small center are written down when it is built (`PLAN`), not read back from the
database. Every persona (one of each role, a lead of another team, a mentor of other new hires,
an agent reading a colleague) is put against every person for every action: `may`, `ensure`,
`people_query` and, for whole teams, `may_over_team` must agree with the expectation.
Then a real service per area is called by the wrong people and must refuse.
"""
from datetime import date, timedelta

import pytest

from portal import analytics, coaching, learning_record, onboarding, permissions, users, wellbeing
from portal.clock import local_today, today, utcnow
from portal.errors import PermissionDenied
from portal.models import Attempt, Exam
from portal.onboarding.rules import CHECKLIST, MET
from portal.qa import calibration, disputes
from portal.quizzes import attempts
from portal.recognition import profile, stars, thanks
from portal.roles import ALL_ROLES, SYSTEM, Role
from portal.teams import membership
from tests.utils.factories import make_cohort, make_team, make_user
from tests.utils.qa_factories import make_call, make_evaluation, make_scorecard

SELF, MENTEES, TEAMS_LED, ANYONE = "self", "their mentees", "members of the teams they lead", "anyone"

EVERY_ROLE_ON_THEMSELVES = {"home:view": SELF, "account:manage_own": SELF, "wellbeing:check_in": SELF,
                            "wellbeing:resources_read": SELF, "notifications:read_own": SELF,
                            "recognition:thank": ANYONE, "recognition:wall": ANYONE, "recognition:profile": SELF,
                            "certificates:download": SELF}
A_LEARNER = {**EVERY_ROLE_ON_THEMSELVES, "quizzes:practice": SELF, "exams:sit": SELF, "exams:attempt_read": SELF,
             "coaching:read_own": SELF, "coaching:read": SELF, "exams:results_read": SELF,
             "qa:evaluations_read": SELF, "qa:acknowledge": SELF, "questions:images": SELF,
             "certificates:recert_own": SELF,
             "record:read": SELF, "contests:take_part": SELF, "contests:board": SELF}

#: role -> action -> how far the role reaches (one relation, or a set of them). An action missing from a
#: role's list is refused to it.
EXPECTED: dict[Role, dict[str, str | frozenset[str]]] = {
    Role.AGENT: A_LEARNER,
    Role.NEWHIRE: {**A_LEARNER, "onboarding:follow_own": SELF, "onboarding:log_calls": SELF,
                   "onboarding:view": SELF},
    Role.MENTOR: {**EVERY_ROLE_ON_THEMSELVES, "onboarding:mentees": MENTEES, "onboarding:journeys": MENTEES,
                  "onboarding:view": MENTEES, "onboarding:review_tickets": MENTEES, "onboarding:sign_off": MENTEES,
                  "exams:results_read": MENTEES, "coaching:write": MENTEES, "coaching:read": MENTEES,
                  "coaching:list": MENTEES, "record:read": MENTEES, "contests:judge": ANYONE,
                  "recognition:profile": frozenset({SELF, MENTEES})},
    Role.LEAD: {**EVERY_ROLE_ON_THEMSELVES, "onboarding:board": TEAMS_LED, "onboarding:journeys": TEAMS_LED,
                "onboarding:view": TEAMS_LED, "exams:results_read": TEAMS_LED, "coaching:write": TEAMS_LED,
                "coaching:read": TEAMS_LED, "coaching:list": TEAMS_LED, "coaching:private_notes": TEAMS_LED,
                "analytics:team_dashboard": TEAMS_LED, "wellbeing:aggregates_read": TEAMS_LED,
                "cohorts:list": ANYONE, "qa:evaluations_read": TEAMS_LED, "qa:disputes_resolve": TEAMS_LED,
                "qa:calibrate": ANYONE, "qa:dashboard": TEAMS_LED,
                "recognition:team_counts": TEAMS_LED, "recognition:compliment": TEAMS_LED,
                "recognition:nominate": TEAMS_LED, "recognition:profile": frozenset({SELF, TEAMS_LED}),
                "certificates:recert_read": TEAMS_LED, "record:read": TEAMS_LED, "contests:board": TEAMS_LED,
                "contests:team_board": TEAMS_LED, "contests:judge": ANYONE},
    Role.TRAINER: {**EVERY_ROLE_ON_THEMSELVES, **{action: ANYONE for action in (
        "exams:attempt_read", "exams:results_read", "onboarding:view", "onboarding:review_tickets",
        "onboarding:board", "onboarding:journeys", "onboarding:sign_off", "onboarding:requirements_read",
        "coaching:write", "coaching:read", "coaching:list", "analytics:team_dashboard", "courses:author",
        "questions:author", "questions:bank", "questions:images", "exams:author", "exams:mark", "exams:item_analysis",
        "cohorts:list", "qa:scorecards_author", "qa:evaluations_read", "qa:calibrate", "qa:dashboard",
        "qa:focus_publish", "certificates:recert_read", "certificates:recert_policy", "record:read", "contests:organise",
        "contests:board", "contests:judge")}},
    Role.ADMIN: {**EVERY_ROLE_ON_THEMSELVES, **{action: ANYONE for action in (
        "exams:results_read", "onboarding:view", "onboarding:journeys", "onboarding:requirements_read",
        "coaching:read", "coaching:list", "analytics:team_dashboard", "wellbeing:aggregates_read",
        "wellbeing:resources_manage", "questions:bank", "questions:images", "users:manage", "teams:manage", "cohorts:list",
        "users:import", "coaching:settings", "audit:read", "settings:read", "qa:calls_manage", "qa:evaluations_read",
        "qa:dashboard", "recognition:team_counts", "recognition:compliment", "recognition:confirm_star",
        "recognition:profile", "certificates:download", "certificates:verify", "certificates:recert_read",
        "record:read", "contests:board", "contests:judge")}},
    Role.QA: {**EVERY_ROLE_ON_THEMSELVES, "record:read": SELF, **{action: ANYONE for action in (
        "qa:calls_manage", "qa:sample", "qa:scorecards_author", "qa:evaluate", "qa:evaluations_read",
        "qa:disputes_resolve", "qa:calibrate", "qa:dashboard", "qa:focus_publish", "recognition:compliment",
        "contests:judge")}},
}

#: Who is who, written down as the center is built: team, mentor, teams led, roles.
PLAN = {
    "admin": dict(role=Role.ADMIN),
    "qa": dict(role=Role.QA),
    "trainer": dict(role=Role.TRAINER),
    "mentor": dict(role=Role.MENTOR, team="A"),
    "other_mentor": dict(role=Role.MENTOR, team="B"),  # the mentor of other new hires
    "lead_a": dict(role=Role.LEAD, leads="A"),
    "lead_b": dict(role=Role.LEAD, leads="B"),  # the lead of another team
    "mentee": dict(role=Role.NEWHIRE, team="A", mentor="mentor"),
    "other_mentee": dict(role=Role.NEWHIRE, team="B", mentor="other_mentor"),
    "agent_a": dict(role=Role.AGENT, team="A"),
    "colleague_a": dict(role=Role.AGENT, team="A"),  # whom agent_a must not read
    "agent_b": dict(role=Role.AGENT, team="B"),
}
PERSONAS = ("admin", "qa", "trainer", "mentor", "other_mentor", "lead_a", "lead_b", "mentee", "agent_a")
START = date(2026, 10, 5)
TODAY, CALL_DAY = date(2026, 10, 21), date(2026, 10, 20)


def relations(viewer: str, subject: str) -> set[str]:
    """How `subject` stands to `viewer`, from the plan."""
    held = {ANYONE}
    if viewer == subject:
        held.add(SELF)
    if PLAN[subject].get("mentor") == viewer:
        held.add(MENTEES)
    if PLAN[viewer].get("leads") and PLAN[subject].get("team") == PLAN[viewer]["leads"]:
        held.add(TEAMS_LED)
    return held


def reach_of(viewer: str, action: str) -> set[str]:
    """The relations over which the viewer's role may take the action (empty: refused)."""
    reach = EXPECTED[PLAN[viewer]["role"]].get(action)
    return set() if reach is None else {reach} if isinstance(reach, str) else set(reach)


def expected(viewer: str, action: str, subject: str | None) -> bool:
    reach = reach_of(viewer, action)
    if not reach:
        return False
    return subject is None or bool(reach & relations(viewer, subject))


@pytest.fixture
def center(session):
    teams = {"A": make_team(session, "Team A"), "B": make_team(session, "Team B")}
    cohort = make_cohort(session, "Intake", START)
    people = {}
    for name, plan in PLAN.items():  # mentors before their mentees (the plan's order)
        team = teams[plan["team"]].id if "team" in plan else None
        mentor = people[plan["mentor"]].id if "mentor" in plan else None
        people[name] = make_user(session, name.replace("_", "."), plan["role"], team_id=team, mentor_id=mentor,
                                 cohort_id=cohort.id if plan["role"] is Role.NEWHIRE else None)
    for name, plan in PLAN.items():
        if "leads" in plan:
            users.set_team_leads(session, SYSTEM, teams[plan["leads"]].id, [people[name].id])
    session.flush()
    return people, teams


def test_every_action_and_every_role_has_an_expectation():
    expected_actions = {action for reach in EXPECTED.values() for action in reach}
    assert expected_actions == set(permissions.PERMISSIONS), "write how far each role reaches in EXPECTED"
    assert set(EXPECTED) == set(ALL_ROLES) == {PLAN[p]["role"] for p in PERSONAS}


@pytest.mark.parametrize("viewer", PERSONAS)
def test_may_ensure_and_people_query_agree_with_the_expectation(session, center, viewer):
    people, teams = center
    actor = people[viewer]
    ids = {person.id: name for name, person in people.items()}
    wrong = []
    for action in permissions.PERMISSIONS:
        if permissions.allowed_at_all(actor, action) != expected(viewer, action, None):
            wrong.append((action, "at all"))
        for subject in PLAN:
            allowed = expected(viewer, action, subject)
            if permissions.may(session, actor, action, people[subject].id) != allowed:
                wrong.append((action, subject))
            try:
                permissions.ensure(session, actor, action, people[subject].id)
                ensured = True
            except PermissionDenied:
                ensured = False
            if ensured != allowed:
                wrong.append((action, subject, "ensure"))
        query = permissions.people_query(session, actor, action)
        listed = {ids[i] for i in session.execute(query).scalars() if i in ids}
        if listed != {subject for subject in PLAN if expected(viewer, action, subject)}:
            wrong.append((action, "people_query", sorted(listed)))
        for key, team in teams.items():
            reach = reach_of(viewer, action)
            whole_team = ANYONE in reach or (TEAMS_LED in reach and PLAN[viewer].get("leads") == key)
            if permissions.may_over_team(session, actor, action, team.id) != whole_team:
                wrong.append((action, f"team {key}"))
    assert wrong == []


# --- real services refuse the wrong people ------------------------------------------------------

def refused(call) -> bool:
    try:
        call()
    except PermissionDenied:
        return True
    return False


@pytest.fixture
def records(session, center):
    """A graded attempt of agent_a, a coaching session about agent_a, a ticket of the mentee."""
    people, teams = center
    exam = Exam(code="written-m", kind="written", title_en="Written", title_zh="笔试")
    session.add(exam)
    session.flush()
    now = utcnow()
    attempt = Attempt(exam_id=exam.id, user_id=people["agent_a"].id, status="graded", started_at=now,
                      submitted_at=now + timedelta(minutes=5), score=8, max_score=10, percent=80, passed=True)
    session.add(attempt)
    session.flush()
    draft = coaching.SessionDraft(agent_id=people["agent_a"].id, held_on=TODAY, focus_area="product_knowledge",
                                  shared_notes="shared", private_notes="private", follow_up_on=None)
    coached = coaching.write_session(session, people["lead_a"], draft)
    call = onboarding.record_supervised_call(session, people["mentee"], call_date=CALL_DAY, call_type="complaint",
                                             ticket_ref="T-1", summary="Chased the repair ticket.", today=TODAY)
    return dict(attempt=attempt.id, coaching=coached, call=call.id, **qa_records(session, people))


def qa_records(session, people) -> dict:
    """A QA evaluation of agent_a by qa, which agent_a disputes; a calibration (qa facilitating, lead_a
    taking part) on a call of agent_a, scored by both and revealed."""
    version = make_scorecard(session)
    marks = {"greet": 2, "verify": 2, "offer": None}
    evaluation = make_evaluation(session, version, people["agent_a"].id, people["qa"].id, marks, utcnow())
    dispute = disputes.raise_dispute(session, people["agent_a"], evaluation.id, {"greet": "I greeted them"})
    qa, lead = people["qa"], people["lead_a"]
    call = make_call(session, people["agent_a"].id)
    session_id = calibration.create_calibration(session, qa, "October", version.id, [call.id], [lead.id])
    for scorer in (qa, lead):
        calibration.submit_scores(session, scorer, session_id, call.id, marks)
    calibration.reveal(session, qa, session_id)
    return dict(evaluation=evaluation.id, dispute=dispute, calibration=session_id)


# (service, who must be refused): the wrong role, the lead of another team, the mentor of other
# new hires, a colleague; each service is also called once by someone it serves, so a refusal
# means the person and not a broken call.
SERVICES = {
    "exam results (a team's)": (
        lambda s, p, t, r, who: analytics.exam_results(s, p[who], analytics.Scope("team", t["A"].id)),
        "lead_a", ("lead_b", "mentor", "agent_a", "mentee")),
    "an exam attempt": (
        lambda s, p, t, r, who: attempts.attempt_view(s, p[who], r["attempt"]),
        "agent_a", ("colleague_a", "lead_a", "mentor", "admin")),
    "an onboarding journey": (
        lambda s, p, t, r, who: onboarding.journey(s, p[who], p["mentee"].id, today=TODAY),
        "mentor", ("other_mentor", "lead_b", "agent_a", "other_mentee")),
    "a coaching session": (
        lambda s, p, t, r, who: coaching.get_session(s, p[who], r["coaching"]),
        "lead_a", ("lead_b", "other_mentor", "colleague_a", "mentor")),
    "a ticket review": (
        lambda s, p, t, r, who: onboarding.review_ticket(s, p[who], r["call"], outcome="passed",
                                                         marks={area: MET for area in CHECKLIST}),
        "mentor", ("other_mentor", "lead_a", "agent_a", "mentee", "admin")),
    "a team's wellbeing": (
        lambda s, p, t, r, who: wellbeing.wellbeing_trend(s, p[who], wellbeing.team_key(t["A"].id), "week"),
        "lead_a", ("lead_b", "trainer", "mentor", "agent_a")),
    "a QA evaluation": (
        lambda s, p, t, r, who: disputes.evaluation_detail(s, p[who], r["evaluation"]),
        "agent_a", ("colleague_a", "lead_b", "mentor", "mentee")),
    "deciding a QA dispute": (  # never by its evaluator (qa), whatever their roles
        lambda s, p, t, r, who: disputes.decide_dispute(s, p[who], r["dispute"],
                                                        {"greet": disputes.Decision("upheld", "Heard it")}),
        "lead_a", ("lead_b", "qa", "trainer", "agent_a")),
    "calibration results": (  # only to those who took part and scored every call
        lambda s, p, t, r, who: calibration.results(s, p[who], r["calibration"]),
        "lead_a", ("trainer", "lead_b", "agent_a", "admin")),
    "a learning record": (
        lambda s, p, t, r, who: learning_record.learning_record(s, p[who], p["mentee"].id),
        "mentor", ("other_mentor", "lead_b", "agent_a", "other_mentee", "qa")),
    "a colleague's learning record": (
        lambda s, p, t, r, who: learning_record.learning_record(s, p[who], p["colleague_a"].id),
        "lead_a", ("agent_a", "lead_b", "mentor", "other_mentor")),
    "nominating a service star": (  # the lead of another team cannot nominate a non-member
        lambda s, p, t, r, who: stars.nominate(s, p[who], p["agent_a"].id, stars.month_of(local_today()), "Calm"),
        "lead_a", ("lead_b", "agent_a", "admin", "qa", "trainer")),
    "a team member's profile": (  # badges and certificates: their lead, not another team's, not a colleague
        lambda s, p, t, r, who: profile.profile(s, p[who], p["agent_a"].id),
        "lead_a", ("lead_b", "colleague_a", "mentor", "other_mentor", "trainer", "qa")),
    "a mentee's profile": (
        lambda s, p, t, r, who: profile.profile(s, p[who], p["mentee"].id),
        "mentor", ("other_mentor", "lead_b", "agent_a", "other_mentee", "trainer")),
    "thanks per team": (  # counts per team, for leads and admins only
        lambda s, p, t, r, who: thanks.team_counts(s, p[who]),
        "lead_a", ("agent_a", "mentor", "trainer", "qa")),
    "user administration": (
        lambda s, p, t, r, who: users.set_active(s, p[who], p["agent_a"].id, True),
        "admin", ("trainer", "lead_a", "mentor", "agent_a")),
    "moving someone to another team": (
        lambda s, p, t, r, who: membership.move_to_team(s, p[who], p["agent_a"].id, t["B"].id, today()),
        "admin", ("trainer", "lead_a", "lead_b", "agent_a")),
}


@pytest.mark.parametrize("service", SERVICES)
def test_each_area_refuses_the_wrong_people_and_serves_the_right_one(session, center, records, service):
    people, teams = center
    call, served, refused_to = SERVICES[service]
    wrongly_served = [who for who in refused_to
                      if not refused(lambda: call(session, people, teams, records, who))]
    assert wrongly_served == []
    assert not refused(lambda: call(session, people, teams, records, served))
