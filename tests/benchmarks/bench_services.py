"""Time service calls on the `large` data set, without Streamlit (prints a table; asserts nothing).

    DATABASE_URL=sqlite:///db/large.sqlite3 .venv/bin/python -m tests.benchmarks.bench_services
    (options: --runs N, --only TEXT to run entries whose name contains TEXT)

Each entry of BENCHMARKS is (name, setup): setup(bench) gets a Bench (an open
session and the large data set's users) and returns the callable to time,
which is run once unmeasured and then --runs times; the table shows the
median and the fastest run, and the time spent in SQL. Another area adds its
rows by appending entries (or a list of them) to BENCHMARKS.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session

from sqlalchemy import func, select

from portal import auth, wellbeing
from portal.db import get_engine
from portal.models import Attempt, Exam
from portal.quizzes import analysis
from portal.roles import Actor, Role
from tests.benchmarks.bench_pages import LARGE_USERS, QueryClock

TARGET_MS = 300


@dataclass
class Bench:
    session: Session
    _actors: dict = field(default_factory=dict)

    def actor(self, role: Role) -> Actor:
        if role not in self._actors:
            self._actors[role] = auth.actor_for(self.session, auth.find_user(self.session, LARGE_USERS[role]))
        return self._actors[role]


Setup = Callable[[Bench], Callable[[], object]]


# --- wellbeing: the anonymity aggregates ---------------------------------------------

def _first_team(bench: Bench, role: Role) -> str:
    return wellbeing.wellbeing_groups(bench.session, bench.actor(role))[0].key


def _published_cold(bench: Bench):
    def run():
        wellbeing.published_cells(bench.session)  # the published table, after checking nothing new has closed
    return run


def _trend(role: Role, group: str | None, period_kind: str) -> Setup:
    def setup(bench: Bench):
        key = group or _first_team(bench, role)
        return lambda: wellbeing.wellbeing_trend(bench.session, bench.actor(role), key, period_kind)
    return setup


def _comments(role: Role, group: str | None) -> Setup:
    def setup(bench: Bench):
        key = group or _first_team(bench, role)
        return lambda: wellbeing.wellbeing_comments(bench.session, bench.actor(role), key)
    return setup


# --- exams: item analysis ----------------------------------------------------------------

def _largest_exam(bench: Bench) -> Exam:
    """The exam with the most graded attempts (about 1,050 in `large`; bench_exams.py times 20,000)."""
    exam_id = bench.session.execute(
        select(Attempt.exam_id).where(Attempt.status == "graded").group_by(Attempt.exam_id)
        .order_by(func.count().desc(), Attempt.exam_id).limit(1)).scalar_one()
    return bench.session.get(Exam, exam_id)


def _item_analysis(bench: Bench):
    exam = _largest_exam(bench)
    return lambda: analysis.exam_item_analysis(bench.session, bench.actor(Role.TRAINER), exam.id)


def _matrix_from_answers(bench: Bench):
    exam = _largest_exam(bench)
    return lambda: analysis.marks_matrix_from_answers(bench.session, exam)


def _marks_csv(bench: Bench):
    exam = _largest_exam(bench)
    return lambda: analysis.marks_csv(bench.session, bench.actor(Role.TRAINER), exam.id)


def _learning_record(role: Role, subject: Role):
    """The record `role` reads of the data set's `subject` person, and its PDF and XLSX built as on a click."""
    from portal import learning_record

    def setup(bench: Bench):
        actor, person = bench.actor(role), bench.actor(subject)
        return lambda: learning_record.learning_record(bench.session, actor, person.id)
    return setup


def _record_people(bench: Bench):
    from portal import learning_record

    return lambda: learning_record.record_people(bench.session, bench.actor(Role.ADMIN))


def _learning_record_files(bench: Bench):
    from portal import learning_record
    from portal.i18n import Translator
    from portal.learning_record.pdf import record_pdf

    person = bench.actor(Role.NEWHIRE)
    record = learning_record.learning_record(bench.session, person, person.id)
    t = Translator("zh-CN")
    return lambda: (record_pdf(record, t), learning_record.record_workbook(record, t))


BENCHMARKS: list[tuple[str, Setup]] = [
    ("exams: item analysis, largest exam (trainer)", _item_analysis),
    ("exams: its marks read answer by answer (before)", _matrix_from_answers),
    ("exams: exams with marks (item analysis list)",
     lambda bench: lambda: analysis.exams_with_marks(bench.session, bench.actor(Role.TRAINER))),
    ("exams: marks CSV, largest exam (built on click)", _marks_csv),
    ("wellbeing: published cells", _published_cold),
    ("wellbeing: team trend by week (lead)", _trend(Role.LEAD, None, "week")),
    ("wellbeing: team trend by month (lead)", _trend(Role.LEAD, None, "month")),
    ("wellbeing: center trend by week (lead)", _trend(Role.LEAD, wellbeing.CENTER, "week")),
    ("wellbeing: center trend by month (admin)", _trend(Role.ADMIN, wellbeing.CENTER, "month")),
    ("wellbeing: team comments by month (lead)", _comments(Role.LEAD, None)),
    ("wellbeing: center comments by month (admin)", _comments(Role.ADMIN, wellbeing.CENTER)),
    ("record: a new hire's own learning record", _learning_record(Role.NEWHIRE, Role.NEWHIRE)),
    ("record: an agent's own learning record", _learning_record(Role.AGENT, Role.AGENT)),
    ("record: an agent's record read by the admin", _learning_record(Role.ADMIN, Role.AGENT)),
    ("record: the new hire's PDF and XLSX (zh-CN)", _learning_record_files),
    ("record: the people an admin may pick", _record_people),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="only entries whose name contains this")
    args = parser.parse_args(argv)
    engine = get_engine()
    clock = QueryClock(engine)
    print(f"database: {engine.url.render_as_string()}  runs: {args.runs}  target: <= {TARGET_MS} ms\n")
    print(f"{'service':<50}{'median ms':>10}{'best ms':>9}{'query ms':>10}  verdict")
    missed = 0
    with Session(engine) as session:
        bench = Bench(session)
        for name, setup in BENCHMARKS:
            if args.only and args.only not in name:
                continue
            call = setup(bench)
            call()  # warm-up
            times, queries = [], []
            for _ in range(args.runs):
                clock.total = 0.0
                started = time.perf_counter()
                call()
                times.append((time.perf_counter() - started) * 1000)
                queries.append(clock.total * 1000)
            median = statistics.median(times)
            ok = median <= TARGET_MS
            missed += not ok
            print(f"{name:<50}{median:>10.1f}{min(times):>9.1f}{statistics.median(queries):>10.1f}  "
                  f"{'ok' if ok else 'MISSED'}")
            session.rollback()
    print(f"\n{missed} services missed the target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
