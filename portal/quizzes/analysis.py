"""Marks matrices, item analysis and the marks/item-analysis reports of an exam.

The marks of the counted attempts (see `results.counted_attempt_ids`) come
from `attempt_marks`, one packed row per attempt (portal/quizzes/attempt_marks.py),
read straight into numpy: for 20,000 attempts of a 20-question exam that is
20,000 rows instead of 400,000 answers, and the whole analysis takes under a
tenth of a second (docs/benchmarks.md). A counted attempt without that row (its answers changed since
it was packed, or it was loaded around the app) is read from
`attempt_answer` instead, so the result is always that of the answers:
`marks_matrix_from_answers` is that reference, kept for the tests.

For a pool exam a slot holds a different random question in each attempt;
as in Moodle the figures are per slot (position).
"""
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from itertools import chain

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from portal.db import session_scope
from portal.models import Attempt, AttemptAnswer, AttemptMarks, Exam, User
from portal.quizzes import attempt_marks
from portal.quizzes import exams as exams_service
from portal.exports import csv_text
from portal.quizzes.results import counted_attempt_ids
from portal.quizzes.stats import ItemAnalysis, item_analysis
from portal.permissions import permission
from portal.roles import Actor

ITEM_ANALYSIS = "exams:item_analysis"

#: Below this many counted attempts the figures are noise: the page warns, and Home flags nothing.
MIN_ATTEMPTS_FOR_FLAGS = 10
#: Home lists the exams that closed this recently with questions item analysis flags.
RECENTLY_CLOSED = timedelta(days=14)
RECENT_EXAMS_READ = 5


@dataclass(frozen=True)
class MarksMatrix:
    attempt_ids: np.ndarray  # one per row, ascending
    marks: np.ndarray  # attempts x slots; an unmarked answer (and a slot an attempt lacks) counts 0
    max_marks: np.ndarray  # per slot (the largest max mark seen in that slot)
    labels: list[str]


def slot_labels(session: Session, exam: Exam, slots: int) -> list[str]:
    if exam.kind == "practical" and exam.rubric_id:
        items = [item.id for _, item in exams_service.rubric_for(session, exam).items()]
        if len(items) == slots:
            return items
    fixed = {s.slot: s.idnumber for s in exams_service.exam_slots(session, exam.id)}
    return [fixed.get(n, f"Q{n}") for n in range(1, slots + 1)]


def _execute_raw(session: Session, query):
    """`query` executed on a plain DB-API cursor, which the caller closes. Its rows are plain
    tuples: for 400,000 rows this is about twice as fast as building SQLAlchemy Row objects.
    Pending ORM changes are flushed first."""
    session.flush()
    connection = session.connection()
    compiled = query.compile(dialect=connection.dialect)
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    raw = connection.connection.dbapi_connection
    # psycopg's binary protocol skips parsing numbers from text
    cursor = raw.cursor(binary=True) if connection.dialect.name == "postgresql" else raw.cursor()
    try:
        cursor.execute(str(compiled), params)
    except BaseException:
        cursor.close()
        raise
    return cursor


def _fetch_raw(session: Session, query) -> list[tuple]:
    cursor = _execute_raw(session, query)
    try:
        return cursor.fetchall()
    finally:
        cursor.close()


