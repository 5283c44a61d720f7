"""Scoring a call on a blank scorecard, and reading the evaluations given.

Writing (action `qa:evaluate`):

- `start_evaluation` opens the analyst's evaluation of a call on the current version of a
  scorecard; opening the same call again returns the same evaluation (one per analyst and
  call outside calibration, kept by a unique index). Nobody evaluates their own calls.
- `save_draft` keeps what was marked so far (points, N/A, comments, the time spent) in the
  evaluation's `draft`, so a reload or a closed tab loses nothing. Nothing is marked by default.
- `submit_evaluation` takes a complete sheet: every item scored or marked N/A (N/A only where
  the item allows it), each item with an optional comment. The score, critical misses and
  time spent are stored by `portal.qa.scoring.record_revision` as revision 0. The same
  submission sent twice returns the first result.

A sheet's marks are `{item id: points | NA}` (`portal.quizzes.specs.NA`, "na"); an item
absent or None is not marked yet.

Calibration (`portal.qa.calibration`) makes its participants' evaluations itself, with
`calibration_id` set, and scores them through `save_draft` / `submit_evaluation` like any other:
for those, `qa:calibrate` is the permission asked instead of `qa:evaluate`.

Reading (action `qa:evaluations_read`: agents their own, leads their teams' agents,
QA, trainers and admins everyone): `evaluations_for_agent` and `evaluation_detail`. Only
submitted evaluations outside calibration are read this way (a draft only by its analyst).
"""
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal import audit, permissions
from portal.clock import utcnow
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.i18n import localized_field
from portal.models import QaCall, QaEvaluation, QaScorecard, QaScorecardVersion, User
from portal.qa import scoring
from portal.quizzes.specs import NA, RubricItem, RubricSpec
from portal.roles import Actor
from portal.submissions import checked_key

EVALUATE = "qa:evaluate"
CALIBRATE = "qa:calibrate"
READ = "qa:evaluations_read"
#: Who may fill in a scoring sheet at all: an analyst (a call of the queue, `qa:evaluate`) or a
#: calibration participant (`qa:calibrate`, whose roles include every analyst); the sheet's own
#: check then asks for the one its evaluation needs.
SCORE = CALIBRATE
MAX_COMMENT = 5_000
MAX_SECONDS = 12 * 3600
"""Time spent is capped (a sheet left open overnight is not 14 hours of work)."""

Marks = Mapping[str, float | str | None]


@dataclass(frozen=True)
class CallFacts:
    """The call being evaluated, as the sheet shows it (times in UTC; pages show the center's zone)."""

    id: int
    external_id: str
    agent_id: int
    agent_name: str
    queue: str
    direction: str
    started_at: datetime
    duration_seconds: int
    satisfaction: float | None
    complaint: bool
    recording_url: str | None
    ticket_ref: str | None


@dataclass(frozen=True)
class Draft:
    """What the analyst has marked so far."""

    points: dict[str, float | str]
    comments: dict[str, str]
    overall_comment: str = ""
    seconds_spent: int = 0


@dataclass(frozen=True)
class EvaluationSheet:
    """One evaluation to mark (a draft) or marked (submitted), with its call and scorecard version."""

    evaluation_id: int
    status: str  # draft | submitted
    call: CallFacts
    scorecard_code: str
    version: int
    spec: RubricSpec
    draft: Draft
    started_at: datetime


@dataclass(frozen=True)
class EvaluationSummary:
    """One submitted evaluation in an agent's list."""

    evaluation_id: int
    call_id: int
    call_external_id: str
    call_started_at: datetime
    queue: str
    scorecard_code: str
    scorecard_title_en: str
    scorecard_title_zh: str
    version: int
    percent: float
    failed_by_critical: bool
    critical_missed: list[str]
    evaluator_name: str
    submitted_at: datetime
    acknowledged_at: datetime | None
    revision: int

    def scorecard_title(self, language: str) -> str:
        return localized_field(self, "scorecard_title", language)


@dataclass(frozen=True)
class ItemResult:
    """One item of an evaluation as scored in a revision; `points` None is N/A."""

    number: int
    section_id: str
    section_title: str
    item: RubricItem
    points: float | None
    comment: str

    @property
    def not_applicable(self) -> bool:
        return self.points is None


@dataclass(frozen=True)
class EvaluationDetail:
    """A submitted evaluation: its call, its scorecard version, every item's points and comment."""

    summary: EvaluationSummary
    call: CallFacts
    spec: RubricSpec
    items: list[ItemResult]
    overall_comment: str
    seconds_spent: int


# ----------------------------------------------------------------------------- helpers


