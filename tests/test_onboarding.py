"""The onboarding journey through its services, on SQLite and PostgreSQL: reading, the floor,
sign-off rules, permissions, requirement overrides and the cohort board."""
import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from portal import onboarding, users
from portal.clock import local_today, utcnow
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import AuditEntry, ModuleProgress, ShadowingCall, StageSignoff, SupervisedCall, TicketReview, User, \
    UserRole
from portal.onboarding import JourneyStatus, RequirementsNotMet
from portal.onboarding.journey import NEW_HIRE_COLUMNS, build_journeys
from portal.onboarding.rules import CHECKLIST, MET, MISSED, PARTLY, StageStatus
from portal.roles import Actor, Role
from portal.roles import SYSTEM
from tests.utils.factories import record_practice_score, make_cohort, make_team, make_user

START = date(2026, 10, 5)           # a Monday
TODAY = date(2026, 10, 21)          # Wednesday of the shadowing week
CALL_DAY = date(2026, 10, 20)
ALL_MET = {area: MET for area in CHECKLIST}


@dataclass
class World:
    admin: Actor
    trainer: Actor
    mentor: Actor
    other_mentor: Actor
    lead: Actor
    newhire: Actor
    other_newhire: Actor
    agent: Actor
    cohort_id: int
    team_a: int
    team_b: int


@pytest.fixture
def world(session) -> World:
    team_a, team_b = make_team(session, "Team A"), make_team(session, "Team B")
    cohort = make_cohort(session, "Intake", START)
    mentor = make_user(session, "men.tor", Role.MENTOR, team_id=team_a.id)
    other_mentor = make_user(session, "other.mentor", Role.MENTOR, team_id=team_b.id)
    lead = make_user(session, "le.ad", Role.LEAD)
    users.set_team_leads(session, SYSTEM, team_a.id, [lead.id])
    return World(
        admin=make_user(session, "ad.min", Role.ADMIN), trainer=make_user(session, "train.er", Role.TRAINER),
        mentor=mentor, other_mentor=other_mentor, lead=lead,
        newhire=make_user(session, "new.hire", Role.NEWHIRE, team_id=team_a.id, cohort_id=cohort.id,
                          mentor_id=mentor.id),
        other_newhire=make_user(session, "other.hire", Role.NEWHIRE, team_id=team_b.id, cohort_id=cohort.id,
                                mentor_id=other_mentor.id),
        agent=make_user(session, "ag.ent", Role.AGENT, team_id=team_a.id),
        cohort_id=cohort.id, team_a=team_a.id, team_b=team_b.id)


def count(session, table) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def audit_entries(session, action: str) -> list[AuditEntry]:
    return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def read_stage(session, actor, stage_key: str) -> None:
    """Read every module of the stage and pass the practice quizzes they link to."""
    for module in onboarding.current_programme().stage(stage_key).modules:
        onboarding.complete_module(session, actor, module.id, minutes=5)
        if module.quiz:
            record_practice_score(session, actor.id, module.quiz, 90.0)


def pass_stage(session, world: World, stage_key: str) -> None:
    """Meet a classroom stage's requirements and have the trainer sign it off."""
    read_stage(session, world.newhire, stage_key)
    onboarding.sign_off(session, world.trainer, world.newhire.id, stage_key, "passed", today=TODAY)


def log_shadowing(session, actor, n: int) -> None:
    for _ in range(n):
        onboarding.record_shadowing_call(session, actor, call_date=CALL_DAY, call_type="complaint",
                                         did_well="Feelings first.", learned="Read the history first.", today=TODAY)


def take_calls(session, world: World, pattern: str, start: int = 0) -> None:
    """One supervised call per letter: P passed, R needs rework, - waiting for review."""
    for i, letter in enumerate(pattern, start=start):
        call = onboarding.record_supervised_call(session, world.newhire, call_date=CALL_DAY, call_type="plan_change",
                                                 ticket_ref=f"T-{i:03d}", summary="Upgrade read back.", today=TODAY)
        session.flush()
        if letter != "-":
            marks = ALL_MET if letter == "P" else {**ALL_MET, "accuracy": MISSED}
            onboarding.review_ticket(session, world.mentor, call.id, outcome="passed" if letter == "P" else "rework",
                                     marks=marks, comment="" if letter == "P" else "Wrong price quoted.")


