"""Bulk work on a selection of users (issue 18): deactivate, move team, assign mentor or cohort, reset passwords.

Each action is one service taking a list of user ids: it checks every person first and changes
no one when any of them cannot be changed (all or nothing), then writes one audit entry per
person it changed. `preview` tells the admin, person by person, what an action will change
(or why it cannot) before they confirm; the action itself asks the same question again
(`_changes`), so what was previewed is what is refused or done.

A person the action would not change (already inactive, already in that team) is left alone
and writes nothing: a second click on the same confirmation changes nothing a second time.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from portal import users
from portal.errors import ValidationFailed
from portal.models import Cohort, NotificationPreference, Team, User
from portal.permissions import permission
from portal.roles import Actor
from portal.teams.membership import move_to_team

DEACTIVATE, MOVE_TEAM, ASSIGN_MENTOR, ASSIGN_COHORT, RESET_PASSWORDS = (
    "deactivate", "move_team", "assign_mentor", "assign_cohort", "reset_passwords")
ACTIONS = (DEACTIVATE, MOVE_TEAM, ASSIGN_MENTOR, ASSIGN_COHORT, RESET_PASSWORDS)


class BulkRefused(ValidationFailed):
    """Nobody was changed: some of the people chosen cannot be; each problem names the person and why."""

    key = "admin.bulk.error.refused"

    def problem_text(self, problem, language: str | None) -> str:
        from portal.i18n import translate

        name, key, params = problem
        return f"{name}: {translate(key, language or 'en', **params)}"


@dataclass(frozen=True)
class BulkChange:
    """What to do to the selection: the action and what it needs (a team and its date, a mentor, a cohort)."""

    action: str
    team_id: int | None = None
    effective: date | None = None
    mentor_id: int | None = None
    cohort_id: int | None = None


@dataclass
class PersonChange:
    """One row of the preview: the person, what they have now, what they will have, or why not."""

    user_id: int
    name: str
    username: str
    before: str
    after: str
    problem: tuple[str, dict] | None = None
    changes: bool = True
    extra: dict = field(default_factory=dict)


def _people(session: Session, user_ids) -> list[User]:
    ids = list(dict.fromkeys(int(i) for i in user_ids))
    if not ids:
        raise ValidationFailed("admin.bulk.error.nobody")
    found = {u.id: u for u in session.exec(select(User).where(User.id.in_(ids)))}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationFailed("users.error.no_such_user", user=missing[0])
    return [found[i] for i in ids]


def _names(session: Session, model) -> dict[int, str]:
    return dict(session.exec(select(model.id, model.name)).all())


def _active_or_refuse(session: Session, model, record_id: int | None, key: str) -> None:
    """A team or cohort to put people in: it must exist and not be archived (what the pickers offer)."""
    record = session.get(model, record_id) if record_id is not None else None
    if record is None or record.archived_at is not None:
        raise ValidationFailed(key)


def _changes(session: Session, actor: Actor, change: BulkChange, people: list[User]) -> list[PersonChange]:
    """Person by person, what `change` would do to them or why it cannot."""
    if change.action == DEACTIVATE:
        return [PersonChange(u.id, u.display_name, u.username, _status(u.active), _status(False),
                             ("users.error.cannot_deactivate_self", {}) if u.id == actor.id else None,
                             changes=u.active) for u in people]
    if change.action == MOVE_TEAM:
        _active_or_refuse(session, Team, change.team_id, "admin.bulk.error.pick_team")
        if change.effective is None:
            raise ValidationFailed("admin.bulk.error.pick_date")
        teams = _names(session, Team)
        return [PersonChange(u.id, u.display_name, u.username, teams.get(u.team_id, "—"), teams[change.team_id],
                             changes=u.team_id != change.team_id) for u in people]
    if change.action == ASSIGN_COHORT:
        _active_or_refuse(session, Cohort, change.cohort_id, "admin.bulk.error.pick_cohort")
        cohorts = _names(session, Cohort)
        return [PersonChange(u.id, u.display_name, u.username, cohorts.get(u.cohort_id, "—"),
                             cohorts[change.cohort_id], changes=u.cohort_id != change.cohort_id) for u in people]
    if change.action == ASSIGN_MENTOR:
        return _mentor_changes(session, change.mentor_id, people)
    if change.action == RESET_PASSWORDS:
        return [PersonChange(u.id, u.display_name, u.username, "", "") for u in people]
    raise ValidationFailed("admin.bulk.error.unknown_action", action=change.action)


def _status(active: bool) -> str:
    return "active" if active else "inactive"


def _mentor_changes(session: Session, mentor_id: int | None, people: list[User]) -> list[PersonChange]:
    mentor = session.get(User, mentor_id) if mentor_id is not None else None
    if mentor is None:
        raise ValidationFailed("admin.bulk.error.pick_mentor")
    problem = users.mentor_problem(mentor.username, users.roles_of(session, mentor.id), mentor.active)
    if problem:
        raise ValidationFailed(problem[0], **problem[1])
    mentors = dict(session.exec(select(User.id, User.display_name)
                                .where(User.id.in_({u.mentor_id for u in people if u.mentor_id}))).all())
    return [PersonChange(u.id, u.display_name, u.username, mentors.get(u.mentor_id, "—"), mentor.display_name,
                         ("users.error.own_mentor", {}) if u.id == mentor.id else None,
                         changes=u.mentor_id != mentor.id) for u in people]


@permission("users:manage")
def preview(session: Session, actor: Actor, change: BulkChange, user_ids) -> list[PersonChange]:
    """What `change` will do to each of `user_ids`, in the order given: shown before the admin confirms."""
    return _changes(session, actor, change, _people(session, user_ids))


def _checked(session: Session, actor: Actor, change: BulkChange, user_ids) -> list[PersonChange]:
    """The changes, or BulkRefused naming every person who cannot be changed (and no one changed)."""
    rows = _changes(session, actor, change, _people(session, user_ids))
    problems = [(row.username, *row.problem) for row in rows if row.problem]
    if problems:
        raise BulkRefused(problems=problems, count=len(problems))
    return rows


def _each(session: Session, actor: Actor, change: BulkChange, user_ids, apply: Callable) -> int:
    """Apply `apply(row)` to every person the change changes; how many that was."""
    rows = [row for row in _checked(session, actor, change, user_ids) if row.changes]
    problems = []
    for row in rows:  # a refusal only the change itself finds (a move's date before someone's team began)
        try:
            apply(row)
        except ValidationFailed as exc:
            problems.append((row.username, exc.key, exc.params))
    if problems:  # the transaction rolls back: no one is changed
        raise BulkRefused(problems=problems, count=len(problems))
    return len(rows)


@permission("users:manage")
def deactivate(session: Session, actor: Actor, user_ids) -> int:
    """Deactivate everyone in `user_ids` (signed out everywhere); how many were active."""
    return _each(session, actor, BulkChange(DEACTIVATE), user_ids,
                 lambda row: users.set_active(session, actor, row.user_id, False))


@permission("users:manage")
def move_team(session: Session, actor: Actor, user_ids, team_id: int, effective: date) -> int:
    """Move everyone in `user_ids` to `team_id` from `effective` on (their team history is dated)."""
    return _each(session, actor, BulkChange(MOVE_TEAM, team_id=team_id, effective=effective), user_ids,
                 lambda row: move_to_team(session, actor, row.user_id, team_id, effective))


@permission("users:manage")
def assign_mentor(session: Session, actor: Actor, user_ids, mentor_id: int) -> int:
    """Give everyone in `user_ids` the mentor `mentor_id` (who must hold the mentor role and be active)."""
    def give(row: PersonChange) -> None:
        user = session.get(User, row.user_id)
        users.assign(session, actor, row.user_id, team_id=user.team_id, cohort_id=user.cohort_id,
                     mentor_id=mentor_id)
    return _each(session, actor, BulkChange(ASSIGN_MENTOR, mentor_id=mentor_id), user_ids, give)


@permission("users:manage")
def assign_cohort(session: Session, actor: Actor, user_ids, cohort_id: int) -> int:
    """Put everyone in `user_ids` in the cohort `cohort_id` (not an archived one)."""
    def put(row: PersonChange) -> None:
        user = session.get(User, row.user_id)
        users.assign(session, actor, row.user_id, team_id=user.team_id, cohort_id=cohort_id,
                     mentor_id=user.mentor_id)
    return _each(session, actor, BulkChange(ASSIGN_COHORT, cohort_id=cohort_id), user_ids, put)


@dataclass(frozen=True)
class IssuedPassword:
    """A temporary password: shown once to the admin, or e-mailed to the person (`emailed_to`)."""

    user_id: int
    name: str
    username: str
    password: str | None
    emailed_to: str | None = None


@permission("users:manage")
def reset_passwords(session: Session, actor: Actor, user_ids, *, mailer: Callable | None = None
                    ) -> list[IssuedPassword]:
    """A new temporary password for everyone in `user_ids` (each must change it at next sign-in).

    With `mailer(user, address, password)` (SMTP configured), a person with an e-mail address gets
    theirs by e-mail and the admin never sees it; the others' are returned to be shown once.
    """
    issued = []
    for row in _checked(session, actor, BulkChange(RESET_PASSWORDS), user_ids):
        password = users.reset_password(session, actor, row.user_id)
        address = _address(session, row.user_id) if mailer else None
        if address:
            mailer(session.get(User, row.user_id), address, password)
        issued.append(IssuedPassword(row.user_id, row.name, row.username, None if address else password, address))
    return issued


def _address(session: Session, user_id: int) -> str | None:
    preference = session.get(NotificationPreference, user_id)
    return preference.email if preference is not None and preference.email else None


@permission("users:manage")
def matching_ids(session: Session, actor: Actor, wanted: "users.UserFilter") -> list[int]:
    """The ids of every user `wanted` matches, on every page (to act on all of them at once)."""
    return list(session.exec(select(User.id).where(*wanted.where()).order_by(User.username)).all())


def password_mailer(settings) -> Callable:
    """`mailer` for `reset_passwords` when SMTP is configured: the temporary password in the person's language."""
    from email.message import EmailMessage

    from portal.i18n import LANGUAGES, Translator
    from portal.notifications.mail import _connect, page_url

    def send(user: User, address: str, password: str) -> None:
        t = Translator(user.language if user.language in LANGUAGES else "en")
        message = EmailMessage()
        message["Subject"] = t("admin.bulk.email.subject")
        message["From"], message["To"] = settings.sender, address
        message.set_content(t("admin.bulk.email.body", name=user.display_name, username=user.username,
                              password=password, url=page_url(settings.public_url, "pages/home.py", {})))
        with _connect(settings) as smtp:
            smtp.send_message(message)
    return send
