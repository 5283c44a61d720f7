"""Practical-exam rubrics edited in the portal (the `rubric` table), on the one rubric engine.

The demo seed loads `quizzes/rubrics/*.yaml` into the table only when a code is missing, so an
edit made here survives a reload of the demo; the builder offers the edited rubric as a YAML
file to put back under `quizzes/rubrics/` when the files should follow.

A rubric already used by an exam with attempts keeps its items (ids and points): attempts store
one mark per item id, so changing them would leave marks without an item. Texts, section titles
and weights may still change; a different set of items is a new rubric (a new code).
"""
import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, func, select

from portal import audit, permissions
from portal.clock import utcnow
from portal.errors import NotFound, ValidationFailed
from portal.i18n import localized_field
from portal.models import Attempt, Exam, Rubric
from portal.quizzes.specs import RubricSpec, validate_rubric
from portal.roles import Actor

AUTHOR = "exams:author"


@dataclass(frozen=True)
class RubricSummary:
    code: str
    title_en: str
    title_zh: str
    items: int
    exams: int
    attempts: int
    updated_at: datetime

    def title(self, language: str) -> str:
        return localized_field(self, "title", language)


def _usage(session: Session, rubric_id: int) -> tuple[int, int]:
    """(exams using the rubric, attempts at those exams)."""
    exams = session.exec(select(func.count(Exam.id)).where(Exam.rubric_id == rubric_id)).one()
    attempts = session.exec(select(func.count(Attempt.id)).join(Exam, Exam.id == Attempt.exam_id)
                            .where(Exam.rubric_id == rubric_id)).one()
    return exams, attempts


@permissions.permission(AUTHOR)
def list_rubrics(session: Session, actor: Actor) -> list[RubricSummary]:
    out = []
    for rubric in session.exec(select(Rubric).order_by(Rubric.code)).all():
        spec = RubricSpec.model_validate(json.loads(rubric.spec))
        out.append(RubricSummary(rubric.code, spec.title.en, spec.title.zh_CN, sum(1 for _ in spec.items()),
                                 *_usage(session, rubric.id), rubric.updated_at))
    return out


@permissions.permission(AUTHOR)
def rubric_spec(session: Session, actor: Actor, code: str) -> RubricSpec:
    """The rubric as stored (hand it back to `save_rubric` as `based_on` to detect a concurrent edit)."""
    rubric = session.exec(select(Rubric).where(Rubric.code == code)).first()
    if rubric is None:
        raise NotFound("qa.rubric.error.not_found", code=code)
    return RubricSpec.model_validate(json.loads(rubric.spec))


def _item_shape(spec: RubricSpec) -> dict[str, float]:
    return {item.id: item.max_points for _, item in spec.items()}


@permissions.permission(AUTHOR)
def save_rubric(session: Session, actor: Actor, spec: RubricSpec, *,
                based_on: RubricSpec | None = None, new: bool = False) -> Rubric:
    """Create (`new`) or update the practical-exam rubric `spec.id`; an unchanged rubric is left alone.

    `based_on` is the rubric the editor started from: when it was saved differently in between,
    the save is refused rather than silently overwriting that change.
    """
    spec, problems = validate_rubric(spec.model_dump(by_alias=True))
    if problems:
        raise ValidationFailed("qa.scorecards.error.invalid",
                               problems="; ".join(f"{p.field}: {p.message}" for p in problems))
    if any(item.allow_na for _, item in spec.items()):
        raise ValidationFailed("qa.rubric.error.no_na_in_exams")  # a practical's marks have no N/A
    rubric = session.exec(select(Rubric).where(Rubric.code == spec.id)).first()
    if rubric is None:
        rubric = Rubric(code=spec.id, spec="{}")
    elif new:
        raise ValidationFailed("qa.rubric.error.code_taken", code=spec.id)
    else:
        old = RubricSpec.model_validate(json.loads(rubric.spec))
        if old == spec:
            return rubric
        if based_on is not None and old != based_on:
            raise ValidationFailed("qa.scorecards.error.stale", code=spec.id)
        _, attempts = _usage(session, rubric.id)
        if attempts and _item_shape(old) != _item_shape(spec):
            raise ValidationFailed("qa.rubric.error.items_in_use", code=spec.id, attempts=attempts)
    rubric.spec = spec.model_dump_json(by_alias=True)
    rubric.updated_at = utcnow()
    session.add(rubric)
    session.flush()
    audit.record(session, actor_id=actor.id, action="exam.rubric_saved", target=spec.id)
    return rubric
