"""Written exams: setup, who sits what, the server-side clock, attempts, grading methods, review options."""
import random
from datetime import timedelta

import pytest
from sqlmodel import select

from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import Attempt, AttemptAnswer, AuditEntry, Exam, ExamSlot
from portal.quizzes import attempts, exams, my_exams, results
from portal.roles import Role
from tests.utils.factories import forget_the_audit_log, make_cohort, make_user
from tests.utils.quiz_factories import at, make_question, make_questions, make_written_exam, written_settings

T0 = at("2026-11-02 09:00")


@pytest.fixture
def world(session):
    cohort = make_cohort(session, "Intake A")
    other = make_cohort(session, "Intake B")
    people = {
        "trainer": make_user(session, "trainer1", Role.TRAINER),
        "newhire": make_user(session, "newhire1", Role.NEWHIRE, cohort_id=cohort.id),
        "outsider": make_user(session, "newhire2", Role.NEWHIRE, cohort_id=other.id),
        "agent": make_user(session, "agent1", Role.AGENT),
        "lead": make_user(session, "lead1", Role.LEAD),
    }
    questions = make_questions(session, "PRD", 6)
    session.flush()
    return {"cohort": cohort, "other": other, "questions": questions, **people}


def exam_for(session, world, **kwargs):
    kwargs.setdefault("questions", world["questions"][:4])
    kwargs.setdefault("cohort_ids", [world["cohort"].id])
    return make_written_exam(session, world["trainer"], **kwargs)


def right_answers(view):
    return {q.slot: 0 for q in view.questions}  # the factory's right answer is index 0


# ------------------------------------------------------------------ setup and permissions


def test_trainer_creates_fixed_and_pool_exams_audited(session, world):
    fixed = exam_for(session, world, code="fixed-paper")
    pool = exam_for(session, world, code="pool-paper", questions=[], pool_tags=["product"], pool_count=5)
    assert [s.idnumber for s in session.exec(select(ExamSlot).where(ExamSlot.exam_id == fixed.id))] == \
        world["questions"][:4]
    assert pool.pool_count == 5 and exams.exam_cohort_ids(session, pool.id) == [world["cohort"].id]
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "exam.created")).all()


@pytest.mark.parametrize("role", ["newhire", "agent", "lead"])
def test_only_trainers_set_up_exams(session, world, role):
    with pytest.raises(PermissionDenied):
        exams.save_exam(session, world[role], written_settings("x-exam", questions=world["questions"][:2]))


@pytest.mark.parametrize("change,key", [
    ({"code": "Bad Code!"}, "exams.error.bad_code"),
    ({"title_zh": " "}, "exams.error.title_required"),
    ({"pass_mark": 120}, "exams.error.bad_pass_mark"),
    ({"grading": "best"}, "exams.error.bad_grading"),
    ({"time_limit_minutes": 0.5}, "exams.error.bad_time_limit"),
    ({"questions": ["NOPE-1"]}, "exams.error.unknown_questions"),
    ({"questions": [], "pool_tags": ["product"], "pool_count": 99}, "exams.error.pool_too_small"),
    ({"questions": []}, "exams.error.paper_or_pool"),
])
def test_bad_exam_settings_are_refused_and_nothing_is_saved(session, world, change, key):
    settings = written_settings("bad-exam", questions=world["questions"][:2])
    for field, value in change.items():
        setattr(settings, field, value)
    with pytest.raises(ValidationFailed) as refused:
        exams.save_exam(session, world["trainer"], settings)
    assert refused.value.key == key
    assert session.exec(select(Exam)).all() == []


