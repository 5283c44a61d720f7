"""Practice is a mode of the attempt engine (#14.1): the same response checks, grading and totals as
an exam, each answer graded once when it is saved, and nothing graded when an attempt is read.

Each test here but the last (a guard) failed on the old practice path (its own totals rounded to 1 decimal, no
`clean_response`, grading on every read, a second attempt on a second start)."""
from pathlib import Path

import pytest
from sqlmodel import select

from portal.errors import ValidationFailed
from portal.models import Attempt, AttemptAnswer, Exam
from portal.quizzes import attempts, bank, grading, practice
from portal.quizzes.gift import parse_gift
from portal.quizzes.specs import LocalizedText, PracticeSpec
from portal.roles import Role
from tests.utils.factories import make_user

GOOD = (Path(__file__).parent / "fixtures" / "quizbank" / "good.gift").read_text(encoding="utf-8")
THIRDS = "\n".join(f"// [id:THIRD-{n}] [tag:thirds]\n::THIRD-{n} Statement {n}::Statement {n} is true.{{TRUE}}\n"
                   for n in range(1, 4))


def spec(code, tags, count):
    return PracticeSpec(id=code, title=LocalizedText(en=f"Quiz {code}", **{"zh-CN": f"练习 {code}"}),
                        tags=list(tags), exclude_tags=[], count=count)


@pytest.fixture
def world(session):
    trainer = make_user(session, "tina", Role.TRAINER)
    learner = make_user(session, "lena", Role.NEWHIRE)
    bank.import_questions(session, trainer, parse_gift(GOOD), "en")
    bank.import_questions(session, trainer, parse_gift(THIRDS), "en")
    practice.sync_practice_quizzes(session, trainer, {
        "practice-etiquette": spec("practice-etiquette", ["etiquette"], 10),
        "practice-thirds": spec("practice-thirds", ["thirds"], 3),
    })
    return trainer, learner


def slot_of(session, learner, attempt_id, idnumber) -> int:
    return next(i.slot for i in practice.get_practice_attempt(session, learner, attempt_id).items
                if i.idnumber == idnumber)


def test_practice_percent_has_the_exams_meaning_and_rounding(session, world):
    """1 of 3 right: 33.3333 %, as `attempts.update_totals` rounds an exam (the old path said 33.3)."""
    _, learner = world
    attempt_id = practice.start_practice(session, learner, "practice-thirds", "en")
    practice.answer_practice(session, learner, attempt_id, 1, True)
    finished = practice.finish_practice(session, learner, attempt_id)
    assert finished.status == "graded" and finished.score == 1.0 and finished.max_score == 3.0
    assert finished.percent == round(100 / 3, 4) == 33.3333
    assert practice.best_practice_scores(session, learner.id) == {"practice-thirds": 33.3333}


@pytest.mark.parametrize("typed", ["  My JOB number  ", "My JOB number\u3000", "\u3000 My JOB number"])
def test_a_practice_answer_is_kept_as_an_exam_keeps_it(session, world, typed):
    """Surrounding spaces, full-width ones included, are cleaned off as in an exam (`clean_response`)."""
    _, learner = world
    attempt_id = practice.start_practice(session, learner, "practice-etiquette", "en")
    slot = slot_of(session, learner, attempt_id, "FIX-SA")
    assert practice.answer_practice(session, learner, attempt_id, slot, typed).fraction == 1.0
    payload = attempts.question_payload(*attempts.serve_version(session, "FIX-SA", "en"))
    assert attempts.clean_response(payload, typed) == "My JOB number"
    shown = next(i for i in practice.get_practice_attempt(session, learner, attempt_id).items if i.slot == slot)
    assert shown.response == "My JOB number" and shown.grade.fraction == 1.0


def test_a_number_that_is_not_one_is_refused_not_marked_wrong(session, world):
    """As in an exam, "abc" for a numerical question is refused with its reason; the question stays
    open for a real answer (the old path graded it 0 and locked it)."""
    _, learner = world
    attempt_id = practice.start_practice(session, learner, "practice-etiquette", "en")
    slot = slot_of(session, learner, attempt_id, "FIX-NUM")
    with pytest.raises(ValidationFailed) as refused:
        practice.answer_practice(session, learner, attempt_id, slot, "about two hundred")
    assert refused.value.key == "exams.error.not_a_number"
    assert practice.answer_practice(session, learner, attempt_id, slot, " 250 ").fraction == 1.0


