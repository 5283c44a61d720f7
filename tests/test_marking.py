"""Marking queue, essays, practicals against the rubric (both critical-miss modes), overrides."""
import json
from datetime import timedelta

import pytest
from sqlmodel import select

from portal.errors import PermissionDenied, ValidationFailed
from portal.models import Attempt, AttemptAnswer, AuditEntry, GradeOverride
from portal.quizzes import attempts, marking
from portal.quizzes import exams as exams_service
from portal.roles import Role
from tests.utils.factories import forget_the_audit_log, make_cohort, make_user
from tests.utils.quiz_factories import at, make_practical_exam, make_question, make_questions, make_written_exam

T0 = at("2026-11-03 09:00")


@pytest.fixture
def world(session):
    cohort = make_cohort(session, "Intake A")
    trainer = make_user(session, "trainer1", Role.TRAINER)
    learner_trainer = make_user(session, "sun", Role.TRAINER, Role.NEWHIRE, cohort_id=cohort.id)
    return {"trainer": trainer, "trainer2": make_user(session, "trainer2", Role.TRAINER),
            "newhire": make_user(session, "newhire1", Role.NEWHIRE, cohort_id=cohort.id),
            "lead": make_user(session, "lead1", Role.LEAD), "learner_trainer": learner_trainer, "cohort": cohort}


def full_points(sheet):
    return {item.id: item.max_points for _, item in sheet.rubric.items()}


def essay_attempt(session, world):
    make_questions(session, "ETQ", 2)
    make_question(session, "ESS-1", "essay", tags=("essay",), default_mark=4)
    exam = make_written_exam(session, world["trainer"], questions=["ETQ-001", "ETQ-002", "ESS-1"],
                             question_marks=[1, 1, 4])
    attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    attempts.submit_attempt(session, world["newhire"], attempt_id, {1: 0, 2: 1, 3: "I would greet the caller..."},
                            now=T0 + timedelta(minutes=9))
    return exam, attempt_id


def test_essay_waits_in_the_queue_then_is_marked(session, world):
    exam, attempt_id = essay_attempt(session, world)
    attempt = session.get(Attempt, attempt_id)
    assert attempt.status == "needs_marking" and attempt.percent is None
    queue = marking.marking_queue(session, world["trainer"])
    assert list(queue["attempt_id"]) == [attempt_id]
    sheet = marking.marking_sheet(session, world["trainer"], attempt_id)
    assert [e.slot for e in sheet.essays] == [3] and sheet.essays[0].response.startswith("I would")
    marking.mark_essays(session, world["trainer"], attempt_id, {3: 3}, {3: "Good empathy"}, "Well done")
    attempt = session.get(Attempt, attempt_id)
    assert (attempt.status, attempt.score, attempt.max_score, attempt.percent) == ("graded", 4.0, 6.0,
                                                                                 pytest.approx(66.6667, abs=1e-3))
    assert attempt.marked_by == world["trainer"].id and attempt.comment == "Well done"
    assert marking.marking_queue(session, world["trainer"]).empty


def test_queue_is_oldest_first(session, world):
    exam = make_practical_exam(session, world["trainer"])
    second = make_user(session, "newhire2", Role.NEWHIRE)
    late = attempts.open_practical(session, world["trainer"], exam.id, second.id, now=T0 + timedelta(hours=2))
    early = attempts.open_practical(session, world["trainer"], exam.id, world["newhire"].id, now=T0)
    assert list(marking.marking_queue(session, world["trainer"])["attempt_id"]) == [early, late]


def test_bad_essay_marks_are_refused_whole(session, world):
    exam, attempt_id = essay_attempt(session, world)
    for marks in ({3: 5}, {3: -1}, {}, {2: 1}):
        with pytest.raises(ValidationFailed):
            marking.mark_essays(session, world["trainer"], attempt_id, marks)
    assert session.get(Attempt, attempt_id).status == "needs_marking"
    essay = session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id,
                                                     AttemptAnswer.slot == 3)).one()
    assert essay.mark is None


def test_practical_full_marks_pass(session, world):
    exam = make_practical_exam(session, world["trainer"])
    attempt_id = attempts.open_practical(session, world["trainer"], exam.id, world["newhire"].id, now=T0)
    sheet = marking.marking_sheet(session, world["trainer"], attempt_id)
    score = marking.mark_practical(session, world["trainer"], attempt_id, full_points(sheet),
                                   {"standard-opening": "Clear"}, "Great call")
    attempt = session.get(Attempt, attempt_id)
    assert score.percent == 100 and (attempt.status, attempt.percent, attempt.passed) == ("graded", 100.0, True)
    rows = session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)
                        .order_by(AttemptAnswer.slot)).all()
    assert len(rows) == 17 and rows[0].idnumber == "standard-opening" and rows[0].comment == "Clear"