def marks_matrix(session: Session, exam: Exam) -> MarksMatrix:
    """attempts x slots marks of the counted attempts: their `attempt_marks` rows, and the answers of
    any counted attempt that has none.

    Rows are read a few thousand at a time and only their ids and bytes kept, so the tuples die young:
    20,000 of them held at once survive into the garbage collector's oldest generation and make its
    next full collection (~100 ms in a Streamlit process) come sooner."""
    counted = counted_attempt_ids(exam.id, exam.grading).subquery("counted")
    ids, marks_blobs, max_blobs, unpacked = [], [], [], []
    cursor = _execute_raw(session, select(counted.c.attempt_id, AttemptMarks.marks, AttemptMarks.max_marks)
                          .select_from(counted)
                          .join(AttemptMarks, AttemptMarks.attempt_id == counted.c.attempt_id, isouter=True))
    try:
        while chunk := cursor.fetchmany(2_000):
            for attempt_id, marks, max_marks in chunk:
                if marks is None:
                    unpacked.append(attempt_id)
                elif marks:  # an attempt without answers has nothing to analyse
                    ids.append(attempt_id)
                    marks_blobs.append(marks)
                    max_blobs.append(max_marks)
    finally:
        cursor.close()
    if unpacked:
        for row in attempt_marks.pack_many(_answer_marks(session, unpacked)):
            ids.append(row["attempt_id"])
            marks_blobs.append(row["marks"])
            max_blobs.append(row["max_marks"])
    if not ids:
        return _empty()
    attempt_ids = np.array(ids, dtype=np.int64)
    sizes = np.fromiter(map(len, marks_blobs), dtype=np.int64, count=len(ids)) // attempt_marks.DTYPE.itemsize
    flat_marks = attempt_marks.unpack(b"".join(marks_blobs))
    flat_max = attempt_marks.unpack(b"".join(max_blobs))
    slots = int(sizes.max())
    if (sizes == slots).all():  # the usual case: every attempt has every slot
        marks, max_rows = flat_marks.reshape(-1, slots), flat_max.reshape(-1, slots)
    else:
        row_of = np.repeat(np.arange(len(ids)), sizes)
        slot_of = np.arange(sizes.sum()) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        marks, max_rows = np.zeros((len(ids), slots)), np.zeros((len(ids), slots))
        marks[row_of, slot_of], max_rows[row_of, slot_of] = flat_marks, flat_max
    order = np.argsort(attempt_ids, kind="stable")
    max_marks = np.maximum(max_rows.max(axis=0), 0.0)  # a slot's largest max mark (0 if none)
    return MarksMatrix(attempt_ids[order], marks[order], max_marks, slot_labels(session, exam, slots))


def _answer_marks(session: Session, attempt_ids: list[int]) -> list[tuple]:
    """(attempt, slot, mark, max mark) of these attempts' answers, from `attempt_answer`."""
    rows = []
    for start in range(0, len(attempt_ids), 10_000):
        rows += session.execute(
            select(AttemptAnswer.attempt_id, AttemptAnswer.slot, func.coalesce(AttemptAnswer.mark, 0.0),
                   AttemptAnswer.max_mark)
            .where(AttemptAnswer.attempt_id.in_(attempt_ids[start:start + 10_000]))).all()
    return rows


def _empty() -> MarksMatrix:
    return MarksMatrix(np.zeros(0, dtype=np.int64), np.zeros((0, 0)), np.zeros(0), [])


def marks_matrix_from_answers(session: Session, exam: Exam) -> MarksMatrix:
    """The same matrix straight from `attempt_answer` (400,000 rows for 20,000 attempts): the reference
    `marks_matrix` must equal, whatever `attempt_marks` holds."""
    counted = counted_attempt_ids(exam.id, exam.grading).subquery("counted")
    query = (select(AttemptAnswer.attempt_id, AttemptAnswer.slot, func.coalesce(AttemptAnswer.mark, 0.0),
                    AttemptAnswer.max_mark)
             .join(counted, counted.c.attempt_id == AttemptAnswer.attempt_id))
    rows = _fetch_raw(session, query)
    if not rows:
        return _empty()
    data = np.fromiter(chain.from_iterable(rows), dtype=float, count=4 * len(rows)).reshape(-1, 4)
    attempt_ids, row_index = np.unique(data[:, 0].astype(np.int64), return_inverse=True)
    slot_numbers = data[:, 1].astype(np.int64)
    slots = int(slot_numbers.max())
    marks = np.zeros((attempt_ids.size, slots))
    marks[row_index, slot_numbers - 1] = data[:, 2]
    max_marks = np.zeros(slots)
    np.maximum.at(max_marks, slot_numbers - 1, data[:, 3])
    return MarksMatrix(attempt_ids, marks, max_marks, slot_labels(session, exam, slots))


@permission(ITEM_ANALYSIS)
def exams_with_marks(session: Session, actor: Actor) -> set[int]:
    """Exams whose graded attempts carry per-question marks: the only ones item analysis can read.

    (History imported as totals only, without answers, has nothing per question to analyse.)
    One probe per exam that stops at the first graded attempt with an answer (LIMIT 1 keeps
    PostgreSQL from turning it into a join over every attempt and answer).
    """
    first_marked = (select(Attempt.id).join(AttemptAnswer, AttemptAnswer.attempt_id == Attempt.id)
                    .where(Attempt.exam_id == Exam.id, Attempt.status == "graded")
                    .limit(1).correlate(Exam).scalar_subquery())
    return set(session.execute(select(Exam.id).where(first_marked.is_not(None))).scalars())


@permission(ITEM_ANALYSIS)
def exam_item_analysis(session: Session, actor: Actor, exam_ref) -> tuple[Exam, ItemAnalysis, MarksMatrix]:
    """Moodle's quiz statistics of an exam's counted attempts. Trainers only."""
    exam = exams_service.get_exam(session, exam_ref)
    matrix = marks_matrix(session, exam)
    return exam, item_analysis(matrix.marks, matrix.max_marks, matrix.labels), matrix


