"""Administration of people and organisation: users, roles, teams, cohorts.

Every function takes the acting user and names its action in `portal.permissions`.
"""
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import delete, exists, func
from sqlmodel import Session, select

from portal import audit, throttle
from portal.auth import revoke_user_sessions
from portal.clock import today, utcnow
from portal.errors import NotFound, ValidationFailed
from portal.models import AuthSession, Cohort, Team, TeamLead, User, UserRole
from portal.paging import PAGE_SIZE, Page, limited
from portal.passwords import check_new_password
from portal.permissions import permission
from portal.roles import ALL_ROLES, SYSTEM, Actor, Role
from portal.security import hash_password

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
#: An employee number (工号) as HR systems print them: letters, digits and - _ . /, at most 32.
EMPLOYEE_NUMBER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$")


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    roles: tuple[Role, ...]
    password: str
    team_id: int | None = None
    cohort_id: int | None = None
    mentor_id: int | None = None
    must_change_password: bool = False
    language: str | None = None
    employee_number: str | None = None


def parse_roles(values) -> tuple[Role, ...]:
    roles = []
    for value in values:
        value = str(value).strip().lower()
        if not value:
            continue
        if value not in {r.value for r in ALL_ROLES}:
            raise ValidationFailed("users.error.unknown_role", role=value)
        roles.append(Role(value))
    if not roles:
        raise ValidationFailed("users.error.no_role")
    return tuple(dict.fromkeys(roles))


def employee_number_problem(number: str, taken: bool) -> tuple[str, dict] | None:
    """What is wrong with an employee number (工号), if anything: one rule for the form and the import."""
    if not EMPLOYEE_NUMBER_PATTERN.match(number):
        return "users.error.bad_employee_number", {"number": number}
    if taken:
        return "users.error.duplicate_employee_number", {"number": number}
    return None


def employee_number_taken(session: Session, number: str) -> bool:
    return session.exec(select(User.id).where(func.upper(User.employee_number) == number.upper())).first() is not None


def validate_employee_number(session: Session, number: str | None) -> str | None:
    """The number as stored (trimmed; None when blank), or refused naming the field."""
    number = (number or "").strip()
    if not number:
        return None
    problem = employee_number_problem(number, employee_number_taken(session, number))
    if problem:
        raise ValidationFailed(problem[0], **problem[1])
    return number


def validate_username(session: Session, username: str) -> str:
    username = (username or "").strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise ValidationFailed("users.error.bad_username", username=username)
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise ValidationFailed("users.error.duplicate_username", username=username)
    return username


@permission("users:manage")
def create_user(session: Session, actor: Actor, new: NewUser) -> User:
    """Create a user. The command line and the seed loader act as `permissions.SYSTEM`."""
    username = validate_username(session, new.username)
    if not new.display_name.strip():
        raise ValidationFailed("users.error.display_name_required")
    check_new_password(new.password, username=username, display_name=new.display_name)
    roles = parse_roles(new.roles)
    employee_number = validate_employee_number(session, new.employee_number)
    _check_refs(session, new.team_id, new.cohort_id, new.mentor_id)
    user = User(username=username, display_name=new.display_name.strip(), password_hash=hash_password(new.password),
                employee_number=employee_number,
                team_id=new.team_id, cohort_id=new.cohort_id, mentor_id=new.mentor_id,
                must_change_password=new.must_change_password, language=new.language)
    session.add(user)
    session.flush()
    for role in roles:
        session.add(UserRole(user_id=user.id, role=role.value))
    audit.record(session, actor_id=actor.id, action="user.created", target=username,
                 roles=[r.value for r in roles])
    return user


def _check_refs(session: Session, team_id, cohort_id, mentor_id) -> None:
    if team_id is not None:
        get_team(session, team_id)
    if cohort_id is not None and session.get(Cohort, cohort_id) is None:
        raise NotFound("users.error.no_such_cohort", cohort=cohort_id)
    if mentor_id is not None:
        mentor = get_user(session, mentor_id)
        problem = mentor_problem(mentor.username, roles_of(session, mentor_id), mentor.active)
        if problem:
            raise ValidationFailed(problem[0], **problem[1])


def mentor_problem(username: str, roles, active: bool = True) -> tuple[str, dict] | None:
    """Why someone cannot be a mentor, or None: the one rule the create form, the edit form and the import use."""
    if Role.MENTOR not in {Role(r) for r in roles}:
        return "users.error.mentor_without_role", {"user": username}
    if not active:
        return "users.error.mentor_inactive", {"user": username}
    return None


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("users.error.no_such_user", user=user_id)
    return user