def test_critical_miss_fails_the_exam(session, world):
    exam = make_practical_exam(session, world["trainer"], critical_miss="fail_exam")
    attempt_id = attempts.open_practical(session, world["trainer"], exam.id, world["newhire"].id, now=T0)
    points = full_points(marking.marking_sheet(session, world["trainer"], attempt_id))
    points["no-disclosure"] = 0
    score = marking.mark_practical(session, world["trainer"], attempt_id, points)
    attempt = session.get(Attempt, attempt_id)
    assert score.failed_by_critical and attempt.percent > exam.pass_mark and attempt.passed is False


def test_critical_miss_zeroes_the_section(session, world):
    exam = make_practical_exam(session, world["trainer"], critical_miss="zero_section")
    attempt_id = attempts.open_practical(session, world["trainer"], exam.id, world["newhire"].id, now=T0)
    points = full_points(marking.marking_sheet(session, world["trainer"], attempt_id))
    points["verify-before-details"] = 0
    score = marking.mark_practical(session, world["trainer"], attempt_id, points)
    attempt = session.get(Attempt, attempt_id)
    assert score.sections["verification"] == 0.0 and not score.failed_by_critical
    assert attempt.percent == pytest.approx(80.0) and attempt.passed is True  # 100 - weight 20 of 100


def test_bad_practical_points_are_refused_whole(session, world):
    exam = make_practical_exam(session, world["trainer"])
    attempt_id = attempts.open_practical(session, world["trainer"], exam.id, world["newhire"].id, now=T0)
    points = full_points(marking.marking_sheet(session, world["trainer"], attempt_id))
    too_many = dict(points, **{"standard-opening": 99})
    missing = dict(points)
    missing.pop("anything-else")
    for bad in (too_many, missing, dict(points, **{"made-up-item": 1})):
        with pytest.raises(ValidationFailed):
            marking.mark_practical(session, world["trainer"], attempt_id, bad)
    assert session.get(Attempt, attempt_id).status == "needs_marking"
    assert all(r.mark is None for r in session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)))


def test_learner_cannot_start_a_practical_on_screen(session, world):
    exam = make_practical_exam(session, world["trainer"])
    with pytest.raises(ValidationFailed):
        attempts.start_attempt(session, world["newhire"], exam.id, now=T0)


def test_override_with_reason_is_audited(session, world):
    exam, attempt_id = essay_attempt(session, world)
    marking.mark_essays(session, world["trainer"], attempt_id, {3: 2})
    old = session.get(Attempt, attempt_id).percent
    with pytest.raises(ValidationFailed):
        marking.override_grade(session, world["trainer2"], attempt_id, 85, "ok")  # reason too short
    marking.override_grade(session, world["trainer2"], attempt_id, 85, "Appeal: question 2 had two right answers")
    attempt = session.get(Attempt, attempt_id)
    assert (attempt.percent, attempt.passed, attempt.overridden) == (85.0, True, True)
    record = session.exec(select(GradeOverride)).one()
    assert (record.old_percent, record.new_percent, record.by_user_id) == (old, 85.0, world["trainer2"].id)
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "exam.grade_overridden")).one()
    assert json.loads(entry.details)["reason"].startswith("Appeal") and entry.actor_id == world["trainer2"].id
    assert len(marking.overrides_of(session, world["trainer"], attempt_id)) == 1


def test_override_refuses_out_of_range_and_ungraded(session, world):
    exam, attempt_id = essay_attempt(session, world)
    with pytest.raises(ValidationFailed) as ungraded:
        marking.override_grade(session, world["trainer"], attempt_id, 80, "Long enough reason")
    assert ungraded.value.key == "exams.error.override_needs_grade"
    marking.mark_essays(session, world["trainer"], attempt_id, {3: 2})
    for value in (101, -5, "abc"):
        with pytest.raises(ValidationFailed):
            marking.override_grade(session, world["trainer"], attempt_id, value, "Long enough reason")
    assert session.exec(select(GradeOverride)).all() == []


@pytest.mark.parametrize("role", ["newhire", "lead"])
def test_only_trainers_mark_and_override(session, world, role):
    exam, attempt_id = essay_attempt(session, world)
    with pytest.raises(PermissionDenied):
        marking.marking_queue(session, world[role])
    with pytest.raises(PermissionDenied):
        marking.mark_essays(session, world[role], attempt_id, {3: 1})
    with pytest.raises(PermissionDenied):
        marking.override_grade(session, world[role], attempt_id, 90, "Because I want to")


