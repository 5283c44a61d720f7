"""What leads and admins read: the groups they may see, a group's trend, comments by month."""
from __future__ import annotations

import pandas as pd
from sqlmodel import Session, select

from portal.errors import PermissionDenied, ValidationFailed
from portal.models import Team, WellbeingResponse
from portal import permissions
from portal.permissions import permission
from portal.roles import Actor
from portal.settings import get_settings
from portal.wellbeing.aggregates import (CENTER, NO_TEAM, PERIOD_KINDS, TREND_PERIODS, GroupOption, group_of,
                                         team_key)
from portal.wellbeing.periods import closed_periods, month_of_week, period_start, weeks_of_month
from portal.wellbeing.publication import published_cells, published_periods

AGGREGATES = "wellbeing:aggregates_read"

@permission(AGGREGATES)
def wellbeing_groups(session: Session, actor: Actor) -> list[GroupOption]:
    """The groups the actor may look at: a lead their teams and the center; an admin everything."""
    teams = list(session.exec(select(Team).order_by(Team.name)))
    within = permissions.teams_within(session, actor, AGGREGATES)
    if within is not None:
        teams = [t for t in teams if t.id in within]
    options = [GroupOption(team_key(t.id), t.name) for t in teams]
    if within is None:  # staff without a team are a group only for those who see the whole center
        options.append(GroupOption(NO_TEAM))
    options.append(GroupOption(CENTER))
    return options


def _require_group(session: Session, actor: Actor, group: str) -> None:
    if group not in {g.key for g in wellbeing_groups(session, actor)}:
        raise PermissionDenied("wellbeing.error.group_not_allowed")


TREND_COLUMNS = ["period", "period_start", "shown", "responses", "who5_mean_pct", "pss4_mean",
                 "very_low_share", "low_share", "ok_share", "support_share"]


@permission(AGGREGATES)
def wellbeing_trend(session: Session, actor: Actor, group: str, period_kind: str) -> pd.DataFrame:
    """One group's recent closed weeks or months. Hidden cells have `shown=False` and no numbers at all.

    Only published periods: the current week and month never appear, and a
    period's figures never change once shown (portal/wellbeing/publication.py).
    One grouping at a time (a team, staff without a team, or the center) by
    one kind of period: there is deliberately no free combination of filters.
    """
    _require_group(session, actor, group)
    if period_kind not in PERIOD_KINDS:
        raise ValidationFailed("wellbeing.error.bad_period", period=period_kind)
    published = published_cells(session, [group])
    first = _first_period(session, period_kind)
    rows = []
    for period in closed_periods(period_kind, TREND_PERIODS[period_kind]):
        if first is None or period < first:
            continue
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
    """The first week or month published at all (a trend starts there; it says nothing about a group)."""
    periods = [p for p in published_periods(session) if ("-W" in p) == (period_kind == "week")]
    return min(periods, default=None)


@permission(AGGREGATES)
def wellbeing_comments(session: Session, actor: Actor, group: str) -> dict[str, list[str]]:
    """Comments by closed month for the recent months, newest month first, each list sorted (not by time).

    A comment is shown only once its month is published, and only if its own
    team-and-month cell was published with at least `wellbeing_min_comments`
    responses; the center shows the union of those, so no difference of two
    lists can isolate a smaller group. Weeks never change once closed, so
    neither do the lists.
    """
    _require_group(session, actor, group)
    months = set(closed_periods("month", TREND_PERIODS["month"]))
    minimum = get_settings().wellbeing_min_comments
    cells = published_cells(session, None if group == CENTER else [group])
    eligible = {(cell_group, month) for (cell_group, month), stats in cells.items()
                if month in months and cell_group != CENTER and stats["responses"] >= minimum
                and (group == CENTER or cell_group == group)}
    if not eligible:
        return {}
    table = WellbeingResponse.__table__
    weeks = [week for _, month in eligible for week in weeks_of_month(month)]
    query = select(table.c.iso_week, table.c.team_id, table.c.comment).where(
        table.c.iso_week.in_(sorted(set(weeks))), table.c.comment.is_not(None))
    result: dict[str, list[str]] = {}
    for week, team_id, comment in session.execute(query):
        month = month_of_week(week)
        if (group_of(team_id), month) in eligible and comment.strip():
            result.setdefault(month, []).append(comment)
    return {month: sorted(result[month]) for month in sorted(result, reverse=True)}


def thresholds() -> tuple[int, int]:
    """(responses needed to show a cell, responses needed to show comments): server settings only."""
    settings = get_settings()
    return settings.wellbeing_min_responses, settings.wellbeing_min_comments
