"""Importing users from a CSV file: preview every row, save all or nothing.

Columns: username, display_name, roles (separated by ';' or '|'), and
optionally team, cohort (by name), mentor (username), password, language,
employee_number (工号, unique; call exports may name agents by it).
Rows without a password get a temporary one that must be changed at first
login; the import returns those passwords once, for handing out. The file may
be UTF-8 or what Chinese Excel saves (GBK/GB18030); the preview says which
encoding was read.
"""
import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from portal.errors import PortalError
from portal.i18n import LANGUAGES
from portal.models import User, UserRole
from portal.passwords import password_problem
from portal.permissions import permission
from portal.roles import Actor
from portal.text_files import MAX_USERS_CSV_BYTES, FileRefused, decode_upload
from portal.users import (NewUser, USERNAME_PATTERN, active_cohorts, active_teams, create_user, employee_number_problem,
                          mentor_problem, parse_roles, temporary_password)

REQUIRED_COLUMNS = ("username", "display_name", "roles")
OPTIONAL_COLUMNS = ("team", "cohort", "mentor", "password", "language", "employee_number")
MAX_ROWS = 5000
FILE_PROBLEM_PREFIX = "file.error."


@dataclass
class RowProblem:
    row: int  # 1-based data row number as a spreadsheet shows it (header = row 1)
    column: str
    key: str
    params: dict = field(default_factory=dict)


@dataclass
class ImportPreview:
    rows: list[dict]
    problems: list[RowProblem]
    encoding: str = ""  # the encoding the uploaded bytes were read in ("UTF-8", "GB18030", ...)

    @property
    def valid(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def refused_whole(self) -> bool:
        """The file itself was refused (empty, too large, not text), before any row was read."""
        return not self.rows and any(p.key.startswith(FILE_PROBLEM_PREFIX) for p in self.problems)


def read_csv(text: str) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    return header, rows


@permission("users:import")
def preview_import(session: Session, actor: Actor, data: bytes | str) -> ImportPreview:
    """Every row checked; `data` is the uploaded file (bytes, any encoding we can tell) or text."""
    encoding = ""
    try:
        if isinstance(data, bytes):
            decoded = decode_upload(data, max_bytes=MAX_USERS_CSV_BYTES)
            data, encoding = decoded.text, decoded.encoding
        header, rows = read_csv(data)
    except FileRefused as exc:
        return ImportPreview([], [RowProblem(1, "", exc.key, exc.params)])
    except csv.Error as exc:
        return ImportPreview([], [RowProblem(1, "", "import.error.unreadable", {"detail": str(exc)})], encoding)
    problems = [RowProblem(1, col, "import.error.missing_column", {"column": col})
                for col in REQUIRED_COLUMNS if col not in header]
    if not rows and not problems:
        problems.append(RowProblem(1, "", "import.error.empty"))
    if len(rows) > MAX_ROWS:
        problems.append(RowProblem(1, "", "import.error.too_many_rows", {"maximum": MAX_ROWS}))
    if problems:
        return ImportPreview(rows, problems, encoding)
    teams, cohorts = _active_names(session)
    existing = {name for name in session.exec(select(func.lower(User.username)))}
    mentors = _portal_mentors(session, rows)
    for row in rows:  # people of this file may mentor others in it
        mentors.setdefault(row.get("username", "").lower(), (_row_roles(row), True))
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        problems.extend(_check_row(number, row, teams, cohorts, existing, seen, mentors))
        seen.setdefault(row.get("username", "").lower(), number)
    problems.extend(_employee_number_problems(session, rows))
    problems.sort(key=lambda p: p.row)
    return ImportPreview(rows, problems, encoding)


def _employee_number_problems(session: Session, rows: list[dict]) -> list[RowProblem]:
    """Each employee number well formed, not anyone's already, and once in the file (`users.employee_number_problem`)."""
    given = {row["employee_number"].upper() for row in rows if row.get("employee_number")}
    taken = {number.upper() for number in session.exec(
        select(User.employee_number).where(func.upper(User.employee_number).in_(sorted(given))))} if given else set()
    first_row: dict[str, int] = {}
    out = []
    for number, row in enumerate(rows, start=2):
        value = row.get("employee_number", "")
        if not value:
            continue
        if value.upper() in first_row:
            out.append(RowProblem(number, "employee_number", "import.error.duplicate_employee_number_in_file",
                                  {"number": value, "other_row": first_row[value.upper()]}))
            continue
        first_row[value.upper()] = number
        problem = employee_number_problem(value, value.upper() in taken)
        if problem:
            out.append(RowProblem(number, "employee_number", problem[0], problem[1]))
    return out


def _active_names(session: Session) -> tuple[dict[str, int], dict[str, int]]:
    """Lower-cased name -> id of the teams and of the cohorts a file may name: archived ones are not offered."""
    return ({tm.name.lower(): tm.id for tm in active_teams(session)},
            {c.name.lower(): c.id for c in active_cohorts(session)})


def _portal_mentors(session: Session, rows: list[dict]) -> dict[str, tuple[set, bool]]:
    """username -> (roles, active) of the people already in the portal that the file names as mentors."""
    named = {row.get("mentor", "").lower() for row in rows if row.get("mentor")}
    if not named:
        return {}
    people = {u.id: u for u in session.exec(select(User).where(func.lower(User.username).in_(named))).all()}
    roles: dict[int, set] = {}
    for user_id, role in session.exec(select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(people))):
        roles.setdefault(user_id, set()).add(role)
    return {u.username.lower(): (roles.get(i, set()), u.active) for i, u in people.items()}


