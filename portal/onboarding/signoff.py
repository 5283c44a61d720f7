"""Stage sign-off: passed, asked to repeat, or withdrawn.

A stage is complete only when its requirements are met **and** it is signed
off as passed. Stages are signed off in programme order: only the new hire's
current stage (the first one not passed) can be decided on.

- *passed*: refused while a requirement is unmet.
- *repeat*: the stage stays open, with the reason shown to the new hire;
  what they already did still counts, so the requirements (for supervised
  calls: the last N reviews) say what must change before it can pass.
- *withdrawn*: the new hire leaves the programme; nothing more can be logged.

Who may sign off is in `portal.onboarding.access`. Every decision is audited
with the requirements in force and where each stood.
"""
from datetime import date

from sqlmodel import Session

from portal import audit
from portal.clock import local_today
from portal.errors import NotFound, ValidationFailed
from portal.models import StageSignoff
from portal.notifications import events
from portal.onboarding.access import require_sign_off, subject
from portal.onboarding.journey import JourneyStatus, build_journeys
from portal.onboarding.programme import current_programme
from portal.onboarding.rules import SignoffOutcome, StageEvaluation
from portal.permissions import permission
from portal.roles import Actor


class RequirementsNotMet(ValidationFailed):
    """A 'passed' sign-off while requirements are unmet; `evaluation` says which."""

    key = "onboarding.error.requirements_not_met"

    def __init__(self, evaluation: StageEvaluation, **params):
        super().__init__(None, count=len(evaluation.unmet), **params)
        self.evaluation = evaluation


@permission("onboarding:sign_off", subject="user_id", never_own="onboarding.error.own_signoff")
def sign_off(session: Session, actor: Actor, user_id: int, stage_key: str, outcome: str, *, reason: str = "",
             today: date | None = None) -> StageSignoff:
    user = subject(session, user_id)
    stage = current_programme().stage(stage_key)
    if stage is None:
        raise NotFound("onboarding.error.no_such_stage", stage=stage_key)
    require_sign_off(actor, user, stage)
    if outcome not in set(SignoffOutcome):
        raise ValidationFailed("onboarding.error.unknown_outcome", outcome=str(outcome))
    reason = (reason or "").strip()
    if outcome != SignoffOutcome.PASSED and not reason:
        raise ValidationFailed("onboarding.error.reason_required")
    journey = build_journeys(session, [user], today=today)[0]
    if journey.status is JourneyStatus.WITHDRAWN:
        raise ValidationFailed("onboarding.error.withdrawn")
    current = journey.current
    if current is None or current.key != stage_key:
        state = journey.stage(stage_key)
        if state is not None and state.passed_on is not None:
            raise ValidationFailed("onboarding.error.already_passed", stage=stage_key)
        raise ValidationFailed("onboarding.error.not_current_stage", stage=stage_key,
                               current=current.key if current else "-")
    if outcome == SignoffOutcome.PASSED and not current.evaluation.met:
        raise RequirementsNotMet(current.evaluation)
    record = StageSignoff(user_id=user.id, stage_key=stage_key, outcome=outcome, reason=reason,
                          signed_by_id=actor.id)
    session.add(record)
    audit.record(session, actor_id=actor.id, action="stage.signed_off", target=user.username, stage=stage_key,
                 outcome=outcome, reason=reason, requirements=current.requirements.model_dump(),
                 checks=[{"name": c.name, "status": c.status.value, "current": c.current, "target": c.target,
                          "subject": c.subject} for c in current.evaluation.checks])
    session.flush()
    events.stage_decided(session, new_hire_id=user.id, stage_key=stage_key, stage_title=current.title,
                         outcome=str(outcome), reason=reason, signoff_id=record.id)
    if outcome == SignoffOutcome.PASSED and stage_key == current_programme().stages[-1].key:
        from portal.recognition.graduation import on_graduated  # recognition builds on onboarding, not back

        on_graduated(session, user.id, today or local_today())
    return record
