"""Killing the server in the middle of an exam submission loses nothing and half-saves nothing.

A child process submits an attempt and is killed with SIGKILL after the
submission has written its first rows but before it commits. After the
"restart" the attempt is exactly as before (no answer, no mark, same
deadline), and submitting again lands whole.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import Session, select

from portal.auth import actor_for, find_user
from portal.db import run_transaction
from portal.errors import PortalError
from portal.models import Attempt, AttemptAnswer, Exam
from portal.quizzes import attempts

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import sys, time, pathlib
from portal.auth import actor_for, find_user
from portal.db import run_transaction
from portal.quizzes import attempts
from portal.quizzes.attempts import engine  # where grading looks the totals up

flag = pathlib.Path(sys.argv[3])
real_update_totals = engine.update_totals

def slow_update_totals(session, *args, **kwargs):
    session.flush()               # answers and marks are written, not committed
    flag.write_text("in the middle")
    time.sleep(120)               # the parent kills us here
    return real_update_totals(session, *args, **kwargs)

engine.update_totals = slow_update_totals

def submit(session):
    actor = actor_for(session, find_user(session, sys.argv[1]))
    return attempts.submit_attempt(session, actor, int(sys.argv[2]), {})

run_transaction(submit)
"""


def start_an_exam(engine):
    with Session(engine) as session:
        exam = session.exec(select(Exam).where(Exam.code == "written-product-q1")).one()
        for username in ("newhire", "wu.hao", "zhou.min", "xu.jing", "he.tao", "gao.yan", "lin.feng"):
            actor = actor_for(session, find_user(session, username))
            try:
                attempt_id = attempts.start_attempt(session, actor, exam.id)
            except PortalError:
                session.rollback()
                continue
            session.commit()
            return username, attempt_id
    raise AssertionError("no demo new hire may start the product exam")


def snapshot(engine, attempt_id):
    with Session(engine) as session:
        attempt = session.get(Attempt, attempt_id)
        answers = session.exec(select(AttemptAnswer.slot, AttemptAnswer.response, AttemptAnswer.mark)
                               .where(AttemptAnswer.attempt_id == attempt_id).order_by(AttemptAnswer.slot)).all()
        return (attempt.status, attempt.started_at, attempt.deadline_at, attempt.submitted_at, attempt.score,
                tuple(map(tuple, answers)))


def test_kill_during_submission_then_restart(demo_engine, tmp_path):
    username, attempt_id = start_an_exam(demo_engine)
    before = snapshot(demo_engine, attempt_id)
    assert before[0] == "in_progress" and before[2] is not None

    flag = tmp_path / "in-the-middle"
    env = {**os.environ, "DATABASE_URL": demo_engine.url.render_as_string(hide_password=False)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, username, str(attempt_id), str(flag)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not flag.exists():
        assert child.poll() is None, child.stdout.read().decode()[-2000:]
        assert time.monotonic() < deadline, "the child never reached the middle of the submission"
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    demo_engine.dispose()  # as after a restart: fresh connections

    after = snapshot(demo_engine, attempt_id)
    assert after == before, "a killed submission must leave the attempt exactly as it was"

    def submit(session):
        actor = actor_for(session, find_user(session, username))
        return attempts.submit_attempt(session, actor, attempt_id, {})

    outcome = run_transaction(submit, demo_engine)
    status, started, deadline_at, submitted, score, answers = snapshot(demo_engine, attempt_id)
    assert outcome.status == status == "graded"
    assert (started, deadline_at) == (before[1], before[2]), "the timer survives the crash"
    assert submitted is not None and score is not None
    assert all(mark is not None for _, _, mark in answers)
