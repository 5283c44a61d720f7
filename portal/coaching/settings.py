"""Coaching settings (thresholds, focus areas) and the package's constants."""
import json
from dataclasses import asdict, dataclass

from sqlmodel import Session, select

from portal import audit
from portal.clock import utcnow
from portal.errors import ValidationFailed
from portal.i18n import Translator
from portal.models import (
    CoachingSetting,
)
from portal.permissions import permission
from portal.roles import LEARNERS, Actor

LEARNER_ROLES = tuple(role.value for role in LEARNERS)
DEFAULT_FOCUS_AREAS = ("product_knowledge", "etiquette", "verification", "handling_complaints", "system_use",
                       "call_control", "wellbeing_check")
LINK_KINDS = ("attempt", "practical", "supervised_review", "qa_evaluation")
EFFECT_KINDS = ("written", "practical")  # exams that count for the coaching effect
MAX_TEXT = 20_000


@dataclass(frozen=True)
class CoachingSettings:
    """Admin-set thresholds. Defaults are what the issue asks for."""

    low_score: float = 70.0
    amber_score: float = 85.0
    low_count: int = 2
    last_n: int = 5
    trend_k: int = 4
    trend_min_drop: float = 1.0  # points per result; a smaller fall is noise, not a trend
    ack_days: int = 3
    effect_window_days: int = 30
    focus_areas: tuple[str, ...] = DEFAULT_FOCUS_AREAS


def load_settings(session: Session) -> CoachingSettings:
    """Current settings; anyone may read them (pages need the thresholds)."""
    stored = _stored_settings(session)
    defaults = asdict(CoachingSettings())
    values = {key: stored.get(key, default) for key, default in defaults.items()}
    values["focus_areas"] = tuple(values["focus_areas"])
    return CoachingSettings(**values)


def _stored_settings(session: Session) -> dict:
    return {row.key: json.loads(row.value) for row in session.exec(select(CoachingSetting))}


def settings_or_load(session: Session, settings: CoachingSettings | None) -> CoachingSettings:
    """The settings a page loaded once for its run and passed in, or (None) the current ones."""
    return settings if settings is not None else load_settings(session)


@permission("coaching:settings")
def update_settings(session: Session, actor: Actor, new: CoachingSettings) -> CoachingSettings:
    _validate_settings(new)
    old = asdict(load_settings(session))
    for key, value in asdict(new).items():
        value = list(value) if isinstance(value, tuple) else value
        row = session.get(CoachingSetting, key)
        if row is None:
            row = CoachingSetting(key=key, value="null")
        row.value, row.updated_at, row.updated_by = json.dumps(value, ensure_ascii=False), utcnow(), actor.id
        session.add(row)
    audit.record(session, actor_id=actor.id, action="coaching_settings.changed", target="coaching",
                 before=old, after=asdict(new))
    return new


def _validate_settings(new: CoachingSettings) -> None:
    if not 0 < new.low_score < new.amber_score <= 100:
        raise ValidationFailed("coaching.error.score_bands", low=new.low_score, amber=new.amber_score)
    for name in ("low_count", "last_n", "trend_k", "ack_days", "effect_window_days"):
        if int(getattr(new, name)) < 1:
            raise ValidationFailed("coaching.error.setting_positive", setting=name)
    if new.low_count > new.last_n:
        raise ValidationFailed("coaching.error.low_count_above_n", count=new.low_count, n=new.last_n)
    if new.trend_k < 2:
        raise ValidationFailed("coaching.error.trend_k", k=new.trend_k)
    if new.trend_min_drop < 0:
        raise ValidationFailed("coaching.error.setting_positive", setting="trend_min_drop")
    areas = [a.strip() for a in new.focus_areas]
    if not areas or any(not a for a in areas):
        raise ValidationFailed("coaching.error.focus_list_empty")
    if len(set(areas)) != len(areas):
        raise ValidationFailed("coaching.error.focus_duplicate")


def focus_label(t: Translator, area: str) -> str:
    """Built-in areas are translated; areas an admin added read as typed."""
    key = f"coaching.focus.{area}"
    text = t(key)
    return area if text == key else text