def _call_facts(session: Session, call_id: int) -> CallFacts:
    row = session.exec(select(QaCall, User.display_name).join(User, User.id == QaCall.agent_id)
                       .where(QaCall.id == call_id)).first()
    if row is None:
        raise NotFound("qa.evaluation.error.no_such_call", call=call_id)
    call, name = row
    return CallFacts(call.id, call.external_id, call.agent_id, name, call.queue, call.direction, call.started_at,
                     call.duration_seconds, call.satisfaction, call.complaint, call.recording_url, call.ticket_ref)


def _own_call_refused(actor: Actor, agent_id: int) -> None:
    if agent_id == actor.id:
        raise PermissionDenied("qa.evaluation.error.own_call")


def _evaluation_for_evaluator(session: Session, actor: Actor, evaluation_id: int) -> QaEvaluation:
    evaluation = session.get(QaEvaluation, evaluation_id)
    if evaluation is None:
        raise NotFound("qa.evaluation.error.not_found", evaluation=evaluation_id)
    permissions.ensure(session, actor, EVALUATE if evaluation.calibration_id is None else CALIBRATE,
                       evaluation.agent_id)
    if evaluation.evaluator_id != actor.id:
        raise PermissionDenied("qa.evaluation.error.not_yours")
    _own_call_refused(actor, evaluation.agent_id)
    return evaluation


def _draft_of(evaluation: QaEvaluation) -> Draft:
    data = json.loads(evaluation.draft) if evaluation.draft else {}
    return Draft(points=dict(data.get("points") or {}), comments=dict(data.get("comments") or {}),
                 overall_comment=data.get("overall") or "", seconds_spent=int(data.get("seconds") or 0))


def _text(value: str | None) -> str:
    value = (value or "").strip()
    if len(value) > MAX_COMMENT:
        raise ValidationFailed("qa.evaluation.error.comment_too_long", limit=MAX_COMMENT)
    return value


def _seconds(value: float | None) -> int:
    return max(0, min(int(value or 0), MAX_SECONDS))


def _item_list(spec: RubricSpec, numbered: list[tuple[int, RubricItem]], language: str) -> str:
    return "; ".join(f"{number}. {item.text.get(language)}" for number, item in numbered)


def _checked_marks(spec: RubricSpec, points: Marks, *, complete: bool, language: str) -> dict[str, float | str]:
    """The marks given, checked item by item (unknown items, N/A where not allowed, points out of range);
    with `complete`, every item must be marked. Unmarked items are dropped."""
    items = {item.id: (number, item) for number, (_, item) in enumerate(spec.items(), start=1)}
    unknown = sorted(set(points) - set(items))
    if unknown:
        raise ValidationFailed("qa.evaluation.error.unknown_items", items=", ".join(unknown))
    marks = {k: v for k, v in points.items() if v is not None}
    refused = spec.not_applicable_refused(marks)
    if refused:
        raise ValidationFailed("qa.evaluation.error.na_not_allowed", count=len(refused),
                               items=_item_list(spec, refused, language))
    for item_id, value in marks.items():
        if value == NA:
            continue
        number, item = items[item_id]
        if isinstance(value, str) or not 0 <= float(value) <= item.max_points:
            raise ValidationFailed("qa.evaluation.error.points_out_of_range", number=number,
                                   maximum=f"{item.max_points:g}")
    if complete:
        unscored = spec.unscored_items(marks)
        if unscored:
            raise ValidationFailed("qa.evaluation.error.unscored_items", count=len(unscored),
                                   numbers=", ".join(str(n) for n, _ in unscored),
                                   items=_item_list(spec, unscored, language))
    return {k: v if v == NA else float(v) for k, v in marks.items()}


def _sheet(session: Session, evaluation: QaEvaluation) -> EvaluationSheet:
    version = session.get(QaScorecardVersion, evaluation.scorecard_version_id)
    code = session.get(QaScorecard, version.scorecard_id).code
    return EvaluationSheet(evaluation.id, evaluation.status, _call_facts(session, evaluation.call_id), code,
                           version.version, RubricSpec.model_validate_json(version.spec), _draft_of(evaluation),
                           evaluation.started_at)


# ----------------------------------------------------------------------------- writing


@permissions.permission(EVALUATE)
def call_for_evaluation(session: Session, actor: Actor, call_id: int) -> CallFacts:
    """The call as the evaluation page shows it, to someone who may evaluate it (never their own)."""
    call = _call_facts(session, call_id)
    permissions.ensure(session, actor, EVALUATE, call.agent_id)
    _own_call_refused(actor, call.agent_id)
    return call


@dataclass(frozen=True)
class DraftInProgress:
    evaluation_id: int
    call_id: int
    call_external_id: str
    agent_name: str
    started_at: datetime