def journey_of(session, world: World, **kw):
    return onboarding.journey(session, world.newhire, world.newhire.id, today=TODAY, **kw)


# --------------------------------------------------------------------------- reading modules


def test_a_new_hire_opens_and_completes_a_module_with_time_spent_and_version(session, world):
    module = onboarding.current_programme().stage("theory").modules[0]
    opened = utcnow() - timedelta(minutes=7, seconds=30)
    onboarding.open_module(session, world.newhire, module.id, now=opened)
    row = onboarding.complete_module(session, world.newhire, module.id)
    assert (row.minutes_spent, row.version) == (8, module.version)
    state = journey_of(session, world).stage("theory").modules[0]
    assert state.done and not state.outdated
    with pytest.raises(ValidationFailed, match="already completed"):
        onboarding.complete_module(session, world.newhire, module.id, minutes=5)


def test_time_spent_is_capped_and_entered_minutes_are_checked(session, world):
    first, second = onboarding.current_programme().stage("theory").modules[:2]
    onboarding.open_module(session, world.newhire, first.id, now=utcnow() - timedelta(hours=5))
    assert onboarding.complete_module(session, world.newhire, first.id).minutes_spent == first.minutes * 3
    with pytest.raises(ValidationFailed, match="Open the module"):
        onboarding.complete_module(session, world.newhire, second.id)
    for bad in (0, -5, 241):
        with pytest.raises(ValidationFailed, match="from 1 to 240"):
            onboarding.complete_module(session, world.newhire, second.id, minutes=bad)
    assert onboarding.complete_module(session, world.newhire, second.id, minutes=12).minutes_spent == 12
    with pytest.raises(NotFound):
        onboarding.open_module(session, world.newhire, "no-such-module")


def test_a_changed_module_text_shows_as_outdated_and_can_be_completed_again(session, world):
    module = onboarding.current_programme().stage("theory").modules[0]
    onboarding.complete_module(session, world.newhire, module.id, minutes=5)
    row = session.exec(select(ModuleProgress)).one()
    row.version = "0ld0ld0ld0ld"
    session.add(row)
    session.flush()
    assert journey_of(session, world).stage("theory").modules[0].outdated
    assert onboarding.complete_module(session, world.newhire, module.id, minutes=6).version == module.version


@pytest.mark.parametrize("who", ["mentor", "trainer", "agent"])
def test_only_new_hires_record_their_own_progress(session, world, who):
    actor = getattr(world, who)
    module = onboarding.current_programme().stage("theory").modules[0]
    with pytest.raises(PermissionDenied):
        onboarding.complete_module(session, actor, module.id, minutes=5)
    with pytest.raises(PermissionDenied):
        log_shadowing(session, actor, 1)
    assert count(session, ModuleProgress) == count(session, ShadowingCall) == 0


# --------------------------------------------------------------------------- the shadowing log


def test_shadowing_calls_are_logged_and_counted(session, world):
    log_shadowing(session, world.newhire, 3)
    onboarding.record_shadowing_call(session, world.newhire, call_date=CALL_DAY, call_type="loss_report",
                                     did_well="  Suspended the SIM first. ", learned="Loss first.", questions="",
                                     today=TODAY)
    session.flush()
    log = onboarding.shadowing_log(session, world.mentor, world.newhire.id)
    assert len(log) == 4 and log.iloc[0]["did_well"] == "Suspended the SIM first."
    stage = journey_of(session, world).stage("shadowing")
    assert stage.evaluation.checks[0].current == 4 and stage.evaluation.progress == pytest.approx(4 / 30)
    assert stage.progress == pytest.approx(0.9 * 4 / 30)  # the sign-off is the last tenth of a stage