def roles_of(session: Session, user_id: int) -> set[Role]:
    return {Role(r) for r in session.exec(select(UserRole.role).where(UserRole.user_id == user_id))}


@permission("users:manage", subject="user_id")
def set_roles(session: Session, actor: Actor, user_id: int, roles) -> None:
    user = get_user(session, user_id)
    new_roles = set(parse_roles(roles))
    old_roles = roles_of(session, user_id)
    if user_id == actor.id and Role.ADMIN in old_roles and Role.ADMIN not in new_roles:
        raise ValidationFailed("users.error.cannot_drop_own_admin")
    if new_roles == old_roles:
        return
    session.exec(delete(UserRole).where(UserRole.user_id == user_id))
    for role in sorted(new_roles):
        session.add(UserRole(user_id=user_id, role=role.value))
    audit.record(session, actor_id=actor.id, action="user.roles_changed", target=user.username,
                 before=sorted(r.value for r in old_roles), after=sorted(r.value for r in new_roles))


@permission("users:manage", subject="user_id")
def assign(session: Session, actor: Actor, user_id: int, *, team_id: int | None, cohort_id: int | None,
           mentor_id: int | None, display_name: str | None = None) -> None:
    user = get_user(session, user_id)
    _check_refs(session, team_id, cohort_id, mentor_id)
    if mentor_id == user_id:
        raise ValidationFailed("users.error.own_mentor")
    if display_name is not None and not display_name.strip():
        raise ValidationFailed("users.error.display_name_required")
    if team_id != user.team_id:  # a move is dated and told on its own: the one service that moves people
        from portal.teams.membership import move_to_team

        move_to_team(session, actor, user_id, team_id, today())
    before = {"cohort_id": user.cohort_id, "mentor_id": user.mentor_id}
    after = {"cohort_id": cohort_id, "mentor_id": mentor_id}
    user.cohort_id, user.mentor_id = cohort_id, mentor_id
    if display_name is not None:
        user.display_name = display_name.strip()
    session.add(user)
    if before != after:
        audit.record(session, actor_id=actor.id, action="user.assigned", target=user.username, before=before,
                     after=after)


@permission("users:manage", subject="user_id")
def set_active(session: Session, actor: Actor, user_id: int, active: bool) -> None:
    user = get_user(session, user_id)
    if user_id == actor.id and not active:
        raise ValidationFailed("users.error.cannot_deactivate_self")
    user.active = active
    session.add(user)
    if not active:
        revoke_user_sessions(session, user_id)
    audit.record(session, actor_id=actor.id, action="user.activated" if active else "user.deactivated",
                 target=user.username)


def temporary_password() -> str:
    return secrets.token_urlsafe(9)


@permission("users:manage", subject="user_id")
def reset_password(session: Session, actor: Actor, user_id: int, new_password: str | None = None) -> str:
    """Set a new password that must be changed at next login; returns it."""
    user = get_user(session, user_id)
    password = new_password or temporary_password()
    check_new_password(password, username=user.username, display_name=user.display_name)
    user.password_hash = hash_password(password)
    user.must_change_password = actor is not SYSTEM  # the operator at the command line sets the person's own
    throttle.clear(session, user.username)
    session.add(user)
    revoke_user_sessions(session, user_id)
    audit.record(session, actor_id=actor.id, action="password.reset", target=user.username)
    return password


USER_COLUMNS = ["id", "username", "display_name", "roles", "employee_number", "active", "team", "cohort", "mentor", "locked_until",
                "must_change_password"]


ACTIVE, INACTIVE, NEVER_SIGNED_IN = "active", "inactive", "never_signed_in"
STATUSES = (ACTIVE, INACTIVE, NEVER_SIGNED_IN)
"""A user's status as the Users page filters it; `never_signed_in`: see `never_signed_in()`."""

NEVER_SIGNED_IN_AFTER = timedelta(days=3)


def never_signed_in() -> list:
    """Active accounts made over `NEVER_SIGNED_IN_AFTER` ago that no one has ever signed in to: the one
    rule Home's admin to-do counts and the Users page's filter lists."""
    return [User.active, User.created_at < utcnow() - NEVER_SIGNED_IN_AFTER,
            ~exists().where(AuthSession.user_id == User.id)]


@permission("users:manage")
def held_accounts(session: Session, actor: Actor, now: datetime | None = None) -> list[str]:
    """Usernames of active accounts held right now after repeated failed sign-ins: someone may be guessing
    their passwords (the admin's Home says so). Reads the usernames only when some name is held."""
    held = throttle.held_now(session, now or utcnow())
    if not held:
        return []
    return sorted(name for name in session.exec(select(User.username).where(User.active))
                  if throttle.name_hash(name) in held)