@permissions.permission(EVALUATE)
def drafts_in_progress(session: Session, actor: Actor) -> list[DraftInProgress]:
    """The actor's evaluations started and not yet submitted (outside calibration), oldest first."""
    rows = session.exec(select(QaEvaluation.id, QaCall.id, QaCall.external_id, User.display_name,
                               QaEvaluation.started_at)
                        .join(QaCall, QaCall.id == QaEvaluation.call_id).join(User, User.id == QaCall.agent_id)
                        .where(QaEvaluation.evaluator_id == actor.id, QaEvaluation.status == "draft",
                               QaEvaluation.calibration_id.is_(None))
                        .order_by(QaEvaluation.started_at, QaEvaluation.id)).all()
    return [DraftInProgress(*row) for row in rows]


@permissions.permission(EVALUATE)
def evaluation_for_call(session: Session, actor: Actor, call_id: int) -> EvaluationSheet | None:
    """The actor's own evaluation of the call (draft or submitted, outside calibration), if any."""
    call_for_evaluation(session, actor, call_id)
    evaluation = session.exec(select(QaEvaluation).where(QaEvaluation.evaluator_id == actor.id,
                                                         QaEvaluation.call_id == call_id,
                                                         QaEvaluation.calibration_id.is_(None))).first()
    return None if evaluation is None else _sheet(session, evaluation)


@permissions.permission(EVALUATE)
def start_evaluation(session: Session, actor: Actor, call_id: int, scorecard_code: str) -> QaEvaluation:
    """The actor's evaluation of the call on the scorecard's current version, blank; the same one when
    it was opened before (whatever scorecard is asked for then: the first choice stands)."""
    call = call_for_evaluation(session, actor, call_id)
    existing = session.exec(select(QaEvaluation).where(QaEvaluation.evaluator_id == actor.id,
                                                       QaEvaluation.call_id == call_id,
                                                       QaEvaluation.calibration_id.is_(None))).first()
    if existing is not None:
        return existing
    card = session.exec(select(QaScorecard).where(QaScorecard.code == scorecard_code)).first()
    if card is None or card.current_version_id is None:
        raise NotFound("qa.scorecards.error.not_found", code=scorecard_code)
    if card.archived:
        raise ValidationFailed("qa.evaluation.error.scorecard_archived", code=scorecard_code)
    evaluation = QaEvaluation(call_id=call_id, agent_id=call.agent_id, evaluator_id=actor.id,
                              scorecard_version_id=card.current_version_id)
    session.add(evaluation)
    try:
        session.flush()
    except IntegrityError:
        raise ValidationFailed("qa.evaluation.error.already_open") from None
    audit.record(session, actor_id=actor.id, action="qa_evaluation.started", target=call.external_id,
                 evaluation=evaluation.id, scorecard=scorecard_code)
    return evaluation


@permissions.permission(SCORE)
def evaluation_sheet(session: Session, actor: Actor, evaluation_id: int) -> EvaluationSheet:
    """The analyst's own evaluation with its call, scorecard version and draft."""
    return _sheet(session, _evaluation_for_evaluator(session, actor, evaluation_id))


@permissions.permission(SCORE)
def save_draft(session: Session, actor: Actor, evaluation_id: int, points: Marks,
               comments: Mapping[str, str] | None = None, overall_comment: str = "",
               seconds_spent: int = 0) -> Draft:
    """Keep what is marked so far (incomplete is fine; wrong values are refused). A submitted
    evaluation's draft is not changed."""
    evaluation = _evaluation_for_evaluator(session, actor, evaluation_id)
    if evaluation.status != "draft":
        return _draft_of(evaluation)
    spec = scoring.scorecard_spec(session, evaluation.scorecard_version_id)
    marks = _checked_marks(spec, points, complete=False, language=actor.language)
    draft = Draft(marks, {k: _text(v) for k, v in (comments or {}).items() if (v or "").strip()},
                  _text(overall_comment), _seconds(seconds_spent))
    evaluation.draft = json.dumps({"points": draft.points, "comments": draft.comments,
                                   "overall": draft.overall_comment, "seconds": draft.seconds_spent},
                                  ensure_ascii=False)
    session.add(evaluation)
    return draft