@pytest.mark.parametrize("change,message", [
    ({"call_date": TODAY + timedelta(days=1)}, "in the future"),
    ({"call_date": START - timedelta(days=1)}, "before your programme started"),
    ({"call_date": None}, "Enter the date"),
    ({"call_type": "gossip"}, "Unknown call type"),
    ({"did_well": "   "}, "what the agent did well"),
    ({"learned": ""}, "what you learned"),
    ({"questions": "x" * 2001}, "at most 2000 characters"),
])
def test_bad_shadowing_entries_are_refused_and_nothing_is_saved(session, world, change, message):
    entry = dict(call_date=CALL_DAY, call_type="complaint", did_well="Calm.", learned="History first.", questions="")
    with pytest.raises(ValidationFailed, match=message):
        onboarding.record_shadowing_call(session, world.newhire, today=TODAY, **{**entry, **change})
    session.flush()
    assert count(session, ShadowingCall) == 0


# --------------------------------------------------------------------------- supervised calls and reviews


def test_the_mentor_reviews_a_ticket_and_the_review_is_audited(session, world):
    call = onboarding.record_supervised_call(session, world.newhire, call_date=CALL_DAY, call_type="complaint",
                                             ticket_ref=" 2610-0042 ", summary="Chased the repair ticket.",
                                             today=TODAY)
    queue = onboarding.review_queue(session, world.mentor)
    assert [(p.call_id, p.ticket_ref) for p in queue] == [(call.id, "2610-0042")]
    assert onboarding.review_queue(session, world.other_mentor) == []
    marks = {**ALL_MET, "closing": PARTLY, "resolution": PARTLY}
    onboarding.review_ticket(session, world.mentor, call.id, outcome="passed", marks=marks)
    assert onboarding.review_queue(session, world.mentor) == []
    calls = onboarding.supervised_calls(session, world.newhire, world.newhire.id)
    assert calls.iloc[0][["outcome", "points", "critical_miss"]].tolist() == ["passed", 80, False]
    entry = audit_entries(session, "ticket.reviewed")[0]
    assert entry.actor_id == world.mentor.id and entry.target == "new.hire"
    assert json.loads(entry.details)["ticket"] == "2610-0042"


def test_ticket_review_rules(session, world):
    call = onboarding.record_supervised_call(session, world.newhire, call_date=CALL_DAY, call_type="complaint",
                                             ticket_ref="T-1", summary="Summary.", today=TODAY)
    session.flush()
    review = dict(outcome="passed", marks=ALL_MET)
    with pytest.raises(PermissionDenied):
        onboarding.review_ticket(session, world.other_mentor, call.id, **review)
    with pytest.raises(PermissionDenied):
        onboarding.review_ticket(session, world.newhire, call.id, **review)
    with pytest.raises(PermissionDenied):
        onboarding.review_ticket(session, world.lead, call.id, **review)
    with pytest.raises(ValidationFailed, match="critical miss cannot pass"):
        onboarding.review_ticket(session, world.mentor, call.id, outcome="passed",
                                 marks={**ALL_MET, "verification": MISSED})
    with pytest.raises(ValidationFailed, match="70 points"):
        onboarding.review_ticket(session, world.mentor, call.id, outcome="passed",
                                 marks={**ALL_MET, "accuracy": MISSED, "closing": PARTLY})
    with pytest.raises(ValidationFailed, match="what needs rework"):
        onboarding.review_ticket(session, world.mentor, call.id, outcome="rework", marks=ALL_MET, comment=" ")
    with pytest.raises(ValidationFailed, match="4 not chosen yet"):
        onboarding.review_ticket(session, world.mentor, call.id, outcome="passed", marks={"greeting": MET})
    with pytest.raises(ValidationFailed, match="Mark every checklist area"):
        onboarding.review_ticket(session, world.mentor, call.id, outcome="passed", marks={**ALL_MET, "closing": 7})
    with pytest.raises(ValidationFailed, match="Unknown outcome"):
        onboarding.review_ticket(session, world.mentor, call.id, outcome="great", marks=ALL_MET)
    session.flush()
    assert count(session, TicketReview) == 0
    onboarding.review_ticket(session, world.trainer, call.id, **review)  # a trainer may review too
    with pytest.raises(ValidationFailed, match="already been reviewed"):
        onboarding.review_ticket(session, world.mentor, call.id, **review)


