"""Live calls for quality assurance: imported from the telephony/CRM export, or entered by hand.

The CSV export has one call per row. Columns (headers in English or Chinese, any case):

| column       | aliases                                  | value                                              |
|--------------|------------------------------------------|----------------------------------------------------|
| call id      | call_id, 呼叫ID, 通话ID                   | the platform's id (unique; what makes re-imports safe) |
| agent        | username, 工号, 坐席, 坐席账号             | the agent's portal username or employee number (工号) |
| start time   | started_at, start, 开始时间               | `2026-11-03 09:15[:00]` (also `/`, `T`); the center's zone unless it carries an offset (`Z`, `+08:00`) |
| duration     | 时长, 通话时长                            | seconds (`345`), `mm:ss` or `hh:mm:ss`             |
| queue        | skill, 队列, 技能组                        | free text (`宽带报障`, `billing`)                   |
| direction    | 方向, 呼叫方向                            | inbound/outbound, in/out, 呼入/呼出                 |
| satisfaction | csat, 满意度                              | optional number 0–10, as exported                 |
| complaint    | 投诉                                      | optional yes/no, 1/0, true/false, 是/否            |
| recording    | recording link, 录音, 录音链接             | optional http(s) address; the audio is never stored |
| ticket       | ticket id, 工单, 工单号                    | optional                                          |

Every row is checked before anything is saved (`preview_calls`); a file is saved whole or not at
all (`import_calls`). A call id already in the portal with the same data is "already imported"
and left alone, so importing the same file again changes nothing; with different data it is an
error naming what differs (the platform's record is not silently overwritten).
"""
import csv
import io
import re
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import pandas as pd
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal import audit, permissions
from portal.clock import center_zone, utcnow
from portal.errors import NotFound, ValidationFailed
from portal.models import AuditEntry, QaCall, Team, User
from portal.paging import PAGE_SIZE, Page, fetch_page
from portal.roles import Actor
from portal.text_files import MEGABYTE, FileRefused, decode_upload
from portal.user_import import RowProblem

MAX_CALLS_CSV_BYTES = 5 * MEGABYTE  # about 40,000 rows; one month of a mid-sized center per file
MAX_ROWS = 20000
MAX_DURATION_SECONDS = 24 * 3600
MAX_SATISFACTION = 10
FUTURE_TOLERANCE = timedelta(minutes=5)  # a platform clock a little ahead of ours
ACTION = "qa:calls_manage"  # import and enter calls
IMPORTED = "qa_calls.imported"
IMPORT_FAILED = "qa_calls.import_failed"
#: A refused file stays on Home this long unless a later import succeeds first.
FAILED_IMPORT_SHOWN = timedelta(days=30)

COLUMNS = ("call_id", "agent", "started_at", "duration", "queue", "direction", "satisfaction", "complaint",
           "recording", "ticket")
REQUIRED = COLUMNS[:6]
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "call_id": ("call id", "callid", "id", "呼叫id", "通话id", "呼叫编号", "通话编号"),
    "agent": ("username", "agent username", "user", "employee number", "employee_number", "工号", "坐席工号", "坐席",
              "坐席账号", "坐席用户名", "用户名"),
    "started_at": ("start time", "start", "started at", "开始时间", "呼叫开始时间", "通话开始时间"),
    "duration": ("duration seconds", "duration (s)", "时长", "通话时长"),
    "queue": ("skill", "queue/skill", "skill group", "队列", "技能组", "技能"),
    "direction": ("call direction", "方向", "呼叫方向"),
    "satisfaction": ("csat", "satisfaction score", "满意度", "满意度评分"),
    "complaint": ("complaint flag", "投诉", "是否投诉"),
    "recording": ("recording link", "recording url", "recording_url", "录音", "录音链接", "录音地址"),
    "ticket": ("ticket id", "ticket ref", "ticket_ref", "工单", "工单号"),
}
DIRECTIONS = {"inbound": "inbound", "in": "inbound", "呼入": "inbound",
              "outbound": "outbound", "out": "outbound", "呼出": "outbound"}
