"""A double click on "Start now", or two tabs, start one exam attempt: on SQLite and on PostgreSQL."""
import threading

from sqlmodel import Session, select

from portal.auth import actor_for, find_user
from portal.db import DatabaseBusy, run_transaction
from portal.models import Attempt, Exam

CLICKS = 6


def test_simultaneous_starts_make_one_attempt(demo_engine):
    with Session(demo_engine) as session:
        actor = actor_for(session, find_user(session, "newhire"))
        exam_id = session.exec(select(Exam.id).where(Exam.code == "written-ticket-q1")).one()
    barrier = threading.Barrier(CLICKS)
    started, lock = [], threading.Lock()

    def click():
        from portal.quizzes import attempts

        barrier.wait()
        try:
            attempt_id = run_transaction(lambda s: attempts.start_attempt(s, actor, exam_id), demo_engine)
        except DatabaseBusy:
            return
        with lock:
            started.append(attempt_id)

    threads = [threading.Thread(target=click) for _ in range(CLICKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(demo_engine) as session:
        rows = session.exec(select(Attempt).where(Attempt.exam_id == exam_id, Attempt.user_id == actor.id)).all()
    assert len(rows) == 1 and rows[0].status == "in_progress"
    assert started and set(started) == {rows[0].id}