def test_a_review_with_an_area_or_the_outcome_not_chosen_is_refused_naming_them(session, world):
    """Issue 12 item 10: a review was saved with no radio chosen (the form defaulted every area to met)."""
    call = onboarding.record_supervised_call(session, world.newhire, call_date=CALL_DAY, call_type="complaint",
                                             ticket_ref="T-2", summary="Summary.", today=TODAY)
    blank = {area: None for area in ALL_MET}
    with pytest.raises(ValidationFailed) as refused:
        onboarding.review_ticket(session, world.mentor, call.id, outcome=None, marks=blank)
    assert refused.value.key == "onboarding.error.checklist_unchosen" and refused.value.params["count"] == 5
    with pytest.raises(ValidationFailed, match=r"1 not chosen yet \(Verification\)"):
        onboarding.review_ticket(session, world.mentor, call.id, outcome="passed",
                                 marks={**ALL_MET, "verification": None})
    with pytest.raises(ValidationFailed, match="Choose the review"):
        onboarding.review_ticket(session, world.mentor, call.id, outcome=None, marks=ALL_MET)
    session.flush()
    assert count(session, TicketReview) == 0


def test_supervised_call_input_is_checked(session, world):
    entry = dict(call_date=CALL_DAY, call_type="complaint", ticket_ref="T-1", summary="Summary.", today=TODAY)
    onboarding.record_supervised_call(session, world.newhire, **entry)
    with pytest.raises(ValidationFailed, match="already logged a call with ticket T-1"):
        onboarding.record_supervised_call(session, world.newhire, **entry)
    with pytest.raises(ValidationFailed, match="ticket number"):
        onboarding.record_supervised_call(session, world.newhire, **{**entry, "ticket_ref": "  "})
    with pytest.raises(ValidationFailed, match="summary"):
        onboarding.record_supervised_call(session, world.newhire, **{**entry, "ticket_ref": "T-2", "summary": ""})
    with pytest.raises(ValidationFailed, match="in the future"):
        onboarding.record_supervised_call(session, world.newhire, **{**entry, "ticket_ref": "T-3",
                                                                     "call_date": TODAY + timedelta(days=2)})
    session.flush()
    assert count(session, SupervisedCall) == 1


# --------------------------------------------------------------------------- sign-off


def test_a_stage_passes_only_when_requirements_are_met_and_it_is_signed_off(session, world):
    with pytest.raises(RequirementsNotMet) as refused:
        onboarding.sign_off(session, world.trainer, world.newhire.id, "theory", "passed", today=TODAY)
    assert [c.name for c in refused.value.evaluation.unmet] == ["modules", "quiz_not_taken"]
    assert count(session, StageSignoff) == 0
    read_stage(session, world.newhire, "theory")
    theory = journey_of(session, world).stage("theory")
    assert theory.status is StageStatus.AWAITING_SIGNOFF  # met, but not complete without the sign-off
    onboarding.sign_off(session, world.trainer, world.newhire.id, "theory", "passed", today=TODAY)
    journey = journey_of(session, world)
    assert journey.stage("theory").status is StageStatus.PASSED and journey.current.key == "product"
    assert journey.stage("theory").passed_on is not None
    entry = audit_entries(session, "stage.signed_off")[0]
    details = json.loads(entry.details)
    assert (entry.actor_id, details["stage"], details["outcome"]) == (world.trainer.id, "theory", "passed")
    assert {"name": "modules", "status": "met", "current": 3, "target": 3, "subject": ""} in details["checks"]
    with pytest.raises(ValidationFailed, match="already signed off"):
        onboarding.sign_off(session, world.trainer, world.newhire.id, "theory", "passed", today=TODAY)


def test_stages_are_signed_off_in_order(session, world):
    read_stage(session, world.newhire, "product")
    with pytest.raises(ValidationFailed, match="in order; the current stage is “theory”"):
        onboarding.sign_off(session, world.trainer, world.newhire.id, "product", "passed", today=TODAY)