def test_a_create_sent_twice_with_its_token_makes_one_exam(session, world):
    """Issue 12 item 12: a double click on "Create exam" must not create a second exam (nor say the code is taken)."""
    token = "0123456789abcdef0123456789abcdef"
    first = exams.save_exam(session, world["trainer"], written_settings("twice", questions=world["questions"][:2]),
                            submission_key=token)
    again = exams.save_exam(session, world["trainer"], written_settings("twice", questions=world["questions"][:2]),
                            submission_key=token)
    assert again.id == first.id and len(session.exec(select(Exam)).all()) == 1
    other = exams.save_exam(session, world["trainer"], written_settings("next", questions=world["questions"][:2]),
                            submission_key="f" * 32)
    assert other.id != first.id
    with pytest.raises(ValidationFailed):
        exams.save_exam(session, world["trainer"], written_settings("odd", questions=world["questions"][:2]),
                        submission_key="%' OR 1=1 --")


def test_a_create_sent_again_finds_its_exam_by_the_key_stored_on_it(session, world):
    """One idempotency mechanism (portal/submissions.py): the form's key is kept on the exam itself, so
    finding the first create does not depend on what the audit log holds (it used to be searched there)."""
    token = "0123456789abcdef0123456789abcdef"
    settings = written_settings("keyed", questions=world["questions"][:2])
    first = exams.save_exam(session, world["trainer"], settings, submission_key=token)
    assert session.get(Exam, first.id).submission_key == token
    forget_the_audit_log(session)
    again = exams.save_exam(session, world["trainer"], written_settings("keyed", questions=world["questions"][:2]),
                            submission_key=token)
    assert again.id == first.id and len(session.exec(select(Exam)).all()) == 1
    other_trainer = make_user(session, "trainer2", Role.TRAINER)  # a key is one author's: never another's exam
    with pytest.raises(ValidationFailed) as refused:
        exams.save_exam(session, other_trainer, written_settings("keyed", questions=world["questions"][:2]),
                        submission_key=token)
    assert refused.value.key == "exams.error.code_taken"


def test_the_exam_list_puts_open_exams_first_and_archived_last(session, world):
    """Issue 12 item 12: archived exams were listed first."""
    paper = {"questions": world["questions"][:2]}
    for code, changes in (("a-archived", {"status": "archived"}), ("b-closed", {"close_at": T0 - timedelta(days=1)}),
                          ("c-draft", {"status": "draft"}), ("d-upcoming", {"open_at": T0 + timedelta(days=2)}),
                          ("e-open", {})):
        make_written_exam(session, world["trainer"], code, **paper, **changes)
    listing = exams.list_exams(session, world["trainer"], now=T0)
    assert list(zip(listing["code"], listing["state"])) == [
        ("e-open", "open"), ("d-upcoming", "upcoming"), ("c-draft", "draft"), ("b-closed", "closed"),
        ("a-archived", "archived")]


def test_close_before_open_is_refused(session, world):
    with pytest.raises(ValidationFailed, match="close"):
        exam_for(session, world, open_at=T0, close_at=T0 - timedelta(hours=1))


def test_paper_is_locked_once_someone_sat_the_exam(session, world):
    exam = exam_for(session, world)
    attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    settings = exams.settings_of(session, exam)
    settings.pass_mark = 60  # allowed
    exams.save_exam(session, world["trainer"], settings, exam.id)
    settings.questions, settings.question_marks = world["questions"][:3], []
    with pytest.raises(ValidationFailed) as refused:
        exams.save_exam(session, world["trainer"], settings, exam.id)
    assert refused.value.key == "exams.error.paper_locked"


def test_exam_by_id_or_code(session, world):
    exam = exam_for(session, world)
    assert exams.get_exam(session, str(exam.id)).id == exam.id
    assert exams.get_exam(session, exam.code).id == exam.id
    with pytest.raises(NotFound):
        exams.get_exam(session, "no-such-exam")


def test_learners_see_only_exams_for_their_cohort_or_for_everyone(session, world):
    mine = exam_for(session, world, code="cohort-a")
    everyone = exam_for(session, world, code="everyone", cohort_ids=[])
    exam_for(session, world, code="cohort-b", cohort_ids=[world["other"].id])
    exam_for(session, world, code="draft-exam", status="draft")
    assert {e.code for e in exams.exams_for_learner(session, world["newhire"])} == {mine.code, everyone.code}
    assert {e.code for e in exams.exams_for_learner(session, world["agent"])} == {everyone.code}
    with pytest.raises(PermissionDenied):
        attempts.start_attempt(session, world["outsider"], mine.id, now=T0)
    with pytest.raises(PermissionDenied):
        exams.exams_for_learner(session, world["trainer"])


