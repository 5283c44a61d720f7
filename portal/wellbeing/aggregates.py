"""Groups and cells: the per-team-and-week sums computed by the database, and every cell built from them."""
from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce

from sqlalchemy import and_, case, func, literal, or_
from sqlmodel import Session, select

from portal.models import WellbeingResponse
from portal.wellbeing.periods import month_of_week
from portal.wellbeing.scoring import INSTRUMENTS, PSS4_REVERSED, WHO5_LOW_ITEM_MAX, WHO5_LOW_MAX, WHO5_VERY_LOW_MAX

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

def who5_raw_sql(table):
    return reduce(operator.add, [table.c[f"who5_{i}"] for i in range(1, INSTRUMENTS["who5"][0] + 1)])


def pss4_total_sql(table):
    items, highest = INSTRUMENTS["pss4"]
    return reduce(operator.add, [literal(highest) - table.c[f"pss4_{i}"] if i in PSS4_REVERSED else table.c[f"pss4_{i}"]
                                 for i in range(1, items + 1)])


def _flag_sql(condition):
    return case((condition, 1), else_=0)


SUMS = ("responses", "who5_pct_sum", "pss4_sum", "very_low", "low", "support_signal")  # a cell's whole-number sums


def week_cell_sums(session: Session, weeks: Iterable[str] | None = None) -> list[tuple]:
    """(iso_week, team_id, responses, sum of WHO-5 %, sum of PSS-4, very low, low, support signals) per team and week.

    Only for `weeks` when given. The order of the sums is `SUMS`.
    """
    table = WellbeingResponse.__table__
    percentage = who5_raw_sql(table) * 4
    low_item = or_(*[table.c[f"who5_{i}"] <= WHO5_LOW_ITEM_MAX for i in range(1, INSTRUMENTS["who5"][0] + 1)])
    query = select(table.c.iso_week, table.c.team_id, func.count(), func.sum(percentage),
                   func.sum(pss4_total_sql(table)), func.sum(_flag_sql(percentage <= WHO5_VERY_LOW_MAX)),
                   func.sum(_flag_sql(and_(percentage > WHO5_VERY_LOW_MAX, percentage <= WHO5_LOW_MAX))),
                   func.sum(_flag_sql(or_(percentage <= WHO5_VERY_LOW_MAX, low_item)))
                   ).group_by(table.c.iso_week, table.c.team_id)
    if weeks is not None:
        query = query.where(table.c.iso_week.in_(list(weeks)))
    return [tuple(row) for row in session.execute(query)]


def group_of(team_id: int | None) -> str:
    return team_key(team_id) if team_id else NO_TEAM


def cell_sums(week_sums: Iterable[tuple]) -> dict[tuple[str, str], tuple[int, ...]]:
    """Every (group, week) and (group, month) cell's sums (`SUMS`), the whole center included.

    Cells come in the order group x week, group x month, center x week,
    center x month, each sorted.
    """
    blocks: tuple[dict, dict, dict, dict] = ({}, {}, {}, {})
    for week, team_id, *sums in week_sums:
        group, month, sums = group_of(team_id), month_of_week(week), tuple(int(v) for v in sums)
        for block, key in zip(blocks, ((group, week), (group, month), (CENTER, week), (CENTER, month))):
            total = block.get(key)
            block[key] = sums if total is None else tuple(a + b for a, b in zip(total, sums))
    return {key: block[key] for block in blocks for key in sorted(block)}


def stats_of(sums: tuple[int, ...]) -> dict:
    """A cell as leads read it: the count, the means and the band counts. Sums of whole numbers are
    exact, so the means equal those over the single responses."""
    n, percentage, pss4, very_low, low, signal = sums
    return {"responses": n, "who5_mean_pct": percentage / n, "pss4_mean": pss4 / n,
            "very_low": very_low, "low": low, "ok": n - very_low - low, "support_signal": signal}


def sums_of(stats) -> tuple[int, ...]:
    """The inverse of `stats_of` for a published cell (a reader can multiply the means back too)."""
    n = stats["responses"]
    return (n, round(stats["who5_mean_pct"] * n), round(stats["pss4_mean"] * n), stats["very_low"], stats["low"],
            stats["support_signal"])


def aggregate_cells(week_sums: Iterable[tuple]) -> dict[tuple[str, str], dict]:
    """Every (group, week) and (group, month) cell, the whole center included, as `stats_of` gives it."""
    return {key: stats_of(sums) for key, sums in cell_sums(week_sums).items()}


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

