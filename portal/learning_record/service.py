"""`learning_record(session, actor, user_id)`: one person's record, read from their own rows only."""
from sqlalchemy import exists, func
from sqlmodel import Session, select

from portal import permissions
from portal.clock import local_date, utcnow
from portal.errors import NotFound
from portal.learning_record.certificates import certificates_of
from portal.learning_record.entries import (CoachingEntry, ExamEntry, LearningRecord, ModuleEntry, PersonFacts,
                                            QaSummary, StageEntry)
from portal.models import Attempt, CoachingSession, Cohort, Exam, ModuleProgress, QaEvaluation, StageSignoff, Team, User
from portal.onboarding.journey import Journey, build_journeys
from portal.permissions import permission
from portal.quizzes.results import final_grades
from portal.roles import Actor

READ = "record:read"
SCORED_KINDS = ("written", "practical")


@permission(READ, subject="user_id")
def learning_record(session: Session, actor: Actor, user_id: int) -> LearningRecord:
    """Everything `user_id` learned and proved, for HR and for them.

    The person reads their own, a mentor their mentees, a lead the members of the teams they
    lead, trainers and admins everyone (`record:read`). The quality summary is only there when
    the reader may also read this person's evaluations (`qa:evaluations_read`): a mentor may not.
    """
    user = session.get(User, user_id)
    if user is None:
        raise NotFound()
    journey, in_programme = _journey(session, user)
    qa_visible = permissions.may(session, actor, "qa:evaluations_read", user_id)
    return LearningRecord(
        person=_person(session, user), generated_at=utcnow(),
        stages=_stages(journey) if in_programme else (), modules=_modules(journey) if journey else (),
        exams=_exams(session, user_id), coaching=_coaching(session, user_id),
        qa=_qa_summary(session, user_id) if qa_visible else None,
        certificates=tuple(certificates_of(session, user_id)))


@permission(READ)
def record_people(session: Session, actor: Actor) -> dict[int, str]:
    """The people whose record `actor` may read (id -> "name (username)"), active first, by name."""
    rows = session.exec(select(User.id, User.display_name, User.username)
                        .where(permissions.people_filter(session, actor, READ))
                        .order_by(User.active.desc(), User.display_name, User.id)).all()
    return {row.id: f"{row.display_name} ({row.username})" for row in rows}


def _person(session: Session, user: User) -> PersonFacts:
    team = session.get(Team, user.team_id) if user.team_id else None
    cohort = session.get(Cohort, user.cohort_id) if user.cohort_id else None
    mentor = session.get(User, user.mentor_id) if user.mentor_id else None
    return PersonFacts(user_id=user.id, display_name=user.display_name, username=user.username,
                       team=team.name if team else None, cohort=cohort.name if cohort else None,
                       mentor=mentor.display_name if mentor else None, active=user.active)


def _journey(session: Session, user: User) -> tuple[Journey | None, bool]:
    """The person's journey when they read any module or were in the new-hire programme, and whether they were.

    An agent who only read modules (a changed one, again) has modules in their record but no stages:
    the programme's stages belong to those in a cohort or signed off in one.
    """
    read_modules, signed_off = session.exec(select(exists().where(ModuleProgress.user_id == user.id),
                                                   exists().where(StageSignoff.user_id == user.id))).one()
    in_programme = user.cohort_id is not None or bool(signed_off)
    if not (in_programme or read_modules):
        return None, False
    return build_journeys(session, [user])[0], in_programme


def _stages(journey: Journey) -> tuple[StageEntry, ...]:
    entries = []
    for stage in journey.stages:
        last = stage.last_signoff
        entries.append(StageEntry(
            stage_key=stage.key, title_en=stage.title.en, title_zh=stage.title.zh_cn, status=str(stage.status),
            outcome=str(last.outcome) if last else None, signed_on=last.signed_on if last else None,
            signed_by=last.signed_by if last else None, reason=last.reason if last else ""))
    return tuple(entries)


def _modules(journey: Journey) -> tuple[ModuleEntry, ...]:
    """The modules completed, in programme order."""
    return tuple(
        ModuleEntry(stage_key=stage.key, module_id=module.spec.id, title_en=module.spec.title.en,
                    title_zh=module.spec.title.zh_cn, completed_on=local_date(module.completed_at),
                    completed_version=module.completed_version, current_version=module.spec.version,
                    minutes_spent=module.minutes_spent)
        for stage in journey.stages for module in stage.modules if module.done)


def _exams(session: Session, user_id: int) -> tuple[ExamEntry, ...]:
    """Written exams and practicals graded, each with the grade its grading method counts."""
    sittings = session.exec(
        select(Attempt.exam_id, func.count(Attempt.id).label("attempts"), func.max(Attempt.submitted_at).label("last"))
        .join(Exam, Exam.id == Attempt.exam_id)
        .where(Attempt.user_id == user_id, Attempt.status == "graded", Exam.kind.in_(SCORED_KINDS))
        .group_by(Attempt.exam_id)).all()
    if not sittings:
        return ()
    exams = session.exec(select(Exam).where(Exam.id.in_([row.exam_id for row in sittings]))).all()
    grades = final_grades(session, list(exams), user_id)
    by_id = {exam.id: exam for exam in exams}
    entries = []
    for row in sorted(sittings, key=lambda r: r.last):
        exam = by_id[row.exam_id]
        percent, passed = grades[exam.id]
        entries.append(ExamEntry(exam_id=exam.id, code=exam.code, kind=exam.kind, title_en=exam.title_en,
                                 title_zh=exam.title_zh, attempts=row.attempts, percent=percent, passed=passed,
                                 submitted_on=local_date(row.last) if row.last else None))
    return tuple(entries)


def _coaching(session: Session, user_id: int) -> tuple[CoachingEntry, ...]:
    """The shared part of every session held with the person. Private notes are never selected."""
    rows = session.exec(
        select(CoachingSession.id, CoachingSession.held_on, CoachingSession.focus_area,
               CoachingSession.shared_notes, CoachingSession.acknowledged_at, User.display_name)
        .join(User, User.id == CoachingSession.author_id)
        .where(CoachingSession.agent_id == user_id)
        .order_by(CoachingSession.held_on, CoachingSession.id)).all()
    return tuple(CoachingEntry(session_id=row.id, held_on=row.held_on, focus_area=row.focus_area,
                               coach=row.display_name, shared_notes=row.shared_notes,
                               acknowledged_on=local_date(row.acknowledged_at) if row.acknowledged_at else None)
                 for row in rows)


def _qa_summary(session: Session, user_id: int) -> QaSummary:
    """Submitted evaluations of the person's calls (calibration scoring never counts)."""
    row = session.exec(
        select(func.count(QaEvaluation.id), func.avg(QaEvaluation.percent), func.max(QaEvaluation.submitted_at))
        .where(QaEvaluation.agent_id == user_id, QaEvaluation.status == "submitted",
               QaEvaluation.calibration_id.is_(None))).one()
    count, average, last = row
    return QaSummary(evaluations=int(count), average_percent=None if average is None else round(float(average), 1),
                     last_on=local_date(last) if last else None)
