"""Calibration (校准): analysts score the same calls blind, then compare; "grade the grader".

- A facilitator (`qa:calibrate`) creates a session: a title, a scorecard version, calls and
  participants (people who may calibrate); the facilitator always takes part, and their own
  scores are **the reference** the others are measured against.
- Each participant scores each call once on a blank sheet. Scores are `QaEvaluation` rows with
  `calibration_id` set, written through `portal.qa.scoring.record_revision`; they never count
  in an agent's QA score (every agent read filters `calibration_id IS NULL`).
- **Blind**: before the facilitator reveals, nobody (the facilitator included) can read anyone
  else's scores; the facilitator may reveal once they have scored every call. Revealing closes
  scoring (a score given after the discussion would not be blind), and the results are shown to
  each participant who scored every call. `results` refuses everyone else: the service, not the page.
- Per item: each participant's points, **agreement** (the share of participants who gave the most
  common score; N/A counts as a score), **spread** (highest minus lowest points) and each one's
  distance from the reference. Per analyst and session an **alignment score**:
  100 − the mean absolute distance from the reference, in % of the item's maximum.
- **Inter-rater reliability** over all revealed sessions: Krippendorff's alpha (the `krippendorff`
  library) at the **interval** level, each score taken as a fraction of its item's maximum so items
  of 2 and of 4 points share one scale. Interval, not ordinal: scorecard points are equal steps
  (2 points is twice 1), so a 0-vs-2 disagreement should weigh more than 1-vs-2, which the interval
  metric does by the squared difference; ordinal would need one ordered category set shared by
  items with different maxima. N/A is a missing value. Read against Krippendorff's own
  thresholds: α ≥ 0.800 reliable, 0.667 ≤ α < 0.800 tentative, below not reliable.
"""
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import krippendorff
import numpy as np
from sqlmodel import Session, select

from portal import audit, clock, permissions
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import (
    QaCalibration,
    QaCalibrationCall,
    QaCalibrationParticipant,
    QaCall,
    QaEvaluation,
    QaItemScore,
    QaScorecard,
    QaScorecardVersion,
    User,
    UserRole,
)
from portal.qa.scoring import record_revision, scorecard_spec
from portal.roles import Actor
from portal.submissions import checked_key, earlier_submission

ACTION = "qa:calibrate"
MAX_TITLE = 200
#: Calls offered to a new session: the last few weeks of a large center's sample, found by typing.
CALL_CHOICES = 1000
MAX_COMMENT = 4000
RELIABLE, TENTATIVE = 0.8, 0.667
LEVEL = "interval"


# -- choices for the form ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


@permissions.permission(ACTION)
def calibrator_choices(session: Session, actor: Actor) -> list[Choice]:
    """Active people who may take part in calibration (they hold a role with `qa:calibrate`)."""
    roles = [role.value for role in permissions.roles_allowed(ACTION)]
    rows = session.exec(select(User.id, User.display_name).where(
        User.active, User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(roles))))
        .order_by(User.display_name)).all()
    return [Choice(id=i, label=name) for i, name in rows]


@permissions.permission(ACTION)
def scorecard_choices(session: Session, actor: Actor, language: str | None = None) -> list[Choice]:
    """The current version of each scorecard in use."""
    rows = session.exec(select(QaScorecardVersion).join(QaScorecard, QaScorecard.current_version_id
                                                        == QaScorecardVersion.id)
                        .where(QaScorecard.archived.is_(False)).order_by(QaScorecard.code)).all()
    return [Choice(id=v.id, label=f"{scorecard_spec(session, v.id).title.get(language)} · v{v.version}")
            for v in rows]


@dataclass(frozen=True)
class CallChoice:
    id: int
    external_id: str
    started_at: datetime
    queue: str
    agent_name: str


