"""`attempt_marks`, the packed marks item analysis reads: always equal to the answers they came from.

After grading, essay and practical marking, an override, a practice attempt, direct SQL on
`attempt_answer` (the triggers) and with rows missing, the fast marks matrix equals the one read
answer by answer (`marks_matrix_from_answers`), and item analysis equals stats.item_analysis on it.
"""
import random
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import delete, func, select, text
from sqlmodel import Session

from portal.db import downgrade, migrate
from portal.models import Attempt, AttemptAnswer, AttemptMarks, Exam
from portal.quizzes import analysis, attempt_marks, attempts, bank, marking, practice
from portal.quizzes.gift import parse_gift
from portal.quizzes.specs import LocalizedText, PracticeSpec
from portal.quizzes.stats import item_analysis
from portal.roles import Role
from tests.test_item_analysis_db import sit_many
from tests.utils.factories import make_user
from tests.utils.quiz_factories import at, make_practical_exam, make_question, make_questions, make_written_exam

T0 = at("2026-11-05 09:00")


def packed(session, attempt_id):
    row = session.execute(select(AttemptMarks.marks, AttemptMarks.max_marks)
                          .where(AttemptMarks.attempt_id == attempt_id)).first()
    return None if row is None else (bytes(row[0]), bytes(row[1]))


def from_answers(session, attempt_id):
    rows = session.execute(select(AttemptAnswer.slot, AttemptAnswer.mark, AttemptAnswer.max_mark)
                           .where(AttemptAnswer.attempt_id == attempt_id)).all()
    return attempt_marks.pack(rows) if rows else None


def assert_rows_fresh(session, exam_id):
    """Every graded attempt of the exam that has answers has its row, equal to its answers."""
    graded = session.execute(select(Attempt.id).where(Attempt.exam_id == exam_id, Attempt.status == "graded")
                             ).scalars().all()
    assert graded
    for attempt_id in graded:
        assert packed(session, attempt_id) == from_answers(session, attempt_id), attempt_id


def assert_fast_equals_reference(session, trainer, exam, *, analyse=True) -> analysis.MarksMatrix:
    fast = analysis.marks_matrix(session, exam)
    reference = analysis.marks_matrix_from_answers(session, exam)
    np.testing.assert_array_equal(fast.attempt_ids, reference.attempt_ids)
    np.testing.assert_array_equal(fast.marks, reference.marks)
    np.testing.assert_array_equal(fast.max_marks, reference.max_marks)
    assert fast.labels == reference.labels
    if analyse:
        _, result, _ = analysis.exam_item_analysis(session, trainer, exam.id)
        assert result == item_analysis(reference.marks, reference.max_marks, reference.labels)
    return fast


@pytest.mark.parametrize("grading", ["highest", "last", "first", "average"])
def test_grading_packs_each_attempt_and_the_fast_path_equals_the_answers(session, grading):
    trainer, exam = sit_many(session, grading)
    assert_rows_fresh(session, exam.id)
    matrix = assert_fast_equals_reference(session, trainer, exam)
    assert matrix.marks.shape == ((24 if grading == "average" else 12), 5)
    assert session.scalar(select(func.count()).select_from(AttemptMarks)) == 24


def test_an_attempt_finalised_at_its_deadline_is_packed(session):
    trainer, exam = sit_many(session, people=2, tries=1)
    learner = make_user(session, "slow", Role.NEWHIRE)
    attempt_id = attempts.start_attempt(session, learner, exam.id, now=T0)
    attempts.save_answers(session, learner, attempt_id, {1: 0, 2: 1}, now=T0 + timedelta(minutes=1))
    attempts.finalise_expired(session, now=T0 + timedelta(hours=2))
    assert session.get(Attempt, attempt_id).status == "graded"
    assert packed(session, attempt_id) == from_answers(session, attempt_id) is not None
    assert_fast_equals_reference(session, trainer, exam)