def test_who_may_sign_off_which_stage(session, world):
    read_stage(session, world.newhire, "theory")
    for actor in (world.mentor, world.other_mentor, world.lead, world.admin, world.agent, world.other_newhire):
        with pytest.raises(PermissionDenied):
            onboarding.sign_off(session, actor, world.newhire.id, "theory", "passed", today=TODAY)
    with pytest.raises(PermissionDenied, match="own stage"):
        onboarding.sign_off(session, world.newhire, world.newhire.id, "theory", "passed", today=TODAY)
    onboarding.sign_off(session, world.trainer, world.newhire.id, "theory", "passed", today=TODAY)
    for key in ("product", "systems_skills"):
        pass_stage(session, world, key)
    log_shadowing(session, world.newhire, 30)
    with pytest.raises(PermissionDenied):  # a mentor, but not this new hire's
        onboarding.sign_off(session, world.other_mentor, world.newhire.id, "shadowing", "passed", today=TODAY)
    onboarding.sign_off(session, world.mentor, world.newhire.id, "shadowing", "passed", today=TODAY)
    assert journey_of(session, world).current.key == "supervised_calls"


def test_a_trainer_may_also_sign_off_floor_stages(session, world):
    for key in ("theory", "product", "systems_skills"):
        pass_stage(session, world, key)
    log_shadowing(session, world.newhire, 30)
    onboarding.sign_off(session, world.trainer, world.newhire.id, "shadowing", "passed", today=TODAY)
    assert journey_of(session, world).stage("shadowing").status is StageStatus.PASSED


def test_nobody_signs_off_their_own_stage_even_as_trainer(session, world):
    trainee = make_user(session, "trainer.trainee", Role.TRAINER, Role.NEWHIRE, cohort_id=world.cohort_id)
    read_stage(session, trainee, "theory")
    with pytest.raises(PermissionDenied, match="own stage"):
        onboarding.sign_off(session, trainee, trainee.id, "theory", "passed", today=TODAY)


def test_graduation_from_supervised_calls_with_the_default_rule(session, world):
    for key in ("theory", "product", "systems_skills"):
        pass_stage(session, world, key)
    log_shadowing(session, world.newhire, 30)
    onboarding.sign_off(session, world.mentor, world.newhire.id, "shadowing", "passed", today=TODAY)
    take_calls(session, world, "P" * 10 + "R" + "P" * 9)  # 20 reviewed, but a rework among the last 10
    with pytest.raises(RequirementsNotMet):
        onboarding.sign_off(session, world.mentor, world.newhire.id, "supervised_calls", "passed", today=TODAY)
    take_calls(session, world, "P-", start=20)              # the last 10 now pass, but a ticket waits for review
    stage = journey_of(session, world).stage("supervised_calls")
    assert [c.name for c in stage.evaluation.unmet] == ["pending"]
    pending = onboarding.review_queue(session, world.mentor)[0]
    onboarding.review_ticket(session, world.mentor, pending.call_id, outcome="passed", marks=ALL_MET)
    onboarding.sign_off(session, world.mentor, world.newhire.id, "supervised_calls", "passed", today=TODAY)
    journey = journey_of(session, world)
    assert journey.status is JourneyStatus.GRADUATED and journey.current is None and journey.overall_progress == 1.0


def test_asked_to_repeat_reopens_the_stage_with_the_reason(session, world):
    read_stage(session, world.newhire, "theory")
    with pytest.raises(ValidationFailed, match="Give a reason"):
        onboarding.sign_off(session, world.trainer, world.newhire.id, "theory", "repeat", reason="  ", today=TODAY)
    onboarding.sign_off(session, world.trainer, world.newhire.id, "theory", "repeat",
                        reason="Retake the rules quiz with me on Friday.", today=TODAY)
    journey = journey_of(session, world)
    theory = journey.stage("theory")
    assert theory.status is StageStatus.AWAITING_SIGNOFF and theory.asked_to_repeat and journey.asked_to_repeat
    assert theory.last_signoff.reason == "Retake the rules quiz with me on Friday."
    onboarding.sign_off(session, world.trainer, world.newhire.id, "theory", "passed", today=TODAY)
    theory = journey_of(session, world).stage("theory")
    assert theory.status is StageStatus.PASSED and not theory.asked_to_repeat
    assert [r.outcome.value for r in theory.signoffs] == ["repeat", "passed"]


