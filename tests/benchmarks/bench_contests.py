"""The contest board at `large` scale (#19): a contest between all 100 teams (about 2,300 people written down),
three rounds, most people taking part once or twice per round; the board service and the contest pages timed.
Target: the page target, <= 300 ms warm.

    DATABASE_URL=sqlite:////tmp/large.sqlite3 .venv/bin/python -m portal.cli seed large
    DATABASE_URL=sqlite:////tmp/large.sqlite3 .venv/bin/python -m tests.benchmarks.bench_contests [--runs N]

The first run adds the contest to the large center (tags 60 of its questions, creates and starts the contest
through the services, writes the graded attempts in bulk); later runs reuse it.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta

import numpy as np
from sqlalchemy import insert
from sqlmodel import Session, select

from portal import auth
from portal.clock import utcnow
from portal.contests import board as boards, setup
from portal.contests.setup import ContestSettings, MixEntry, RoundSettings
from portal.db import get_engine
from portal.models import Attempt, Contest, ContestMember, ContestRound, Question, QuestionTag, Team
from portal.roles import SYSTEM, Role
from tests.benchmarks.bench_pages import LARGE_USERS, QueryClock, bench_page

TITLE = "Large contest (benchmark)"
TARGET_MS = 300
PAGES = (("pages/training_contests.py", Role.AGENT), ("pages/team_contests.py", Role.LEAD),
         ("pages/authoring_contests.py", Role.TRAINER))


def add_contest(engine) -> int:
    """The benchmark's contest: created once, through the services, with bulk-written graded attempts."""
    with Session(engine) as session:
        found = session.exec(select(Contest.id).where(Contest.title_en == TITLE)).first()
        if found is not None:
            return found
        question_ids = session.exec(select(Question.id).where(Question.language == "en").order_by(Question.id)
                                    .limit(60)).all()
        for number, question_id in enumerate(question_ids):
            session.add(QuestionTag(question_id=question_id, tag="contest-" + "abc"[number % 3]))
        session.flush()
        now = utcnow()
        settings = ContestSettings(
            kind="knowledge", title_en=TITLE, title_zh="大型竞赛（基准）", starts_at=now - timedelta(days=2),
            ends_at=now + timedelta(days=5), team_ids=list(session.exec(select(Team.id)).all()),
            participation_share=0.6, attempts_per_round=2,
            rounds=[RoundSettings(15, [MixEntry(["contest-a"], 4), MixEntry(["contest-b"], 3),
                                       MixEntry(["contest-c"], 3)]) for _ in range(3)])
        contest = setup.create_contest(session, SYSTEM, settings)
        setup.start_contest(session, SYSTEM, contest.id)
        session.flush()
        members = session.exec(select(ContestMember.user_id).where(ContestMember.contest_id == contest.id)).all()
        exams = session.exec(select(ContestRound.exam_id).where(ContestRound.contest_id == contest.id)).all()
        rng = np.random.default_rng(19)
        rows = []
        for user_id in members:
            if rng.random() < 0.2:
                continue  # about a fifth take no part
            for exam_id in exams:
                for number in range(1, int(rng.integers(1, 3)) + 1):
                    started = now - timedelta(days=1, minutes=int(rng.integers(0, 1440)))
                    percent = float(np.clip(rng.normal(78, 12), 0, 100))
                    rows.append(dict(exam_id=exam_id, user_id=user_id, number=number, language="en", status="graded",
                                     started_at=started, deadline_at=started + timedelta(minutes=15),
                                     submitted_at=started + timedelta(seconds=int(rng.integers(200, 900))),
                                     score=percent / 10, max_score=10.0, percent=percent, passed=True))
        session.execute(insert(Attempt), rows)
        session.commit()
        print(f"added the contest: {len(members)} people, {len(rows)} graded attempts")
        return contest.id


def time_board(engine, contest_id: int, runs: int) -> list[tuple[str, float, float]]:
    clock = QueryClock(engine)
    out = []
    with Session(engine) as session:
        for role in (Role.AGENT, Role.LEAD, Role.TRAINER):
            actor = auth.actor_for(session, auth.find_user(session, LARGE_USERS[role]))
            boards.board(session, actor, contest_id)  # warm
            times, queries = [], []
            for _ in range(runs):
                clock.total = 0.0
                started = time.perf_counter()
                boards.board(session, actor, contest_id)
                times.append((time.perf_counter() - started) * 1000)
                queries.append(clock.total * 1000)
            out.append((f"board() as {role}", statistics.median(times), statistics.median(queries)))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    engine = get_engine()
    contest_id = add_contest(engine)
    print(f"database: {engine.url.render_as_string(hide_password=True)}  runs: {args.runs}  target: <= {TARGET_MS} ms")
    print(f"{'what':40} {'median ms':>10} {'query ms':>9}  verdict")
    worst = 0.0
    for name, ms, query_ms in time_board(engine, contest_id, args.runs):
        worst = max(worst, ms)
        print(f"{name:40} {ms:10.0f} {query_ms:9.1f}  {'ok' if ms <= TARGET_MS else 'SLOW'}")
    clock = QueryClock(engine)
    for path, role in PAGES:
        result = bench_page(engine, clock, path, LARGE_USERS[role], args.runs)
        if "error" in result:
            print(f"{path} ({role}): {result['error']}")
            return 1
        worst = max(worst, result["median_ms"])
        print(f"{path + ' (' + role + ')':40} {result['median_ms']:10.0f} {result['query_ms']:9.1f}  "
              f"{'ok' if result['median_ms'] <= TARGET_MS else 'SLOW'}")
    return 0 if worst <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