def test_exam_can_be_started_only_between_open_and_close(session, world):
    exam = exam_for(session, world, open_at=T0, close_at=T0 + timedelta(days=1))
    with pytest.raises(ValidationFailed) as early:
        attempts.start_attempt(session, world["newhire"], exam.id, now=T0 - timedelta(minutes=1))
    assert early.value.key == "exams.error.not_open_yet"
    with pytest.raises(ValidationFailed) as late:
        attempts.start_attempt(session, world["newhire"], exam.id, now=T0 + timedelta(days=2))
    assert late.value.key == "exams.error.closed"


# ------------------------------------------------------------------ the clock


def test_refresh_does_not_reset_the_clock(session, world):
    exam = exam_for(session, world, time_limit_minutes=20)
    first = attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    again = attempts.start_attempt(session, world["newhire"], exam.id, now=T0 + timedelta(minutes=7))
    assert again == first
    view = attempts.attempt_view(session, world["newhire"], first, now=T0 + timedelta(minutes=7))
    assert view.deadline_at == T0 + timedelta(minutes=20)
    assert view.seconds_left == 13 * 60
    assert session.exec(select(Attempt)).all().__len__() == 1


def test_deadline_is_capped_by_the_close_date(session, world):
    exam = exam_for(session, world, time_limit_minutes=60, close_at=T0 + timedelta(minutes=15))
    attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    assert session.get(Attempt, attempt_id).deadline_at == T0 + timedelta(minutes=15)


def test_answers_after_the_deadline_are_refused_and_not_counted(session, world):
    exam = exam_for(session, world, time_limit_minutes=10)
    newhire = world["newhire"]
    attempt_id = attempts.start_attempt(session, newhire, exam.id, now=T0)
    attempts.save_answers(session, newhire, attempt_id, {1: 0}, now=T0 + timedelta(minutes=5))
    with pytest.raises(ValidationFailed) as refused:
        attempts.save_answers(session, newhire, attempt_id, {2: 0}, now=T0 + timedelta(minutes=10))
    assert refused.value.key == "exams.error.time_up"
    outcome = attempts.submit_attempt(session, newhire, attempt_id, {2: 0, 3: 0, 4: 0},
                                      now=T0 + timedelta(minutes=11))
    assert outcome.late
    attempt = session.get(Attempt, attempt_id)
    assert attempt.status == "graded" and attempt.score == 1.0 and attempt.percent == 25.0
    assert attempt.submitted_at == T0 + timedelta(minutes=10)


def test_expired_attempt_is_finalised_on_next_touch(session, world):
    exam = exam_for(session, world, time_limit_minutes=10)
    attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    attempts.save_answers(session, world["newhire"], attempt_id, {1: 0, 2: 0}, now=T0 + timedelta(minutes=2))
    listing = my_exams.my_exams(session, world["newhire"], now=T0 + timedelta(hours=1))
    assert listing[0].in_progress_id is None
    attempt = session.get(Attempt, attempt_id)
    assert (attempt.status, attempt.percent, attempt.submitted_at) == ("graded", 50.0, T0 + timedelta(minutes=10))


def test_in_progress_listing_shows_time_left(session, world):
    exam = exam_for(session, world, time_limit_minutes=30)
    attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    [mine] = my_exams.my_exams(session, world["newhire"], now=T0 + timedelta(minutes=10))
    assert mine.in_progress_id == attempt_id and mine.seconds_left == 20 * 60 and not mine.can_start


# ------------------------------------------------------------------ sitting and grading


