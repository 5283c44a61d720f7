"""Anonymous wellbeing check-ins: scoring, the weekly check-in, support resources,
aggregates for leads, and retention.

Anonymity by design (README, "Wellbeing and anonymity"):

- A response row holds the answers, the ISO week and the team at the time of
  answering; never a user, session, IP or finer time. Ids are random.
- "I checked in this week" is a separate row holding HMAC(secret, user:week)
  with the secret outside the database; it is only used for the
  one-per-week rule.
- Every check-in rewrites the week's responses (and participation rows) in a
  fresh random order in one statement. Physical order, SQLite rowids (the
  tables are WITHOUT ROWID anyway) and PostgreSQL's `xmin`/`ctid` then say
  nothing about who answered when.
- Nothing here writes to the audit log or to any logger.
- Leads and admins get aggregates only: one group (a team, staff without a
  team, or the whole center) by week or by month. A cell is shown with at
  least `wellbeing_min_responses` answers; comments only from cells with at
  least `wellbeing_min_comments`, unordered and undated. Secondary
  suppression (rule of 2) is computed once for everybody, so no viewer can
  difference a hidden cell out of a total.
- The database sums per team and week; the published cells (only those, each
  read-only) are kept in memory under a random token that triggers renew on
  any write to responses or archived aggregates (migration 0006b).
- There is no export of raw responses. Rows older than the retention period
  are folded into `WellbeingAggregate` (only cells that were shown) and deleted.
"""
from __future__ import annotations

import hashlib
import hmac
import numbers
import operator
import os
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache, reduce
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, delete, func, insert, literal, or_, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal import audit
from portal.clock import today
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.i18n import LANGUAGES
from portal.models import (SupportResource, Team, User, WellbeingAggregate, WellbeingDataVersion, WellbeingParticipation,
                           WellbeingResponse)
from portal.roles import ALL_ROLES, Actor, Role, require_role
from portal.settings import REPO_ROOT, get_settings
from portal.users import teams_led_by

# --- scoring ---------------------------------------------------------------
# WHO-5 Well-Being Index (WHO Regional Office for Europe, 1998 version;
# Psychiatric Research Unit, Mental Health Centre North Zealand). Five items,
# 0 "at no time" .. 5 "all of the time", over the last two weeks; raw 0-25,
# percentage = raw x 4. Topp et al., Psychother Psychosom 2015;84:167-176.
# PSS-4: Cohen, Kamarck & Mermelstein 1983; Cohen & Williamson 1988. Four
# items, 0 "never" .. 4 "very often", over the last month; items 2 and 3 are
# positively worded and reverse-scored. Wording: portal/locales/*/wellbeing.json.

INSTRUMENTS = {"who5": (5, 5), "pss4": (4, 4)}  # instrument -> (items, highest answer)
PSS4_REVERSED = (2, 3)
BANDS = ("very_low", "low", "ok")
CHECKIN_COMMENT_MAX = 500


@dataclass(frozen=True)
class Score:
    instrument: str
    total: int
    maximum: int
    percentage: int | None = None  # WHO-5 only
    band: str | None = None  # WHO-5 only: very_low, low, ok; PSS-4 has no official cut-offs
    low_items: tuple[int, ...] = ()  # WHO-5 items (1-based) answered 0 or 1

    @property
    def needs_support(self) -> bool:
        """WHO-5 very low, or any single WHO-5 item at 0 or 1: offer support more prominently."""
        return self.band == "very_low" or bool(self.low_items)


WHO5_VERY_LOW_MAX = 28  # percentage at or below: very low (raw 7 or less)
WHO5_LOW_MAX = 50  # percentage at or below: low (raw 12 or less; the WHO-5 cut-off is raw 13)
WHO5_LOW_ITEM_MAX = 1  # a single WHO-5 item answered at or below this is a support signal


def who5_band(percentage: float) -> str:
    if percentage <= WHO5_VERY_LOW_MAX:
        return "very_low"
    if percentage <= WHO5_LOW_MAX:
        return "low"
    return "ok"