def test_a_withdrawn_new_hire_can_record_nothing_more(session, world):
    onboarding.sign_off(session, world.trainer, world.newhire.id, "theory", "withdrawn",
                        reason="Left for another job.", today=TODAY)
    journey = journey_of(session, world)
    assert journey.status is JourneyStatus.WITHDRAWN and journey.current is None
    assert {s.status for s in journey.stages} == {StageStatus.WITHDRAWN}
    assert not journey.stalled and not journey.behind_schedule
    with pytest.raises(ValidationFailed, match="withdrawn"):
        log_shadowing(session, world.newhire, 1)
    with pytest.raises(ValidationFailed, match="withdrawn"):
        onboarding.sign_off(session, world.trainer, world.newhire.id, "theory", "passed", today=TODAY)


# --------------------------------------------------------------------------- who sees whom


@pytest.mark.parametrize("viewer,sees_newhire,sees_other", [
    ("newhire", True, False), ("mentor", True, False), ("other_mentor", False, True), ("lead", True, False),
    ("trainer", True, True), ("admin", True, True), ("agent", False, False), ("other_newhire", False, True),
])
def test_who_sees_whose_journey(session, world, viewer, sees_newhire, sees_other):
    actor = getattr(world, viewer)
    for target, allowed in ((world.newhire, sees_newhire), (world.other_newhire, sees_other)):
        if allowed:
            assert onboarding.journey(session, actor, target.id, today=TODAY).user_id == target.id
        else:
            with pytest.raises(PermissionDenied):
                onboarding.journey(session, actor, target.id, today=TODAY)
            with pytest.raises(PermissionDenied):
                onboarding.shadowing_log(session, actor, target.id)


@pytest.mark.parametrize("viewer,expected", [
    ("trainer", {"new.hire", "other.hire"}), ("admin", {"new.hire", "other.hire"}), ("lead", {"new.hire"}),
    ("mentor", {"new.hire"}), ("other_mentor", {"other.hire"}),
])
def test_the_cohort_board_shows_only_the_new_hires_one_may_see(session, world, viewer, expected):
    board = onboarding.cohort_board(session, getattr(world, viewer), today=TODAY)
    assert list(board.columns) == onboarding.BOARD_COLUMNS
    assert set(board["username"]) == expected


@pytest.mark.parametrize("viewer", ["newhire", "agent"])
def test_new_hires_and_agents_get_no_cohort_board(session, world, viewer):
    with pytest.raises(PermissionDenied):
        onboarding.cohort_board(session, getattr(world, viewer))


def test_the_board_filters_by_cohort_and_team(session, world):
    other_cohort = make_cohort(session, "Later intake", START + timedelta(days=60))
    assert set(onboarding.cohort_board(session, world.trainer, team_id=world.team_b, today=TODAY)["username"]) \
        == {"other.hire"}
    assert onboarding.cohort_board(session, world.trainer, cohort_id=other_cohort.id, today=TODAY).empty


def _add_new_hires(session, world, count: int, *, team_id: int) -> list[str]:
    """`count` new hires of the world's cohort straight into the tables (no password hashing)."""
    names = [f"hire{n:03d}" for n in range(count)]
    for name in names:
        user = User(username=name, display_name=f"Hire {name[4:]}", password_hash="x", team_id=team_id,
                    cohort_id=world.cohort_id)
        session.add(user)
        session.flush()
        session.add(UserRole(user_id=user.id, role=Role.NEWHIRE.value))
    session.flush()
    return names


def test_the_board_builds_one_page_of_journeys_and_counts_the_rest(session, world):
    """Issue 15: a page of the board costs the same however large the cohort: page 2 has the next rows
    by name, the total is counted in SQL, and the filters combine with the paging."""
    _add_new_hires(session, world, 60, team_id=world.team_a)
    everyone = [j.display_name for j in onboarding.visible_journeys(session, world.trainer, today=TODAY)]
    assert len(everyone) == 62
    first = onboarding.board_page(session, world.trainer, cohort_id=world.cohort_id, today=TODAY, page_size=25)
    second = onboarding.board_page(session, world.trainer, cohort_id=world.cohort_id, today=TODAY, page=1,
                                   page_size=25)
    assert (first.total, second.total) == (62, 62)
    assert [j.display_name for j in first.rows] == everyone[:25] == [j.display_name for j in first.counted]
    assert [j.display_name for j in second.rows] == everyone[25:50]
    team_b = onboarding.board_page(session, world.trainer, cohort_id=world.cohort_id, team_id=world.team_b,
                                   today=TODAY)
    assert team_b.total == 1 and [j.username for j in team_b.rows] == ["other.hire"]
    assert onboarding.count_new_hires(session, world.trainer, team_id=world.team_a) == 61