@permissions.permission(ACTION)
def call_choices(session: Session, actor: Actor, limit: int = CALL_CHOICES) -> list[CallChoice]:
    """The newest calls, to pick a session's calls from (the picker filters them as the facilitator types)."""
    rows = session.exec(select(QaCall, User.display_name).join(User, User.id == QaCall.agent_id)
                        .order_by(QaCall.started_at.desc(), QaCall.id.desc()).limit(limit)).all()
    return [CallChoice(id=c.id, external_id=c.external_id, started_at=c.started_at, queue=c.queue, agent_name=name)
            for c, name in rows]


# -- creating a session --------------------------------------------------------------------------------


@permissions.permission(ACTION)
def create_calibration(session: Session, actor: Actor, title: str, scorecard_version_id: int | None,
                       call_ids: list[int], participant_ids: list[int], submission_key: str | None = None) -> int:
    """A new session facilitated by `actor` (who always takes part); its id. The same key twice: one session."""
    submission_key = checked_key(submission_key)
    if earlier := earlier_submission(session, QaCalibration, submission_key, owner_id=actor.id,
                                     owner="facilitator_id"):
        return earlier.id
    title = (title or "").strip()
    if not title:
        raise ValidationFailed("qa.calibration.error.title_required")
    if len(title) > MAX_TITLE:
        raise ValidationFailed("qa.calibration.error.title_too_long", limit=MAX_TITLE)
    if scorecard_version_id is None or session.get(QaScorecardVersion, scorecard_version_id) is None:
        raise ValidationFailed("qa.calibration.error.scorecard_required")
    call_ids = list(dict.fromkeys(call_ids or []))
    if not call_ids or len(session.exec(select(QaCall.id).where(QaCall.id.in_(call_ids))).all()) != len(call_ids):
        raise ValidationFailed("qa.calibration.error.calls_required")
    others = [i for i in dict.fromkeys(participant_ids or []) if i != actor.id]
    if not others:
        raise ValidationFailed("qa.calibration.error.participants_required")
    allowed = {c.id for c in calibrator_choices(session, actor)}
    if any(i not in allowed for i in others):
        raise ValidationFailed("qa.calibration.error.participant_not_allowed")
    calibration = QaCalibration(title=title, facilitator_id=actor.id, scorecard_version_id=scorecard_version_id,
                                submission_key=submission_key)
    session.add(calibration)
    session.flush()
    session.add_all([QaCalibrationCall(calibration_id=calibration.id, call_id=i) for i in call_ids])
    session.add_all([QaCalibrationParticipant(calibration_id=calibration.id, user_id=i) for i in [actor.id, *others]])
    audit.record(session, actor_id=actor.id, action="qa_calibration.created", target=f"qa_calibration:{calibration.id}",
                 calls=call_ids, participants=[actor.id, *others])
    return calibration.id


# -- reading a session ---------------------------------------------------------------------------------


def _participant_ids(session: Session, calibration_id: int) -> list[int]:
    return list(session.exec(select(QaCalibrationParticipant.user_id)
                             .where(QaCalibrationParticipant.calibration_id == calibration_id)).all())


def _call_ids(session: Session, calibration_id: int) -> list[int]:
    return list(session.exec(select(QaCalibrationCall.call_id).where(QaCalibrationCall.calibration_id
                                                                      == calibration_id)).all())


def _scores(session: Session, calibration_id: int, evaluator_id: int | None = None) -> list[QaEvaluation]:
    query = select(QaEvaluation).where(QaEvaluation.calibration_id == calibration_id,
                                       QaEvaluation.status == "submitted")
    if evaluator_id is not None:
        query = query.where(QaEvaluation.evaluator_id == evaluator_id)
    return list(session.exec(query).all())


def _taking_part(session: Session, actor: Actor, calibration_id: int) -> QaCalibration:
    """The session, if `actor` takes part in it (the callers are declared `qa:calibrate`)."""
    calibration = session.get(QaCalibration, calibration_id)
    if calibration is None:
        raise NotFound()
    if actor.id not in _participant_ids(session, calibration_id):
        raise PermissionDenied("qa.calibration.error.not_participant")
    return calibration


def _scored_everything(session: Session, calibration_id: int, user_id: int) -> bool:
    return {e.call_id for e in _scores(session, calibration_id, user_id)} >= set(_call_ids(session, calibration_id))


