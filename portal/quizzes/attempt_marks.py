"""Each attempt's marks as one row (`attempt_marks`): what makes item analysis fast.

The marks matrix of an exam (portal/quizzes/analysis.py) needs every mark of
every counted attempt. Read from `attempt_answer` that is one row per answer:
400,000 rows for 20,000 attempts of a 20-question exam, and fetching them
was most of the time. `attempt_marks` keeps the same marks as one row per
attempt, two packed vectors of little-endian float64: `marks[i]` and
`max_marks[i]` belong to slot i + 1; an unmarked answer (mark NULL) and a
slot the attempt lacks are 0, exactly as the matrix counts them. 20,000
rows of 160 bytes come back and `numpy.frombuffer` reads them in one go.

How the row stays right (it is a cache of `attempt_answer`, never a source):

- written by `store` whenever an attempt's totals are recomputed from its
  answers, which is every path that gives answers their marks: submit and
  auto-grade, finalising at the deadline, marking essays and practicals
  (all through attempts.update_totals), and finishing a practice attempt;
- deleted by database triggers (migration 0007) on any INSERT or DELETE of
  an answer and any UPDATE of its attempt_id, slot, mark or max_mark,
  whoever writes (the app, a console, a script), so a row never outlives
  the marks it was packed from;
- `analysis.marks_matrix` reads the answers of any counted attempt that has
  no row, so a missing row costs speed, never correctness.

A grade override changes an attempt's percent, not its answers' marks; it
only changes which attempts count, and that is worked out live each time.
"""
from collections.abc import Sequence
from itertools import chain

import numpy as np
from sqlalchemy import delete, func, insert, select
from sqlalchemy.sql import Select
from sqlmodel import Session

from portal.models import Attempt, AttemptAnswer, AttemptMarks

DTYPE = np.dtype("<f8")
_BYTES = DTYPE.itemsize


def pack(rows: Sequence[tuple[int, float | None, float]]) -> tuple[bytes, bytes]:
    """(slot, mark or None, max mark) rows of one attempt -> its packed marks and max marks."""
    size = max(slot for slot, _, _ in rows)
    marks, max_marks = np.zeros(size, DTYPE), np.zeros(size, DTYPE)
    for slot, mark, max_mark in rows:
        marks[slot - 1] = 0.0 if mark is None else mark
        max_marks[slot - 1] = max_mark
    return marks.tobytes(), max_marks.tobytes()


def unpack(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=DTYPE)


def _answer_rows(attempt_id: int):
    return select(AttemptAnswer.slot, AttemptAnswer.mark, AttemptAnswer.max_mark).where(
        AttemptAnswer.attempt_id == attempt_id)


def store(session: Session, attempt_id: int) -> None:
    """Pack one attempt's answers into its `attempt_marks` row (none if it has no answers).

    Call it after the answers' marks are written: the select flushes them first, and a later change
    to an answer deletes the row again (trigger)."""
    rows = session.execute(_answer_rows(attempt_id)).all()
    session.execute(delete(AttemptMarks).where(AttemptMarks.attempt_id == attempt_id))
    if rows:
        marks, max_marks = pack(rows)
        session.execute(insert(AttemptMarks).values(attempt_id=attempt_id, marks=marks, max_marks=max_marks))


def rebuild(session: Session, attempt_ids: Select | None = None, chunk: int = 5_000) -> int:
    """Recompute the rows of the graded attempts `attempt_ids` selects (default: every graded attempt)
    from their answers, in bulk; returns how many rows were written. For data loaded around the app
    (bulk seeds, benchmarks); the migration that created the table did the same for existing data.

    The ids are read first and handled `chunk` at a time by primary key, a plan that does not depend
    on table statistics (freshly bulk-loaded PostgreSQL tables have none yet)."""
    if attempt_ids is None:
        attempt_ids = select(Attempt.id).where(Attempt.status == "graded")
    ids = sorted(session.execute(attempt_ids).scalars())
    written = 0
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        session.execute(delete(AttemptMarks).where(AttemptMarks.attempt_id.in_(part)))
        packed = pack_many(session.execute(
            select(AttemptAnswer.attempt_id, AttemptAnswer.slot, func.coalesce(AttemptAnswer.mark, 0.0),
                   AttemptAnswer.max_mark)
            .where(AttemptAnswer.attempt_id.in_(part))).all())
        if packed:
            session.execute(insert(AttemptMarks), packed)
        written += len(packed)
    return written


def pack_many(rows: Sequence[tuple[int, int, float, float]]) -> list[dict]:
    """(attempt_id, slot, mark, max mark) rows of many attempts -> `attempt_marks` rows as dicts."""
    if not rows:
        return []
    data = np.fromiter(chain.from_iterable(rows), dtype=float, count=4 * len(rows)).reshape(-1, 4)
    attempt_ids, row_index = np.unique(data[:, 0].astype(np.int64), return_inverse=True)
    slot_index = data[:, 1].astype(np.int64) - 1
    sizes = np.zeros(attempt_ids.size, dtype=np.int64)
    np.maximum.at(sizes, row_index, slot_index + 1)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    marks, max_marks = np.zeros(int(ends[-1]), DTYPE), np.zeros(int(ends[-1]), DTYPE)
    marks[starts[row_index] + slot_index] = data[:, 2]
    max_marks[starts[row_index] + slot_index] = data[:, 3]
    marks_bytes, max_bytes = marks.tobytes(), max_marks.tobytes()
    return [{"attempt_id": int(attempt_id), "marks": marks_bytes[start * _BYTES:end * _BYTES],
             "max_marks": max_bytes[start * _BYTES:end * _BYTES]}
            for attempt_id, start, end in zip(attempt_ids.tolist(), starts.tolist(), ends.tolist())]