def slot_flag(slot: Mapping) -> str:
    """What is wrong with a question slot, worst first: negative, too_hard, too_easy, weak, or ok."""
    for flag, column in (("negative", "negative_discrimination"), ("too_hard", "too_hard"),
                         ("too_easy", "too_easy"), ("weak", "weak_discrimination")):
        if slot[column]:
            return flag
    return "ok"


@dataclass(frozen=True)
class FlaggedExam:
    exam_id: int
    title_en: str
    title_zh: str
    flagged: int
    closed_at: datetime


@permission(ITEM_ANALYSIS)
def recently_flagged_exams(session: Session, actor: Actor, now: datetime) -> list[FlaggedExam]:
    """Exams closed in the last two weeks whose analysis flags questions, newest first (Home's to-do).

    Reads at most the five newest closed exams, and only those with enough attempts to judge.
    """
    closed = session.execute(select(Exam).where(
        Exam.kind.in_(("written", "practical")), Exam.close_at.is_not(None),
        Exam.close_at <= now, Exam.close_at >= now - RECENTLY_CLOSED).order_by(Exam.close_at.desc())
        .limit(RECENT_EXAMS_READ)).scalars().all()
    found = []
    for exam in closed:
        matrix = marks_matrix(session, exam)
        if len(matrix.attempt_ids) < MIN_ATTEMPTS_FOR_FLAGS:
            continue
        result = item_analysis(matrix.marks, matrix.max_marks, matrix.labels)
        flagged = sum(slot_flag(asdict(slot)) != "ok" for slot in result.slots)
        if flagged:
            found.append(FlaggedExam(exam.id, exam.title_en, exam.title_zh, flagged, exam.close_at))
    return found


@permission(ITEM_ANALYSIS)
def item_titles(session: Session, actor: Actor, exam_ref, language: str) -> dict[str, str]:
    """What a reader calls each slot label, in `language`. Trainers only.

    A practical's slots are labelled by rubric item id (`verify-before-details`), which
    stays the label in CSV reports; people read the item's text instead. A written
    exam's labels are question id numbers and stay as they are.
    """
    exam = exams_service.get_exam(session, exam_ref)
    if exam.kind != "practical" or not exam.rubric_id:
        return {}
    return {item.id: item.text.get(language) for _, item in exams_service.rubric_for(session, exam).items()}


@permission(ITEM_ANALYSIS)
def marks_frame(session: Session, actor: Actor, exam_ref) -> pd.DataFrame:
    """One row per counted attempt: who, which attempt, one column per slot (marks), total."""
    exam = exams_service.get_exam(session, exam_ref)
    matrix = marks_matrix(session, exam)
    people = session.execute(
        select(Attempt.id, User.username, Attempt.number, Attempt.submitted_at, Attempt.percent)
        .join(User, User.id == Attempt.user_id)
        .where(Attempt.id.in_(counted_attempt_ids(exam.id, exam.grading)))).all()
    info = pd.DataFrame(people, columns=["attempt_id", "username", "attempt", "submitted_at", "percent"])
    marks = pd.DataFrame(matrix.marks, columns=matrix.labels)
    marks.insert(0, "attempt_id", matrix.attempt_ids)
    marks["total"] = matrix.marks.sum(axis=1) if matrix.labels else pd.Series(dtype=float)
    frame = info.merge(marks, on="attempt_id", how="left").sort_values(["username", "attempt"])
    return frame.reset_index(drop=True)


@permission(ITEM_ANALYSIS)
def marks_csv(session: Session, actor: Actor, exam_ref) -> str:
    return csv_text(marks_frame(session, actor, exam_ref))


@permission(ITEM_ANALYSIS)
def deferred_marks_csv(actor: Actor, exam_ref) -> Callable[[], str]:
    """`marks_csv` as a callable for a deferred download button: built in its own session when clicked.

    For 20,000 attempts the file is about 3 MB and takes half a second or more to build; the item
    analysis page must not build it on every rerun. Who may have it is checked now.
    """

    def build() -> str:
        with session_scope() as session:
            return marks_csv(session, actor, exam_ref)
    return build


def item_analysis_csv(analysis: ItemAnalysis) -> str:
    """The per-slot table, a blank line, then the test-level figures (statistic,value)."""
    return csv_text(analysis.slots_frame()) + "\r\n" + csv_text(analysis.test_frame())
