"""Writing, editing and acknowledging sessions; action items."""
import json
from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, select

from portal.notifications import events
from portal import audit
from portal.clock import today, utcnow
from portal.coaching.access import _get, _may_manage, _require_coach_of, _user
from portal.coaching.settings import (
    LINK_KINDS,
    MAX_TEXT,
    CoachingSettings,
    load_settings,
)
from portal.coaching.views import LinkInput, SessionDraft
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.models import (
    ActionItem,
    Attempt,
    CoachingLink,
    CoachingRevision,
    CoachingSession,
    Exam,
    QaEvaluation,
    SupervisedCall,
    TicketReview,
    User,
)
from portal.coaching.access import READ, WRITE
from portal.permissions import permission
from portal.roles import Actor
from portal.submissions import checked_key, earlier_submission


def _validate_draft(session: Session, draft: SessionDraft, agent: User, settings: CoachingSettings) -> None:
    if draft.held_on is None:
        raise ValidationFailed("coaching.error.date_required")
    if not (draft.focus_area or "").strip():
        raise ValidationFailed("coaching.error.focus_required")
    if draft.focus_area not in settings.focus_areas:
        raise ValidationFailed("coaching.error.unknown_focus", focus=draft.focus_area)
    if draft.follow_up_on is not None and draft.follow_up_on < draft.held_on:
        raise ValidationFailed("coaching.error.follow_up_before_session", follow_up=draft.follow_up_on,
                               held=draft.held_on)
    if len(draft.shared_notes) > MAX_TEXT or len(draft.private_notes) > MAX_TEXT:
        raise ValidationFailed("coaching.error.notes_too_long", limit=MAX_TEXT)
    for number, item in enumerate(draft.action_items, start=1):
        if not item.description.strip():
            raise ValidationFailed("coaching.error.action_description", number=number)
        if item.due_on is None:
            raise ValidationFailed("coaching.error.action_due_required", number=number)
        if item.due_on < draft.held_on:
            raise ValidationFailed("coaching.error.action_due_before_session", number=number, due=item.due_on,
                                   held=draft.held_on)
        if session.get(User, item.owner_id) is None:
            raise ValidationFailed("coaching.error.action_owner", number=number)
    for link in draft.links:
        _validate_link(session, link, agent)


def _validate_link(session: Session, link: LinkInput, agent: User) -> None:
    """Links point only at the coached person's own attempts, ticket reviews and live QA evaluations, attempts
    of the right kind.

    Anyone else's record would leak: the coach and the agent both read a linked result's score. A QA
    evaluation counts only when submitted and live (a calibration score is the analysts', not the agent's).
    """
    if link.kind not in LINK_KINDS:
        raise ValidationFailed("coaching.error.link_kind", kind=link.kind)
    if link.kind in ("supervised_review", "qa_evaluation"):
        owner = session.exec(_owner_query(link)).first()
        if owner is None:
            raise ValidationFailed("coaching.error.link_missing", kind=link.kind, ref=link.ref_id)
        if owner != agent.id:
            raise ValidationFailed("coaching.error.link_not_own", ref=link.ref_id, agent=agent.display_name)
        return
    row = session.exec(select(Attempt.user_id, Exam.kind).join(Exam, Exam.id == Attempt.exam_id)
                       .where(Attempt.id == link.ref_id)).first()
    if row is None:
        raise ValidationFailed("coaching.error.link_missing", kind=link.kind, ref=link.ref_id)
    owner, exam_kind = row
    if owner != agent.id:
        raise ValidationFailed("coaching.error.link_not_own", ref=link.ref_id, agent=agent.display_name)
    if (link.kind == "practical") != (exam_kind == "practical"):
        raise ValidationFailed("coaching.error.link_wrong_kind", ref=link.ref_id, kind=link.kind)


def _owner_query(link: LinkInput):
    """The person a ticket review or a live QA evaluation is about (no row: no such record to link)."""
    if link.kind == "qa_evaluation":
        return select(QaEvaluation.agent_id).where(QaEvaluation.id == link.ref_id, QaEvaluation.status == "submitted",
                                                   QaEvaluation.calibration_id.is_(None))
    return (select(SupervisedCall.user_id).join(TicketReview, TicketReview.call_id == SupervisedCall.id)
            .where(TicketReview.id == link.ref_id))