def test_submit_grades_in_one_go_and_keeps_the_served_versions(session, world):
    exam = exam_for(session, world)
    attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    view = attempts.attempt_view(session, world["newhire"], attempt_id, now=T0)
    assert all("fraction" not in a or a["fraction"] == 0.0 for q in view.questions for a in q.payload["answers"])
    attempts.submit_attempt(session, world["newhire"], attempt_id, {1: 0, 2: 0, 3: 1}, now=T0 + timedelta(minutes=3))
    attempt = session.get(Attempt, attempt_id)
    assert (attempt.status, attempt.score, attempt.max_score, attempt.percent, attempt.passed) == \
        ("graded", 2.0, 4.0, 50.0, False)
    rows = session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)).all()
    assert all(r.question_version_id for r in rows) and [r.mark for r in rows] == [1.0, 1.0, 0.0, 0.0]


def test_shuffled_layout_is_stored_per_attempt(session, world):
    exam = exam_for(session, world, shuffle_answers=True)
    attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0, rng=random.Random(3))
    layouts = [q.layout["order"] for q in attempts.attempt_view(session, world["newhire"], attempt_id).questions]
    assert all(sorted(order) == [0, 1, 2, 3] for order in layouts)
    assert any(order != [0, 1, 2, 3] for order in layouts)


def test_pool_exam_draws_different_questions_in_the_learners_language(session, world):
    from dataclasses import replace

    exam = exam_for(session, world, questions=[], pool_tags=["product"], pool_count=3)
    zh = replace(world["newhire"], language="zh-CN")
    attempt_id = attempts.start_attempt(session, zh, exam.id, now=T0, rng=random.Random(1))
    view = attempts.attempt_view(session, zh, attempt_id)
    assert len(view.questions) == 3 and len({q.idnumber for q in view.questions}) == 3
    assert all(q.text.startswith("[zh-CN]") for q in view.questions)


def stored(session, attempt_id) -> dict:
    rows = session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id))
    return {r.slot: r.response for r in rows}


@pytest.mark.parametrize("bad", [{2: 9}, {2: "zero"}, {99: 0}, {2: True}])
def test_one_bad_answer_never_stops_the_others_being_saved(session, world, bad):
    """Issue 12 item 1: a refused answer is named with its reason; every valid one is stored."""
    exam = exam_for(session, world)
    attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    outcome = attempts.save_answers(session, world["newhire"], attempt_id, {1: 0, **bad, 3: 1, 4: 0}, now=T0)
    [slot] = bad
    assert outcome.saved == [1, 3, 4] and list(outcome.refused) == [slot]
    assert outcome.refused[slot].params["slot"] == slot
    assert (outcome.answered, outcome.total) == (3, 4)
    assert stored(session, attempt_id) == {1: "0", 2: None, 3: "1", 4: "0"}
    assert attempts.attempt_view(session, world["newhire"], attempt_id, now=T0).answered == 3


def test_numerical_and_text_answers_are_checked(session, world):
    make_question(session, "NUM-1", "numerical")
    make_question(session, "SA-1", "shortanswer")
    exam = exam_for(session, world, code="mixed", questions=["NUM-1", "SA-1"])
    attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    outcome = attempts.save_answers(session, world["newhire"], attempt_id, {1: "about ten", 2: "puk"}, now=T0)
    refusal = outcome.refused[1]
    assert refusal.key == "exams.error.not_a_number" and refusal.params["slot"] == 1
    assert outcome.saved == [2] and outcome.answered == 1
    outcome = attempts.save_answers(session, world["newhire"], attempt_id, {2: "x" * 5000}, now=T0)
    assert outcome.refused[2].key == "exams.error.text_too_long" and stored(session, attempt_id)[2] == '"puk"'
    attempts.submit_attempt(session, world["newhire"], attempt_id, {1: "180", 2: "puk"}, now=T0)
    assert session.get(Attempt, attempt_id).percent == 100.0


MATCH = {"subquestions": [{"question": "Opening", "answer": "Hello"}, {"question": "Closing", "answer": "Bye"},
                          {"question": "", "answer": "Please hold"}]}


