"""The agent's side of an evaluation: read it, acknowledge it, dispute chosen items; and the decisions.

- An agent reads their own evaluations (never calibration scores: `calibration_id IS NULL`),
  acknowledges each once, and within the window (`portal.qa.working_days`) disputes chosen
  items, each with a reason.
- A reviewer who is not the evaluator (a lead of the agent's team, or a quality analyst:
  `qa:disputes_resolve`) upholds or changes each disputed item with a reason the agent reads.
  Changes write the next revision through `portal.qa.scoring.record_revision`, copying every
  other item from the revision before; the evaluation's score is the newest revision.
- At most `MAX_ROUNDS` rounds: a second round may dispute again only items decided in the first,
  within a window opened by the first round's decision.

Refusals about fields carry `items=[item ids]` so a page can show the message beside each field.
"""
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, select

from portal import audit, clock, permissions
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.paging import PAGE_SIZE, Page, fetch_page
from portal.models import (
    QaCall,
    QaDispute,
    QaDisputeItem,
    QaEvaluation,
    QaItemScore,
    User,
)
from portal.qa.evaluations import EvaluationSummary, evaluations_for_agent
from portal.qa.evaluations import evaluation_detail as scored_evaluation
from portal.qa.scoring import item_scores, record_revision, scorecard_spec
from portal.qa.working_days import window_closes_on
from portal.quizzes.specs import RubricSpec
from portal.roles import Actor
from portal.submissions import checked_key

MAX_ROUNDS = 2
MAX_REASON = 4000
DECISIONS = ("upheld", "changed")
READ = "qa:evaluations_read"  # the agent, their lead, QA, trainers and admins
ACKNOWLEDGE = "qa:acknowledge"  # the agent, on their own evaluations
RESOLVE = "qa:disputes_resolve"  # a lead of the agent's team or QA, never the original evaluator


@dataclass(frozen=True)
class ItemLine:
    """One scorecard item of one revision, as read."""

    item_id: str
    section: str
    text: str
    max_points: float
    critical: bool
    allow_na: bool
    points: float | None  # None: N/A
    comment: str


@dataclass(frozen=True)
class DisputedItem:
    item_id: str
    text: str
    reason: str
    decision: str | None  # upheld | changed; None while open
    new_points: float | None
    decision_reason: str


@dataclass(frozen=True)
class DisputeRound:
    id: int
    round: int
    raised_at: datetime
    status: str  # open | resolved
    reviewer_name: str | None
    resolved_at: datetime | None
    items: list[DisputedItem]


@dataclass(frozen=True)
class Revision:
    revision: int
    percent: float
    critical_missed: list[str]
    items: list[ItemLine]


@dataclass(frozen=True)
class AgentEvaluation:
    """One evaluation in an agent's list, and whether a dispute of it is open ("in dispute")."""

    summary: EvaluationSummary
    in_dispute: bool


@dataclass(frozen=True)
class EvaluationDetail:
    summary: EvaluationSummary
    in_dispute: bool
    agent_id: int
    evaluator_id: int
    comment: str
    critical_missed: list[str]  # item texts
    items: list[ItemLine]  # the newest revision
    revisions: list[Revision]  # oldest first; the last is the score
    rounds: list[DisputeRound]
    dispute_until: date | None  # the window's last day (None while a round is open or after the last round)
    disputable: list[str] = field(default_factory=list)  # item ids the agent may dispute now
    dispute_refusal: str | None = None  # why none may be disputed now (an i18n key)

    @property
    def open_round(self) -> DisputeRound | None:
        return next((r for r in self.rounds if r.status == "open"), None)


# -- reading ---------------------------------------------------------------------------------------------


def _evaluation(session: Session, evaluation_id: int) -> QaEvaluation:
    """A submitted evaluation of a real call (calibration scores are never an agent's evaluation)."""
    evaluation = session.get(QaEvaluation, evaluation_id)
    if evaluation is None or evaluation.calibration_id is not None or evaluation.status != "submitted":
        raise NotFound()
    return evaluation


def _readable(session: Session, actor: Actor, evaluation_id: int) -> QaEvaluation:
    evaluation = _evaluation(session, evaluation_id)
    permissions.ensure(session, actor, READ, evaluation.agent_id)
    return evaluation


