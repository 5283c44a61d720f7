"""Twenty people submit practice attempts and check-ins at the same moment.

Every submission either lands whole or fails with DatabaseBusy (nothing
saved, safe to retry); no row is lost and the totals are exact. Runs on
SQLite (WAL, busy timeout) and on PostgreSQL.
"""
import threading

import pytest
from sqlalchemy import func, text
from sqlmodel import Session, select

from portal.auth import find_user, sign_in
from portal.db import DatabaseBusy, WriteInReadScope, read_scope, run_transaction
from portal.errors import AuthenticationFailed
from portal.models import AuditEntry, User, Attempt, AttemptAnswer, WellbeingParticipation, WellbeingResponse
from portal.quizzes import practice
from portal.roles import Role
from portal.wellbeing import CheckIn, check_in
from tests.utils.factories import PASSWORD, make_user

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


def test_twenty_simultaneous_sign_ins_all_land_and_failures_count_exactly(demo_engine):
    """The login form's path: bcrypt outside the transaction, the outcome in a short one.

    Twenty people sign in at once, and twenty wrong passwords hit one account at
    once: every sign-in lands, and the throttle counts exactly five failures (row
    lock on PostgreSQL, the writer lock on SQLite): the other fifteen guesses, in
    flight at the same moment, find the name waiting and are not checked."""
    with Session(demo_engine) as session:
        team_id = find_user(session, "agent").team_id
        for i in range(PEOPLE):
            make_user(session, f"crowd{i:02d}", Role.AGENT, team_id=team_id)
        session.commit()
    barrier = threading.Barrier(PEOPLE * 2)
    outcomes: list[str] = []

    def attempt(username, password):
        barrier.wait()
        try:
            outcomes.append(sign_in(username, password, demo_engine).username)
        except AuthenticationFailed as refused:
            outcomes.append(refused.key)

    threads = [threading.Thread(target=attempt, args=(f"crowd{i:02d}", PASSWORD)) for i in range(PEOPLE)]
    threads += [threading.Thread(target=attempt, args=("agent", "wrong-password")) for _ in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o for o in outcomes if o.startswith("crowd")) == [f"crowd{i:02d}" for i in range(PEOPLE)]
    assert outcomes.count("auth.error.invalid_credentials") == 5
    assert outcomes.count("auth.error.throttled") == PEOPLE - 5
    with Session(demo_engine) as session:
        actions = session.exec(select(AuditEntry.action).where(AuditEntry.target == "agent")).all()
        assert session.exec(select(func.count()).select_from(AuditEntry)
                            .where(AuditEntry.action == "login.succeeded",
                                   AuditEntry.target.like("crowd%"))).one() == PEOPLE
    assert actions.count("login.failed") == 5 and actions.count("login.throttled") == PEOPLE - 5


def test_a_write_in_a_read_scope_is_refused_and_nothing_is_saved(demo_engine):
    with pytest.raises(WriteInReadScope):
        with read_scope(demo_engine) as session:
            user = session.exec(select(User).where(User.username == "agent")).one()
            user.display_name = "Changed on a read path"
            session.flush()
    with read_scope(demo_engine) as session:
        user = session.exec(select(User).where(User.username == "agent")).one()
        assert user.display_name != "Changed on a read path"  # loaded objects stay readable after the scope
    assert user.username == "agent"