SORTS = {"username": User.username, "display_name": User.display_name, "team": Team.name,
         "cohort": Cohort.name, "created": User.created_at}
"""The columns the Users page sorts by."""


def name_matches(search: str):
    """SQL: a user whose username, name or employee number contains `search`, in any case (`%` and `_`
    taken literally); None when `search` is blank."""
    needle = (search or "").strip().lower()
    if not needle:
        return None
    pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return (func.lower(User.username).like(pattern, escape="\\")
            | func.lower(User.display_name).like(pattern, escape="\\")
            | func.lower(User.employee_number).like(pattern, escape="\\"))


PEOPLE_SHOWN = 50  # a picker of people lists at most this many: typing narrows it, the center's size does not weigh


def pick_people(session: Session, *conditions, search: str = "") -> list[tuple[int, str]]:
    """(id, name) of the active people meeting `conditions` whose name matches `search` (see
    `name_matches`), by name, at most PEOPLE_SHOWN."""
    named = name_matches(search)
    query = select(User.id, User.display_name).where(User.active, *conditions)
    if named is not None:
        query = query.where(named)
    return list(session.exec(query.order_by(User.display_name, User.id).limit(PEOPLE_SHOWN)).all())


@dataclass(frozen=True)
class UserFilter:
    """What the admin's Users page narrows to: a name or username containing `search`, one role, one team,
    one cohort, one status; and its order (`sort`, `descending`)."""
    search: str = ""
    role: Role | None = None
    team_id: int | None = None
    cohort_id: int | None = None
    status: str | None = None
    sort: str = "username"
    descending: bool = False

    def where(self) -> list:
        """The filter as SQL conditions on `User` (an empty list: everyone)."""
        conditions = []
        if (named := name_matches(self.search)) is not None:
            conditions.append(named)
        if self.role is not None:
            conditions.append(User.id.in_(select(UserRole.user_id).where(UserRole.role == Role(self.role).value)))
        if self.team_id is not None:
            conditions.append(User.team_id == self.team_id)
        if self.cohort_id is not None:
            conditions.append(User.cohort_id == self.cohort_id)
        if self.status == ACTIVE:
            conditions.append(User.active)
        if self.status == INACTIVE:
            conditions.append(~User.active)
        if self.status == NEVER_SIGNED_IN:
            conditions.extend(never_signed_in())
        return conditions

    def order(self, query):
        """`query` (of user ids) in this filter's order, username breaking ties."""
        column = SORTS.get(self.sort, User.username)
        if column is Team.name:
            query = query.join(Team, Team.id == User.team_id, isouter=True)
        elif column is Cohort.name:
            query = query.join(Cohort, Cohort.id == User.cohort_id, isouter=True)
        return query.order_by(column.desc() if self.descending else column.asc(), User.username)


@permission("users:manage")
def list_users(session: Session, actor: Actor) -> pd.DataFrame:
    """Every user, by username (`USER_COLUMNS`). The Users page reads one page at a time: `user_page`."""
    return _user_rows(session, select(User.id).order_by(User.username))


@permission("users:manage")
def user_page(session: Session, actor: Actor, wanted: UserFilter = UserFilter(), *, page: int = 0,
              page_size: int = PAGE_SIZE) -> Page[pd.DataFrame]:
    """One page of the users `wanted` matches, by username (`rows`: `USER_COLUMNS`), and how many it
    matches in all. The page's ids stay a subquery: the first page reads the username index alone."""
    conditions = wanted.where()
    total = session.exec(select(func.count()).select_from(User).where(*conditions)).one()
    ordered = wanted.order(select(User.id).where(*conditions))
    if wanted.sort in (None, "username") and not wanted.descending:  # the page's ids stay a subquery
        ids, page = limited(ordered, page, total, page_size)
        return Page(_user_rows(session, ids), total, page, page_size)
    query, page = limited(ordered, page, total, page_size)
    ids = list(session.exec(query))
    rows = _user_rows(session, ids)  # by username: put back in the page's order
    return Page(rows.set_index("id").loc[ids].reset_index() if ids else rows, total, page, page_size)