def essay_exam(session):
    trainer = make_user(session, "trainer1", Role.TRAINER)
    marker = make_user(session, "trainer2", Role.TRAINER)
    make_questions(session, "ETQ", 2)
    make_question(session, "ESS-1", "essay", tags=("essay",), default_mark=4)
    exam = make_written_exam(session, trainer, questions=["ETQ-001", "ETQ-002", "ESS-1"], question_marks=[1, 1, 4],
                             cohort_ids=[])
    ids = []
    for n in range(4):
        learner = make_user(session, f"learner{n}", Role.NEWHIRE)
        attempt_id = attempts.start_attempt(session, learner, exam.id, now=T0)
        attempts.submit_attempt(session, learner, attempt_id, {1: n % 2, 2: 0, 3: f"Essay {n}"},
                                now=T0 + timedelta(minutes=9))
        ids.append(attempt_id)
    return marker, exam, ids


def test_essay_marking_repacks_the_attempt(session):
    marker, exam, ids = essay_exam(session)
    assert analysis.marks_matrix(session, exam).marks.shape == (0, 0)  # nothing graded yet
    for n, attempt_id in enumerate(ids):
        marking.mark_essays(session, marker, attempt_id, {3: n})
    assert_rows_fresh(session, exam.id)
    assert attempt_marks.unpack(packed(session, ids[3])[0])[2] == 3.0
    matrix = assert_fast_equals_reference(session, marker, exam)
    assert matrix.marks[:, 2].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_practical_marking_packs_the_rubric_points(session):
    trainer = make_user(session, "trainer1", Role.TRAINER)
    exam = make_practical_exam(session, trainer)
    rng = random.Random(3)
    for n in range(5):
        learner = make_user(session, f"learner{n}", Role.NEWHIRE)
        attempt_id = attempts.open_practical(session, trainer, exam.id, learner.id, now=T0 + timedelta(hours=n))
        sheet = marking.marking_sheet(session, trainer, attempt_id)
        points = {item.id: rng.choice([0, item.max_points]) for _, item in sheet.rubric.items()}
        marking.mark_practical(session, trainer, attempt_id, points)
    assert_rows_fresh(session, exam.id)
    matrix = assert_fast_equals_reference(session, trainer, exam)
    assert matrix.labels[0] == "standard-opening" and matrix.marks.shape == (5, 17)


def test_an_override_changes_which_attempt_counts_and_the_fast_path_follows(session):
    trainer, exam = sit_many(session, "highest", people=6, tries=2)
    marker = make_user(session, "trainer2", Role.TRAINER)
    before = dict(session.execute(select(AttemptMarks.attempt_id, AttemptMarks.marks)).all())
    counted = set(analysis.marks_matrix(session, exam).attempt_ids.tolist())
    graded = session.execute(select(Attempt).where(Attempt.exam_id == exam.id)).scalars().all()
    lower = next(a for a in graded if a.id not in counted and any(
        b.id in counted and b.user_id == a.user_id and b.percent < 100 for b in graded))
    marking.override_grade(session, marker, lower.id, 100, "Appeal upheld: question 2 was ambiguous")
    matrix = assert_fast_equals_reference(session, trainer, exam)
    assert lower.id in matrix.attempt_ids.tolist()
    assert dict(session.execute(select(AttemptMarks.attempt_id, AttemptMarks.marks)).all()) == before


def test_finishing_a_practice_attempt_packs_it(session):
    trainer = make_user(session, "tina", Role.TRAINER)
    learner = make_user(session, "lena", Role.NEWHIRE)
    good = (Path(__file__).parent / "fixtures" / "quizbank" / "good.gift").read_text(encoding="utf-8")
    bank.import_questions(session, trainer, parse_gift(good), "en")
    practice.sync_practice_quizzes(session, trainer, {"practice-etiquette": PracticeSpec(
        id="practice-etiquette", title=LocalizedText(en="Quiz", **{"zh-CN": "练习"}), tags=["etiquette"],
        exclude_tags=[], count=10)})
    attempt_id = practice.start_practice(session, learner, "practice-etiquette", "en")
    items = {i.idnumber: i for i in practice.get_practice_attempt(session, learner, attempt_id).items}
    practice.answer_practice(session, learner, attempt_id, items["FIX-SA"].slot, "My JOB number")  # right
    assert packed(session, attempt_id) is None  # in progress
    practice.finish_practice(session, learner, attempt_id)
    assert packed(session, attempt_id) == from_answers(session, attempt_id) is not None
    assert sorted(attempt_marks.unpack(packed(session, attempt_id)[0]).tolist()) == [0.0, 0.0, 0.0, 1.0]
    exam = session.execute(select(Exam).where(Exam.code == "practice-etiquette")).scalar_one()
    assert assert_fast_equals_reference(session, trainer, exam, analyse=False).attempt_ids.tolist() == [attempt_id]


