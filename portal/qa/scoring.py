"""Item scores of an evaluation, one revision at a time, scored by the one rubric engine.

Evaluations (`evaluations`), dispute decisions (`disputes`) and calibration scores
(`calibration`) all write their item scores here, so "the score" means the same
thing everywhere: `RubricSpec.score` over the newest revision, N/A left out.
"""
from collections.abc import Mapping

from sqlmodel import Session, select

from portal.errors import NotFound
from portal.models import QaEvaluation, QaItemScore, QaScorecardVersion
from portal.quizzes.specs import RubricScore, RubricSpec


def scorecard_spec(session: Session, version_id: int) -> RubricSpec:
    """The rubric of one scorecard version."""
    version = session.get(QaScorecardVersion, version_id)
    if version is None:
        raise NotFound()
    return RubricSpec.model_validate_json(version.spec)


def record_revision(session: Session, evaluation: QaEvaluation, spec: RubricSpec,
                    points: Mapping[str, float | None], comments: Mapping[str, str] | None = None,
                    revision: int = 0) -> RubricScore:
    """Write the item scores of `revision` (None points: N/A) and make them the evaluation's score.

    Every item of `spec` gets a row, so a revision is complete on its own and the
    history can be read revision by revision. Raises ValueError for unknown items,
    points out of range or N/A where not allowed (callers check completeness first
    and turn their own messages into ValidationFailed).
    """
    result = spec.score(points)
    comments = comments or {}
    for _, item in spec.items():
        session.add(QaItemScore(evaluation_id=evaluation.id, revision=revision, item_id=item.id,
                                points=points.get(item.id, 0.0), comment=(comments.get(item.id) or "").strip()))
    evaluation.revision = revision
    evaluation.percent = round(result.percent, 4)
    evaluation.failed_by_critical = result.failed_by_critical
    evaluation.critical_missed = ",".join(result.critical_missed)
    session.add(evaluation)
    return result


def item_scores(session: Session, evaluation_id: int, revision: int | None = None) -> dict[str, QaItemScore]:
    """Item id -> score row of one revision (the newest when `revision` is None)."""
    if revision is None:
        evaluation = session.get(QaEvaluation, evaluation_id)
        if evaluation is None:
            raise NotFound()
        revision = evaluation.revision
    rows = session.exec(select(QaItemScore).where(QaItemScore.evaluation_id == evaluation_id,
                                                  QaItemScore.revision == revision)).all()
    return {row.item_id: row for row in rows}