@dataclass(frozen=True)
class SessionSummary:
    id: int
    title: str
    facilitator_name: str
    created_at: datetime
    status: str
    calls: int
    participants: int
    participants_done: int
    i_am_done: bool
    i_facilitate: bool


@permissions.permission(ACTION)
def my_calibrations(session: Session, actor: Actor) -> list[SessionSummary]:
    """The sessions the actor takes part in, newest first."""
    mine = select(QaCalibrationParticipant.calibration_id).where(QaCalibrationParticipant.user_id == actor.id)
    rows = session.exec(select(QaCalibration, User.display_name).join(User, User.id == QaCalibration.facilitator_id)
                        .where(QaCalibration.id.in_(mine))
                        .order_by(QaCalibration.created_at.desc(), QaCalibration.id.desc())).all()
    out = []
    for calibration, facilitator in rows:
        people = _participant_ids(session, calibration.id)
        done = [p for p in people if _scored_everything(session, calibration.id, p)]
        out.append(SessionSummary(id=calibration.id, title=calibration.title, facilitator_name=facilitator,
                                  created_at=calibration.created_at, status=calibration.status,
                                  calls=len(_call_ids(session, calibration.id)), participants=len(people),
                                  participants_done=len(done), i_am_done=actor.id in done,
                                  i_facilitate=calibration.facilitator_id == actor.id))
    return out


@dataclass(frozen=True)
class SheetItem:
    item_id: str
    section: str
    text: str
    max_points: float
    allow_na: bool
    critical: bool


@dataclass(frozen=True)
class Participant:
    id: int
    name: str
    done: bool
    facilitator: bool


@dataclass(frozen=True)
class SessionView:
    id: int
    title: str
    status: str
    facilitator_name: str
    i_facilitate: bool
    scorecard: str
    items: list[SheetItem]
    calls: list[CallChoice]
    recordings: dict[int, str | None]
    participants: list[Participant]
    my_scores: dict[int, dict[str, float | None]]  # call id -> item id -> points (None: N/A); only my own
    my_percent: dict[int, float]

    @property
    def i_am_done(self) -> bool:
        return all(c.id in self.my_scores for c in self.calls)

    @property
    def can_reveal(self) -> bool:
        return self.i_facilitate and self.status == "open" and self.i_am_done

    @property
    def results_visible(self) -> bool:
        return self.status == "revealed" and self.i_am_done


@permissions.permission(ACTION)
def calibration_view(session: Session, actor: Actor, calibration_id: int, language: str | None = None) -> SessionView:
    """One session as a participant sees it: its calls, sheet, who has finished, and only their own scores."""
    calibration = _taking_part(session, actor, calibration_id)
    spec = scorecard_spec(session, calibration.scorecard_version_id)
    items = [SheetItem(item_id=item.id, section=section.title.get(language),
                       text=item.text.get(language), max_points=item.max_points, allow_na=item.allow_na,
                       critical=item.critical) for section, item in spec.items()]
    call_rows = session.exec(select(QaCall, User.display_name).join(User, User.id == QaCall.agent_id)
                             .where(QaCall.id.in_(_call_ids(session, calibration_id)))
                             .order_by(QaCall.started_at, QaCall.id)).all()
    people = _participant_ids(session, calibration_id)
    names = dict(session.exec(select(User.id, User.display_name).where(User.id.in_(people + [
        calibration.facilitator_id]))).all())
    participants = sorted((Participant(id=p, name=names.get(p, ""), done=_scored_everything(session, calibration_id, p),
                                       facilitator=p == calibration.facilitator_id) for p in people),
                          key=lambda p: (not p.facilitator, p.name))
    mine = _scores(session, calibration_id, actor.id)
    my_scores = {e.call_id: {r.item_id: r.points for r in _rows_of(session, e)} for e in mine}
    return SessionView(
        id=calibration.id, title=calibration.title, status=calibration.status,
        facilitator_name=names.get(calibration.facilitator_id, ""), i_facilitate=calibration.facilitator_id == actor.id,
        scorecard=spec.title.get(language), items=items,
        calls=[CallChoice(id=c.id, external_id=c.external_id, started_at=c.started_at, queue=c.queue, agent_name=n)
               for c, n in call_rows],
        recordings={c.id: c.recording_url for c, _ in call_rows}, participants=participants,
        my_scores=my_scores, my_percent={e.call_id: e.percent or 0.0 for e in mine})