YES_NO = {"yes": True, "y": True, "1": True, "true": True, "是": True,
          "no": False, "n": False, "0": False, "false": False, "否": False, "": False}
START_TIME = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
                        r"\s*(Z|[+-]\d{2}:?\d{2})?$", re.IGNORECASE)
DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{2})$")


def _header_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", " ", name.strip().lower())


ALIASES = {_header_key(alias): column for column, names in HEADER_ALIASES.items()
           for alias in (column, *names)}


@dataclass(frozen=True)
class CallData:
    """One call's fields as the portal keeps them (what a re-import compares)."""

    external_id: str
    agent_id: int
    started_at: datetime  # UTC
    duration_seconds: int
    queue: str
    direction: str
    satisfaction: float | None = None
    complaint: bool = False
    recording_url: str | None = None
    ticket_ref: str | None = None


COMPARED = tuple(f.name for f in fields(CallData) if f.name != "external_id")
COLUMN_OF_FIELD = {"agent_id": "agent", "started_at": "started_at", "duration_seconds": "duration",
                   "queue": "queue", "direction": "direction", "satisfaction": "satisfaction",
                   "complaint": "complaint", "recording_url": "recording", "ticket_ref": "ticket"}


@dataclass(frozen=True)
class PreviewRow:
    number: int  # the row as a spreadsheet numbers it (header = 1)
    call: CallData
    agent: str  # username or employee number as written in the file
    already_imported: bool