def _names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def _open_evaluation_ids(session: Session, evaluation_ids: list[int]) -> set[int]:
    if not evaluation_ids:
        return set()
    return set(session.exec(select(QaDispute.evaluation_id).where(QaDispute.evaluation_id.in_(evaluation_ids),
                                                                  QaDispute.status == "open")).all())


@permissions.permission(READ)
def agent_evaluations(session: Session, actor: Actor, agent_id: int) -> list[AgentEvaluation]:
    """One agent's submitted evaluations, newest first, each marked when in dispute; never calibration scores."""
    summaries = evaluations_for_agent(session, actor, agent_id)
    disputed = _open_evaluation_ids(session, [s.evaluation_id for s in summaries])
    return [AgentEvaluation(summary, summary.evaluation_id in disputed) for summary in summaries]


@permissions.permission(ACKNOWLEDGE)
def my_evaluations(session: Session, actor: Actor) -> list[AgentEvaluation]:
    """The signed-in agent's own evaluations (the "My quality" page)."""
    return agent_evaluations(session, actor, actor.id)


def _item_lines(spec: RubricSpec, scores: Mapping[str, QaItemScore], language: str | None) -> list[ItemLine]:
    return [ItemLine(item_id=item.id, section=section.title.get(language), text=item.text.get(language),
                     max_points=item.max_points, critical=item.critical, allow_na=item.allow_na,
                     points=scores[item.id].points if item.id in scores else None,
                     comment=scores[item.id].comment if item.id in scores else "")
            for section, item in spec.items()]


def _revisions(session: Session, evaluation: QaEvaluation, spec: RubricSpec, language: str | None) -> list[Revision]:
    rows = session.exec(select(QaItemScore).where(QaItemScore.evaluation_id == evaluation.id)
                        .order_by(QaItemScore.revision)).all()
    by_revision: dict[int, dict[str, QaItemScore]] = {}
    for row in rows:
        by_revision.setdefault(row.revision, {})[row.item_id] = row
    revisions = []
    for number, scores in sorted(by_revision.items()):
        result = spec.score({item_id: row.points for item_id, row in scores.items()})
        revisions.append(Revision(revision=number, percent=result.percent, critical_missed=result.critical_missed,
                                  items=_item_lines(spec, scores, language)))
    return revisions


def _rounds(session: Session, evaluation_id: int, spec: RubricSpec, language: str | None) -> list[DisputeRound]:
    disputes = session.exec(select(QaDispute).where(QaDispute.evaluation_id == evaluation_id)
                            .order_by(QaDispute.round)).all()
    texts = {item.id: item.text.get(language) for _, item in spec.items()}
    order = {item.id: n for n, (_, item) in enumerate(spec.items())}
    names = _names(session, [d.reviewer_id for d in disputes])
    rounds = []
    for dispute in disputes:
        items = session.exec(select(QaDisputeItem).where(QaDisputeItem.dispute_id == dispute.id)).all()
        items = sorted(items, key=lambda i: order.get(i.item_id, 0))
        rounds.append(DisputeRound(
            id=dispute.id, round=dispute.round, raised_at=dispute.raised_at, status=dispute.status,
            reviewer_name=names.get(dispute.reviewer_id), resolved_at=dispute.resolved_at,
            items=[DisputedItem(item_id=i.item_id, text=texts.get(i.item_id, i.item_id), reason=i.reason,
                                decision=i.decision, new_points=i.new_points, decision_reason=i.decision_reason)
                   for i in items]))
    return rounds


def _dispute_window(evaluation: QaEvaluation, rounds: list[DisputeRound]) -> tuple[date | None, list[str], str | None]:
    """(the window's last day, the items that may be disputed now, why none may) for the next round."""
    if any(r.status == "open" for r in rounds):
        return None, [], "qa.dispute.error.open"
    if len(rounds) >= MAX_ROUNDS:
        return None, [], "qa.dispute.error.no_more_rounds"
    if rounds:
        closes = window_closes_on(rounds[-1].resolved_at)
        items = [i.item_id for i in rounds[-1].items]
    else:
        closes = window_closes_on(evaluation.submitted_at)
        items = None
    if clock.local_today() > closes:
        return closes, [], "qa.dispute.error.window_closed"
    return closes, items, None


