"""The analyst's queue: sampled calls not evaluated yet, oldest first.

A call leaves the queue when it has a submitted evaluation of its own (`calibration_id` NULL:
calibration scores never count). Without a month chosen, the queue holds the samples of this
month and the three before (`RECENT_MONTHS`): finding the calls not yet evaluated is a pass over
the samples, and two years of samples (190,000) would take a second, four months a few tens of ms. The evaluation page (`pages/qa_evaluate.py`) opens a call
from its `?call=<id>` query parameter; `evaluate_link` is the one place that link is made.
"""
from dataclasses import replace

import pandas as pd
from sqlalchemy import func, not_
from sqlmodel import Session, select

from portal import permissions
from portal.models import QaCall, QaSample, QaSamplePlan, Team, User
from portal.paging import PAGE_SIZE, Page, fetch_counted_page
from portal.qa.sampling import checked_month, evaluated_condition, recent_months
from portal.roles import Actor

RECENT_MONTHS = 4
EVALUATE_PAGE = "pages/qa_evaluate.py"
CALL_PARAM = "call"
ACTION = "qa:evaluate"
QUEUE_COLUMNS = ["call_id", "external_id", "agent", "team", "month", "queue", "started_at", "duration_seconds",
                 "satisfaction", "complaint", "reason", "recording_url"]


def evaluate_link(call_id: int) -> tuple[str, dict[str, str]]:
    """(page, query parameters) that open the evaluation of one call."""
    return EVALUATE_PAGE, {CALL_PARAM: str(int(call_id))}


@permissions.permission(ACTION)
def analyst_queue(session: Session, actor: Actor, *, team_id: int | None = None, month: str | None = None,
                  page: int = 0, page_size: int = PAGE_SIZE) -> Page[pd.DataFrame]:
    """Sampled calls waiting for an evaluation, oldest call first, one page at a time (`rows`: `QUEUE_COLUMNS`)."""
    conditions = [not_(evaluated_condition(QaSample.call_id))]
    if team_id:
        conditions.append(QaSamplePlan.team_id == team_id)
    months = [checked_month(month)] if month else recent_months(RECENT_MONTHS)
    conditions.append(QaSamplePlan.month.in_(months))
    shown = fetch_counted_page(session, _queue_query(conditions), page=page, page_size=page_size)
    frame = pd.DataFrame([tuple(r)[:-1] for r in shown.rows], columns=QUEUE_COLUMNS)
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    return replace(shown, rows=frame)


def _queue_query(conditions: list):
    """The queue, each row carrying its length (one pass over the samples, not two)."""
    return (select(QaCall.id, QaCall.external_id, User.display_name, Team.name, QaSamplePlan.month, QaCall.queue,
                   QaCall.started_at, QaCall.duration_seconds, QaCall.satisfaction, QaCall.complaint,
                   QaSample.reason, QaCall.recording_url, func.count().over().label("total"))
            .select_from(QaSample)
            .join(QaSamplePlan, QaSamplePlan.id == QaSample.plan_id)
            .join(QaCall, QaCall.id == QaSample.call_id)
            .join(User, User.id == QaCall.agent_id)
            .join(Team, Team.id == QaSamplePlan.team_id)
            .where(*conditions)
            .order_by(QaCall.started_at, QaCall.id))


@permissions.permission(ACTION)
def queue_teams(session: Session, actor: Actor) -> list[tuple[int, str]]:
    """(id, name) of every team, for the queue's filter."""
    return [tuple(r) for r in session.exec(select(Team.id, Team.name).order_by(Team.name)).all()]