def test_nobody_marks_their_own_attempt(session, world):
    exam = make_practical_exam(session, world["trainer"])
    attempt_id = attempts.open_practical(session, world["trainer"], exam.id, world["learner_trainer"].id, now=T0)
    assert attempt_id not in set(marking.marking_queue(session, world["learner_trainer"])["attempt_id"])
    points = full_points(marking.marking_sheet(session, world["trainer"], attempt_id))
    with pytest.raises(PermissionDenied):
        marking.mark_practical(session, world["learner_trainer"], attempt_id, points)
    with pytest.raises(PermissionDenied):
        attempts.open_practical(session, world["learner_trainer"], exam.id, world["learner_trainer"].id, now=T0)
    marking.mark_practical(session, world["trainer"], attempt_id, points)
    with pytest.raises(PermissionDenied):
        marking.override_grade(session, world["learner_trainer"], attempt_id, 50, "Self-serving change")


def test_an_untouched_practical_sheet_is_refused_naming_every_item(session, world):
    """Issue 12 item 10: the sheet started at full marks and "Save marks" untouched passed the learner."""
    exam = make_practical_exam(session, world["trainer"])
    attempt_id = attempts.open_practical(session, world["trainer"], exam.id, world["newhire"].id, now=T0)
    sheet = marking.marking_sheet(session, world["trainer"], attempt_id)
    assert set(sheet.points.values()) == {None}  # nothing scored for the marker
    blank = {item_id: None for item_id in sheet.points}
    with pytest.raises(ValidationFailed) as refused:
        marking.mark_practical(session, world["trainer"], attempt_id, blank)
    assert refused.value.key == "exams.error.unscored_items" and refused.value.params["count"] == 17
    assert session.get(Attempt, attempt_id).status == "needs_marking"


def test_a_partly_scored_sheet_names_the_items_left(session, world):
    exam = make_practical_exam(session, world["trainer"])
    attempt_id = attempts.open_practical(session, world["trainer"], exam.id, world["newhire"].id, now=T0)
    points = full_points(marking.marking_sheet(session, world["trainer"], attempt_id))
    items = list(points)
    points[items[3]] = None
    del points[items[8]]
    with pytest.raises(ValidationFailed) as refused:
        marking.mark_practical(session, world["trainer"], attempt_id, points)
    assert refused.value.params == {"count": 2, "items": "4, 9"}
    assert "no. 4, 9" in str(refused.value)
    assert all(r.mark is None for r in session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)))


def test_an_unmarked_essay_is_refused_naming_the_question(session, world):
    exam, attempt_id = essay_attempt(session, world)
    with pytest.raises(ValidationFailed) as refused:
        marking.mark_essays(session, world["trainer"], attempt_id, {3: None})
    assert refused.value.key == "exams.error.unmarked_essays" and refused.value.params["questions"] == "3"
    assert session.get(Attempt, attempt_id).status == "needs_marking"


@pytest.mark.parametrize("changes,key", [
    ({"status": "archived"}, "exams.error.exam_archived"), ({"status": "draft"}, "exams.error.exam_draft"),
    ({"close_at": T0 - timedelta(days=1)}, "exams.error.exam_closed"),
    ({"open_at": T0 + timedelta(days=1)}, "exams.error.exam_upcoming")])
def test_a_practical_that_cannot_run_is_refused_for_its_real_reason(session, world, changes, key):
    """Issue 12 item 11: an archived exam was refused with "not a learner assigned to the exam"."""
    exam = make_practical_exam(session, world["trainer"], **changes)
    with pytest.raises(ValidationFailed) as refused:
        attempts.open_practical(session, world["trainer"], exam.id, world["newhire"].id, now=T0)
    assert refused.value.key == key
    assert exams_service.open_practicals(session, world["trainer"], now=T0).empty  # and it is not offered


def test_the_practical_picker_offers_only_open_practicals(session, world):
    make_practical_exam(session, world["trainer"], code="old-practical", status="archived")
    running = make_practical_exam(session, world["trainer"], code="running-practical")
    make_written_exam(session, world["trainer"], questions=[q for q in make_questions(session, "PQ", 2)])
    assert list(exams_service.open_practicals(session, world["trainer"], now=T0)["id"]) == [running.id]