def test_triggers_drop_the_row_when_answers_change_by_any_hand(session):
    trainer, exam = sit_many(session, "average", people=4, tries=1)
    attempt_id = session.execute(select(Attempt.id).where(Attempt.exam_id == exam.id)).scalars().first()

    def sql(statement):
        session.execute(text(statement), {"a": attempt_id})

    def repack():
        attempt_marks.store(session, attempt_id)
        assert packed(session, attempt_id) is not None

    sql("UPDATE attempt_answer SET comment = 'seen', response = '1' WHERE attempt_id = :a")
    assert packed(session, attempt_id) is not None, "columns item analysis does not read leave the row"
    sql("UPDATE attempt_answer SET mark = mark WHERE attempt_id = :a")
    assert packed(session, attempt_id) is not None, "an update that changes nothing leaves the row"
    for change in ("UPDATE attempt_answer SET mark = 0.5 WHERE attempt_id = :a AND slot = 2",
                   "UPDATE attempt_answer SET mark = NULL WHERE attempt_id = :a AND slot = 1",
                   "UPDATE attempt_answer SET max_mark = 3 WHERE attempt_id = :a AND slot = 3",
                   "UPDATE attempt_answer SET slot = 9 WHERE attempt_id = :a AND slot = 5",
                   "INSERT INTO attempt_answer (attempt_id, slot, idnumber, layout, mark, max_mark, comment)"
                   " VALUES (:a, 7, 'PRD-007', '{}', 1.0, 1.0, '')",
                   "DELETE FROM attempt_answer WHERE attempt_id = :a AND slot = 4"):
        sql(change)
        assert packed(session, attempt_id) is None, change
        assert_fast_equals_reference(session, trainer, exam)  # read from the answers meanwhile
        repack()
        assert_fast_equals_reference(session, trainer, exam)
    other = session.execute(select(Attempt.id).where(Attempt.exam_id == exam.id, Attempt.id != attempt_id)
                            ).scalars().first()
    session.execute(text("UPDATE attempt_answer SET attempt_id = :o WHERE attempt_id = :a AND slot = 7"),
                    {"a": attempt_id, "o": other})
    assert packed(session, attempt_id) is None and packed(session, other) is None
    assert_fast_equals_reference(session, trainer, exam)


def test_missing_rows_are_read_from_the_answers(session):
    trainer, exam = sit_many(session, "average", people=6, tries=2)
    ids = session.execute(select(AttemptMarks.attempt_id).order_by(AttemptMarks.attempt_id)).scalars().all()
    session.execute(delete(AttemptMarks).where(AttemptMarks.attempt_id.in_(ids[::3])))
    assert_fast_equals_reference(session, trainer, exam)
    session.execute(delete(AttemptMarks))
    assert_fast_equals_reference(session, trainer, exam)
    assert attempt_marks.rebuild(session) == len(ids)
    assert_rows_fresh(session, exam.id)
    assert_fast_equals_reference(session, trainer, exam)


def test_ragged_slots_unmarked_answers_and_attempts_without_answers(session):
    """Attempts with different slots and max marks (as a pool exam gives), NULL marks, no answers at all."""
    trainer = make_user(session, "trainer1", Role.TRAINER)
    exam = make_written_exam(session, trainer, questions=make_questions(session, "PRD", 2), grading="average",
                             cohort_ids=[])
    papers = [{1: (1.0, 1.0), 2: (0.5, 2.0)},
              {1: (0.0, 1.0), 3: (None, 3.0), 4: (2.0, 2.0)},
              {2: (2.0, 2.0)},
              {},  # graded from totals only (history import)
              {1: (1.0, 4.0), 2: (1.5, 2.0), 3: (3.0, 3.0), 4: (0.0, 0.5)}]
    for n, paper in enumerate(papers):
        learner = make_user(session, f"learner{n}", Role.NEWHIRE)
        attempt = Attempt(exam_id=exam.id, user_id=learner.id, status="graded", started_at=T0, submitted_at=T0,
                          percent=50.0, passed=False)
        session.add(attempt)
        session.flush()
        for slot, (mark, max_mark) in paper.items():
            session.add(AttemptAnswer(attempt_id=attempt.id, slot=slot, idnumber=f"Q{slot}", mark=mark,
                                      max_mark=max_mark))
    session.flush()
    matrix = assert_fast_equals_reference(session, trainer, exam)  # no rows yet: all from the answers
    assert matrix.marks.shape == (4, 4) and matrix.max_marks.tolist() == [4.0, 2.0, 3.0, 2.0]
    assert attempt_marks.rebuild(session) == 4
    assert_rows_fresh(session, exam.id)
    assert_fast_equals_reference(session, trainer, exam)
    # one row missing, so the sizes differ between packed rows and answers read one by one
    session.execute(delete(AttemptMarks).where(AttemptMarks.attempt_id == int(matrix.attempt_ids[1])))
    assert_fast_equals_reference(session, trainer, exam)


