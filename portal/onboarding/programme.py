"""The programme in force: the course files, plus requirement values trainers set in the portal.

`current_programme()` reloads `courses/` only when a file there changed
(a stat of each file instead of parsing ~20 files on every page run).
A trainer changes a stage's requirements either in its `stage.yaml` or on
the Courses page; values set in the portal are kept in
`stage_requirement_override` and win, field by field, over the file.
"""
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from portal import audit
from portal.clock import utcnow
from portal.courses import LocalizedText, Programme, StageRequirements, StageSpec, load_programme
from portal.errors import NotFound, ValidationFailed
from portal.models import StageRequirementOverride
from portal.quizzes.specs import load_quiz_specs
from portal.permissions import permission
from portal.roles import Actor
from portal.settings import REPO_ROOT, get_settings

REQUIREMENT_FIELDS: tuple[str, ...] = tuple(StageRequirements.model_fields)


def current_programme(root: Path | None = None) -> Programme:
    root = Path(root or get_settings().courses_dir)
    return _load(root, _signature(root))


def _signature(root: Path) -> tuple:
    """Every file under `root` with its modification time and size: changes when any file does."""
    signature = []
    for path in sorted(root.rglob("*")):
        if path.is_file():
            stat = path.stat()
            signature.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(signature)


@lru_cache(maxsize=4)
def _load(root: Path, signature: tuple) -> Programme:
    return load_programme(root)


@lru_cache(maxsize=1)
def quiz_titles() -> dict[str, LocalizedText]:
    """Titles of the practice quizzes (quizzes/practice.yaml) that modules link to; for display only."""
    return {quiz_id: LocalizedText(en=spec.title.en, zh_cn=spec.title.zh_CN)
            for quiz_id, spec in load_quiz_specs(REPO_ROOT / "quizzes").practice.items()}


def _overrides(session: Session) -> dict[str, dict[str, Any]]:
    return {row.stage_key: json.loads(row.values) for row in session.exec(select(StageRequirementOverride))}


def requirements_in_force(session: Session, programme: Programme) -> dict[str, StageRequirements]:
    """Each stage's requirements: the file's values with the portal's overrides on top."""
    overrides = _overrides(session)
    return {stage.key: stage.requirements.model_copy(update=overrides.get(stage.key, {}))
            for stage in programme.stages}


@dataclass(frozen=True)
class RequirementSetting:
    """One requirement field of one stage: the file's value, the portal's, and which is in force."""

    field: str
    file_value: Any
    overridden: bool
    override_value: Any

    @property
    def in_force(self) -> Any:
        return self.override_value if self.overridden else self.file_value

    @property
    def source(self) -> str:
        return "database" if self.overridden else "file"


@permission("onboarding:requirements_read")
def requirement_settings(session: Session, actor: Actor, stage_key: str) -> list[RequirementSetting]:
    stage = _stage(stage_key)
    overrides = _overrides(session).get(stage_key, {})
    return [RequirementSetting(name, getattr(stage.requirements, name), name in overrides, overrides.get(name))
            for name in REQUIREMENT_FIELDS]


@permission("courses:author")
def set_requirements(session: Session, actor: Actor, stage_key: str, values: dict[str, Any]) -> StageRequirements:
    """Store the requirement values that differ from the stage's file; the others follow the file again."""
    stage = _stage(stage_key)
    unknown = set(values) - set(REQUIREMENT_FIELDS)
    if unknown:
        raise ValidationFailed("onboarding.error.unknown_requirement", field=", ".join(sorted(unknown)))
    merged = {**stage.requirements.model_dump(), **values}
    try:
        requirements = StageRequirements.model_validate(merged)
    except ValidationError as exc:
        error = exc.errors()[0]
        raise ValidationFailed("onboarding.error.requirement_invalid",
                               field=".".join(str(p) for p in error["loc"]), value=error.get("input")) from None
    if requirements.last_n_passed and requirements.min_reviewed_calls \
            and requirements.last_n_passed > requirements.min_reviewed_calls:
        raise ValidationFailed("onboarding.error.last_n_above_reviewed", last_n=requirements.last_n_passed,
                               reviewed=requirements.min_reviewed_calls)
    changed = {name: getattr(requirements, name) for name in REQUIREMENT_FIELDS
               if getattr(requirements, name) != getattr(stage.requirements, name)}
    before = _overrides(session).get(stage_key, {})
    if changed == before:
        return requirements
    row = session.get(StageRequirementOverride, stage_key)
    if changed:
        row = row or StageRequirementOverride(stage_key=stage_key)
        row.values, row.updated_by_id, row.updated_at = json.dumps(changed), actor.id, utcnow()
        session.add(row)
    elif row is not None:
        session.delete(row)
    audit.record(session, actor_id=actor.id, action="stage.requirements_changed", target=stage_key,
                 before=before, after=changed)
    return requirements


@permission("courses:author")
def reset_requirements(session: Session, actor: Actor, stage_key: str) -> None:
    """Drop the portal's values: the stage follows its file again."""
    _stage(stage_key)
    row = session.get(StageRequirementOverride, stage_key)
    if row is None:
        return
    before = json.loads(row.values)
    session.delete(row)
    audit.record(session, actor_id=actor.id, action="stage.requirements_changed", target=stage_key,
                 before=before, after={})


def _stage(stage_key: str) -> StageSpec:
    stage = current_programme().stage(stage_key)
    if stage is None:
        raise NotFound("onboarding.error.no_such_stage", stage=stage_key)
    return stage