def test_a_leads_board_page_holds_only_their_teams(session, world):
    _add_new_hires(session, world, 30, team_id=world.team_b)
    page = onboarding.board_page(session, world.lead, today=TODAY, page_size=10)
    assert page.total == 1 and [j.username for j in page.rows] == ["new.hire"]
    assert onboarding.board_page(session, world.lead, team_id=world.team_b, today=TODAY).total == 0
    with pytest.raises(PermissionDenied):
        onboarding.board_page(session, world.agent)


@pytest.mark.parametrize("viewer,expected", [("trainer", {"Team A", "Team B", "Team C"}), ("lead", {"Team A"}),
                                             ("other_mentor", {"Team B"})])
def test_the_board_offers_the_teams_whose_new_hires_one_may_see(session, world, viewer, expected):
    """A lead's team filter lists their teams, not the center's 500 (issue 15: a team page costs what it shows)."""
    make_team(session, "Team C")
    assert set(onboarding.board_teams(session, getattr(world, viewer)).values()) == expected
    with pytest.raises(PermissionDenied):
        onboarding.board_teams(session, world.agent)


def test_only_flagged_pages_through_every_flagged_new_hire(session, world):
    read_stage(session, world.newhire, "theory")  # new.hire was active today: not stalled
    onboarding.sign_off(session, world.trainer, world.newhire.id, "theory", "passed", today=TODAY)
    page = onboarding.board_page(session, world.trainer, today=TODAY, only_flagged=True, page_size=1)
    flagged = [j.username for j in onboarding.visible_journeys(session, world.trainer, today=TODAY)
               if onboarding.is_flagged(j)]
    assert page.total == len(flagged) == 2 and len(page.rows) == 1 and len(page.counted) == 2
    relaxed = onboarding.board_page(session, world.trainer, today=TODAY, stalled_days=20, only_flagged=True)
    assert {j.username: j.stalled for j in relaxed.rows} == {"new.hire": False, "other.hire": False}


def test_board_dates_and_flags(session, world):
    read_stage(session, world.newhire, "theory")
    onboarding.sign_off(session, world.trainer, world.newhire.id, "theory", "passed", today=TODAY)
    board = onboarding.cohort_board(session, world.trainer, today=TODAY).set_index("username")
    me, other = board.loc["new.hire"], board.loc["other.hire"]
    assert me["theory_status"] == "passed" and me["theory_signed_off"] is not None
    assert me["product_status"] == "in_progress" and me["product_due"] == date(2026, 10, 13)
    assert me["supervised_calls_due"] == date(2026, 10, 30)
    assert me["behind_schedule"] and me["current_stage"] == "product"  # product was due on 13 October
    assert not me["stalled"]                                           # active today
    assert other["stalled"] and other["last_activity"] is None          # nothing since the start
    relaxed = onboarding.cohort_board(session, world.trainer, today=TODAY, stalled_days=20).set_index("username")
    assert not relaxed.loc["other.hire", "stalled"]


def test_mentees_and_what_awaits_a_signoff(session, world):
    assert [j.username for j in onboarding.mentee_journeys(session, world.mentor, today=TODAY)] == ["new.hire"]
    read_stage(session, world.newhire, "theory")
    journeys = onboarding.visible_journeys(session, world.trainer, today=TODAY)
    assert [(j.username, s.key) for j, s in onboarding.awaiting_signoff(world.trainer, journeys)] == \
        [("new.hire", "theory")]
    assert onboarding.awaiting_signoff(world.mentor, journeys) == []  # theory is signed off by trainers
    with pytest.raises(PermissionDenied):
        onboarding.mentee_journeys(session, world.trainer)


