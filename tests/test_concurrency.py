"""Twenty people submit practice attempts and check-ins at the same moment.

Every submission either lands whole or fails with DatabaseBusy (nothing
saved, safe to retry); no row is lost and the totals are exact. Runs on
SQLite (WAL, busy timeout) and on PostgreSQL.
"""
import threading

from sqlalchemy import func, text
from sqlmodel import Session, select

from portal.auth import find_user
from portal.db import DatabaseBusy, run_transaction
from portal.models import Attempt, AttemptAnswer, WellbeingParticipation, WellbeingResponse
from portal.quizzes import practice
from portal.roles import Role
from portal.wellbeing import CheckIn, check_in
from tests.utils.factories import make_user

PEOPLE = 20


def submit_practice(actor, engine):
    def work(session):
        attempt_id = practice.start_practice(session, actor, "practice-etiquette")
        view = practice.get_practice_attempt(session, actor, attempt_id)
        for item in view.items:
            practice.answer_practice(session, actor, attempt_id, item.slot, None)
        return practice.finish_practice(session, actor, attempt_id).id
    return run_transaction(work, engine)


def test_twenty_simultaneous_submissions_land_whole(demo_engine):
    with Session(demo_engine) as session:
        team_id = find_user(session, "agent").team_id
        actors = [make_user(session, f"crowd{i:02d}", Role.AGENT, team_id=team_id) for i in range(PEOPLE)]
        session.commit()
        before_attempts = session.exec(select(func.count(Attempt.id))).one()
        before_responses = session.exec(select(func.count()).select_from(WellbeingResponse)).one()
    barrier = threading.Barrier(PEOPLE)
    outcomes, lock = [], threading.Lock()

    def person(actor):
        barrier.wait()
        for name, action in (("practice", lambda: submit_practice(actor, demo_engine)),
                             ("checkin", lambda: run_transaction(
                                 lambda s: check_in(s, actor, CheckIn([3, 3, 4, 2, 3], [1, 2, 3, 1])), demo_engine))):
            try:
                action()
                result = "ok"
            except DatabaseBusy:
                result = "busy"
            except Exception as exc:  # anything else is a defect
                result = f"error: {type(exc).__name__}: {exc}"
            with lock:
                outcomes.append((name, result))

    threads = [threading.Thread(target=person, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    errors = [o for o in outcomes if o[1].startswith("error")]
    assert not errors, errors
    landed = {name: sum(1 for n, r in outcomes if n == name and r == "ok") for name in ("practice", "checkin")}

    with Session(demo_engine) as session:
        attempts = session.exec(select(Attempt).where(Attempt.user_id.in_([a.id for a in actors]))).all()
        assert len(attempts) == landed["practice"]
        assert session.exec(select(func.count(Attempt.id))).one() == before_attempts + landed["practice"]
        for attempt in attempts:  # whole: finished, every slot marked, score = sum of marks
            assert attempt.status == "graded"
            marks = session.exec(select(AttemptAnswer.mark).where(AttemptAnswer.attempt_id == attempt.id)).all()
            assert marks and all(m is not None for m in marks)
            assert abs(sum(marks) - attempt.score) < 1e-9
        responses = session.exec(select(func.count()).select_from(WellbeingResponse)).one()
        assert responses == before_responses + landed["checkin"]
        this_week = session.exec(select(func.count()).select_from(WellbeingParticipation)).one()
        assert this_week == landed["checkin"]
    assert landed["practice"] >= PEOPLE // 2 and landed["checkin"] >= PEOPLE // 2, landed


def test_busy_database_is_retried_then_reported_clearly(engine):
    calls = []

    def always_locked(session):
        calls.append(1)
        session.execute(text("SELECT 1"))
        from sqlalchemy.exc import OperationalError
        raise OperationalError("INSERT ...", {}, Exception("database is locked"))

    try:
        run_transaction(always_locked, engine, attempts=3)
    except DatabaseBusy as exc:
        assert str(exc) == "The system is busy and nothing was saved. Please try again in a moment."
    else:
        raise AssertionError("DatabaseBusy not raised")
    assert len(calls) == 3