def score(instrument: str, answers: Sequence[int]) -> Score:
    """The one scoring function. Raises ValueError for a wrong count or an answer out of range."""
    if instrument not in INSTRUMENTS:
        raise ValueError(f"unknown instrument {instrument!r}")
    count, highest = INSTRUMENTS[instrument]
    answers = list(answers)
    if len(answers) != count:
        raise ValueError(f"{instrument} needs {count} answers, got {len(answers)}")
    for answer in answers:
        if isinstance(answer, bool) or not isinstance(answer, numbers.Integral) or not 0 <= answer <= highest:
            raise ValueError(f"{instrument} answers are whole numbers 0..{highest}, got {answer!r}")
    answers = [int(a) for a in answers]
    if instrument == "who5":
        raw = sum(answers)
        return Score("who5", raw, 25, percentage=raw * 4, band=who5_band(raw * 4),
                     low_items=tuple(i for i, a in enumerate(answers, 1) if a <= WHO5_LOW_ITEM_MAX))
    total = sum(highest - a if i in PSS4_REVERSED else a for i, a in enumerate(answers, 1))
    return Score("pss4", total, 16)


# --- weeks and months --------------------------------------------------------

def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def current_week() -> str:
    return iso_week(today())


def _week_day(week: str, weekday: int) -> date:
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), weekday)


def week_start(week: str) -> date:
    return _week_day(week, 1)


@lru_cache(maxsize=4096)
def month_of_week(week: str) -> str:
    """The month holding the week's Thursday (the ISO rule), so every week is in exactly one month."""
    return f"{_week_day(week, 4):%Y-%m}"


