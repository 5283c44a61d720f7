"""QA dashboards: score trends, item failure rates, critical fails, disputes, analyst workload.

Every figure is read from live evaluations only (submitted, `calibration_id IS NULL`:
calibration scores never count) of calls taken in one team the viewer may read (a
lead their own teams; QA, trainers and admins any team): a call counts for the team
its agent was in on the call's day (`portal.teams.membership`), so moving an agent
leaves both teams' past as it was. Over a few calendar months of the center's zone.

Cost follows what the viewer sees: each figure is one SQL aggregate with GROUP BY
over that team's evaluations in those months (the `ix_qa_evaluation_agent_submitted`
index: agent, submitted_at); pandas only reshapes the grouped rows.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import and_, case, exists, func
from sqlmodel import Session, select

from portal import permissions
from portal.clock import center_time, utcnow
from portal.errors import PermissionDenied
from portal.i18n import localized_column
from portal.models import (
    QaCall,
    QaDispute,
    QaDisputeItem,
    QaEvaluation,
    QaItemScore,
    QaScorecardVersion,
    Team,
    User,
)
from portal.qa.scoring import scorecard_spec
from portal.roles import Actor
from portal.teams.membership import was_in_team

ACTION = "qa:dashboard"


@dataclass(frozen=True)
class Month:
    """A calendar month of the center's zone and its bounds in UTC."""

    key: str  # YYYY-MM
    start: datetime
    end: datetime


def month_of(key: str) -> Month:
    """A 'YYYY-MM' key with its bounds (ValidationFailed for anything else)."""
    from portal.qa.sampling import month_bounds

    return Month(key, *month_bounds(key))


def recent_months(count: int, now: datetime | None = None) -> list[str]:
    """The last `count` months of the center's calendar (this one included), oldest first."""
    local = center_time(now or utcnow())
    index = local.year * 12 + local.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def month_key(moment: datetime) -> str:
    """The center-zone month a UTC moment falls in."""
    return f"{center_time(moment):%Y-%m}"


def _bucket(column, months: list[Month]):
    """SQL: the month key of `column` (one CASE over the months' bounds, the same on SQLite and PostgreSQL)."""
    return case(*((column < m.end, m.key) for m in months[:-1]), else_=months[-1].key)


# --- scope ----------------------------------------------------------------------------------

@permissions.permission(ACTION)
def dashboard_teams(session: Session, actor: Actor) -> pd.DataFrame:
    """The teams `actor` may read the QA dashboard of (team_id, name), by name."""
    query = select(Team.id, Team.name).order_by(Team.name)
    if not permissions.over_everyone(actor, ACTION):
        query = query.where(Team.id.in_(select(User.team_id).where(
            permissions.people_filter(session, actor, ACTION), User.team_id.is_not(None))))
    return pd.DataFrame(session.exec(query).all(), columns=["team_id", "name"])


def _of_team(session: Session, actor: Actor, team_id: int):
    """SQL: the evaluation's call was taken while its agent was in the team (on the center's day of the call,
    `portal.teams.membership`: a move leaves both teams' past as it was); refuses a team the actor may not read."""
    if not permissions.may_over_team(session, actor, ACTION, team_id):
        raise PermissionDenied()
    call_started = (select(QaCall.started_at).where(QaCall.id == QaEvaluation.call_id)
                    .correlate(QaEvaluation).scalar_subquery())  # the outer query's evaluation, two levels up
    return was_in_team(session, team_id, QaEvaluation.agent_id, at=call_started)


def _live(session: Session, actor: Actor, team_id: int, months: list[str]):
    """(conditions on QaEvaluation for the team's live evaluations in `months`, the months as `Month`s)."""
    if not months:
        raise ValueError("no months")
    spans = [month_of(key) for key in sorted(months)]
    where = and_(_of_team(session, actor, team_id),
                 QaEvaluation.submitted_at >= spans[0].start, QaEvaluation.submitted_at < spans[-1].end,
                 QaEvaluation.status == "submitted", QaEvaluation.calibration_id.is_(None))
    return where, spans