def test_a_practical_opened_twice_with_its_token_waits_once_in_the_queue(session, world):
    """A double click on "Add to the marking queue" opened two attempts of an exam with unlimited attempts."""
    exam = make_practical_exam(session, world["trainer"])
    token = "a" * 32
    first = attempts.open_practical(session, world["trainer"], exam.id, world["newhire"].id, now=T0, submission_key=token)
    again = attempts.open_practical(session, world["trainer"], exam.id, world["newhire"].id, now=T0, submission_key=token)
    assert again == first and len(marking.marking_queue(session, world["trainer"])) == 1
    with pytest.raises(ValidationFailed) as refused:  # a later click: one practical waits per learner and exam
        attempts.open_practical(session, world["trainer"], exam.id, world["newhire"].id, now=T0,
                                submission_key="b" * 32)
    assert refused.value.key == "exams.error.practical_waiting"
    assert len(marking.marking_queue(session, world["trainer"])) == 1


def test_a_practical_opened_again_finds_its_attempt_by_the_key_stored_on_it(session, world):
    """One idempotency mechanism (portal/submissions.py): the form's key is kept on the attempt it opened, so
    a resend finds it whatever the audit log holds (it used to be searched there)."""
    exam = make_practical_exam(session, world["trainer"], attempts_allowed=0)
    token = "c" * 32
    first = attempts.open_practical(session, world["trainer"], exam.id, world["newhire"].id, now=T0,
                                    submission_key=token)
    assert session.get(Attempt, first).submission_key == token
    forget_the_audit_log(session)
    again = attempts.open_practical(session, world["trainer"], exam.id, world["newhire"].id, now=T0,
                                    submission_key=token)
    assert again == first and len(session.exec(select(Attempt)).all()) == 1


def test_the_learner_picker_leaves_out_who_cannot_sit_the_practical_now(session, world):
    exam = make_practical_exam(session, world["trainer"], attempts_allowed=1)
    other = make_user(session, "newhire3", Role.NEWHIRE)
    assert {world["newhire"].id, other.id} <= {u for u, _ in exams_service.learners_for(session, world["trainer"],
                                                                                         exam.id)}
    attempt_id = attempts.open_practical(session, world["trainer"], exam.id, world["newhire"].id, now=T0)
    assert world["newhire"].id not in {u for u, _ in exams_service.learners_for(session, world["trainer"], exam.id)}
    marking.mark_practical(session, world["trainer"], attempt_id,
                           full_points(marking.marking_sheet(session, world["trainer"], attempt_id)))
    learners = {u for u, _ in exams_service.learners_for(session, world["trainer"], exam.id)}
    assert world["newhire"].id not in learners and other.id in learners  # the one attempt allowed is used


def _waiting_attempts(session, exam, learner, count: int, *, status: str = "needs_marking") -> list[int]:
    """`count` attempts of `learner` at `exam`, a minute apart (straight into the table)."""
    rows = [Attempt(exam_id=exam.id, user_id=learner.id, number=n + 1, status=status,
                    submitted_at=T0 + timedelta(minutes=n), percent=50.0 if status == "graded" else None,
                    passed=False if status == "graded" else None) for n in range(count)]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def test_the_queue_reads_one_page_oldest_first_and_counts_the_rest(session, world):
    """Issue 15: the page holds only the rows shown; the count is the whole queue's (none of one's own)."""
    exam = make_practical_exam(session, world["trainer"])
    ids = _waiting_attempts(session, exam, world["newhire"], 60)
    _waiting_attempts(session, exam, world["trainer"], 3)  # the trainer's own: not theirs to mark
    first = marking.marking_queue(session, world["trainer"], now=T0, limit=50)
    second = marking.marking_queue(session, world["trainer"], now=T0, offset=50, limit=50)
    assert list(first["attempt_id"]) == ids[:50] and list(second["attempt_id"]) == ids[50:]
    assert marking.queue_count(session, world["trainer"]) == 60
    assert marking.queue_count(session, world["trainer2"]) == 63
    with pytest.raises(PermissionDenied):
        marking.queue_count(session, world["lead"])


def test_graded_attempts_page_through_by_learner(session, world):
    exam = make_practical_exam(session, world["trainer"])
    ids = _waiting_attempts(session, exam, world["newhire"], 55, status="graded")
    page = marking.graded_attempts(session, world["trainer"], exam.id, offset=50, limit=50)
    assert list(page["attempt_id"]) == ids[50:] and list(page["number"]) == [51, 52, 53, 54, 55]
    assert marking.graded_count(session, world["trainer"], exam.id) == 55
    with pytest.raises(PermissionDenied):
        marking.graded_count(session, world["newhire"], exam.id)


def test_exam_choices_are_the_listing_without_counts(session, world):
    make_practical_exam(session, world["trainer"])
    listing = exams_service.list_exams(session, world["trainer"])
    choices = exams_service.exam_choices(session, world["trainer"])
    assert choices.to_dict("records") == listing.drop(columns=["attempts", "to_mark"]).to_dict("records")
    with pytest.raises(PermissionDenied):
        exams_service.exam_choices(session, world["newhire"])