def test_a_partly_matched_question_is_refused_until_every_pair_is_matched(session, world):
    """Issue 12 item 4: Moodle's "please answer all parts"; the other answers are still saved."""
    make_question(session, "MATCH-1", "match", payload=MATCH)
    exam = exam_for(session, world, code="matching", questions=["MATCH-1", world["questions"][0]])
    attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    outcome = attempts.save_answers(session, world["newhire"], attempt_id, {1: {0: "Hello"}, 2: 0}, now=T0)
    refusal = outcome.refused[1]
    assert refusal.key == "exams.error.answer_every_pair" and (refusal.params["matched"], refusal.params["total"]) \
        == (1, 2)
    assert outcome.saved == [2] and stored(session, attempt_id)[1] is None
    outcome = attempts.save_answers(session, world["newhire"], attempt_id, {1: {0: "Hello", 1: "Please hold"}},
                                    now=T0)
    assert outcome.saved == [1] and outcome.answered == 2


def test_checkbox_matching_and_text_answers_are_stored_as_given(session, world):
    """Issue 12 item 1 (newhire): each of these answers is in the database after saving."""
    make_question(session, "MULTI-1", "multichoice", payload={"single": False, "answers": [
        {"text": "A", "fraction": 0.5}, {"text": "B", "fraction": 0.5}, {"text": "C", "fraction": -1.0}]})
    make_question(session, "MATCH-1", "match", payload=MATCH)
    make_question(session, "SA-1", "shortanswer")
    exam = exam_for(session, world, code="kinds", questions=["MULTI-1", "MATCH-1", "SA-1"])
    attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    outcome = attempts.save_answers(session, world["newhire"], attempt_id,
                                    {1: [1, 0], 2: {0: "Hello", 1: "Bye"}, 3: " PUK code "}, now=T0)
    assert outcome.refused == {} and outcome.answered == 3
    assert stored(session, attempt_id) == {1: "[0, 1]", 2: '{"0": "Hello", "1": "Bye"}', 3: '"PUK code"'}


def test_a_second_submit_changes_nothing(session, world):
    """A double click on Submit: the second one returns the first one's outcome, no error, no regrade."""
    exam = exam_for(session, world)
    attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    first = attempts.submit_attempt(session, world["newhire"], attempt_id, {1: 0}, now=T0 + timedelta(minutes=1))
    again = attempts.submit_attempt(session, world["newhire"], attempt_id, {1: 1, 2: 0}, now=T0 + timedelta(minutes=2))
    attempt = session.get(Attempt, attempt_id)
    assert (again.status, again.late) == (first.status, False)
    assert attempt.submitted_at == T0 + timedelta(minutes=1) and attempt.percent == 25.0
    with pytest.raises(ValidationFailed) as refused:
        attempts.save_answers(session, world["newhire"], attempt_id, {2: 0}, now=T0 + timedelta(minutes=2))
    assert refused.value.key == "exams.error.attempt_closed"


def test_nobody_answers_someone_elses_attempt(session, world):
    exam = exam_for(session, world, cohort_ids=[])
    attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    with pytest.raises(PermissionDenied):
        attempts.save_answers(session, world["agent"], attempt_id, {1: 0}, now=T0)
    with pytest.raises(PermissionDenied):
        attempts.submit_attempt(session, world["agent"], attempt_id, now=T0)
    with pytest.raises(PermissionDenied):
        attempts.attempt_view(session, world["lead"], attempt_id)


def test_attempts_limit(session, world):
    exam = exam_for(session, world, attempts_allowed=2)
    for n in range(2):
        attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0 + timedelta(hours=n))
        attempts.submit_attempt(session, world["newhire"], attempt_id, now=T0 + timedelta(hours=n, minutes=5))
    with pytest.raises(ValidationFailed) as refused:
        attempts.start_attempt(session, world["newhire"], exam.id, now=T0 + timedelta(hours=3))
    assert refused.value.key == "exams.error.no_attempts_left"
    [mine] = my_exams.my_exams(session, world["newhire"], now=T0 + timedelta(hours=3))
    assert not mine.can_start and mine.attempts_left == 0
    assert not mine.open_to_me  # issue 12 item 2: not listed under "Open now" any more