def _rows_of(session: Session, evaluation: QaEvaluation) -> list[QaItemScore]:
    return list(session.exec(select(QaItemScore).where(QaItemScore.evaluation_id == evaluation.id,
                                                       QaItemScore.revision == evaluation.revision)).all())


# -- scoring and revealing -------------------------------------------------------------------------------


@permissions.permission(ACTION)
def submit_scores(session: Session, actor: Actor, calibration_id: int, call_id: int,
                  points: Mapping[str, float | None], comments: Mapping[str, str] | None = None,
                  submission_key: str | None = None, seconds_spent: int = 0) -> int:
    """A participant's blind scores of one call (every item scored or N/A); the evaluation's id. Once per call."""
    calibration = _taking_part(session, actor, calibration_id)
    submission_key = checked_key(submission_key)
    if earlier := earlier_submission(session, QaEvaluation, submission_key, owner_id=actor.id,
                                     owner="evaluator_id"):
        return earlier.id
    if calibration.status != "open":
        raise ValidationFailed("qa.calibration.error.closed")
    if call_id not in _call_ids(session, calibration_id):
        raise NotFound()
    if any(e.call_id == call_id for e in _scores(session, calibration_id, actor.id)):
        raise ValidationFailed("qa.calibration.error.already_scored")
    spec = scorecard_spec(session, calibration.scorecard_version_id)
    missing = [item.id for _, item in spec.items() if item.id not in points]
    if missing:
        raise ValidationFailed("qa.calibration.error.unscored", items=missing)
    if any(len(c or "") > MAX_COMMENT for c in (comments or {}).values()):
        raise ValidationFailed("qa.calibration.error.comment_too_long", limit=MAX_COMMENT)
    try:
        spec.score(points)
    except ValueError as exc:
        raise ValidationFailed("qa.calibration.error.bad_points") from exc
    call = session.get(QaCall, call_id)
    now = clock.utcnow()
    evaluation = QaEvaluation(call_id=call_id, agent_id=call.agent_id, evaluator_id=actor.id,
                              scorecard_version_id=calibration.scorecard_version_id, calibration_id=calibration_id,
                              status="submitted", submitted_at=now, seconds_spent=max(0, int(seconds_spent)),
                              submission_key=submission_key)
    session.add(evaluation)
    session.flush()
    record_revision(session, evaluation, spec, points, comments)
    audit.record(session, actor_id=actor.id, action="qa_calibration.scored", target=f"qa_calibration:{calibration_id}",
                 call=call_id)
    return evaluation.id


@permissions.permission(ACTION)
def reveal(session: Session, actor: Actor, calibration_id: int) -> None:
    """The facilitator shows everyone's scores side by side and closes scoring (once; again changes nothing)."""
    calibration = _taking_part(session, actor, calibration_id)
    if calibration.facilitator_id != actor.id:
        raise PermissionDenied("qa.calibration.error.facilitator_only")
    if calibration.status == "revealed":
        return
    if not _scored_everything(session, calibration_id, actor.id):
        raise ValidationFailed("qa.calibration.error.reference_missing")
    calibration.status, calibration.revealed_at = "revealed", clock.utcnow()
    session.add(calibration)
    audit.record(session, actor_id=actor.id, action="qa_calibration.revealed", target=f"qa_calibration:{calibration_id}")


# -- results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemResult:
    call_id: int
    item_id: str
    text: str
    max_points: float
    points: dict[int, float | None]  # participant id -> points (None: N/A)
    reference: float | None
    agreement: float  # 0..1, share giving the most common score
    spread: float | None  # max - min points, None when fewer than one number

    def distance(self, participant_id: int) -> float | None:
        """|points − reference| in % of the item's maximum (None when either is N/A or missing)."""
        value = self.points.get(participant_id)
        if value is None or self.reference is None:
            return None
        return 100 * abs(value - self.reference) / self.max_points