def _mentor_problems(number: int, mentor: str, mentors: dict[str, tuple[set, bool]]) -> list[RowProblem]:
    """The mentor named must exist (in the portal or earlier in the file) and may mentor (`users.mentor_problem`)."""
    if not mentor:
        return []
    if mentor not in mentors:
        return [RowProblem(number, "mentor", "import.error.unknown_mentor", {"name": mentor})]
    problem = mentor_problem(mentor, *mentors[mentor])
    return [RowProblem(number, "mentor", problem[0], problem[1])] if problem else []


def _row_roles(row: dict) -> set:
    try:
        return set(parse_roles(row.get("roles", "").replace("|", ";").split(";")))
    except PortalError:
        return set()


def _check_row(number, row, teams, cohorts, existing, seen, mentors) -> list[RowProblem]:
    out = []
    username = row.get("username", "").lower()
    if not USERNAME_PATTERN.match(username):
        out.append(RowProblem(number, "username", "users.error.bad_username", {"username": username}))
    elif username in existing:
        out.append(RowProblem(number, "username", "users.error.duplicate_username", {"username": username}))
    elif username in seen:
        out.append(RowProblem(number, "username", "import.error.duplicate_in_file",
                              {"username": username, "other_row": seen[username]}))
    if not row.get("display_name"):
        out.append(RowProblem(number, "display_name", "users.error.display_name_required"))
    try:
        parse_roles(row.get("roles", "").replace("|", ";").split(";"))
    except PortalError as exc:
        out.append(RowProblem(number, "roles", exc.key, exc.params))
    for column, known in (("team", teams), ("cohort", cohorts)):
        if row.get(column) and row[column].lower() not in known:
            out.append(RowProblem(number, column, f"import.error.unknown_{column}", {"name": row[column]}))
    out.extend(_mentor_problems(number, row.get("mentor", "").lower(), mentors))
    if row.get("password"):
        problem = password_problem(row["password"], username=username, display_name=row.get("display_name", ""))
        if problem:
            out.append(RowProblem(number, "password", problem[0], problem[1]))
    if row.get("language") and row["language"] not in LANGUAGES:
        out.append(RowProblem(number, "language", "error.unknown_language", {"language": row["language"]}))
    return out


@permission("users:import")
def commit_import(session: Session, actor: Actor, data: bytes | str) -> dict[str, str]:
    """Create every user of the file, or none. Returns temporary passwords."""
    preview = preview_import(session, actor, data)
    if not preview.valid:
        raise PortalError("import.error.not_valid", count=len(preview.problems))
    teams, cohorts = _active_names(session)
    issued: dict[str, str] = {}
    for row in preview.rows:
        mentor_id = None
        if row.get("mentor"):
            mentor_id = session.exec(select(User.id).where(User.username == row["mentor"].lower())).one()
        password = row.get("password") or temporary_password()
        if not row.get("password"):
            issued[row["username"].lower()] = password
        create_user(session, actor, NewUser(
            username=row["username"], display_name=row["display_name"],
            roles=parse_roles(row["roles"].replace("|", ";").split(";")), password=password,
            team_id=teams.get(row.get("team", "").lower()), cohort_id=cohorts.get(row.get("cohort", "").lower()),
            mentor_id=mentor_id, must_change_password=True, language=row.get("language") or None,
            employee_number=row.get("employee_number") or None))
        session.flush()
    return issued