@permissions.permission(READ)
def evaluation_detail(session: Session, actor: Actor, evaluation_id: int, language: str | None = None
                      ) -> EvaluationDetail:
    """Everything about one evaluation that its agent, their lead or QA may read: every revision and decision."""
    evaluation = _readable(session, actor, evaluation_id)
    spec = scorecard_spec(session, evaluation.scorecard_version_id)
    summary = scored_evaluation(session, actor, evaluation.id).summary
    rounds = _rounds(session, evaluation.id, spec, language)
    closes, items, refusal = _dispute_window(evaluation, rounds)
    if items is None:
        items = [item.id for _, item in spec.items()]
    texts = {item.id: item.text.get(language) for _, item in spec.items()}
    return EvaluationDetail(
        summary=summary, in_dispute=any(r.status == "open" for r in rounds), agent_id=evaluation.agent_id,
        evaluator_id=evaluation.evaluator_id, comment=evaluation.comment,
        critical_missed=[texts.get(i, i) for i in evaluation.critical_missed.split(",") if i],
        items=_item_lines(spec, item_scores(session, evaluation.id), language),
        revisions=_revisions(session, evaluation, spec, language), rounds=rounds,
        dispute_until=closes, disputable=[] if refusal else items, dispute_refusal=refusal)


# -- the agent ---------------------------------------------------------------------------------------------


def _own(session: Session, actor: Actor, evaluation_id: int) -> QaEvaluation:
    evaluation = _evaluation(session, evaluation_id)
    permissions.ensure(session, actor, ACKNOWLEDGE, evaluation.agent_id)
    return evaluation


@permissions.permission(ACKNOWLEDGE)
def acknowledge(session: Session, actor: Actor, evaluation_id: int) -> datetime:
    """The agent has read the evaluation; once (a second acknowledgement changes nothing)."""
    evaluation = _own(session, actor, evaluation_id)
    if evaluation.acknowledged_at is None:
        evaluation.acknowledged_at = clock.utcnow()
        session.add(evaluation)
        audit.record(session, actor_id=actor.id, action="qa_evaluation.acknowledged",
                     target=f"qa_evaluation:{evaluation.id}")
    return evaluation.acknowledged_at


@permissions.permission(ACKNOWLEDGE)
def raise_dispute(session: Session, actor: Actor, evaluation_id: int, reasons: Mapping[str, str],
                  submission_key: str | None = None) -> int:
    """Dispute the chosen items (item id -> reason) of one's own evaluation; the dispute's id.

    Refused outside the window, while another round is open, after two rounds, for an item a
    second round may not dispute, and for an empty reason (`items` names the fields).
    """
    submission_key = checked_key(submission_key)
    evaluation = _own(session, actor, evaluation_id)
    if submission_key is not None:
        earlier = session.exec(select(QaDispute).where(QaDispute.raised_by == actor.id,
                                                       QaDispute.submission_key == submission_key)).first()
        if earlier is not None:
            return earlier.id
    spec = scorecard_spec(session, evaluation.scorecard_version_id)
    rounds = _rounds(session, evaluation.id, spec, None)
    _, allowed, refusal = _dispute_window(evaluation, rounds)
    if refusal:
        raise ValidationFailed(refusal)
    known = [item.id for _, item in spec.items()]
    allowed = known if allowed is None else allowed
    if not reasons:
        raise ValidationFailed("qa.dispute.error.no_items")
    if any(item_id not in allowed for item_id in reasons):
        raise ValidationFailed("qa.dispute.error.item_not_disputable")
    empty = [item_id for item_id in known if item_id in reasons and not (reasons[item_id] or "").strip()]
    if empty:
        raise ValidationFailed("qa.dispute.error.reason_required", items=empty)
    if any(len(reason) > MAX_REASON for reason in reasons.values()):
        raise ValidationFailed("qa.dispute.error.reason_too_long", limit=MAX_REASON)
    dispute = QaDispute(evaluation_id=evaluation.id, round=len(rounds) + 1, raised_by=actor.id,
                        submission_key=submission_key)
    session.add(dispute)
    session.flush()
    for item_id in known:
        if item_id in reasons:
            session.add(QaDisputeItem(dispute_id=dispute.id, item_id=item_id, reason=reasons[item_id].strip()))
    audit.record(session, actor_id=actor.id, action="qa_dispute.raised", target=f"qa_evaluation:{evaluation.id}",
                 round=dispute.round, items=[i for i in known if i in reasons])
    return dispute.id


# -- the reviewer ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenDispute:
    id: int
    evaluation_id: int
    round: int
    agent_name: str
    evaluator_name: str
    raised_at: datetime
    call_started_at: datetime
    items: int