def _user_rows(session: Session, ids) -> pd.DataFrame:
    """The users whose ids `ids` selects, in its order, with their roles, team, cohort, mentor and lock."""
    mentor = User.__table__.alias("mentor")
    rows = session.exec(
        select(User.id, User.username, User.display_name, User.employee_number, User.active, Team.name, Cohort.name,
               mentor.c.username, User.must_change_password)
        .join(Team, Team.id == User.team_id, isouter=True)
        .join(Cohort, Cohort.id == User.cohort_id, isouter=True)
        .join(mentor, mentor.c.id == User.mentor_id, isouter=True)
        .where(User.id.in_(ids)).order_by(User.username)).all()
    frame = pd.DataFrame(rows, columns=["id", "username", "display_name", "employee_number", "active", "team", "cohort",
                                        "mentor", "must_change_password"])
    roles: dict[int, list[str]] = {}
    for user_id, role in session.exec(select(UserRole.user_id, UserRole.role)
                                      .where(UserRole.user_id.in_(ids))):
        roles.setdefault(user_id, []).append(role)
    frame.insert(3, "roles", [", ".join(sorted(roles.get(i, []))) for i in frame["id"]])
    waiting = throttle.waiting_until(session, frame["username"].tolist())
    frame.insert(len(frame.columns) - 1, "locked_until",
                 pd.Series([waiting.get(u) for u in frame["username"]], dtype="datetime64[ns, UTC]"))
    return frame


def people_with_role(session: Session, role: Role) -> list[User]:
    return list(session.exec(select(User).join(UserRole, UserRole.user_id == User.id)
                             .where(UserRole.role == role.value, User.active).order_by(User.display_name)))


# --- teams and cohorts ---------------------------------------------------

def list_teams(session: Session) -> list[Team]:
    """Every team, archived ones too (history and reports). Pickers offer `active_teams`."""
    return list(session.exec(select(Team).order_by(Team.name)))


def list_cohorts(session: Session) -> list[Cohort]:
    """Every cohort, newest first, archived ones too (history and reports). Pickers offer `active_cohorts`."""
    return list(session.exec(select(Cohort).order_by(Cohort.start_date.desc(), Cohort.name)))


def active_teams(session: Session) -> list[Team]:
    """The teams a picker offers: every team not archived, by name."""
    return list(session.exec(select(Team).where(Team.archived_at.is_(None)).order_by(Team.name)))


def active_cohorts(session: Session) -> list[Cohort]:
    """The cohorts a picker offers: every cohort not archived, newest first."""
    return list(session.exec(select(Cohort).where(Cohort.archived_at.is_(None))
                             .order_by(Cohort.start_date.desc(), Cohort.name)))


def get_team(session: Session, team_id: int) -> Team:
    """The team, or NotFound (the one place that says so)."""
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound("users.error.no_such_team", team=team_id)
    return team


def _cohort(session: Session, cohort_id: int) -> Cohort:
    cohort = session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound("users.error.no_such_cohort", cohort=cohort_id)
    return cohort


