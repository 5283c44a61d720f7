"""Time grading a submitted 20-question exam and item analysis of a 20,000-attempt exam (prints, no asserts).

Targets: grading <= 20 ms, item analysis (one SQL query + numpy + stats) <= 500 ms.
Item analysis reads `attempt_marks` (one packed row per attempt); the benchmark also times the same
matrix read answer by answer (`marks_matrix_from_answers`, 400,000 rows), the design it replaced.

Run: python tests/benchmarks/bench_exams.py [DATABASE_URL]   (default: a fresh SQLite file)
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, insert, select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from portal.db import make_engine, migrate  # noqa: E402
from portal.models import Attempt, AttemptAnswer, User  # noqa: E402
from portal.quizzes import analysis, attempt_marks, attempts  # noqa: E402
from portal.roles import Role  # noqa: E402
from tests.utils.factories import make_user  # noqa: E402
from tests.utils.quiz_factories import at, make_questions, make_written_exam  # noqa: E402

ATTEMPTS = 20_000
SLOTS = 20
T0 = at("2026-11-01 08:00")


def best_of(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[0] * 1000, times[len(times) // 2] * 1000


def bench_grading(session: Session, trainer, exam) -> None:
    """Submit (save 20 responses + grade + totals) of fresh attempts, each in a rolled-back savepoint."""
    learner = make_user(session, "bench.learner", Role.NEWHIRE)
    session.flush()

    def one():
        nested = session.begin_nested()
        attempt_id = attempts.start_attempt(session, learner, exam.id, now=T0)
        responses = {slot: 0 for slot in range(1, SLOTS + 1)}
        start = time.perf_counter()
        attempts.submit_attempt(session, learner, attempt_id, responses, now=T0 + timedelta(minutes=10))
        session.flush()
        one.times.append(time.perf_counter() - start)
        nested.rollback()

    one.times = []
    for _ in range(30):
        one()
    times = sorted(one.times)
    print(f"submit + grade a {SLOTS}-question exam: best {times[0] * 1000:.1f} ms, "
          f"median {times[len(times) // 2] * 1000:.1f} ms (target <= 20 ms)")


def fill_attempts(session: Session, exam_id: int) -> None:
    """20,000 people with one graded attempt each, Rasch-like marks, by bulk insert, packed into
    attempt_marks as grading does; then ANALYZE
    (as autovacuum would) so PostgreSQL plans with real row counts."""
    session.execute(insert(User), [{"username": f"bench{n:05d}", "display_name": f"Bench {n}", "password_hash": "x",
                                    "active": True, "must_change_password": False, "created_at": T0} for n in range(ATTEMPTS)])
    first_user = session.execute(select(func.min(User.id)).where(User.username.like("bench0%"))).scalar()
    rng = np.random.default_rng(7)
    ability = rng.normal(1.5, 1.0, size=(ATTEMPTS, 1))
    difficulty = rng.normal(0.0, 1.0, size=(1, SLOTS))
    marks = (rng.random((ATTEMPTS, SLOTS)) < 1 / (1 + np.exp(-(ability - difficulty)))).astype(float)
    rows = [{"exam_id": exam_id, "user_id": first_user + n, "number": 1, "status": "graded", "language": "en",
             "started_at": T0, "submitted_at": T0, "score": float(marks[n].sum()), "max_score": float(SLOTS),
             "percent": float(marks[n].mean() * 100), "passed": bool(marks[n].mean() >= 0.8), "overridden": False,
             "comment": ""} for n in range(ATTEMPTS)]
    session.execute(insert(Attempt), rows)
    first_id = session.execute(select(func.min(Attempt.id)).where(Attempt.exam_id == exam_id)).scalar()
    answers = [{"attempt_id": first_id + n, "slot": s + 1, "idnumber": f"PRD-{s + 1:03d}", "layout": "{}",
                "mark": float(marks[n, s]), "max_mark": 1.0, "comment": ""}
               for n in range(ATTEMPTS) for s in range(SLOTS)]
    for start in range(0, len(answers), 50_000):
        session.execute(insert(AttemptAnswer), answers[start:start + 50_000])
    attempt_marks.rebuild(session, select(Attempt.id).where(Attempt.exam_id == exam_id))  # as grading would
    session.commit()
    session.connection().exec_driver_sql("ANALYZE")
    session.commit()


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else None
    tmp = None
    if url is None:
        tmp = tempfile.mkdtemp()
        url = f"sqlite:///{os.path.join(tmp, 'bench.sqlite3')}"
    engine = make_engine(url)
    migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        trainer = make_user(session, "bench.trainer", Role.TRAINER)
        exam = make_written_exam(session, trainer, "bench-grading", questions=make_questions(session, "PRD", SLOTS),
                                 cohort_ids=[])
        session.commit()
        bench_grading(session, trainer, exam)
        session.rollback()
        big = make_written_exam(session, trainer, "bench-analysis", questions=[f"PRD-{n:03d}" for n in
                                                                                range(1, SLOTS + 1)], cohort_ids=[])
        session.commit()
        start = time.perf_counter()
        fill_attempts(session, big.id)
        print(f"inserted {ATTEMPTS:,} attempts x {SLOTS} answers in {time.perf_counter() - start:.1f} s "
              f"({engine.dialect.name})")
        _, warm, _ = analysis.exam_item_analysis(session, trainer, big.id)  # warm-up
        print(f"analysed {warm.test.count:,} attempts x {warm.test.slots} slots, alpha {warm.test.cronbach_alpha:.3f}")
        best, median = best_of(lambda: analysis.exam_item_analysis(session, trainer, big.id), 7)
        print(f"item analysis of {ATTEMPTS:,} attempts (SQL + pivot + stats): best {best:.0f} ms, "
              f"median {median:.0f} ms (target <= 500 ms)")
        best, median = best_of(lambda: analysis.marks_matrix(session, big), 7)
        print(f"  of which the marks query and pivot: best {best:.0f} ms, median {median:.0f} ms")
        best, median = best_of(lambda: analysis.marks_matrix_from_answers(session, big), 7)
        print(f"  the same matrix read answer by answer (400,000 rows, before attempt_marks): best {best:.0f} ms, "
              f"median {median:.0f} ms")
    engine.dispose()


if __name__ == "__main__":
    main()