def test_journeys_from_plain_rows_equal_journeys_from_users(session, world):
    """The board selects a few columns instead of whole `User`s; the journeys must not change."""
    pass_stage(session, world, "theory")
    read_stage(session, world.newhire, "product")
    onboarding.sign_off(session, world.trainer, world.other_newhire.id, "theory", "repeat", reason="Read again.",
                        today=TODAY)
    log_shadowing(session, world.newhire, 3)
    take_calls(session, world, "PR-")
    session.flush()
    ids = [world.newhire.id, world.other_newhire.id]
    people = list(session.exec(select(User).where(User.id.in_(ids)).order_by(User.id)))
    rows = session.exec(select(*NEW_HIRE_COLUMNS).where(User.id.in_(ids)).order_by(User.id)).all()
    from_users, from_rows = build_journeys(session, people, today=TODAY), build_journeys(session, rows, today=TODAY)
    assert from_rows == from_users
    me, other = from_rows
    assert (me.shadowing_calls, me.reviewed_calls, me.pending_reviews) == (3, 2, 1)
    assert me.last_activity == local_today() and other.stage("theory").asked_to_repeat


# --------------------------------------------------------------------------- requirements in force


def test_trainers_override_requirements_and_the_journey_follows(session, world):
    settings = {s.field: s for s in onboarding.requirement_settings(session, world.trainer, "shadowing")}
    assert settings["min_shadowing_calls"].in_force == 30 and settings["min_shadowing_calls"].source == "file"
    onboarding.set_requirements(session, world.trainer, "shadowing", {"min_shadowing_calls": 2})
    settings = {s.field: s for s in onboarding.requirement_settings(session, world.trainer, "shadowing")}
    assert settings["min_shadowing_calls"].in_force == 2 and settings["min_shadowing_calls"].source == "database"
    assert settings["min_shadowing_calls"].file_value == 30
    assert settings["all_required_modules"].source == "file"  # only what differs is stored
    log_shadowing(session, world.newhire, 2)
    assert journey_of(session, world).stage("shadowing").evaluation.met
    entry = audit_entries(session, "stage.requirements_changed")[0]
    assert json.loads(entry.details)["after"] == {"min_shadowing_calls": 2}
    onboarding.reset_requirements(session, world.trainer, "shadowing")
    assert not journey_of(session, world).stage("shadowing").evaluation.met


def test_a_requirement_can_be_switched_off(session, world):
    onboarding.set_requirements(session, world.trainer, "theory", {"min_quiz_score": None})
    read_stage(session, world.newhire, "theory")
    assert [c.name for c in journey_of(session, world).stage("theory").evaluation.checks] == ["modules"]


@pytest.mark.parametrize("values,message", [
    ({"min_quiz_score": 120}, "not valid for min_quiz_score"),
    ({"min_shadowing_calls": 0}, "not valid for min_shadowing_calls"),
    ({"min_reviewed_calls": 5, "last_n_passed": 10}, "cannot be more than"),
    ({"min_quiz_scor": 80}, "Unknown requirement"),
])
def test_bad_requirement_values_are_refused(session, world, values, message):
    with pytest.raises(ValidationFailed, match=message):
        onboarding.set_requirements(session, world.trainer, "supervised_calls", values)
    assert all(s.source == "file" for s in onboarding.requirement_settings(session, world.trainer, "supervised_calls"))


@pytest.mark.parametrize("who", ["mentor", "lead", "admin", "newhire"])
def test_only_trainers_change_requirements(session, world, who):
    with pytest.raises(PermissionDenied):
        onboarding.set_requirements(session, getattr(world, who), "shadowing", {"min_shadowing_calls": 1})
    with pytest.raises(PermissionDenied):
        onboarding.reset_requirements(session, getattr(world, who), "shadowing")


def test_quiz_scores_come_from_practice_results(session, world):
    assert onboarding.QUIZ_RESULTS_WIRED is True
    assert onboarding.quiz_scores_for(session, world.newhire.id) == {}
    record_practice_score(session, world.newhire.id, "practice-theory", 70.0)
    record_practice_score(session, world.newhire.id, "practice-theory", 85.0)
    assert onboarding.quiz_scores_for(session, world.newhire.id) == {"practice-theory": 85.0}