def test_attempts_left_before_the_last_attempt(session, world):
    exam = exam_for(session, world, attempts_allowed=2)
    attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    attempts.submit_attempt(session, world["newhire"], attempt_id, now=T0 + timedelta(minutes=5))
    [mine] = my_exams.my_exams(session, world["newhire"], now=T0 + timedelta(hours=1))
    assert (mine.attempts_left, mine.open_to_me, mine.can_start) == (1, True, True)
    unlimited = exam_for(session, world, code="unlimited")
    assert next(e for e in my_exams.my_exams(session, world["newhire"], now=T0) if e.exam_id == unlimited.id
                ).attempts_left is None


@pytest.mark.parametrize("grading,expected", [("highest", 75.0), ("last", 25.0), ("first", 50.0),
                                              ("average", 50.0)])
def test_grading_methods(session, world, grading, expected):
    exam = exam_for(session, world, grading=grading, pass_mark=50)
    for n, right in enumerate([2, 3, 1]):  # 50%, 75%, 25%
        attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0 + timedelta(hours=n))
        attempts.submit_attempt(session, world["newhire"], attempt_id, {s: 0 for s in range(1, right + 1)},
                                now=T0 + timedelta(hours=n, minutes=5))
    percent, passed = results.final_grade(session, exam, world["newhire"].id)
    assert percent == pytest.approx(expected) and passed == (expected >= 50)
    frame = results.exam_results(session, world["trainer"])
    assert list(frame.columns) == results.RESULT_COLUMNS
    assert len(frame) == 1 and frame.loc[0, "percent"] == pytest.approx(expected)


def test_exam_results_learner_sees_only_own_and_since_filters(session, world):
    exam = exam_for(session, world, cohort_ids=[])
    for who in ("newhire", "agent"):
        attempt_id = attempts.start_attempt(session, world[who], exam.id, now=T0)
        attempts.submit_attempt(session, world[who], attempt_id, {1: 0}, now=T0 + timedelta(minutes=1))
    assert set(results.exam_results(session, world["trainer"])["user_id"]) == {world["newhire"].id, world["agent"].id}
    assert results.exam_results(session, world["lead"]).empty, "a lead of no team reads no one's results"
    assert results.exam_results(session, world["newhire"], user_ids=[world["agent"].id]).empty
    assert list(results.exam_results(session, world["newhire"])["user_id"]) == [world["newhire"].id]
    assert results.exam_results(session, world["trainer"], since=T0 + timedelta(days=1)).empty


# ------------------------------------------------------------------ review options


@pytest.mark.parametrize("marks,answers,now_offset,see_marks,see_answers", [
    ("immediately", "immediately", 0, True, True),
    ("immediately", "after_close", 0, True, False),
    ("after_close", "after_close", 0, False, False),
    ("after_close", "after_close", 48, True, True),
    ("never", "never", 48, False, False),
])
def test_review_options(session, world, marks, answers, now_offset, see_marks, see_answers):
    exam = exam_for(session, world, review_marks=marks, review_answers=answers, close_at=T0 + timedelta(days=1))
    attempt_id = attempts.start_attempt(session, world["newhire"], exam.id, now=T0)
    attempts.submit_attempt(session, world["newhire"], attempt_id, {1: 0}, now=T0 + timedelta(minutes=5))
    now = T0 + timedelta(hours=now_offset, minutes=10)
    view = attempts.attempt_view(session, world["newhire"], attempt_id, now=now)
    assert (view.percent is not None, view.show_answers) == (see_marks, see_answers)
    assert (view.questions[0].mark is not None) == see_marks
    assert ("fraction" in str(view.questions[0].payload) and view.questions[0].payload["answers"][0]["fraction"] == 1.0
            ) == see_answers
    [mine] = my_exams.my_exams(session, world["newhire"], now=now)
    assert (mine.final_percent is not None) == see_marks
    trainer_view = attempts.attempt_view(session, world["trainer"], attempt_id, now=now)
    assert trainer_view.show_marks and trainer_view.show_answers
