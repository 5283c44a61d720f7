"""Small worlds in a few lines: users with roles, teams, cohorts."""
from datetime import date

from sqlmodel import Session

from portal.auth import actor_for
from portal.roles import SYSTEM, Actor, Role
from portal.users import NewUser, create_team, create_user

PASSWORD = "correct-horse-1"


def make_user(session: Session, username: str, *roles: Role, team_id=None, cohort_id=None, mentor_id=None,
              password: str = PASSWORD) -> Actor:
    user = create_user(session, SYSTEM, NewUser(username=username, display_name=username.title(),
                                              roles=roles or (Role.AGENT,), password=password, team_id=team_id,
                                              cohort_id=cohort_id, mentor_id=mentor_id))
    session.flush()
    return actor_for(session, user)


def make_user_with_email(engine, username: str, email: str) -> Actor:
    """A committed agent who gave an e-mail address for notifications (SSO matches it; reset mail goes to it)."""
    from portal.models import NotificationPreference

    with Session(engine) as session:
        actor = make_user(session, username)
        session.add(NotificationPreference(user_id=actor.id, email=email))
        session.commit()
    return actor


def make_team(session: Session, name: str = "Team X"):
    return create_team(session, SYSTEM, name)


def make_cohort(session: Session, name: str = "Intake X", start: date = date(2026, 10, 1)):
    from portal.users import create_cohort

    return create_cohort(session, SYSTEM, name, start)


def record_practice_score(session: Session, user_id: int, code: str, percent: float = 100.0):
    """A finished practice attempt on quiz `code` (created if missing), as onboarding's quiz requirement reads it."""
    from sqlmodel import select

    from portal.clock import utcnow
    from portal.models import Attempt, Exam

    exam = session.exec(select(Exam).where(Exam.code == code)).first()
    if exam is None:
        exam = Exam(code=code, kind="practice", title_en=code, title_zh=code)
        session.add(exam)
        session.flush()
    now = utcnow()
    session.add(Attempt(exam_id=exam.id, user_id=user_id, status="graded", started_at=now, submitted_at=now,
                        score=percent, max_score=100.0, percent=percent, passed=percent >= exam.pass_mark))
    session.flush()


def forget_the_audit_log(session) -> None:
    """Empty the audit log under the ORM (which refuses to delete an entry: the log is append-only),
    to show that something is found without it."""
    from portal.models import AuditEntry

    session.flush()
    session.connection().exec_driver_sql(f"DELETE FROM {AuditEntry.__tablename__}")
    session.expire_all()
