"""Reading course modules: opening one, and marking it complete with the time spent.

Time spent is the time since the module was last opened, capped at
`TIME_CAP_FACTOR` times its estimated reading time (a tab left open over
lunch is not four hours of study), or what the new hire enters
(1 to `MAX_ENTERED_MINUTES`). The module's version is stored with the
completion, so trainers can see who read an older text.
"""
import math
from datetime import datetime

from sqlmodel import Session, select

from portal.clock import utcnow
from portal.courses import ModuleSpec
from portal.errors import NotFound, ValidationFailed
from portal.models import ModuleProgress
from portal.onboarding.access import require_active_new_hire
from portal.onboarding.programme import current_programme
from portal.permissions import permission
from portal.roles import Actor

TIME_CAP_FACTOR = 3
MAX_ENTERED_MINUTES = 240


def _module(module_id: str) -> ModuleSpec:
    module = current_programme().module(module_id)
    if module is None:
        raise NotFound("onboarding.error.no_such_module", module=module_id)
    return module


def _progress(session: Session, user_id: int, module_id: str) -> ModuleProgress | None:
    return session.exec(select(ModuleProgress).where(ModuleProgress.user_id == user_id,
                                                     ModuleProgress.module_id == module_id)).first()


@permission("onboarding:follow_own")
def open_module(session: Session, actor: Actor, module_id: str, *, now: datetime | None = None) -> ModuleSpec:
    """The new hire opens a module to read: remember when, for the time spent."""
    require_active_new_hire(session, actor)
    module = _module(module_id)
    row = _progress(session, actor.id, module_id) or ModuleProgress(user_id=actor.id, module_id=module_id)
    row.opened_at = now or utcnow()
    session.add(row)
    return module


def suggested_minutes(module: ModuleSpec, opened_at: datetime | None, *, now: datetime | None = None) -> int:
    """Minutes since the module was opened, at least 1 and at most the cap; the estimate if never opened."""
    cap = module.minutes * TIME_CAP_FACTOR
    if opened_at is None:
        return module.minutes
    elapsed = ((now or utcnow()) - opened_at).total_seconds() / 60
    return max(1, min(cap, math.ceil(elapsed)))


@permission("onboarding:follow_own")
def complete_module(session: Session, actor: Actor, module_id: str, *, minutes: int | None = None,
                    now: datetime | None = None) -> ModuleProgress:
    """Mark a module complete at its current version. `minutes=None`: the time since it was opened."""
    require_active_new_hire(session, actor)
    module = _module(module_id)
    row = _progress(session, actor.id, module_id)
    if row is not None and row.completed_at is not None and row.version == module.version:
        raise ValidationFailed("onboarding.error.module_already_done")
    if minutes is None:
        if row is None or row.opened_at is None:
            raise ValidationFailed("onboarding.error.module_not_opened")
        minutes = suggested_minutes(module, row.opened_at, now=now)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= MAX_ENTERED_MINUTES:
        raise ValidationFailed("onboarding.error.minutes_range", maximum=MAX_ENTERED_MINUTES)
    row = row or ModuleProgress(user_id=actor.id, module_id=module_id)
    row.completed_at, row.version, row.minutes_spent = now or utcnow(), module.version, minutes
    session.add(row)
    return row