def test_rebuild_packs_as_store_does(session):
    trainer, exam = sit_many(session, "average", people=5, tries=2)
    stored = dict((a, (bytes(m), bytes(x))) for a, m, x in session.execute(
        select(AttemptMarks.attempt_id, AttemptMarks.marks, AttemptMarks.max_marks)).all())
    attempt_marks.rebuild(session)
    rebuilt = dict((a, (bytes(m), bytes(x))) for a, m, x in session.execute(
        select(AttemptMarks.attempt_id, AttemptMarks.marks, AttemptMarks.max_marks)).all())
    assert rebuilt == stored and len(stored) == 10


def test_exams_with_marks_lists_exams_with_graded_answers_only(session):
    trainer, answered = sit_many(session, people=2, tries=1)
    history = make_written_exam(session, trainer, "history", questions=["PRD-001"], cohort_ids=[])
    waiting = make_written_exam(session, trainer, "waiting", questions=["PRD-001"], cohort_ids=[])
    learner = make_user(session, "learner-x", Role.NEWHIRE)
    session.add(Attempt(exam_id=history.id, user_id=learner.id, status="graded", started_at=T0, submitted_at=T0,
                        percent=90.0, passed=True))
    attempts.start_attempt(session, learner, waiting.id, now=T0)
    session.flush()
    assert analysis.exams_with_marks(session, trainer) == {answered.id}


def test_the_migration_packs_attempts_graded_before_it(engine):
    with Session(engine, expire_on_commit=False) as session:
        trainer, exam = sit_many(session, "average", people=4, tries=2)
        essay_marker, essay, _ = essay_exam_for(session)
        session.commit()
    downgrade(engine, "0006b")
    migrate(engine)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(AttemptMarks)) == 8  # the essays wait for marking
        assert_rows_fresh(session, exam.id)
        assert_fast_equals_reference(session, trainer, exam)
        session.execute(text("UPDATE attempt_answer SET mark = 0.25 WHERE slot = 1"))  # the triggers are back too
        assert session.scalar(select(func.count()).select_from(AttemptMarks)) == 0


def essay_exam_for(session):
    """essay_exam's attempts, left waiting for marking, under other usernames."""
    make_questions(session, "ETQ", 1)
    make_question(session, "ESS-1", "essay", tags=("essay",), default_mark=4)
    marker = make_user(session, "marker", Role.TRAINER)
    exam = make_written_exam(session, marker, "essay-exam", questions=["ETQ-001", "ESS-1"], cohort_ids=[])
    learner = make_user(session, "essayist", Role.NEWHIRE)
    attempt_id = attempts.start_attempt(session, learner, exam.id, now=T0)
    attempts.submit_attempt(session, learner, attempt_id, {1: 0, 2: "text"}, now=T0 + timedelta(minutes=5))
    return marker, exam, attempt_id


def test_the_demo_center_is_packed(demo_session):
    """The demo seed grades through the services, so its attempts are packed like any other."""
    graded = demo_session.execute(
        select(Attempt.id).where(Attempt.status == "graded",
                                 select(AttemptAnswer.id).where(AttemptAnswer.attempt_id == Attempt.id).exists())
    ).scalars().all()
    assert graded
    for attempt_id in graded:
        assert packed(demo_session, attempt_id) == from_answers(demo_session, attempt_id), attempt_id