@permissions.permission(SCORE)
def submit_evaluation(session: Session, actor: Actor, evaluation_id: int, points: Marks,
                      comments: Mapping[str, str] | None = None, overall_comment: str = "",
                      seconds_spent: int = 0, submission_key: str | None = None) -> QaEvaluation:
    """Score the call: every item scored or N/A, or refused naming the items not marked yet."""
    key = checked_key(submission_key)
    evaluation = _evaluation_for_evaluator(session, actor, evaluation_id)
    if evaluation.status == "submitted":
        if key is not None and evaluation.submission_key == key:
            return evaluation  # the same submission again (a double click): the first result
        raise ValidationFailed("qa.evaluation.error.already_submitted")
    spec = scoring.scorecard_spec(session, evaluation.scorecard_version_id)
    marks = _checked_marks(spec, points, complete=True, language=actor.language)
    texts = {k: _text(v) for k, v in (comments or {}).items()}
    evaluation.comment = _text(overall_comment)
    evaluation.seconds_spent = _seconds(seconds_spent)
    evaluation.status = "submitted"
    evaluation.submitted_at = utcnow()
    evaluation.submission_key = key
    evaluation.draft = ""
    result = scoring.record_revision(session, evaluation, spec, RubricSpec.engine_points(marks), texts, revision=0)
    try:
        session.flush()
    except IntegrityError:
        raise ValidationFailed("qa.evaluation.error.already_submitted") from None
    audit.record(session, actor_id=actor.id, action="qa_evaluation.submitted",
                 target=session.get(User, evaluation.agent_id).username,
                 evaluation=evaluation.id, call=evaluation.call_id, percent=round(result.percent, 2),
                 critical_missed=result.critical_missed, seconds=evaluation.seconds_spent)
    return evaluation


# ----------------------------------------------------------------------------- reading

def _summary_query():
    return (select(QaEvaluation, QaCall.external_id, QaCall.started_at, QaCall.queue, QaScorecard.code,
                   QaScorecardVersion.version, QaScorecardVersion.spec, User.display_name)
            .join(QaCall, QaCall.id == QaEvaluation.call_id)
            .join(QaScorecardVersion, QaScorecardVersion.id == QaEvaluation.scorecard_version_id)
            .join(QaScorecard, QaScorecard.id == QaScorecardVersion.scorecard_id)
            .join(User, User.id == QaEvaluation.evaluator_id)
            .where(QaEvaluation.status == "submitted", QaEvaluation.calibration_id.is_(None)))


def _summary(row, specs: dict[str, RubricSpec] | None = None) -> tuple[EvaluationSummary, RubricSpec]:
    """One row of `_summary_query`; `specs` keeps each version's rubric parsed once over many rows."""
    evaluation, external_id, started_at, queue, code, version, spec_json, evaluator = row
    specs = {} if specs is None else specs
    spec = specs.get(spec_json) or specs.setdefault(spec_json, RubricSpec.model_validate_json(spec_json))
    return EvaluationSummary(
        evaluation.id, evaluation.call_id, external_id, started_at, queue, code, spec.title.en, spec.title.zh_CN,
        version, evaluation.percent, evaluation.failed_by_critical,
        [i for i in evaluation.critical_missed.split(",") if i], evaluator, evaluation.submitted_at,
        evaluation.acknowledged_at, evaluation.revision), spec


@permissions.permission(READ, subject="agent_id")
def evaluations_for_agent(session: Session, actor: Actor, agent_id: int) -> list[EvaluationSummary]:
    """The agent's submitted evaluations (calibration left out), newest first.

    Allowed by `qa:evaluations_read` over the agent: the agent themself, the lead of their
    team, QA, trainers and admins. Scores are of the newest revision (after disputes).
    """
    rows = session.exec(_summary_query().where(QaEvaluation.agent_id == agent_id)
                        .order_by(QaEvaluation.submitted_at.desc(), QaEvaluation.id.desc())).all()
    specs: dict[str, RubricSpec] = {}
    return [_summary(row, specs)[0] for row in rows]


@permissions.permission(READ)
def evaluation_detail(session: Session, actor: Actor, evaluation_id: int,
                      revision: int | None = None) -> EvaluationDetail:
    """One submitted evaluation, item by item, at `revision` (None: the newest, the one that counts).

    Allowed by `qa:evaluations_read` over the evaluated agent; a draft or a calibration
    evaluation is not found here.
    """
    evaluation = session.get(QaEvaluation, evaluation_id)
    if evaluation is None:
        raise NotFound("qa.evaluation.error.not_found", evaluation=evaluation_id)
    permissions.ensure(session, actor, READ, evaluation.agent_id)
    row = session.exec(_summary_query().where(QaEvaluation.id == evaluation_id)).first()
    if row is None:
        raise NotFound("qa.evaluation.error.not_found", evaluation=evaluation_id)
    summary, spec = _summary(row)
    scores = scoring.item_scores(session, evaluation_id, revision)
    language = actor.language
    items = []
    for number, (section, item) in enumerate(spec.items(), start=1):
        score = scores.get(item.id)
        items.append(ItemResult(number, section.id, section.title.get(language), item,
                                score.points if score else None, score.comment if score else ""))
    return EvaluationDetail(summary, _call_facts(session, evaluation.call_id), spec, items, evaluation.comment,
                            evaluation.seconds_spent)