def _rate(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (part / whole.where(whole > 0)).astype(float).round(4)


# --- figures --------------------------------------------------------------------------------

@permissions.permission(ACTION)
def agent_trend(session: Session, actor: Actor, team_id: int, months: list[str]) -> pd.DataFrame:
    """Per agent and month: evaluations and mean score (of each evaluation's final revision)."""
    where, spans = _live(session, actor, team_id, months)
    month = _bucket(QaEvaluation.submitted_at, spans).label("month")
    rows = session.exec(select(User.id, User.display_name, month, func.count(QaEvaluation.id),
                               func.avg(QaEvaluation.percent))
                        .join(User, User.id == QaEvaluation.agent_id).where(where)
                        .group_by(User.id, User.display_name, month).order_by(User.display_name, month)).all()
    frame = pd.DataFrame(rows, columns=["agent_id", "agent", "month", "evaluations", "mean_score"])
    frame["mean_score"] = pd.to_numeric(frame["mean_score"]).round(1)
    return frame


@permissions.permission(ACTION)
def team_trend(session: Session, actor: Actor, team_id: int, months: list[str]) -> pd.DataFrame:
    """Per month (every month asked for, empty ones too): evaluations, mean score, critical fails and their rate."""
    where, spans = _live(session, actor, team_id, months)
    month = _bucket(QaEvaluation.submitted_at, spans).label("month")
    rows = session.exec(select(month, func.count(QaEvaluation.id), func.avg(QaEvaluation.percent),
                               func.count(case((QaEvaluation.failed_by_critical, 1))))
                        .where(where).group_by(month)).all()
    found = pd.DataFrame(rows, columns=["month", "evaluations", "mean_score", "critical_fails"])
    frame = pd.DataFrame({"month": [m.key for m in spans]}).merge(found, on="month", how="left")
    frame[["evaluations", "critical_fails"]] = frame[["evaluations", "critical_fails"]].fillna(0).astype(int)
    frame["mean_score"] = pd.to_numeric(frame["mean_score"]).round(1)
    frame["critical_fail_rate"] = _rate(frame["critical_fails"], frame["evaluations"])
    return frame


@permissions.permission(ACTION)
def item_outcomes(session: Session, actor: Actor, team_id: int, months: list[str]) -> pd.DataFrame:
    """Per scorecard, item and month: items scored (N/A left out) and failed (points below the item's maximum).

    Grouped in SQL by version, item, month and points (a handful of distinct points per item), so
    pandas sees at most versions x items x months x points rows, whatever the evaluations.
    """
    where, spans = _live(session, actor, team_id, months)
    month = _bucket(QaEvaluation.submitted_at, spans).label("month")
    rows = session.exec(select(QaEvaluation.scorecard_version_id, QaItemScore.item_id, month, QaItemScore.points,
                               func.count())
                        .join(QaItemScore, and_(QaItemScore.evaluation_id == QaEvaluation.id,
                                                QaItemScore.revision == QaEvaluation.revision))
                        .where(where, QaItemScore.points.is_not(None))
                        .group_by(QaEvaluation.scorecard_version_id, QaItemScore.item_id, month,
                                  QaItemScore.points)).all()
    columns = ["scorecard_id", "scorecard_en", "scorecard_zh", "item_id", "item_en", "item_zh", "month", "scored",
               "failed"]
    if not rows:
        return pd.DataFrame(columns=columns)
    items = _items_of_versions(session, {row[0] for row in rows})
    grouped: dict[tuple, list[int]] = {}
    for version_id, item_id, month_key_, points, count in rows:
        info = items.get((version_id, item_id))
        if info is None:
            continue  # an item no longer in its version's spec (cannot happen for rows written by record_revision)
        key = (*info[:6], month_key_)
        tally = grouped.setdefault(key, [0, 0])
        tally[0] += count
        tally[1] += count if float(points) < info[6] else 0
    frame = pd.DataFrame([(*key, scored, failed) for key, (scored, failed) in grouped.items()], columns=columns)
    return frame.sort_values(["scorecard_id", "item_id", "month"]).reset_index(drop=True)


def _items_of_versions(session: Session, version_ids: set[int]) -> dict[tuple[int, str], tuple]:
    """(version id, item id) -> (scorecard id, its titles, item id, item texts, max points)."""
    codes = dict(session.exec(select(QaScorecardVersion.id, QaScorecardVersion.scorecard_id)
                              .where(QaScorecardVersion.id.in_(version_ids))).all())
    found = {}
    for version_id in version_ids:
        spec = scorecard_spec(session, version_id)
        for _, item in spec.items():
            found[(version_id, item.id)] = (codes[version_id], spec.title.en, spec.title.zh_CN, item.id, item.text.en,
                                            item.text.zh_CN, float(item.max_points))
    return found


@permissions.permission(ACTION)
def item_failures(session: Session, actor: Actor, team_id: int, months: list[str]) -> pd.DataFrame:
    """Per scorecard item and month: scored, failed and the failure rate; the items failing most first."""
    frame = item_outcomes(session, actor, team_id, months)
    frame["failure_rate"] = _rate(frame["failed"], frame["scored"]) if not frame.empty else pd.Series(dtype=float)
    keys = list(zip(frame["scorecard_id"].tolist(), frame["item_id"].tolist()))
    totals: dict[tuple, list[int]] = {}
    for key, failed, scored in zip(keys, frame["failed"].tolist(), frame["scored"].tolist()):
        tally = totals.setdefault(key, [0, 0])
        tally[0] += failed
        tally[1] += scored
    months_ = frame["month"].tolist()
    order = sorted(range(len(keys)), key=lambda i: (-totals[keys[i]][0] / totals[keys[i]][1], *keys[i], months_[i]))
    return frame.iloc[order].reset_index(drop=True)


def failure_matrix(failures: pd.DataFrame, language: str) -> pd.DataFrame:
    """Items (rows, most failed first) x months (columns): failure rates, for the table on screen."""
    if failures.empty:
        return pd.DataFrame()
    labelled = failures.assign(item=[f"{card} · {item}" for card, item in zip(
        localized_column(failures, "scorecard", language), localized_column(failures, "item", language))])
    order = list(dict.fromkeys(labelled["item"]))
    matrix = labelled.pivot_table(index="item", columns="month", values="failure_rate", aggfunc="first")
    return matrix.reindex(order).reset_index()


@permissions.permission(ACTION)
def dispute_rates(session: Session, actor: Actor, team_id: int, months: list[str]) -> pd.DataFrame:
    """Per month of the evaluations: evaluations, disputed ones and the dispute rate; disputed items, decided,
    changed, and the overturn rate (items changed / items decided; open items are not decided yet)."""
    where, spans = _live(session, actor, team_id, months)
    month = _bucket(QaEvaluation.submitted_at, spans).label("month")
    disputed = exists().where(QaDispute.evaluation_id == QaEvaluation.id)
    counts = session.exec(select(month, func.count(QaEvaluation.id), func.count(case((disputed, 1))))
                          .where(where).group_by(month)).all()
    items = session.exec(select(month, func.count(), func.count(QaDisputeItem.decision),
                                func.count(case((QaDisputeItem.decision == "changed", 1))))
                         .select_from(QaEvaluation)
                         .join(QaDispute, QaDispute.evaluation_id == QaEvaluation.id)
                         .join(QaDisputeItem, QaDisputeItem.dispute_id == QaDispute.id)
                         .where(where).group_by(month)).all()
    frame = pd.DataFrame({"month": [m.key for m in spans]})
    frame = frame.merge(pd.DataFrame(counts, columns=["month", "evaluations", "disputed"]), on="month", how="left")
    frame = frame.merge(pd.DataFrame(items, columns=["month", "items_disputed", "items_decided", "items_changed"]),
                        on="month", how="left")
    numbers = ["evaluations", "disputed", "items_disputed", "items_decided", "items_changed"]
    frame[numbers] = frame[numbers].fillna(0).astype(int)
    frame.insert(3, "dispute_rate", _rate(frame["disputed"], frame["evaluations"]))
    frame["overturn_rate"] = _rate(frame["items_changed"], frame["items_decided"])
    return frame


@permissions.permission(ACTION)
def analyst_workload(session: Session, actor: Actor, team_id: int, months: list[str]) -> pd.DataFrame:
    """Per analyst and month (of the team's evaluations): evaluations and the median seconds spent on one.

    The median comes from (analyst, month, seconds) counts grouped in SQL, so no evaluation row is read."""
    where, spans = _live(session, actor, team_id, months)
    month = _bucket(QaEvaluation.submitted_at, spans).label("month")
    rows = session.exec(select(User.id, User.display_name, month, QaEvaluation.seconds_spent,
                               func.count(QaEvaluation.id))
                        .join(User, User.id == QaEvaluation.evaluator_id).where(where)
                        .group_by(User.id, User.display_name, month, QaEvaluation.seconds_spent)).all()
    tallies = pd.DataFrame(rows, columns=["analyst_id", "analyst", "month", "seconds", "count"])
    out = []
    for (analyst_id, analyst, month_key_), group in tallies.groupby(["analyst_id", "analyst", "month"], sort=True):
        out.append((analyst_id, analyst, month_key_, int(group["count"].sum()),
                    weighted_median(group["seconds"].tolist(), group["count"].tolist())))
    return pd.DataFrame(out, columns=["analyst_id", "analyst", "month", "evaluations", "median_seconds"])


def weighted_median(values: list[float], counts: list[int]) -> float | None:
    """The median of `values` each repeated `counts` times (the mean of the two middle ones for an even total)."""
    pairs = sorted(zip(values, counts))
    total = sum(counts)
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found, seen = [], 0
    for value, count in pairs:
        while middle and middle[0] < seen + count:
            found.append(float(value))
            middle.pop(0)
        seen += count
    return sum(found) / 2



# --- at risk: what QA adds to the team dashboard's "who needs help" ------------------------------

#: An agent is flagged when the mean of their last `QA_LAST_N` live QA scores is below `QA_LOW_SCORE`
#: (QA scores sit higher than exam scores: most agents score 85-95 on a scorecard, so 75 is a real
#: problem, not a bad day), when their last `QA_TREND_K` scores fall by `QA_TREND_MIN_DROP` points or more
#: per evaluation (a least-squares slope; smaller falls are the noise of four calls a month), or when
#: `QA_CRITICAL_COUNT` or more evaluations in the last `QA_CRITICAL_DAYS` days missed a critical item
#: (verification, data disclosure: one miss is coached, a repeat is a risk to customers).
QA_LOW_SCORE = 75.0
QA_LAST_N = 5
QA_TREND_K = 4
QA_TREND_MIN_DROP = 3.0
QA_CRITICAL_COUNT = 2
QA_CRITICAL_DAYS = 30
#: Scores older than this say nothing about how an agent is doing now (and reading only these keeps the
#: query to a few rows per agent however long the center has kept QA).
QA_RECENT_DAYS = 120


@dataclass(frozen=True)
class QaFlag:
    """One QA reason to worry about an agent: an i18n key (qa.coaching.reason.*) and its parameters."""

    key: str
    params: tuple[tuple[str, object], ...] = ()


def qa_risk_flags(session: Session, user_ids: list[int], now: datetime | None = None) -> dict[int, list[QaFlag]]:
    """QA reasons (low, falling, repeated critical misses) per user id, from live evaluations of the last
    `QA_RECENT_DAYS` only.

    The callers have checked who may see these people (analytics.at_risk's scope). Two grouped queries:
    the last few scores per agent (a window function) and the critical misses of the last days.
    """
    if not user_ids:
        return {}
    now = now or utcnow()
    live = and_(QaEvaluation.agent_id.in_(user_ids), QaEvaluation.status == "submitted",
                QaEvaluation.calibration_id.is_(None),
                QaEvaluation.submitted_at >= now - timedelta(days=QA_RECENT_DAYS))
    ranked = (select(QaEvaluation.agent_id, QaEvaluation.percent,
                     func.row_number().over(partition_by=QaEvaluation.agent_id,
                                            order_by=(QaEvaluation.submitted_at.desc(), QaEvaluation.id.desc()))
                     .label("recency")).where(live).subquery())
    recent: dict[int, list[float]] = {}
    for agent_id, percent in session.exec(select(ranked.c.agent_id, ranked.c.percent)
                                          .where(ranked.c.recency <= max(QA_LAST_N, QA_TREND_K))
                                          .order_by(ranked.c.agent_id, ranked.c.recency)).all():
        recent.setdefault(agent_id, []).append(float(percent))
    since = now - timedelta(days=QA_CRITICAL_DAYS)
    misses = dict(session.exec(select(QaEvaluation.agent_id, func.count(QaEvaluation.id))
                               .where(live, QaEvaluation.submitted_at >= since, QaEvaluation.critical_missed != "")
                               .group_by(QaEvaluation.agent_id)).all())
    flags: dict[int, list[QaFlag]] = {}
    for agent_id in user_ids:
        found = _score_flags(recent.get(agent_id, []))
        if misses.get(agent_id, 0) >= QA_CRITICAL_COUNT:
            found.append(QaFlag("qa.coaching.reason.critical_misses",
                                (("count", misses[agent_id]), ("days", QA_CRITICAL_DAYS))))
        if found:
            flags[agent_id] = found
    return flags


def _score_flags(newest_first: list[float]) -> list[QaFlag]:
    found = []
    last = newest_first[:QA_LAST_N]
    if last and sum(last) / len(last) < QA_LOW_SCORE:
        found.append(QaFlag("qa.coaching.reason.low_qa", (("mean", f"{sum(last) / len(last):.1f}"), ("n", len(last)),
                                                          ("low", f"{QA_LOW_SCORE:g}"))))
    trend = list(reversed(newest_first[:QA_TREND_K]))
    if len(trend) == QA_TREND_K:
        slope = float(np.polyfit(np.arange(len(trend)), trend, 1)[0])
        if slope <= -QA_TREND_MIN_DROP:
            found.append(QaFlag("qa.coaching.reason.falling_qa", (("slope", f"{slope:.1f}"), ("k", QA_TREND_K))))
    return found
