"""What leads and admins read: the groups they may see, a group's trend, comments by month."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, func
from sqlmodel import Session, select

from portal.errors import PermissionDenied, ValidationFailed
from portal.models import Team, WellbeingAggregate, WellbeingResponse
from portal.roles import Actor, Role, require_role
from portal.settings import get_settings
from portal.users import teams_led_by
from portal.wellbeing.aggregates import (CENTER, NO_TEAM, PERIOD_KINDS, TREND_PERIODS, GroupOption, group_of,
                                         team_key)
from portal.wellbeing.periods import iso_week, month_of_week, period_start, recent_periods
from portal.wellbeing.publication import published_cells

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
        key = (group_of(team_id), month_of_week(week))
        sizes[key] = sizes.get(key, 0) + n
    eligible = {(cell_group, month) for (cell_group, month), n in sizes.items()
                if month in months and n >= minimum and (group == CENTER or cell_group == group)}
    result: dict[str, list[str]] = {}
    if eligible:
        query = select(table.c.iso_week, table.c.team_id, table.c.comment).where(scope, table.c.comment.is_not(None))
        for week, team_id, comment in session.execute(query):
            month = month_of_week(week)
            if (group_of(team_id), month) in eligible and comment.strip():
                result.setdefault(month, []).append(comment)
    return {month: sorted(result[month]) for month in sorted(result, reverse=True) if result[month]}



def thresholds() -> tuple[int, int]:
    """(responses needed to show a cell, responses needed to show comments): server settings only."""
    settings = get_settings()
    return settings.wellbeing_min_responses, settings.wellbeing_min_comments