@dataclass(frozen=True)
class SessionResults:
    view: SessionView
    scorers: list[Participant]  # those who scored every call, facilitator first
    items: list[ItemResult]
    alignment: dict[int, float | None]  # participant id -> alignment in this session (not the facilitator)


def _item_results(spec_items: list[SheetItem], calls: list[int], scores: dict[tuple[int, int], dict[str, float | None]],
                  scorer_ids: list[int], reference_id: int) -> list[ItemResult]:
    results = []
    for call_id in calls:
        for item in spec_items:
            points = {p: scores[(p, call_id)].get(item.item_id) for p in scorer_ids if (p, call_id) in scores}
            given = list(points.values())
            numbers = [v for v in given if v is not None]
            mode_count = Counter(given).most_common(1)[0][1] if given else 0
            results.append(ItemResult(
                call_id=call_id, item_id=item.item_id, text=item.text, max_points=item.max_points, points=points,
                reference=points.get(reference_id), agreement=mode_count / len(given) if given else 0.0,
                spread=max(numbers) - min(numbers) if numbers else None))
    return results


def alignment_score(items: list[ItemResult], participant_id: int) -> float | None:
    """100 − the mean distance from the reference over the items both scored (None when there are none)."""
    distances = [d for d in (i.distance(participant_id) for i in items) if d is not None]
    return 100 - sum(distances) / len(distances) if distances else None


def _session_scores(session: Session, calibration_id: int) -> dict[tuple[int, int], dict[str, float | None]]:
    evaluations = _scores(session, calibration_id)
    return {(e.evaluator_id, e.call_id): {r.item_id: r.points for r in _rows_of(session, e)} for e in evaluations}


@permissions.permission(ACTION)
def results(session: Session, actor: Actor, calibration_id: int, language: str | None = None) -> SessionResults:
    """Everyone's scores side by side. Refused until revealed, and to anyone who has not scored every call."""
    view = calibration_view(session, actor, calibration_id, language)
    if view.status != "revealed":
        raise PermissionDenied("qa.calibration.error.blind")
    if not view.i_am_done:
        raise PermissionDenied("qa.calibration.error.not_scored")
    calibration = session.get(QaCalibration, calibration_id)
    scorers = [p for p in view.participants if p.done]
    items = _item_results(view.items, [c.id for c in view.calls], _session_scores(session, calibration_id),
                          [p.id for p in scorers], calibration.facilitator_id)
    return SessionResults(view=view, scorers=scorers, items=items,
                          alignment={p.id: alignment_score(items, p.id) for p in scorers if not p.facilitator})


@dataclass(frozen=True)
class AlignmentPoint:
    calibration_id: int
    title: str
    revealed_at: datetime
    analyst_id: int
    analyst: str
    alignment: float


def _revealed(session: Session) -> list[QaCalibration]:
    return list(session.exec(select(QaCalibration).where(QaCalibration.status == "revealed")
                             .order_by(QaCalibration.revealed_at, QaCalibration.id)).all())


def _sheet(session: Session, calibration: QaCalibration) -> list[SheetItem]:
    spec = scorecard_spec(session, calibration.scorecard_version_id)
    return [SheetItem(item_id=i.id, section="", text=i.id, max_points=i.max_points, allow_na=i.allow_na,
                      critical=i.critical) for _, i in spec.items()]


@permissions.permission(ACTION)
def alignment_over_time(session: Session, actor: Actor) -> list[AlignmentPoint]:
    """Each analyst's alignment with the facilitator, per revealed session, oldest session first."""
    points = []
    for calibration in _revealed(session):
        scores = _session_scores(session, calibration.id)
        scorers = sorted({p for p, _ in scores})
        items = _item_results(_sheet(session, calibration), _call_ids(session, calibration.id), scores, scorers,
                              calibration.facilitator_id)
        for person in scorers:
            value = alignment_score(items, person)
            if person != calibration.facilitator_id and value is not None:
                points.append(AlignmentPoint(calibration.id, calibration.title, calibration.revealed_at, person, "",
                                             value))
    names = dict(session.exec(select(User.id, User.display_name).where(
        User.id.in_({p.analyst_id for p in points} or {0}))).all())
    return [AlignmentPoint(p.calibration_id, p.title, p.revealed_at, p.analyst_id, names.get(p.analyst_id, ""),
                           p.alignment) for p in points]