def test_an_overlong_or_foreign_answer_is_refused_as_in_an_exam(session, world):
    _, learner = world
    attempt_id = practice.start_practice(session, learner, "practice-etiquette", "en")
    with pytest.raises(ValidationFailed) as refused:
        practice.answer_practice(session, learner, attempt_id, slot_of(session, learner, attempt_id, "FIX-SA"),
                                 "x" * (attempts.MAX_SHORT_TEXT + 1))
    assert refused.value.key == "exams.error.text_too_long"
    with pytest.raises(ValidationFailed) as refused:
        practice.answer_practice(session, learner, attempt_id, slot_of(session, learner, attempt_id, "FIX-TF"), "yes")
    assert refused.value.key == "exams.error.bad_response"
    view = practice.get_practice_attempt(session, learner, attempt_id)
    assert view.answered == 0


def test_reading_a_practice_attempt_grades_nothing(session, world, monkeypatch):
    """The mark and the feedback are kept when the answer is saved; a redraw only reads them."""
    _, learner = world
    attempt_id = practice.start_practice(session, learner, "practice-etiquette", "en")
    slot = slot_of(session, learner, attempt_id, "FIX-SA")
    practice.answer_practice(session, learner, attempt_id, slot, "My JOB number")

    def no_grading(*args, **kwargs):
        raise AssertionError("graded on read")

    monkeypatch.setattr(grading, "grade", no_grading)
    monkeypatch.setattr(attempts.engine, "grade", no_grading)
    monkeypatch.setattr(practice, "grade", no_grading)
    shown = next(i for i in practice.get_practice_attempt(session, learner, attempt_id).items if i.slot == slot)
    assert shown.grade.fraction == 1.0 and shown.grade.feedback == ["Right, your job number."]


def test_finishing_grades_only_what_is_left_and_twice_changes_nothing(session, world, monkeypatch):
    _, learner = world
    attempt_id = practice.start_practice(session, learner, "practice-thirds", "en")
    for slot in (1, 2):
        practice.answer_practice(session, learner, attempt_id, slot, False)
    graded, real_grade_answer = [], attempts.grade_answer

    def recorded(answer, *rest):
        graded.append(answer.slot)
        return real_grade_answer(answer, *rest)

    monkeypatch.setattr(attempts.engine, "grade_answer", recorded)
    first = practice.finish_practice(session, learner, attempt_id)
    again = practice.finish_practice(session, learner, attempt_id)  # a double click on Finish
    assert graded == [3]  # the unanswered one; the answered ones kept their marks
    assert again.id == first.id and again.submitted_at == first.submitted_at and again.percent == 0.0
    assert session.exec(select(Attempt).where(Attempt.user_id == learner.id)).all() == [first]


def test_a_second_start_returns_the_attempt_in_progress(session, world):
    """A double click on Start, or a second tab, finds the first attempt (as `start_attempt` does)."""
    _, learner = world
    first = practice.start_practice(session, learner, "practice-thirds", "en")
    assert practice.start_practice(session, learner, "practice-thirds", "en") == first
    practice.finish_practice(session, learner, first)
    second = practice.start_practice(session, learner, "practice-thirds", "en")
    assert second != first and session.get(Attempt, second).number == 2


def test_practice_attempts_are_not_sat_through_the_exam_api_and_back(session, world):
    """The modes keep to their own attempts: an exam id is not a practice attempt."""
    _, learner = world
    attempt_id = practice.start_practice(session, learner, "practice-thirds", "en")
    exam = session.exec(select(Exam).where(Exam.code == "practice-thirds")).one()
    exam.kind = "written"
    session.add(exam)
    session.flush()
    with pytest.raises(Exception) as refused:
        practice.answer_practice(session, learner, attempt_id, 1, True)
    assert refused.value.key == "quizbank.error.no_such_attempt"


def test_answers_graded_when_saved_carry_the_exam_rounding(session, world):
    """One rule for a mark: fraction x max mark rounded to 7 places, whichever mode graded it."""
    _, learner = world
    attempt_id = practice.start_practice(session, learner, "practice-etiquette", "en")
    slot = slot_of(session, learner, attempt_id, "FIX-MATCH")
    payload = attempts.question_payload(*attempts.serve_version(session, "FIX-MATCH", "en"))
    pairs = [i for i, p in enumerate(payload["subquestions"]) if p["question"].strip()]
    answers = [payload["subquestions"][i]["answer"] for i in pairs]
    wrong_first = {str(pairs[0]): answers[1], str(pairs[1]): answers[0],
                   **{str(i): payload["subquestions"][i]["answer"] for i in pairs[2:]}}
    fraction = practice.answer_practice(session, learner, attempt_id, slot, wrong_first).fraction
    answer = session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id,
                                                      AttemptAnswer.slot == slot)).one()
    assert answer.mark == round(fraction * answer.max_mark, 7)