def _month_index(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def _month_from_index(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def recent_periods(kind: str, count: int, day: date | None = None) -> list[str]:
    """The last `count` weeks or months, oldest first, ending with the current one."""
    day = day or today()
    if kind == "week":
        monday = date.fromordinal(day.toordinal() - day.weekday())
        return [iso_week(date.fromordinal(monday.toordinal() - 7 * k)) for k in reversed(range(count))]
    last = _month_index(f"{day:%Y-%m}")
    return [_month_from_index(last - k) for k in reversed(range(count))]


def period_start(period: str) -> date:
    if "-W" in period:
        return week_start(period)
    year, month = period.split("-")
    return date(int(year), int(month), 1)


# --- participation: HMAC under a secret outside the database ------------------

SECRET_FILE = REPO_ROOT / "db" / "wellbeing-secret"


def participation_secret(path: Path = SECRET_FILE) -> bytes:
    """`WELLBEING_SECRET`, else a random secret made once in a git-ignored file (mode 600)."""
    configured = get_settings().wellbeing_secret
    if configured:
        return configured.encode()
    try:
        return path.read_text().strip().encode()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip().encode()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


def participation_token(user_id: int, week: str) -> str:
    return hmac.new(participation_secret(), f"{user_id}:{week}".encode(), hashlib.sha256).hexdigest()


# --- the check-in --------------------------------------------------------------

@dataclass(frozen=True)
class CheckIn:
    who5: Sequence[int | None]
    pss4: Sequence[int | None]
    comment: str = ""


@dataclass(frozen=True)
class CheckInResult:
    week: str
    who5: Score
    pss4: Score
    pss4_typical: tuple[int, int] | None = None  # middle half of recent PSS-4 totals
    pss4_typical_scope: str | None = None  # "team" or "center"

    @property
    def needs_support(self) -> bool:
        return self.who5.needs_support


def has_checked_in(session: Session, actor: Actor) -> bool:
    """Whether the actor already checked in this ISO week (only the actor can ask)."""
    require_role(actor, *ALL_ROLES)
    return session.get(WellbeingParticipation, participation_token(actor.id, current_week())) is not None


def check_in(session: Session, actor: Actor, answers: CheckIn) -> CheckInResult:
    """Store one anonymous response and the actor's participation for this week.

    Deliberately no audit entry and no logging: nothing may record that this
    person answered, when, or what.
    """
    require_role(actor, *ALL_ROLES)
    try:
        who5, pss4 = score("who5", answers.who5), score("pss4", answers.pss4)
    except ValueError:
        raise ValidationFailed("wellbeing.error.incomplete") from None
    comment = (answers.comment or "").strip()
    if len(comment) > CHECKIN_COMMENT_MAX:
        raise ValidationFailed("wellbeing.error.comment_too_long", maximum=CHECKIN_COMMENT_MAX, length=len(comment))
    week = current_week()
    _serialise_check_ins(session)
    participation = WellbeingParticipation.__table__
    try:
        session.execute(insert(participation).values(token=participation_token(actor.id, week), iso_week=week))
    except IntegrityError:  # the primary key keeps it to one per person and week, even for a double click
        raise ValidationFailed("wellbeing.error.already_checked_in") from None
    user = session.get(User, actor.id)
    team_id = user.team_id if user else None
    response = dict(id=secrets.token_hex(16), iso_week=week, team_id=team_id, comment=comment or None,
                    **{f"who5_{i}": int(a) for i, a in enumerate(answers.who5, 1)},
                    **{f"pss4_{i}": int(a) for i, a in enumerate(answers.pss4, 1)})
    _rewrite_week_shuffled(session, participation, week)
    _rewrite_week_shuffled(session, WellbeingResponse.__table__, week, response)
    typical, scope = _pss4_typical_range(session, team_id)
    return CheckInResult(week, who5, pss4, typical, scope)


CHECK_IN_LOCK = 7_470_001  # any constant; PostgreSQL advisory lock id for check-ins


def _serialise_check_ins(session: Session) -> None:
    """One check-in at a time, because each rewrites the whole week.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the participation
    INSERT that follows is the transaction's first statement, so it takes
    the write lock before anything is read.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHECK_IN_LOCK})


def _rewrite_week_shuffled(session: Session, table, week: str, new_row: dict | None = None) -> None:
    """Write the week's rows (and `new_row`) back in a fresh random order.

    One DELETE and one multi-row INSERT: on PostgreSQL every row of the week
    then carries the same transaction id (xmin) and a shuffled position
    (ctid), so neither tells which row came last.
    """
    rows = [dict(r) for r in session.execute(select(table).where(table.c.iso_week == week)).mappings()]
    if new_row is not None:
        rows.append(new_row)
    secrets.SystemRandom().shuffle(rows)
    session.execute(delete(table).where(table.c.iso_week == week))
    session.execute(insert(table), rows)


def _pss4_typical_range(session: Session, team_id: int | None) -> tuple[tuple[int, int] | None, str | None]:
    """The middle half (25th..75th percentile) of recent PSS-4 totals, team first, else the center.

    Only from at least `wellbeing_min_comments` responses over the last 12 weeks.
    """
    minimum = get_settings().wellbeing_min_comments
    table = WellbeingResponse.__table__
    recent = select(_pss4_total_sql(table)).where(table.c.iso_week >= recent_periods("week", 12)[0])
    for scope, query in (("team", recent.where(table.c.team_id == team_id) if team_id else None), ("center", recent)):
        totals = session.execute(query).scalars().all() if query is not None else []
        if len(totals) >= minimum:
            low, high = np.percentile(np.asarray(totals, dtype=np.int64), [25, 75])
            return (int(round(low)), int(round(high))), scope
    return None, None


# --- support resources -----------------------------------------------------------

RESOURCE_KINDS = ("eap", "training", "peer", "crisis", "emergency")
URGENT_KINDS = ("eap", "crisis", "emergency")
URL_PATTERN = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class Resource:
    id: int
    kind: str
    name: str
    description: str
    phone: str
    hours: str
    booking_url: str
    language: str | None
    sort_order: int
    active: bool

    @property
    def urgent(self) -> bool:
        return self.kind in URGENT_KINDS


@dataclass(frozen=True)
class ResourceInput:
    kind: str
    name: str
    description: str = ""
    phone: str = ""
    hours: str = ""
    booking_url: str = ""
    language: str | None = None
    sort_order: int = 0
    active: bool = True


def _resource(row: SupportResource) -> Resource:
    return Resource(row.id, row.kind, row.name, row.description, row.phone, row.hours, row.booking_url,
                    row.language, row.sort_order, row.active)


def _resource_order(row: SupportResource):
    return (row.sort_order, RESOURCE_KINDS.index(row.kind) if row.kind in RESOURCE_KINDS else 99, row.name)


def support_resources(session: Session, actor: Actor, language: str) -> list[Resource]:
    """Active resources in `language` (or for every language); all active ones if none match."""
    require_role(actor, *ALL_ROLES)
    active = list(session.exec(select(SupportResource).where(SupportResource.active)))
    chosen = [r for r in active if r.language in (None, language)] or active
    return [_resource(r) for r in sorted(chosen, key=_resource_order)]


def all_resources(session: Session, actor: Actor) -> list[Resource]:
    require_role(actor, Role.ADMIN)
    return [_resource(r) for r in sorted(session.exec(select(SupportResource)), key=_resource_order)]


def save_resource(session: Session, actor: Actor | None, data: ResourceInput,
                  resource_id: int | None = None) -> Resource:
    """Create or update a resource. `actor=None` is the system (seed loader)."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    if data.kind not in RESOURCE_KINDS:
        raise ValidationFailed("wellbeing.error.unknown_kind", kind=data.kind)
    name = (data.name or "").strip()
    if not name:
        raise ValidationFailed("wellbeing.error.resource_name_required")
    if not (data.phone or "").strip() and not (data.booking_url or "").strip():
        raise ValidationFailed("wellbeing.error.resource_contact_required")
    url = (data.booking_url or "").strip()
    if url and not URL_PATTERN.match(url):
        raise ValidationFailed("wellbeing.error.bad_url", url=url)
    if data.language not in (None, *LANGUAGES):
        raise ValidationFailed("error.unknown_language", language=data.language)
    row = SupportResource() if resource_id is None else session.get(SupportResource, resource_id)
    if row is None:
        raise NotFound("wellbeing.error.no_such_resource", resource=resource_id)
    row.kind, row.name, row.description = data.kind, name[:120], (data.description or "").strip()
    row.phone, row.hours, row.booking_url = (data.phone or "").strip()[:60], (data.hours or "").strip()[:120], url
    row.language, row.sort_order, row.active = data.language, int(data.sort_order), bool(data.active)
    session.add(row)
    session.flush()
    audit.record(session, actor_id=actor.id if actor else None,
                 action="resource.created" if resource_id is None else "resource.updated", target=name)
    return _resource(row)


# --- aggregates for leads ---------------------------------------------------------------

CENTER = "center"
NO_TEAM = "no_team"
PERIOD_KINDS = ("week", "month")
TREND_PERIODS = {"week": 12, "month": 12}


def team_key(team_id: int) -> str:
    return f"team:{team_id}"


@dataclass(frozen=True)
class GroupOption:
    key: str  # "center", "no_team" or "team:<id>"
    team_name: str | None = None  # None for the center and for staff without a team


# SQL mirrors of score(), so aggregates are computed by the database and Python only
# sees one row per team and week. tests/test_wellbeing_aggregates.py checks them
# against score() on every possible answer and the aggregates against the
# row-by-row definition.

def _who5_raw_sql(table):
    return reduce(operator.add, [table.c[f"who5_{i}"] for i in range(1, INSTRUMENTS["who5"][0] + 1)])


def _pss4_total_sql(table):
    items, highest = INSTRUMENTS["pss4"]
    return reduce(operator.add, [literal(highest) - table.c[f"pss4_{i}"] if i in PSS4_REVERSED else table.c[f"pss4_{i}"]
                                 for i in range(1, items + 1)])


def _flag_sql(condition):
    return case((condition, 1), else_=0)


def _week_cell_sums(session: Session) -> list[tuple]:
    """(iso_week, team_id, responses, sum of WHO-5 %, sum of PSS-4, very low, low, support signals) per team and week."""
    table = WellbeingResponse.__table__
    percentage = _who5_raw_sql(table) * 4
    low_item = or_(*[table.c[f"who5_{i}"] <= WHO5_LOW_ITEM_MAX for i in range(1, INSTRUMENTS["who5"][0] + 1)])
    query = select(table.c.iso_week, table.c.team_id, func.count(), func.sum(percentage),
                   func.sum(_pss4_total_sql(table)), func.sum(_flag_sql(percentage <= WHO5_VERY_LOW_MAX)),
                   func.sum(_flag_sql(and_(percentage > WHO5_VERY_LOW_MAX, percentage <= WHO5_LOW_MAX))),
                   func.sum(_flag_sql(or_(percentage <= WHO5_VERY_LOW_MAX, low_item)))
                   ).group_by(table.c.iso_week, table.c.team_id)
    return [tuple(row) for row in session.execute(query)]


def _group_of(team_id: int | None) -> str:
    return team_key(team_id) if team_id else NO_TEAM


def aggregate_cells(week_sums: Iterable[tuple]) -> dict[tuple[str, str], dict]:
    """Every (group, week) and (group, month) cell, the whole center included, from per-team-week sums.

    Sums of whole numbers are exact, so the means equal those over the single
    responses. Cells come in the order group x week, group x month, center x
    week, center x month, each sorted.
    """
    blocks: tuple[dict, dict, dict, dict] = ({}, {}, {}, {})
    for week, team_id, *sums in week_sums:
        group, month, sums = _group_of(team_id), month_of_week(week), [int(v) for v in sums]
        for block, key in zip(blocks, ((group, week), (group, month), (CENTER, week), (CENTER, month))):
            total = block.get(key)
            block[key] = sums if total is None else [a + b for a, b in zip(total, sums)]
    cells = {}
    for block in blocks:
        for key in sorted(block):
            n, percentage, pss4, very_low, low, signal = block[key]
            cells[key] = {"responses": n, "who5_mean_pct": percentage / n, "pss4_mean": pss4 / n,
                          "very_low": very_low, "low": low, "ok": n - very_low - low, "support_signal": signal}
    return cells


def cell_relations(keys: Iterable[tuple[str, str]]) -> list[tuple[tuple[str, str], list[tuple[str, str]]]]:
    """The sums a reader could difference: center = sum of groups (per week, per month);
    a group's month = sum of its weeks."""
    keys = list(keys)
    groups = sorted({g for g, _ in keys if g != CENTER})
    weeks = sorted({p for _, p in keys if "-W" in p})
    months = sorted({p for _, p in keys if "-W" not in p})
    relations = [((CENTER, p), [(g, p) for g in groups]) for p in weeks + months]
    for group in [*groups, CENTER]:
        for month in months:
            relations.append(((group, month), [(group, w) for w in weeks if month_of_week(w) == month]))
    return relations


def suppressed_cells(counts: dict, relations, minimum: int) -> set:
    """Cells to hide: those under `minimum` responses, plus secondary suppression (rule of 2).

    Whenever a shown total has exactly one hidden non-empty part, another
    shown part is hidden too, so the hidden one cannot be worked out as total
    minus the rest; repeated until nothing changes. The partner is the one
    that leaves the fewest other sums exposed (often it pairs with a cell
    hidden elsewhere), then the smallest. Empty parts protect nothing.
    """
    hidden = {key for key, n in counts.items() if n < minimum}
    involved: dict = {}
    for index, (total, parts) in enumerate(relations):
        for cell in (total, *parts):
            involved.setdefault(cell, []).append(index)

    def exposed(index: int, cells: set) -> bool:
        total, parts = relations[index]
        if total in cells or counts.get(total, 0) == 0:
            return False
        return sum(1 for p in parts if counts.get(p, 0) > 0 and p in cells) == 1

    def cost(cell) -> tuple:
        after = hidden | {cell}
        newly = sum(exposed(i, after) - exposed(i, hidden) for i in involved.get(cell, ()))
        return newly, counts[cell], cell

    changed = True
    while changed:
        changed = False
        for index, (total, parts) in enumerate(relations):
            if not exposed(index, hidden):
                continue
            shown = [p for p in parts if counts.get(p, 0) > 0 and p not in hidden]
            hidden.add(min(shown, key=cost) if shown else total)
            changed = True
    return hidden


_published_cache: dict[str, tuple[tuple, dict]] = {}  # database -> ((data token, threshold), published cells)
PUBLISHED_CACHE_DATABASES = 8


def _data_token(session: Session) -> str | None:
    """The random token that triggers renew on every write to responses or archived aggregates (migration 0006b)."""
    table = WellbeingDataVersion.__table__
    return session.execute(select(table.c.token).where(table.c.id == 1)).scalar_one_or_none()


def published_cells(session: Session) -> dict[tuple[str, str], Mapping]:
    """The cells anyone may see: live cells that survive suppression, plus archived ones.

    Computed over all retained data at once, so every viewer sees the same
    suppression pattern (different patterns for different viewers could be
    combined to undo it).

    Kept in memory under the data token and the threshold, and computed again
    as soon as either changes: only the published cells are kept (nothing of
    a hidden cell, not even its size), each read-only.
    """
    token = _data_token(session)
    key = (token, get_settings().wellbeing_min_responses)
    database = session.get_bind().url.render_as_string(hide_password=True)
    cached = _published_cache.get(database)
    if token is not None and cached is not None and cached[0] == key:
        return dict(cached[1])
    published = _compute_published_cells(session, key[1])
    if token is not None:
        if database not in _published_cache and len(_published_cache) >= PUBLISHED_CACHE_DATABASES:
            _published_cache.clear()
        _published_cache[database] = (key, published)
    return dict(published)


def _compute_published_cells(session: Session, minimum: int) -> dict[tuple[str, str], Mapping]:
    cells = aggregate_cells(_week_cell_sums(session))
    hidden = suppressed_cells({k: v["responses"] for k, v in cells.items()}, cell_relations(cells), minimum)
    published = {key: MappingProxyType(stats) for key, stats in cells.items() if key not in hidden}
    live_periods = {period for _, period in cells}
    for row in session.exec(select(WellbeingAggregate)):
        if row.period not in live_periods:
            published[(row.group_key, row.period)] = MappingProxyType({
                "responses": row.responses, "who5_mean_pct": row.who5_mean_pct, "pss4_mean": row.pss4_mean,
                "very_low": row.very_low, "low": row.low, "ok": row.ok, "support_signal": row.support_signal})
    return published


def wellbeing_groups(session: Session, actor: Actor) -> list[GroupOption]:
    """The groups the actor may look at: a lead their teams and the center; an admin everything."""
    require_role(actor, Role.LEAD, Role.ADMIN)
    teams = list(session.exec(select(Team).order_by(Team.name)))
    if not actor.has(Role.ADMIN):
        led = set(teams_led_by(session, actor.id))
        teams = [t for t in teams if t.id in led]
    options = [GroupOption(team_key(t.id), t.name) for t in teams]
    if actor.has(Role.ADMIN):
        options.append(GroupOption(NO_TEAM))
    options.append(GroupOption(CENTER))
    return options


def _require_group(session: Session, actor: Actor, group: str) -> None:
    if group not in {g.key for g in wellbeing_groups(session, actor)}:
        raise PermissionDenied("wellbeing.error.group_not_allowed")


TREND_COLUMNS = ["period", "period_start", "shown", "responses", "who5_mean_pct", "pss4_mean",
                 "very_low_share", "low_share", "ok_share", "support_share"]


def wellbeing_trend(session: Session, actor: Actor, group: str, period_kind: str) -> pd.DataFrame:
    """One group's recent weeks or months. Hidden cells have `shown=False` and no numbers at all.

    One grouping at a time (a team, staff without a team, or the center) by
    one kind of period: there is deliberately no free combination of filters.
    """
    require_role(actor, Role.LEAD, Role.ADMIN)
    _require_group(session, actor, group)
    if period_kind not in PERIOD_KINDS:
        raise ValidationFailed("wellbeing.error.bad_period", period=period_kind)
    published = published_cells(session)
    periods = recent_periods(period_kind, TREND_PERIODS[period_kind])
    first = _first_period(session, period_kind)
    rows = []
    for period in [p for p in periods if first is None or p >= first]:
        stats = published.get((group, period))
        row = {"period": period, "period_start": period_start(period), "shown": stats is not None}
        if stats:
            n = stats["responses"]
            row.update(responses=n, who5_mean_pct=round(stats["who5_mean_pct"], 1),
                       pss4_mean=round(stats["pss4_mean"], 1), very_low_share=stats["very_low"] / n,
                       low_share=stats["low"] / n, ok_share=stats["ok"] / n, support_share=stats["support_signal"] / n)
        rows.append(row)
    return pd.DataFrame(rows, columns=TREND_COLUMNS)


def _first_period(session: Session, period_kind: str) -> str | None:
    """The first week or month anyone checked in at all (a trend starts there; it says nothing about a group)."""
    weeks = [session.exec(select(func.min(WellbeingResponse.iso_week))).one()]
    archived = [row for row in session.exec(select(WellbeingAggregate.period))]
    weeks += [p for p in archived if "-W" in p]
    weeks = [w for w in weeks if w]
    if period_kind == "week":
        return min(weeks, default=None)
    months = [month_of_week(w) for w in weeks] + [p for p in archived if "-W" not in p]
    return min(months, default=None)


def wellbeing_comments(session: Session, actor: Actor, group: str) -> dict[str, list[str]]:
    """Comments by month for the recent months, newest month first, each list sorted (not by time).

    A comment is shown only if its own team-and-month cell has at least
    `wellbeing_min_comments` responses; the center shows the union of those,
    so no difference of two lists can isolate a smaller group.
    """
    require_role(actor, Role.LEAD, Role.ADMIN)
    _require_group(session, actor, group)
    months = recent_periods("month", TREND_PERIODS["month"])
    minimum = get_settings().wellbeing_min_comments
    table = WellbeingResponse.__table__
    since = table.c.iso_week >= iso_week(period_start(months[0]))
    if group == CENTER:
        scope = since
    elif group == NO_TEAM:
        scope = and_(since, table.c.team_id.is_(None))
    else:
        scope = and_(since, table.c.team_id == int(group.removeprefix("team:")))
    sizes: dict[tuple[str, str], int] = {}
    for week, team_id, n in session.execute(select(table.c.iso_week, table.c.team_id, func.count())
                                            .where(scope).group_by(table.c.iso_week, table.c.team_id)):
        key = (_group_of(team_id), month_of_week(week))
        sizes[key] = sizes.get(key, 0) + n
    eligible = {(cell_group, month) for (cell_group, month), n in sizes.items()
                if month in months and n >= minimum and (group == CENTER or cell_group == group)}
    result: dict[str, list[str]] = {}
    if eligible:
        query = select(table.c.iso_week, table.c.team_id, table.c.comment).where(scope, table.c.comment.is_not(None))
        for week, team_id, comment in session.execute(query):
            month = month_of_week(week)
            if (_group_of(team_id), month) in eligible and comment.strip():
                result.setdefault(month, []).append(comment)
    return {month: sorted(result[month]) for month in sorted(result, reverse=True) if result[month]}


# --- retention ------------------------------------------------------------------------

@dataclass(frozen=True)
class PurgeReport:
    kept_from_month: str
    deleted_responses: int
    archived_cells: int
    deleted_participation: int


def retention_cutoff_month(day: date, months: int) -> str:
    """Responses in weeks whose month is before this one are past retention."""
    return _month_from_index(_month_index(f"{day:%Y-%m}") - months)


def purge_expired_responses(session: Session, now: datetime | date) -> PurgeReport:
    """Fold raw responses older than the retention period into aggregates, then delete them.

    Whole months at a time, so a month is never half raw and half archived.
    Only cells that pass suppression are archived. Participation rows are
    needed only for the current week; older ones go too. A system task (CLI),
    not a user action, hence no actor.
    """
    day = now.date() if isinstance(now, datetime) else now
    cutoff = retention_cutoff_month(day, get_settings().wellbeing_retention_months)
    table = WellbeingResponse.__table__
    weeks = session.execute(select(table.c.iso_week).distinct()).scalars()
    expired_weeks = sorted({w for w in weeks if month_of_week(w) < cutoff})
    archived = 0
    if expired_weeks:
        expired_periods = set(expired_weeks) | {month_of_week(w) for w in expired_weeks}
        existing = {(a.group_key, a.period) for a in session.exec(select(WellbeingAggregate))}
        for (group, period), stats in published_cells(session).items():
            if period in expired_periods and (group, period) not in existing:
                session.add(WellbeingAggregate(group_key=group, period=period, **stats))
                archived += 1
    deleted = session.execute(delete(table).where(table.c.iso_week.in_(expired_weeks))).rowcount if expired_weeks else 0
    participation = WellbeingParticipation.__table__
    gone = session.execute(delete(participation).where(participation.c.iso_week < iso_week(day))).rowcount
    session.flush()
    return PurgeReport(cutoff, deleted or 0, archived, gone or 0)


def thresholds() -> tuple[int, int]:
    """(responses needed to show a cell, responses needed to show comments): server settings only."""
    settings = get_settings()
    return settings.wellbeing_min_responses, settings.wellbeing_min_comments