def _may_review(session: Session, actor: Actor, evaluation: QaEvaluation) -> None:
    permissions.ensure(session, actor, RESOLVE, evaluation.agent_id)
    if evaluation.evaluator_id == actor.id:
        raise PermissionDenied("qa.dispute.error.own_evaluation")


def _reviewable_agents(session: Session, actor: Actor):
    """The disputes lists' condition on the evaluated agent (none for a reviewer of everyone)."""
    return permissions.people_condition(session, actor, RESOLVE, QaEvaluation.agent_id)


@permissions.permission(RESOLVE)
def open_disputes(session: Session, actor: Actor) -> list[OpenDispute]:
    """Open disputes the actor may decide (never of their own evaluations), oldest first."""
    rows = session.exec(
        select(QaDispute, QaEvaluation, QaCall)
        .join(QaEvaluation, QaEvaluation.id == QaDispute.evaluation_id)
        .join(QaCall, QaCall.id == QaEvaluation.call_id)
        .where(QaDispute.status == "open", QaEvaluation.evaluator_id != actor.id, _reviewable_agents(session, actor))
        .order_by(QaDispute.raised_at, QaDispute.id)).all()
    names = _names(session, [e.agent_id for _, e, _ in rows] + [e.evaluator_id for _, e, _ in rows])
    counts = _item_counts(session, [d.id for d, _, _ in rows])
    out = []
    for dispute, evaluation, call in rows:
        out.append(OpenDispute(id=dispute.id, evaluation_id=evaluation.id, round=dispute.round,
                               agent_name=names.get(evaluation.agent_id, ""),
                               evaluator_name=names.get(evaluation.evaluator_id, ""), raised_at=dispute.raised_at,
                               call_started_at=call.started_at, items=counts.get(dispute.id, 0)))
    return out


@dataclass(frozen=True)
class DecidedDispute:
    id: int
    evaluation_id: int
    round: int
    agent_name: str
    reviewer_name: str
    decided_at: datetime
    items: int
    changed: int  # items whose points the reviewer changed


@permissions.permission(RESOLVE)
def decided_disputes(session: Session, actor: Actor, *, page: int = 0, page_size: int = PAGE_SIZE
                     ) -> Page[list[DecidedDispute]]:
    """Disputes decided, newest first, of the people the actor may review, a page at a time."""
    # filtered on the disputes, their agents read for the page's rows only: a join with the evaluations made
    # PostgreSQL hash every evaluation before the sort (677 ms at 5x, docs/benchmarks.md #16)
    where = [QaDispute.status == "resolved"]
    if not permissions.over_everyone(actor, RESOLVE):
        where.append(QaDispute.evaluation_id.in_(select(QaEvaluation.id).where(_reviewable_agents(session, actor))))
    found = fetch_page(session, select(QaDispute).where(*where)
                       .order_by(QaDispute.resolved_at.desc(), QaDispute.id.desc()), page=page, page_size=page_size)
    agents = _agents_of(session, [d.evaluation_id for d in found.rows])
    rows = [(d, agents.get(d.evaluation_id)) for d in found.rows]
    names = _names(session, [agent for _, agent in rows] + [d.reviewer_id for d, _ in rows])
    counts = _item_counts(session, [d.id for d, _ in rows])
    changed = _item_counts(session, [d.id for d, _ in rows], QaDisputeItem.decision == "changed")
    return replace(found, rows=[
        DecidedDispute(id=d.id, evaluation_id=d.evaluation_id, round=d.round, agent_name=names.get(agent, ""),
                       reviewer_name=names.get(d.reviewer_id, ""), decided_at=d.resolved_at,
                       items=counts.get(d.id, 0), changed=changed.get(d.id, 0)) for d, agent in rows])


def _agents_of(session: Session, evaluation_ids: list[int]) -> dict[int, int]:
    if not evaluation_ids:
        return {}
    return dict(session.exec(select(QaEvaluation.id, QaEvaluation.agent_id)
                             .where(QaEvaluation.id.in_(evaluation_ids))).all())


