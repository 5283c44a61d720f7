"""Which attempts count, and the exam results other areas build on.

An exam's grading method picks the attempt that counts for each person,
among their graded attempts (attempts awaiting marking never count):

- highest: the best percent (ties: the earlier attempt)
- first / last: by attempt number
- average: the person's grade is the mean percent of all graded attempts;
  `exam_results` reports it on their latest graded attempt, and passed means
  that mean reaches the pass mark.

Everything is done in SQL with a window function (SQLite >= 3.25 and
PostgreSQL), so results for a whole center come back in one query.
"""
from datetime import datetime

import pandas as pd
from sqlalchemy import case, func, select
from sqlmodel import Session

from portal import permissions
from portal.i18n import localized_column
from portal.permissions import permission
from portal.models import Attempt, Exam
from portal.roles import Actor

RESULT_COLUMNS = ["user_id", "exam_id", "exam_code", "exam_title", "kind", "attempt_id", "submitted_at",
                  "percent", "passed"]


def ranked_attempts(exam_id: int | None = None, user_ids: list[int] | None = None):
    """Graded attempts with `rank` (1 = the one that counts) and the person's `mean_percent`."""
    order = case(
        (Exam.grading == "highest", -Attempt.percent),
        (Exam.grading == "first", Attempt.number),
        else_=-Attempt.number)
    partition = (Attempt.exam_id, Attempt.user_id)
    query = (select(Attempt.id.label("attempt_id"), Attempt.user_id, Attempt.exam_id, Attempt.number,
                    Attempt.submitted_at, Attempt.percent, Attempt.passed, Exam.grading, Exam.pass_mark,
                    func.row_number().over(partition_by=partition, order_by=(order, Attempt.number)).label("rank"),
                    func.avg(Attempt.percent).over(partition_by=partition).label("mean_percent"))
             .join(Exam, Exam.id == Attempt.exam_id)
             .where(Attempt.status == "graded", Exam.kind.in_(("written", "practical"))))
    if exam_id is not None:
        query = query.where(Attempt.exam_id == exam_id)
    if user_ids is not None:
        query = query.where(Attempt.user_id.in_(list(user_ids)))
    return query.subquery("ranked")


def counted_attempt_ids(exam_id: int, grading: str):
    """Attempt ids whose marks enter item analysis and the marks report.

    For 'average' every graded attempt is used (Moodle's "all attempts"
    option): each attempt is a real sitting of the paper, and keeping them
    all gives the statistics the most data. Otherwise one per person, ranked
    in a MATERIALIZED common table expression (SQLite >= 3.35, PostgreSQL
    >= 12) so the window runs once even when the planner lacks statistics.
    """
    graded = (Attempt.exam_id == exam_id, Attempt.status == "graded")
    if grading == "average":
        return select(Attempt.id.label("attempt_id")).where(*graded)
    order = {"highest": (Attempt.percent.desc(), Attempt.number), "first": (Attempt.number,),
             "last": (Attempt.number.desc(),)}[grading]
    ranked = (select(Attempt.id.label("attempt_id"),
                     func.row_number().over(partition_by=Attempt.user_id, order_by=order).label("rank"))
              .where(*graded).cte("ranked").prefix_with("MATERIALIZED"))
    return select(ranked.c.attempt_id).where(ranked.c.rank == 1)


@permission("exams:results_read")
def exam_results(session: Session, actor: Actor, user_ids: list[int] | None = None,
                 since: datetime | None = None) -> pd.DataFrame:
    """One row per person and exam: the counted result (see module doc).

    Only the people the actor may read results of are returned, whatever `user_ids` says
    (`exams:results_read`: a learner their own, a mentor their mentees, a lead the teams
    they lead, trainers and admins everyone).
    """
    ranked = ranked_attempts(user_ids=user_ids)
    average = ranked.c.grading == "average"
    percent = case((average, ranked.c.mean_percent), else_=ranked.c.percent)
    passed = case((average, ranked.c.mean_percent >= ranked.c.pass_mark), else_=ranked.c.passed)
    query = (select(ranked.c.user_id, ranked.c.exam_id, Exam.code, Exam.title_en, Exam.title_zh, Exam.kind,
                    ranked.c.attempt_id, ranked.c.submitted_at, percent, passed)
             .join(Exam, Exam.id == ranked.c.exam_id)
             .where(ranked.c.rank == 1,
                    permissions.people_condition(session, actor, "exams:results_read", ranked.c.user_id))
             .order_by(ranked.c.submitted_at, ranked.c.user_id))
    if since is not None:
        query = query.where(ranked.c.submitted_at >= since)
    rows = session.execute(query).all()
    frame = pd.DataFrame(rows, columns=[*RESULT_COLUMNS[:3], "title_en", "title_zh", *RESULT_COLUMNS[4:]])
    frame.insert(3, "exam_title", localized_column(frame, "title", actor.language))
    frame = frame.drop(columns=["title_en", "title_zh"])
    frame["percent"] = frame["percent"].astype(float)
    frame["passed"] = frame["passed"].astype(bool)
    return frame


def final_grades(session: Session, exams: list[Exam], user_id: int) -> dict[int, tuple[float, bool]]:
    """A person's grade on each of `exams` by its grading method, in one query (missing: nothing graded)."""
    if not exams:
        return {}
    grading = {exam.id: exam for exam in exams}
    ranked = ranked_attempts(user_ids=[user_id])
    rows = session.execute(select(ranked.c.exam_id, ranked.c.percent, ranked.c.passed, ranked.c.mean_percent)
                           .where(ranked.c.rank == 1, ranked.c.exam_id.in_(list(grading)))).all()
    grades = {}
    for row in rows:
        exam = grading[row.exam_id]
        if exam.grading == "average":
            grades[row.exam_id] = (float(row.mean_percent), float(row.mean_percent) >= exam.pass_mark)
        else:
            grades[row.exam_id] = (float(row.percent), bool(row.passed))
    return grades


def final_grade(session: Session, exam: Exam, user_id: int) -> tuple[float | None, bool | None]:
    """A person's grade on one exam by its grading method (None: nothing graded yet)."""
    return final_grades(session, [exam], user_id).get(exam.id, (None, None))