def _unique_name(session: Session, model, name: str, *, required: str, duplicate: str, own_id=None) -> str:
    """`name` stripped, refused when empty or when another team (cohort) has it, whatever the case."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(required)
    taken = select(model.id).where(func.lower(model.name) == name.lower())
    if own_id is not None:
        taken = taken.where(model.id != own_id)
    if session.exec(taken).first() is not None:
        raise ValidationFailed(duplicate, name=name)
    return name


@permission("teams:manage")
def rename_team(session: Session, actor: Actor, team_id: int, name: str) -> Team:
    return _rename(session, actor, get_team(session, team_id), name, "team")


@permission("teams:manage")
def rename_cohort(session: Session, actor: Actor, cohort_id: int, name: str) -> Cohort:
    return _rename(session, actor, _cohort(session, cohort_id), name, "cohort")


def _rename(session: Session, actor: Actor, record, name: str, kind: str):
    """A team's or cohort's new name: unique whatever the case (refused naming the clash), audited once."""
    name = _unique_name(session, type(record), name, required=f"users.error.{kind}_name_required",
                        duplicate=f"users.error.duplicate_{kind}", own_id=record.id)
    if name != record.name:
        audit.record(session, actor_id=actor.id, action=f"{kind}.renamed", target=name, before=record.name,
                     after=name)
        record.name = name
        session.add(record)
    return record


@permission("teams:manage")
def set_team_archived(session: Session, actor: Actor, team_id: int, archived: bool) -> Team:
    """Archive (or bring back) a team: its history and reports stay, pickers stop offering it."""
    return _set_archived(session, actor, get_team(session, team_id), archived, "team")


@permission("teams:manage")
def set_cohort_archived(session: Session, actor: Actor, cohort_id: int, archived: bool) -> Cohort:
    """Archive (or bring back) a cohort: its history and reports stay, pickers stop offering it."""
    return _set_archived(session, actor, _cohort(session, cohort_id), archived, "cohort")


def _set_archived(session: Session, actor: Actor, record, archived: bool, kind: str):
    if (record.archived_at is not None) == archived:
        return record  # already so: a second click changes nothing and says nothing twice
    record.archived_at = utcnow() if archived else None
    session.add(record)
    audit.record(session, actor_id=actor.id, action=f"{kind}.{'archived' if archived else 'unarchived'}",
                 target=record.name)
    return record


@permission("teams:manage")
def create_team(session: Session, actor: Actor, name: str) -> Team:
    name = _unique_name(session, Team, name, required="users.error.team_name_required",
                        duplicate="users.error.duplicate_team")
    team = Team(name=name)
    session.add(team)
    session.flush()
    audit.record(session, actor_id=actor.id, action="team.created", target=name)
    return team


@permission("teams:manage")
def create_cohort(session: Session, actor: Actor, name: str, start_date: date) -> Cohort:
    name = _unique_name(session, Cohort, name, required="users.error.cohort_name_required",
                        duplicate="users.error.duplicate_cohort")
    if start_date is None:
        raise ValidationFailed("users.error.cohort_start_required")
    cohort = Cohort(name=name, start_date=start_date)
    session.add(cohort)
    session.flush()
    audit.record(session, actor_id=actor.id, action="cohort.created", target=name,
                 start_date=start_date.isoformat())
    return cohort


@permission("teams:manage")
def set_team_leads(session: Session, actor: Actor, team_id: int, lead_ids: list[int]) -> None:
    team = get_team(session, team_id)
    for lead_id in lead_ids:
        if Role.LEAD not in roles_of(session, lead_id):
            raise ValidationFailed("users.error.not_a_lead", user=get_user(session, lead_id).username)
    before = list(session.exec(select(TeamLead.user_id).where(TeamLead.team_id == team_id)
                               .order_by(TeamLead.user_id)).all())
    session.exec(delete(TeamLead).where(TeamLead.team_id == team_id))
    for lead_id in dict.fromkeys(lead_ids):
        session.add(TeamLead(team_id=team_id, user_id=lead_id))
    audit.record(session, actor_id=actor.id, action="team.leads_set", target=team.name,
                 before_leads=before, leads=list(dict.fromkeys(lead_ids)))


@permission("teams:manage")
def team_lead_ids(session: Session, actor: Actor, team_id: int) -> list[int]:
    """The current leads of one team (what the admin's leads form starts from)."""
    return list(session.exec(select(TeamLead.user_id).where(TeamLead.team_id == team_id)
                             .order_by(TeamLead.user_id)).all())


def teams_led_by(session: Session, user_id: int) -> list[int]:
    """Ids of the teams `user_id` leads. Every permission check on a lead asks this, a dozen times
    on a dashboard, so a read-only session (`portal.db.read_scope`, which cannot change it) keeps
    the answer for its life."""
    cache = session.info.setdefault("teams_led_by", {}) if session.info.get("read_only") else {}
    if user_id not in cache:
        cache[user_id] = _lead_team_ids(session, user_id)
    return list(cache[user_id])


def _lead_team_ids(session: Session, user_id: int) -> list[int]:
    return list(session.exec(select(TeamLead.team_id).where(TeamLead.user_id == user_id)))


@permission("teams:manage")
def teams_frame(session: Session, actor: Actor) -> pd.DataFrame:
    members = dict(session.exec(select(User.team_id, func.count(User.id)).where(User.active)
                                .group_by(User.team_id)).all())
    leads: dict[int, list[str]] = {}
    for team_id, name in session.exec(select(TeamLead.team_id, User.display_name)
                                      .join(User, User.id == TeamLead.user_id)):
        leads.setdefault(team_id, []).append(name)
    return pd.DataFrame([{"id": t.id, "team": t.name, "members": members.get(t.id, 0),
                          "leads": ", ".join(sorted(leads.get(t.id, []))), "archived": t.archived_at is not None}
                         for t in list_teams(session)], columns=["id", "team", "members", "leads", "archived"])


@permission("cohorts:list")
def cohorts_frame(session: Session, actor: Actor) -> pd.DataFrame:
    members = dict(session.exec(select(User.cohort_id, func.count(User.id)).group_by(User.cohort_id)).all())
    return pd.DataFrame([{"id": c.id, "cohort": c.name, "start_date": c.start_date, "members": members.get(c.id, 0),
                          "archived": c.archived_at is not None}
                         for c in list_cohorts(session)], columns=["id", "cohort", "start_date", "members", "archived"])