def _item_counts(session: Session, dispute_ids: list[int], *where) -> dict[int, int]:
    if not dispute_ids:
        return {}
    return dict(session.exec(select(QaDisputeItem.dispute_id, func.count()).where(
        QaDisputeItem.dispute_id.in_(dispute_ids), *where).group_by(QaDisputeItem.dispute_id)).all())


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision on one disputed item."""

    decision: str | None  # upheld | changed
    reason: str = ""
    new_points: float | None = None
    new_points_na: bool = False  # "changed" to N/A (only where the item allows it)


def _check_decisions(spec: RubricSpec, item_ids: list[str], decisions: Mapping[str, Decision]) -> None:
    undecided = [i for i in item_ids if decisions.get(i) is None or decisions[i].decision not in DECISIONS]
    if undecided:
        raise ValidationFailed("qa.dispute.error.decision_required", items=undecided)
    items = {item.id: item for _, item in spec.items()}
    bad_points = [i for i in item_ids if decisions[i].decision == "changed" and not decisions[i].new_points_na
                  and (decisions[i].new_points is None or not 0 <= decisions[i].new_points <= items[i].max_points)]
    bad_points += [i for i in item_ids if decisions[i].decision == "changed" and decisions[i].new_points_na
                   and not items[i].allow_na]
    if bad_points:
        raise ValidationFailed("qa.dispute.error.points_required", items=bad_points)
    no_reason = [i for i in item_ids if not (decisions[i].reason or "").strip()]
    if no_reason:
        raise ValidationFailed("qa.dispute.error.decision_reason_required", items=no_reason)
    if any(len(decisions[i].reason) > MAX_REASON for i in item_ids):
        raise ValidationFailed("qa.dispute.error.reason_too_long", limit=MAX_REASON)


@permissions.permission(RESOLVE)
def decide_dispute(session: Session, actor: Actor, dispute_id: int, decisions: Mapping[str, Decision]) -> int:
    """Uphold or change each disputed item; a change writes the next revision. The evaluation's revision.

    The same reviewer sending the same decisions again (a double click) changes nothing.
    """
    dispute = session.exec(select(QaDispute).where(QaDispute.id == dispute_id).with_for_update()).first()
    if dispute is None:
        raise NotFound()
    evaluation = _evaluation(session, dispute.evaluation_id)
    _may_review(session, actor, evaluation)
    if dispute.status != "open":
        if dispute.reviewer_id == actor.id:
            return evaluation.revision
        raise ValidationFailed("qa.dispute.error.already_decided")
    spec = scorecard_spec(session, evaluation.scorecard_version_id)
    items = session.exec(select(QaDisputeItem).where(QaDisputeItem.dispute_id == dispute.id)).all()
    _check_decisions(spec, [i.item_id for i in items], decisions)
    changed = {}
    for item in items:
        chosen = decisions[item.item_id]
        item.decision, item.decision_reason = chosen.decision, chosen.reason.strip()
        if chosen.decision == "changed":
            item.new_points = None if chosen.new_points_na else float(chosen.new_points)
            changed[item.item_id] = item.new_points
        session.add(item)
        audit.record(session, actor_id=actor.id, action="qa_dispute.decided", target=f"qa_evaluation:{evaluation.id}",
                     round=dispute.round, item=item.item_id, decision=item.decision, new_points=item.new_points)
    if changed:
        _write_next_revision(session, evaluation, spec, changed)
    dispute.status, dispute.reviewer_id, dispute.resolved_at = "resolved", actor.id, clock.utcnow()
    session.add(dispute)
    return evaluation.revision


def _write_next_revision(session: Session, evaluation: QaEvaluation, spec: RubricSpec,
                         changed: Mapping[str, float | None]) -> None:
    """The next revision: the changed items' new points, every other item as the revision before."""
    previous = item_scores(session, evaluation.id, evaluation.revision)
    points = {item_id: row.points for item_id, row in previous.items()}
    points.update(changed)
    comments = {item_id: row.comment for item_id, row in previous.items()}
    record_revision(session, evaluation, spec, points, comments, revision=evaluation.revision + 1)


@permissions.permission(RESOLVE)
def dispute_detail(session: Session, actor: Actor, dispute_id: int, language: str | None = None
                   ) -> tuple[EvaluationDetail, DisputeRound]:
    """An open dispute as its reviewer reads it: the evaluation with its history, and the round to decide."""
    dispute = session.get(QaDispute, dispute_id)
    if dispute is None:
        raise NotFound()
    evaluation = _evaluation(session, dispute.evaluation_id)
    _may_review(session, actor, evaluation)
    detail = evaluation_detail(session, actor, evaluation.id, language)
    return detail, next(r for r in detail.rounds if r.id == dispute.id)
