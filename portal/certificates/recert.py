"""Recertification: when a module's text changes, the people who read an older version read it again
and pass its quiz by a due date.

A module's version is the short hash of its file (`portal.courses`); `ModuleProgress.version` says
which text a person read. `record_versions_seen` (run by the reminders sweep and the seed) notes the
day the portal first saw each version: the due date counts from it (`RecertPolicy.due_days`, per
module; until the sweep has run it counts from today). Per module a trainer chooses whether reading
again is *required*, *optional* (listed, never overdue) or *off*.

A person is up to date again when they have read the new version (`reread`) and, for a module with
a quiz, passed that practice quiz since the version was first seen.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal import audit
from portal.clock import center_day_start, local_today, utcnow
from portal.courses import ModuleSpec
from portal.errors import NotFound, ValidationFailed
from portal.models import (Attempt, Exam, ModuleProgress, ModuleVersionSeen, RecertPolicy, RecertReread, Team,
                           User)
from portal.onboarding.programme import current_programme
from portal.permissions import people_filter, permission
from portal.roles import Actor

MODES = ("required", "optional", "off")
DEFAULT_MODE, DEFAULT_DUE_DAYS = "required", 30
MAX_DUE_DAYS = 365


@dataclass(frozen=True)
class Policy:
    module_id: str
    mode: str
    due_days: int


def policies(session: Session) -> dict[str, Policy]:
    """Every module's policy (the defaults where none was set)."""
    stored = {row.module_id: row for row in session.exec(select(RecertPolicy)).all()}
    return {m.id: Policy(m.id, stored[m.id].mode, stored[m.id].due_days) if m.id in stored
            else Policy(m.id, DEFAULT_MODE, DEFAULT_DUE_DAYS) for m in current_programme().modules}


@permission("certificates:recert_policy")
def module_policies(session: Session, actor: Actor) -> list[tuple[ModuleSpec, Policy]]:
    """Every module in programme order with its policy, for the trainer's page."""
    found = policies(session)
    return [(module, found[module.id]) for module in current_programme().modules]


@permission("certificates:recert_policy")
def set_policy(session: Session, actor: Actor, module_id: str, mode: str, due_days: int) -> Policy:
    """Set how a module's readers are asked to read it again when it changes."""
    if current_programme().module(module_id) is None:
        raise NotFound("onboarding.error.no_such_module", module=module_id)
    if mode not in MODES:
        raise ValidationFailed("certificates.error.unknown_mode")
    if isinstance(due_days, bool) or not isinstance(due_days, int) or not 1 <= due_days <= MAX_DUE_DAYS:
        raise ValidationFailed("certificates.error.due_days_range", maximum=MAX_DUE_DAYS)
    row = session.get(RecertPolicy, module_id) or RecertPolicy(module_id=module_id)
    row.mode, row.due_days, row.updated_at = mode, due_days, utcnow()
    session.add(row)
    audit.record(session, actor_id=actor.id, action="recert.policy_set", target=module_id, mode=mode,
                 due_days=due_days)
    return Policy(module_id, mode, due_days)


def record_versions_seen(session: Session, today: date | None = None) -> int:
    """Note the first day each current module version was seen; returns how many were new. Idempotent."""
    today = today or local_today()
    seen = {(m, v) for m, v in session.exec(select(ModuleVersionSeen.module_id, ModuleVersionSeen.version)).all()}
    added = 0
    for module in current_programme().modules:
        if (module.id, module.version) in seen:
            continue
        try:
            with session.begin_nested():
                session.add(ModuleVersionSeen(module_id=module.id, version=module.version, first_seen_on=today))
            added += 1
        except IntegrityError:  # noted at the same moment by another process
            pass
    return added


@dataclass(frozen=True)
class Recertification:
    """One person and one changed module they must (or may) read again."""

    user_id: int
    name: str
    team_name: str | None
    module_id: str
    module: ModuleSpec
    mode: str
    due_on: date
    reread: bool  # read the new version already; the quiz is what is left
    has_quiz: bool

    def overdue(self, today: date) -> bool:
        return self.mode == "required" and self.due_on < today


def _first_seen(session: Session, today: date) -> dict[str, date]:
    programme = current_programme()
    rows = session.exec(select(ModuleVersionSeen.module_id, ModuleVersionSeen.version,
                               ModuleVersionSeen.first_seen_on)).all()
    current = {m.id: m.version for m in programme.modules}
    found = {module_id: day for module_id, version, day in rows if current.get(module_id) == version}
    return {module_id: found.get(module_id, today) for module_id in current}