@dataclass(frozen=True)
class AlignmentTrend:
    analyst: str
    sessions: int
    latest: float
    mean: float
    change: float | None  # latest − first; None with one session


def alignment_trends(points: list[AlignmentPoint]) -> list[AlignmentTrend]:
    """Per analyst: their latest alignment, their mean, and the change since their first session."""
    by_analyst: dict[int, list[AlignmentPoint]] = {}
    for point in points:  # oldest session first
        by_analyst.setdefault(point.analyst_id, []).append(point)
    trends = [AlignmentTrend(analyst=series[0].analyst, sessions=len(series), latest=series[-1].alignment,
                             mean=sum(p.alignment for p in series) / len(series),
                             change=series[-1].alignment - series[0].alignment if len(series) > 1 else None)
              for series in by_analyst.values()]
    return sorted(trends, key=lambda a: a.analyst)


@dataclass(frozen=True)
class Reliability:
    alpha: float | None  # None: not enough data (fewer than two scorers of a unit, or a single value overall)
    units: int  # (session, call, item) scored by at least two people
    raters: int
    level: str = LEVEL

    @property
    def verdict(self) -> str:
        """The i18n key of Krippendorff's reading of alpha."""
        return interpretation(self.alpha)


def interpretation(alpha: float | None) -> str:
    """Krippendorff's thresholds: ≥ 0.800 reliable, ≥ 0.667 tentative conclusions only, else not reliable."""
    if alpha is None:
        return "qa.calibration.alpha_unknown"
    if alpha >= RELIABLE:
        return "qa.calibration.alpha_reliable"
    if alpha >= TENTATIVE:
        return "qa.calibration.alpha_tentative"
    return "qa.calibration.alpha_unreliable"


def alpha_of(reliability_data) -> float | None:
    """Krippendorff's alpha (interval) of a raters × units matrix (NaN: missing); None when it is undefined."""
    matrix = np.asarray(reliability_data, dtype=float)
    pairable = (np.sum(~np.isnan(matrix), axis=0) >= 2) if matrix.size else np.array([], dtype=bool)
    values = matrix[:, pairable] if matrix.size else matrix
    if not pairable.any() or len(np.unique(values[~np.isnan(values)])) < 2:
        return None
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=LEVEL))


def reliability_matrix(session: Session) -> tuple[np.ndarray, list[int]]:
    """Raters × units over every revealed session: each score as a fraction of its item's maximum."""
    columns: list[dict[int, float]] = []
    raters: set[int] = set()
    for calibration in _revealed(session):
        sheet = _sheet(session, calibration)
        scores = _session_scores(session, calibration.id)
        for call_id in _call_ids(session, calibration.id):
            for item in sheet:
                column = {p: v / item.max_points for (p, c), given in scores.items() if c == call_id
                          for v in [given.get(item.item_id)] if v is not None}
                raters.update(column)
                columns.append(column)
    order = sorted(raters)
    matrix = np.full((len(order), len(columns)), np.nan)
    for j, column in enumerate(columns):
        for i, rater in enumerate(order):
            if rater in column:
                matrix[i, j] = column[rater]
    return matrix, order


@permissions.permission(ACTION)
def reliability(session: Session, actor: Actor) -> Reliability:
    """Inter-rater reliability over all revealed sessions."""
    matrix, raters = reliability_matrix(session)
    units = int(np.sum(np.sum(~np.isnan(matrix), axis=0) >= 2)) if matrix.size else 0
    return Reliability(alpha=alpha_of(matrix) if matrix.size else None, units=units, raters=len(raters))
