"""Item analysis from the database equals stats.item_analysis on the same marks, for the counted attempts."""
import random
from datetime import timedelta

import numpy as np
import pytest
from sqlmodel import select

from portal.errors import PermissionDenied
from portal.models import Attempt, AttemptAnswer
from portal.quizzes import analysis, attempts
from portal.quizzes.stats import item_analysis
from portal.roles import Role
from tests.utils.factories import make_user
from tests.utils.quiz_factories import at, make_questions, make_written_exam

T0 = at("2026-11-04 09:00")


def sit_many(session, grading="highest", people=12, tries=2, seed=5):
    trainer = make_user(session, "trainer1", Role.TRAINER)
    ids = make_questions(session, "PRD", 5)
    exam = make_written_exam(session, trainer, questions=ids, question_marks=[1, 2, 1, 1, 1], grading=grading,
                             cohort_ids=[])
    rng = random.Random(seed)
    for p in range(people):
        learner = make_user(session, f"learner{p}", Role.NEWHIRE)
        ability = p / people
        for n in range(tries):
            start = T0 + timedelta(hours=p, minutes=20 * n)
            attempt_id = attempts.start_attempt(session, learner, exam.id, now=start, rng=rng)
            answers = {slot: (0 if rng.random() < ability + 0.1 * slot else 1) for slot in range(1, 6)}
            attempts.submit_attempt(session, learner, attempt_id, answers, now=start + timedelta(minutes=5))
    return trainer, exam


def orm_matrix(session, attempt_ids):
    rows = session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id.in_(attempt_ids))).all()
    ids = sorted(attempt_ids)
    marks = np.zeros((len(ids), 5))
    for row in rows:
        marks[ids.index(row.attempt_id), row.slot - 1] = row.mark
    return marks


@pytest.mark.parametrize("grading", ["highest", "last", "first", "average"])
def test_figures_equal_stats_on_the_counted_attempts(session, grading):
    trainer, exam = sit_many(session, grading)
    _, result, matrix = analysis.exam_item_analysis(session, trainer, exam.code)
    graded = session.exec(select(Attempt).where(Attempt.exam_id == exam.id)).all()
    if grading == "average":
        counted = [a.id for a in graded]
    else:
        by_person = {}
        for a in sorted(graded, key=lambda a: a.number):
            by_person.setdefault(a.user_id, []).append(a)
        pick = {"highest": lambda xs: max(xs, key=lambda a: (a.percent, -a.number)),
                "first": lambda xs: xs[0], "last": lambda xs: xs[-1]}[grading]
        counted = [pick(xs).id for xs in by_person.values()]
    assert sorted(matrix.attempt_ids.tolist()) == sorted(counted)
    expected = item_analysis(orm_matrix(session, counted), np.array([1, 2, 1, 1, 1.0]),
                             ["PRD-001", "PRD-002", "PRD-003", "PRD-004", "PRD-005"])
    assert result == expected
    assert result.test.count == (24 if grading == "average" else 12)


def test_discrimination_is_positive_when_ability_drives_answers(session):
    trainer, exam = sit_many(session, people=20, tries=1)
    _, result, _ = analysis.exam_item_analysis(session, trainer, exam.id)
    assert all(s.discrimination_index is None or s.discrimination_index > 0 for s in result.slots)


def test_attempts_awaiting_marking_or_in_progress_are_not_counted(session):
    trainer, exam = sit_many(session, people=3, tries=1)
    learner = make_user(session, "late", Role.NEWHIRE)
    attempts.start_attempt(session, learner, exam.id, now=T0)
    _, result, _ = analysis.exam_item_analysis(session, trainer, exam.id)
    assert result.test.count == 3


def test_empty_exam_analyses_to_nothing(session):
    trainer = make_user(session, "trainer1", Role.TRAINER)
    exam = make_written_exam(session, trainer, questions=make_questions(session, "PRD", 2))
    _, result, matrix = analysis.exam_item_analysis(session, trainer, exam.id)
    assert result.test.count == 0 and matrix.marks.shape == (0, 0)


def test_only_trainers_read_item_analysis(session):
    trainer, exam = sit_many(session, people=2, tries=1)
    for role in (Role.NEWHIRE, Role.LEAD, Role.ADMIN):
        other = make_user(session, f"u-{role}", role)
        with pytest.raises(PermissionDenied):
            analysis.exam_item_analysis(session, other, exam.id)
        with pytest.raises(PermissionDenied):
            analysis.marks_frame(session, other, exam.id)