@permission(WRITE)
def write_session(session: Session, actor: Actor, draft: SessionDraft, *, submission_key: str | None = None) -> int:
    """Record a new session; the agent is asked to acknowledge it within the set days.

    With a `submission_key` (the form's idempotency key) the same form sent twice records one session."""
    agent = _user(session, draft.agent_id)
    _require_coach_of(session, actor, agent)
    earlier = earlier_submission(session, CoachingSession, checked_key(submission_key), owner_id=actor.id,
                                 owner="author_id")
    if earlier is not None:
        return earlier.id
    settings = load_settings(session)
    _validate_draft(session, draft, agent, settings)
    cs = CoachingSession(agent_id=agent.id, author_id=actor.id, team_id=agent.team_id, held_on=draft.held_on,
                         focus_area=draft.focus_area, shared_notes=draft.shared_notes.strip(),
                         private_notes=draft.private_notes.strip(), follow_up_on=draft.follow_up_on,
                         ack_due_on=max(today(), draft.held_on) + timedelta(days=settings.ack_days),
                         submission_key=submission_key)
    session.add(cs)
    session.flush()
    _replace_details(session, cs.id, draft)
    audit.record(session, actor_id=actor.id, action="coaching_session.written", target=agent.username,
                 session_id=cs.id)
    events.coaching_written(session, agent_id=agent.id, session_id=cs.id, author=actor.display_name,
                            held_on=cs.held_on)
    return cs.id


@permission(WRITE)
def update_session(session: Session, actor: Actor, session_id: int, draft: SessionDraft) -> None:
    """Edit a session. If it was acknowledged, keep that version and ask again."""
    cs = _get(session, session_id)
    if not _may_manage(session, actor, cs):
        raise PermissionDenied("coaching.error.not_your_session")
    if draft.agent_id != cs.agent_id:
        raise ValidationFailed("coaching.error.agent_changed")
    agent = _user(session, cs.agent_id)
    settings = load_settings(session)
    _validate_draft(session, draft, agent, settings)
    if cs.acknowledged_at is not None:
        session.add(CoachingRevision(session_id=cs.id, version=cs.version, snapshot=json.dumps(
            _snapshot(session, cs), ensure_ascii=False, default=str), acknowledged_at=cs.acknowledged_at,
            ack_comment=cs.ack_comment, replaced_by=actor.id))
        cs.version += 1
        cs.acknowledged_at, cs.ack_comment = None, ""
        cs.ack_due_on = today() + timedelta(days=settings.ack_days)
    cs.held_on, cs.focus_area, cs.follow_up_on = draft.held_on, draft.focus_area, draft.follow_up_on
    cs.shared_notes, cs.private_notes = draft.shared_notes.strip(), draft.private_notes.strip()
    cs.updated_at = utcnow()
    session.add(cs)
    _replace_details(session, cs.id, draft)
    audit.record(session, actor_id=actor.id, action="coaching_session.edited", target=agent.username,
                 session_id=cs.id, version=cs.version)


def _snapshot(session: Session, cs: CoachingSession) -> dict:
    items = session.exec(select(ActionItem).where(ActionItem.session_id == cs.id)).all()
    links = session.exec(select(CoachingLink).where(CoachingLink.session_id == cs.id)).all()
    return {"version": cs.version, "held_on": cs.held_on, "focus_area": cs.focus_area,
            "shared_notes": cs.shared_notes, "private_notes": cs.private_notes, "follow_up_on": cs.follow_up_on,
            "links": [[link.kind, link.ref_id] for link in links],
            "action_items": [[i.description, i.owner_id, i.due_on, i.done_at is not None] for i in items]}


def _replace_details(session: Session, session_id: int, draft: SessionDraft) -> None:
    """Links are replaced; open action items are replaced, done ones kept."""
    session.exec(delete(CoachingLink).where(CoachingLink.session_id == session_id))
    session.exec(delete(ActionItem).where(ActionItem.session_id == session_id, ActionItem.done_at.is_(None)))
    for link in dict.fromkeys(draft.links):
        session.add(CoachingLink(session_id=session_id, kind=link.kind, ref_id=int(link.ref_id)))
    for item in draft.action_items:
        session.add(ActionItem(session_id=session_id, description=item.description.strip(),
                               owner_id=item.owner_id, due_on=item.due_on))
    session.flush()


@permission("coaching:read_own")
def acknowledge(session: Session, actor: Actor, session_id: int, comment: str = "") -> None:
    cs = _get(session, session_id)
    if actor.id != cs.agent_id:
        raise PermissionDenied("coaching.error.only_agent_acknowledges")
    if cs.acknowledged_at is not None:
        raise ValidationFailed("coaching.error.already_acknowledged")
    if len(comment or "") > MAX_TEXT:
        raise ValidationFailed("coaching.error.notes_too_long", limit=MAX_TEXT)
    cs.acknowledged_at, cs.ack_comment = utcnow(), (comment or "").strip()
    session.add(cs)
    audit.record(session, actor_id=actor.id, action="coaching_session.acknowledged", target=actor.username,
                 session_id=cs.id, version=cs.version)


@permission(READ)
def set_item_done(session: Session, actor: Actor, item_id: int, done: bool = True) -> None:
    """The item's owner, the agent or a manager of the session may tick an item off."""
    item = session.get(ActionItem, item_id)
    if item is None:
        raise NotFound("coaching.error.no_such_item", item=item_id)
    cs = _get(session, item.session_id)
    if actor.id not in (item.owner_id, cs.agent_id) and not _may_manage(session, actor, cs):
        raise PermissionDenied("coaching.error.not_your_item")
    item.done_at = utcnow() if done else None
    session.add(item)