def _passed_since(session: Session, user_ids: list[int], quiz_codes: set[str], since: dict[str, date]) -> set:
    """(user id, quiz code) for each practice quiz passed on or after its module's version day."""
    if not user_ids or not quiz_codes:
        return set()
    rows = session.exec(select(Attempt.user_id, Exam.code, Attempt.submitted_at).join(Exam, Exam.id == Attempt.exam_id)
                        .where(Attempt.user_id.in_(user_ids), Exam.code.in_(quiz_codes), Attempt.passed,
                               Attempt.submitted_at.is_not(None))).all()
    return {(uid, code) for uid, code, at in rows if code in since and at >= center_day_start(since[code])}


def _recertifications(session: Session, people_condition, today: date) -> list[Recertification]:
    """Read at an older version, or read again at this one with its quiz still to pass.

    Only those rows are read (the version test is in SQL): at a large center nearly everyone is
    up to date, and the board must not read every module everyone ever completed."""
    programme = current_programme()
    rules = {m: p for m, p in policies(session).items() if p.mode != "off"}
    if not rules:
        return []
    modules = [m for m in programme.modules if m.id in rules]
    first_seen = _first_seen(session, today)
    people = (select(ModuleProgress.user_id, ModuleProgress.module_id, ModuleProgress.version, User.display_name,
                     Team.name)
              .join(User, User.id == ModuleProgress.user_id).join(Team, Team.id == User.team_id, isouter=True)
              .where(User.active, people_condition, ModuleProgress.completed_at.is_not(None)))
    stale = session.exec(people.where(or_(*(and_(ModuleProgress.module_id == m.id, ModuleProgress.version != m.version)
                                             for m in modules)))).all()
    reread = session.exec(people.join(RecertReread, and_(RecertReread.user_id == ModuleProgress.user_id,
                                                         RecertReread.module_id == ModuleProgress.module_id,
                                                         RecertReread.version == ModuleProgress.version))
                          .where(or_(*(and_(ModuleProgress.module_id == m.id, ModuleProgress.version == m.version)
                                       for m in modules)))).all()
    candidates = sorted({*stale, *reread}, key=lambda r: (r[3], r[1]))
    quiz_since = {m.quiz: first_seen[m.id] for m in modules if m.quiz}
    passed = _passed_since(session, sorted({r[0] for r in reread}), set(quiz_since), quiz_since)
    found = []
    for user_id, module_id, version, name, team in candidates:
        module = programme.module(module_id)
        reread_done = version == module.version
        if reread_done and (module.quiz is None or (user_id, module.quiz) in passed):
            continue
        found.append(Recertification(user_id, name, team, module_id, module, rules[module_id].mode,
                                     first_seen[module_id] + timedelta(days=rules[module_id].due_days), reread_done,
                                     module.quiz is not None))
    return found


@permission("certificates:recert_read")
def out_of_date(session: Session, actor: Actor, *, today: date | None = None) -> list[Recertification]:
    """Everyone the actor may see who must (or may) read a changed module again, by name."""
    return _recertifications(session, people_filter(session, actor, "certificates:recert_read"),
                             today or local_today())


@permission("certificates:recert_own")
def my_recertifications(session: Session, actor: Actor, *, today: date | None = None) -> list[Recertification]:
    """The changed modules the actor must (or may) read again, soonest due first."""
    found = _recertifications(session, User.id == actor.id, today or local_today())
    return sorted(found, key=lambda r: (r.mode != "required", r.due_on, r.module.order))


@permission("certificates:recert_own")
def reread(session: Session, actor: Actor, module_id: str, *, now: datetime | None = None) -> ModuleProgress:
    """The actor has read a changed module again: their progress now names its current version."""
    module = current_programme().module(module_id)
    if module is None:
        raise NotFound("onboarding.error.no_such_module", module=module_id)
    row = session.exec(select(ModuleProgress).where(ModuleProgress.user_id == actor.id,
                                                    ModuleProgress.module_id == module_id)).first()
    if row is None or row.completed_at is None:
        raise ValidationFailed("certificates.error.never_read")
    if row.version == module.version:
        return row  # read again already (a double click), or never out of date
    session.add(RecertReread(user_id=actor.id, module_id=module_id, version=module.version,
                             previous_version=row.version, read_at=now or utcnow()))
    row.version, row.completed_at = module.version, now or utcnow()
    session.add(row)
    return row