@dataclass
class CallImportPreview:
    rows: list[PreviewRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    encoding: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    row_count: int = 0  # data rows in the file, valid or not

    @property
    def valid(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def new_rows(self) -> list[PreviewRow]:
        return [r for r in self.rows if not r.already_imported]

    @property
    def refused_whole(self) -> bool:
        """The file itself was refused (empty, too large, not text, not CSV, a required column missing)."""
        return any(p.row == 1 for p in self.problems)


@dataclass(frozen=True)
class ImportResult:
    imported: int
    already_imported: int


# --------------------------------------------------------------------------- reading one value


def parse_start_time(text: str) -> datetime:
    """A start time as UTC: the center's clock unless the value carries its own offset."""
    match = START_TIME.match(text.strip())
    if not match:
        raise ValidationFailed("qa.calls.error.bad_start_time", value=text)
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        local = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        raise ValidationFailed("qa.calls.error.bad_start_time", value=text) from None
    if hour is None:
        raise ValidationFailed("qa.calls.error.start_time_without_time", value=text)
    if offset is None:
        return local.replace(tzinfo=center_zone()).astimezone(UTC)
    if offset.upper() == "Z":
        return local.replace(tzinfo=UTC)
    sign = 1 if offset[0] == "+" else -1
    digits = offset[1:].replace(":", "")
    shift = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return (local - sign * shift).replace(tzinfo=UTC)


def parse_duration(text: str) -> int:
    """Seconds from `345`, `5:45` or `1:05:45`."""
    text = text.strip()
    if text.isdigit():
        seconds = int(text)
    elif (match := DURATION.match(text)) and int(match.group(3)) < 60 and \
            (match.group(1) is None or int(match.group(2)) < 60):
        hours, minutes, secs = (int(g or 0) for g in match.groups())
        seconds = hours * 3600 + minutes * 60 + secs
    else:
        raise ValidationFailed("qa.calls.error.bad_duration", value=text)
    if not 0 < seconds <= MAX_DURATION_SECONDS:
        raise ValidationFailed("qa.calls.error.duration_out_of_range", value=text)
    return seconds


def _looked_up(table: dict, text: str, error_key: str):
    """The value `table` gives the typed word (any case, spaces around ignored), or `error_key` naming it."""
    value = table.get(text.strip().lower())
    if value is None:
        raise ValidationFailed(error_key, value=text)
    return value


def parse_direction(text: str) -> str:
    return _looked_up(DIRECTIONS, text, "qa.calls.error.bad_direction")


def parse_satisfaction(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ValidationFailed("qa.calls.error.bad_satisfaction", value=text) from None
    return checked_satisfaction(value)


def checked_satisfaction(value: float | None) -> float | None:
    if value is not None and not 0 <= value <= MAX_SATISFACTION:  # also refuses nan
        raise ValidationFailed("qa.calls.error.bad_satisfaction", value=f"{value:g}")
    return value


def parse_complaint(text: str) -> bool:
    return _looked_up(YES_NO, text, "qa.calls.error.bad_complaint")


def checked_recording(text: str | None) -> str | None:
    """An http(s) address, or None: anything else (javascript:, file:, a path) is refused."""
    text = (text or "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(text) > 500 or " " in text:
        raise ValidationFailed("qa.calls.error.bad_recording", value=text[:80])
    return text


def checked_text(text: str | None, column: str, *, required: bool, limit: int = 80) -> str | None:
    text = (text or "").strip()
    if not text:
        if required:
            raise ValidationFailed(f"qa.calls.error.{column}_required")
        return None
    if len(text) > limit:
        raise ValidationFailed(f"qa.calls.error.{column}_too_long", limit=limit)
    return text


def checked_start(started_at: datetime, now: datetime | None = None) -> datetime:
    if started_at > (now or utcnow()) + FUTURE_TOLERANCE:
        raise ValidationFailed("qa.calls.error.start_in_future")
    return started_at


# --------------------------------------------------------------------------- the file


def read_rows(text: str) -> tuple[dict[str, str], list[str], list[dict[str, str]]]:
    """(our column -> its header as the file writes it, unknown headers, rows keyed by our columns)."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, [])
    mapping, ignored = {}, []
    for position, name in enumerate(header):
        column = ALIASES.get(_header_key(name))
        if column and column not in mapping.values():
            mapping[position] = column
        elif name.strip():
            ignored.append(name.strip())
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue  # blank lines Excel leaves at the end
        rows.append({column: (values[i] if i < len(values) else "").strip() for i, column in mapping.items()})
    return {column: header[i].strip() for i, column in mapping.items()}, ignored, rows


@permissions.permission(ACTION)
def preview_calls(session: Session, actor: Actor, data: bytes | str) -> CallImportPreview:
    """Every row of an export checked, and which calls are new; nothing is saved."""
    preview = CallImportPreview()
    try:
        if isinstance(data, bytes):
            decoded = decode_upload(data, max_bytes=MAX_CALLS_CSV_BYTES)
            data, preview.encoding = decoded.text, decoded.encoding
        elif not data.strip():
            raise FileRefused("file.error.empty")
        headers, preview.ignored_columns, rows = read_rows(data)
    except FileRefused as exc:
        preview.problems.append(RowProblem(1, "", exc.key, exc.params))
        return preview
    except csv.Error as exc:
        preview.problems.append(RowProblem(1, "", "import.error.unreadable", {"detail": str(exc)}))
        return preview
    preview.row_count = len(rows)
    preview.problems += [RowProblem(1, column, "qa.calls.error.missing_column", {"column": column})
                         for column in REQUIRED if column not in headers]
    if not rows and not preview.problems:
        preview.problems.append(RowProblem(1, "", "import.error.empty"))
    if len(rows) > MAX_ROWS:
        preview.problems.append(RowProblem(1, "", "import.error.too_many_rows", {"maximum": MAX_ROWS}))
    if preview.problems:
        return preview
    _check_rows(session, rows, preview)
    for problem in preview.problems:  # name each column as the file does ("时长", "Duration")
        problem.column = headers.get(problem.column, problem.column)
        if "columns" in problem.params:
            problem.params["columns"] = ", ".join(headers.get(c, c) for c in problem.params["columns"])
    return preview


def _check_rows(session: Session, rows: list[dict[str, str]], preview: CallImportPreview) -> None:
    agents = _agent_ids(session, {r.get("agent", "").lower() for r in rows})
    existing = _existing_calls(session, [r.get("call_id", "") for r in rows])
    seen: dict[str, int] = {}
    now = utcnow()
    for number, row in enumerate(rows, start=2):
        call, problems = _read_row(number, row, agents, now)
        call_id = row.get("call_id", "")
        if call_id and call_id in seen:
            problems.append(RowProblem(number, "call_id", "qa.calls.error.duplicate_in_file",
                                       {"call_id": call_id, "other_row": seen[call_id]}))
        seen.setdefault(call_id, number)
        if call is None or problems:
            preview.problems += problems
            continue
        earlier = existing.get(call.external_id)
        if earlier is not None and (differences := differing_columns(earlier, call)):
            preview.problems.append(RowProblem(number, "call_id", "qa.calls.error.changed",
                                               {"call_id": call.external_id, "columns": differences}))
            continue
        preview.rows.append(PreviewRow(number, call, row["agent"], already_imported=earlier is not None))


def _read_row(number: int, row: dict[str, str], agents: dict[str, int],
              now: datetime) -> tuple[CallData | None, list[RowProblem]]:
    """The call of one row, or the problem of each of its columns."""
    values, problems = {}, []

    def take(column: str, read) -> None:
        try:
            values[column] = read(row.get(column, ""))
        except ValidationFailed as exc:
            problems.append(RowProblem(number, column, exc.key, exc.params))

    take("call_id", lambda v: checked_text(v, "call_id", required=True))
    take("agent", lambda v: _agent_of(v, agents))
    take("started_at", lambda v: checked_start(parse_start_time(v), now) if v.strip() else _required("started_at"))
    take("duration", lambda v: parse_duration(v) if v.strip() else _required("duration"))
    take("queue", lambda v: checked_text(v, "queue", required=True))
    take("direction", lambda v: parse_direction(v) if v.strip() else _required("direction"))
    take("satisfaction", parse_satisfaction)
    take("complaint", parse_complaint)
    take("recording", checked_recording)
    take("ticket", lambda v: checked_text(v, "ticket", required=False))
    if problems:
        return None, problems
    return CallData(external_id=values["call_id"], agent_id=values["agent"], started_at=values["started_at"],
                    duration_seconds=values["duration"], queue=values["queue"], direction=values["direction"],
                    satisfaction=values["satisfaction"], complaint=values["complaint"],
                    recording_url=values["recording"], ticket_ref=values["ticket"]), []


def _required(column: str):
    raise ValidationFailed(f"qa.calls.error.{column}_required")


def _agent_of(name: str, agents: dict[str, int]) -> int:
    name = name.strip().lower()
    if not name:
        _required("agent")
    if name not in agents:
        raise ValidationFailed("qa.calls.error.unknown_agent", agent=name)
    return agents[name]


def _agent_ids(session: Session, names: set[str]) -> dict[str, int]:
    """Active people by lower-case username, and by lower-case employee number (a username wins a tie)."""
    if not names:
        return {}
    wanted = sorted(names)
    by_number = session.exec(select(func.lower(User.employee_number), User.id).where(
        func.lower(User.employee_number).in_(wanted), User.active)).all()
    by_username = session.exec(select(func.lower(User.username), User.id).where(
        func.lower(User.username).in_(wanted), User.active)).all()
    return {**dict(by_number), **dict(by_username)}


def _existing_calls(session: Session, external_ids: list[str]) -> dict[str, QaCall]:
    wanted = sorted({e for e in external_ids if e})
    found: dict[str, QaCall] = {}
    for start in range(0, len(wanted), 1000):  # keep IN lists short
        chunk = wanted[start:start + 1000]
        found.update({c.external_id: c for c in session.exec(select(QaCall).where(QaCall.external_id.in_(chunk)))})
    return found


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def differing_columns(saved: QaCall, call: CallData) -> list[str]:
    """The columns (as the file names them) where `call` differs from the call saved under its id."""
    differences = []
    for name in COMPARED:
        old, new = getattr(saved, name), getattr(call, name)
        if name == "started_at":
            old = _as_utc(old)
        if old != new:
            differences.append(COLUMN_OF_FIELD[name])
    return differences


@permissions.permission(ACTION)
def import_calls(session: Session, actor: Actor, data: bytes | str, *, file_name: str = "") -> ImportResult:
    """Save every new call of the file, or none (the whole file refused when any row has a problem)."""
    preview = preview_calls(session, actor, data)
    if not preview.valid:
        raise ValidationFailed("qa.calls.error.not_valid", count=len(preview.problems))
    for row in preview.new_rows:
        session.add(_new_call(actor, row.call, "import"))
    _flush_new_calls(session)
    result = ImportResult(imported=len(preview.new_rows), already_imported=len(preview.rows) - len(preview.new_rows))
    audit.record(session, actor_id=actor.id, action=IMPORTED, target=file_name,
                 imported=result.imported, already_imported=result.already_imported, encoding=preview.encoding)
    return result


@permissions.permission(ACTION)
def record_failed_import(session: Session, actor: Actor, file_name: str, problems: int) -> None:
    """A file the scheduled import refused (`portal qa import-calls` from cron): nobody watches that
    terminal, so the refusal goes to the audit log, and on the admin's Home until an import succeeds."""
    audit.record(session, actor_id=actor.id, action=IMPORT_FAILED, target=file_name, problems=problems)


@dataclass(frozen=True)
class FailedImport:
    file_name: str
    at: datetime
    problems: int


@permissions.permission(ACTION)
def failed_imports(session: Session, actor: Actor) -> list[FailedImport]:
    """Call files refused since the last import that succeeded (and within 30 days), newest first."""
    last_success = session.exec(select(func.max(AuditEntry.at)).where(AuditEntry.action == IMPORTED)).one()
    query = select(AuditEntry).where(AuditEntry.action == IMPORT_FAILED,
                                     AuditEntry.at >= utcnow() - FAILED_IMPORT_SHOWN)
    if last_success is not None:
        query = query.where(AuditEntry.at > last_success)
    return [FailedImport(entry.target, entry.at, int(audit.details_of(entry).get("problems", 0)))
            for entry in session.exec(query.order_by(AuditEntry.at.desc()))]


def _flush_new_calls(session: Session) -> None:
    """Save the new calls; a call id saved by someone else since the preview refuses them all, saying so.

    (On PostgreSQL two imports of one file at the same moment both find the calls new; the second
    waits on the unique index and fails there. Its whole transaction is rolled back.)"""
    try:
        session.flush()
    except IntegrityError:
        raise ValidationFailed("qa.calls.error.saved_meanwhile") from None


def _new_call(actor: Actor, call: CallData, source: str) -> QaCall:
    return QaCall(external_id=call.external_id, agent_id=call.agent_id, started_at=call.started_at,
                  duration_seconds=call.duration_seconds, queue=call.queue, direction=call.direction,
                  satisfaction=call.satisfaction, complaint=call.complaint, recording_url=call.recording_url,
                  ticket_ref=call.ticket_ref, source=source, created_by=actor.id)


# --------------------------------------------------------------------------- a call typed in


@dataclass(frozen=True)
class CallEntry:
    """A call as the entry form gives it: the day and time on the center's clock."""

    external_id: str
    agent_id: int | None
    day: date | None
    start: time | None
    duration: str  # seconds, mm:ss or hh:mm:ss
    queue: str
    direction: str
    satisfaction: float | None = None
    complaint: bool = False
    recording_url: str = ""
    ticket_ref: str = ""


@dataclass(frozen=True)
class EnteredCall:
    call_id: int
    created: bool  # False: the same call was already there (a second click, or imported before)


@permissions.permission(ACTION)
def record_call(session: Session, actor: Actor, entry: CallEntry) -> EnteredCall:
    """Save one call typed in by hand; each refusal names its field (`qa.calls.error.<field>...`).

    The call id is the idempotency key: sending the same call again (a double click, a reload)
    returns the call already saved; the same id with different data is refused."""
    call = _entered_call(session, entry)
    earlier = session.exec(select(QaCall).where(QaCall.external_id == call.external_id)).first()
    if earlier is not None:
        if differences := differing_columns(earlier, call):
            raise ValidationFailed("qa.calls.error.changed", call_id=call.external_id,
                                   columns=", ".join(differences))
        return EnteredCall(earlier.id, created=False)
    saved = _new_call(actor, call, "manual")
    session.add(saved)
    _flush_new_calls(session)
    audit.record(session, actor_id=actor.id, action="qa_call.entered", target=call.external_id, call_id=saved.id)
    return EnteredCall(saved.id, created=True)


def _entered_call(session: Session, entry: CallEntry) -> CallData:
    external_id = checked_text(entry.external_id, "call_id", required=True)
    agent = session.get(User, entry.agent_id) if entry.agent_id else None
    if agent is None or not agent.active:
        _required("agent")
    if entry.day is None or entry.start is None:
        _required("started_at")
    local = datetime.combine(entry.day, entry.start).replace(tzinfo=center_zone())
    started_at = checked_start(local.astimezone(UTC).replace(microsecond=0))
    duration = parse_duration(entry.duration) if entry.duration.strip() else _required("duration")
    queue = checked_text(entry.queue, "queue", required=True)
    direction = parse_direction(entry.direction) if entry.direction else _required("direction")
    return CallData(external_id=external_id, agent_id=agent.id, started_at=started_at, duration_seconds=duration,
                    queue=queue, direction=direction, satisfaction=checked_satisfaction(entry.satisfaction),
                    complaint=bool(entry.complaint), recording_url=checked_recording(entry.recording_url),
                    ticket_ref=checked_text(entry.ticket_ref, "ticket", required=False))


# --------------------------------------------------------------------------- reading calls


@permissions.permission(ACTION)
def agents_for_entry(session: Session, actor: Actor) -> list[tuple[int, str, str]]:
    """(id, username, display name) of active people in a team, for the entry form's agent list."""
    query = (select(User.id, User.username, User.display_name).where(User.active, User.team_id.is_not(None))
             .order_by(User.username))
    return [tuple(row) for row in session.exec(query).all()]


@permissions.permission(ACTION)
def teams_for_calls(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """(id, name) of every team, for the call list's filter."""
    return [tuple(row) for row in session.exec(select(Team.id, Team.name).order_by(Team.name)).all()]


CALL_COLUMNS = ["id", "external_id", "agent", "team", "started_at", "duration_seconds", "queue", "direction",
                "satisfaction", "complaint", "recording_url", "ticket_ref", "source"]


@permissions.permission(ACTION)
def recent_calls(session: Session, actor: Actor, *, page: int = 0, page_size: int = PAGE_SIZE,
                 team_id: int | None = None) -> Page[pd.DataFrame]:
    """Calls newest first, one page at a time (`rows`: `CALL_COLUMNS`)."""
    conditions = [User.team_id == team_id] if team_id else []
    total = session.exec(select(func.count(QaCall.id)).join(User, User.id == QaCall.agent_id)
                         .where(*conditions)).one()
    query = (select(QaCall.id, QaCall.external_id, User.display_name, Team.name, QaCall.started_at,
                    QaCall.duration_seconds, QaCall.queue, QaCall.direction, QaCall.satisfaction, QaCall.complaint,
                    QaCall.recording_url, QaCall.ticket_ref, QaCall.source)
             .join(User, User.id == QaCall.agent_id).join(Team, Team.id == User.team_id, isouter=True)
             .where(*conditions).order_by(QaCall.started_at.desc(), QaCall.id.desc()))
    shown = fetch_page(session, query, page=page, page_size=page_size, total=total)
    frame = pd.DataFrame([tuple(r) for r in shown.rows], columns=CALL_COLUMNS)
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    return replace(shown, rows=frame)


@permissions.permission(ACTION)
def call_by_id(session: Session, actor: Actor, call_id: int) -> QaCall:
    call = session.get(QaCall, call_id)
    if call is None:
        raise NotFound()
    return call


def format_duration(seconds: int | None) -> str:
    """`5:45` or `1:05:45`: how the platform shows a call's length."""
    if seconds is None:
        return "—"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
