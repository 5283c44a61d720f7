"""One-to-one coaching: sessions, action items, acknowledgements, templates, settings.

Who may do what (checked here, never only in pages):
- write a session: a lead for agents of the teams they lead, a mentor for
  their mentees, a trainer or admin for anyone in training;
- edit a session and read its private notes: its author and the leads of the
  session's team; nobody else, and never the agent;
- read the shared part: those above, trainers, admins, the agent's mentor and
  the agent;
- acknowledge: the agent only.
"""
import json
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import and_, case, delete, func, literal, or_, select as sa_select
from sqlalchemy.engine import Row
from sqlmodel import Session, select

from portal import audit
from portal.clock import local_date, today, utcnow
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.i18n import Translator
from portal.models import (ActionItem, Attempt, CoachingLink, CoachingRevision, CoachingSession, CoachingSetting,
                           CoachingTemplate, Exam, SupervisedCall, TicketReview, User, UserRole)
from portal.roles import Actor, Role, require_role
from portal.users import teams_led_by

COACHES = (Role.LEAD, Role.TRAINER, Role.MENTOR, Role.ADMIN)
LEARNER_ROLES = (Role.AGENT.value, Role.NEWHIRE.value)
DEFAULT_FOCUS_AREAS = ("product_knowledge", "etiquette", "verification", "handling_complaints", "system_use",
                       "call_control", "wellbeing_check")
LINK_KINDS = ("attempt", "practical", "supervised_review")
EFFECT_KINDS = ("written", "practical")  # exams that count for the coaching effect
MAX_TEXT = 20_000


# --- settings --------------------------------------------------------------

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
    stored = {row.key: json.loads(row.value) for row in session.exec(select(CoachingSetting))}
    defaults = asdict(CoachingSettings())
    values = {key: stored.get(key, default) for key, default in defaults.items()}
    values["focus_areas"] = tuple(values["focus_areas"])
    return CoachingSettings(**values)


def update_settings(session: Session, actor: Actor, new: CoachingSettings) -> CoachingSettings:
    require_role(actor, Role.ADMIN)
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


# --- views -------------------------------------------------------------------

@dataclass(frozen=True)
class ActionItemInput:
    description: str
    owner_id: int
    due_on: date


@dataclass(frozen=True)
class LinkInput:
    kind: str
    ref_id: int


@dataclass(frozen=True)
class SessionDraft:
    agent_id: int
    held_on: date
    focus_area: str
    shared_notes: str = ""
    private_notes: str = ""
    follow_up_on: date | None = None
    links: tuple[LinkInput, ...] = ()
    action_items: tuple[ActionItemInput, ...] = ()


@dataclass(frozen=True)
class ActionItemView:
    id: int
    session_id: int
    description: str
    owner_id: int
    owner_name: str
    due_on: date
    done: bool
    overdue: bool


@dataclass(frozen=True)
class LinkView:
    kind: str
    ref_id: int
    exam_title_en: str = ""
    exam_title_zh: str = ""
    percent: float | None = None
    submitted_on: date | None = None


@dataclass(frozen=True)
class Effect:
    before_avg: float | None
    before_n: int
    after_avg: float | None
    after_n: int

    @property
    def change(self) -> float | None:
        if self.before_avg is None or self.after_avg is None:
            return None
        return round(self.after_avg - self.before_avg, 1)


@dataclass(frozen=True)
class SessionView:
    """A session as one reader may see it: `private_notes` is None unless they may read it."""

    id: int
    agent_id: int
    agent_name: str
    author_id: int
    author_name: str
    team_id: int | None
    held_on: date
    focus_area: str
    shared_notes: str
    private_notes: str | None
    follow_up_on: date | None
    ack_due_on: date
    acknowledged_at: object
    ack_comment: str
    version: int
    links: tuple[LinkView, ...] = ()
    action_items: tuple[ActionItemView, ...] = ()
    effect: Effect | None = None
    can_edit: bool = False

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def ack_overdue(self) -> bool:
        return self.acknowledged_at is None and self.ack_due_on < today()


# --- permission helpers --------------------------------------------------------

def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("coaching.error.no_such_agent", agent=user_id)
    return user


def _is_learner(session: Session, user_id: int) -> bool:
    return session.exec(select(UserRole.user_id).where(UserRole.user_id == user_id,
                                                       UserRole.role.in_(LEARNER_ROLES))).first() is not None


def may_coach(session: Session, actor: Actor, agent: User) -> bool:
    if actor.has(Role.ADMIN, Role.TRAINER):
        return True
    if actor.has(Role.LEAD) and agent.team_id is not None and agent.team_id in teams_led_by(session, actor.id):
        return True
    return actor.has(Role.MENTOR) and agent.mentor_id == actor.id


def _require_coach_of(session: Session, actor: Actor, agent: User) -> None:
    require_role(actor, *COACHES)
    if not may_coach(session, actor, agent):
        raise PermissionDenied("coaching.error.not_your_agent", agent=agent.display_name)


def _may_manage(session: Session, actor: Actor, cs: CoachingSession) -> bool:
    """Author or lead of the session's team: may edit and read private notes."""
    if actor.id == cs.author_id:
        return True
    return actor.has(Role.LEAD) and cs.team_id is not None and cs.team_id in teams_led_by(session, actor.id)


def _may_read(session: Session, actor: Actor, cs: CoachingSession) -> bool:
    if actor.id == cs.agent_id or _may_manage(session, actor, cs) or actor.has(Role.ADMIN, Role.TRAINER):
        return True
    return actor.has(Role.MENTOR) and _user(session, cs.agent_id).mentor_id == actor.id


def _get(session: Session, session_id: int) -> CoachingSession:
    cs = session.get(CoachingSession, session_id)
    if cs is None:
        raise NotFound("coaching.error.no_such_session", session=session_id)
    return cs


def coachable_agents(session: Session, actor: Actor) -> list[Row]:
    """The agents and new hires this coach may write sessions for, by name: rows of
    (id, username, display_name). Plain rows, not users: a trainer sees the whole center."""
    require_role(actor, *COACHES)
    query = (select(User.id, User.username, User.display_name).join(UserRole, UserRole.user_id == User.id)
             .where(UserRole.role.in_(LEARNER_ROLES), User.active).distinct().order_by(User.display_name))
    if not actor.has(Role.ADMIN, Role.TRAINER):
        conditions = []
        if actor.has(Role.LEAD):
            conditions.append(User.team_id.in_(teams_led_by(session, actor.id) or [-1]))
        if actor.has(Role.MENTOR):
            conditions.append(User.mentor_id == actor.id)
        query = query.where(or_(*conditions))
    return list(session.exec(query))


# --- writing -----------------------------------------------------------------

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
    """Links point only at the coached person's own attempts and ticket reviews, attempts of the right kind.

    Anyone else's record would leak: the coach and the agent both read a linked result's score.
    """
    if link.kind not in LINK_KINDS:
        raise ValidationFailed("coaching.error.link_kind", kind=link.kind)
    if link.kind == "supervised_review":
        owner = session.exec(select(SupervisedCall.user_id)
                             .join(TicketReview, TicketReview.call_id == SupervisedCall.id)
                             .where(TicketReview.id == link.ref_id)).first()
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


def write_session(session: Session, actor: Actor, draft: SessionDraft) -> int:
    """Record a new session; the agent is asked to acknowledge it within the set days."""
    require_role(actor, *COACHES)
    agent = _user(session, draft.agent_id)
    _require_coach_of(session, actor, agent)
    settings = load_settings(session)
    _validate_draft(session, draft, agent, settings)
    cs = CoachingSession(agent_id=agent.id, author_id=actor.id, team_id=agent.team_id, held_on=draft.held_on,
                         focus_area=draft.focus_area, shared_notes=draft.shared_notes.strip(),
                         private_notes=draft.private_notes.strip(), follow_up_on=draft.follow_up_on,
                         ack_due_on=max(today(), draft.held_on) + timedelta(days=settings.ack_days))
    session.add(cs)
    session.flush()
    _replace_details(session, cs.id, draft)
    audit.record(session, actor_id=actor.id, action="coaching_session.written", target=agent.username,
                 session_id=cs.id)
    return cs.id


def update_session(session: Session, actor: Actor, session_id: int, draft: SessionDraft) -> None:
    """Edit a session. If it was acknowledged, keep that version and ask again."""
    require_role(actor, *COACHES)
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


# --- reading -----------------------------------------------------------------

def _names(session: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def _items(session: Session, session_ids: list[int]) -> dict[int, list[ActionItemView]]:
    if not session_ids:
        return {}
    rows = session.exec(select(ActionItem).where(ActionItem.session_id.in_(session_ids))
                        .order_by(ActionItem.due_on, ActionItem.id)).all()
    names = _names(session, [r.owner_id for r in rows])
    found: dict[int, list[ActionItemView]] = {}
    for r in rows:
        found.setdefault(r.session_id, []).append(_item_view(r, names))
    return found


def _item_view(item: ActionItem, names: dict[int, str]) -> ActionItemView:
    done = item.done_at is not None
    return ActionItemView(id=item.id, session_id=item.session_id, description=item.description,
                          owner_id=item.owner_id, owner_name=names.get(item.owner_id, ""), due_on=item.due_on,
                          done=done, overdue=not done and item.due_on < today())


def _links(session: Session, session_ids: list[int]) -> dict[int, list[LinkView]]:
    if not session_ids:
        return {}
    # An attempt shows only when it is the coached person's own (older rows may link anyone's: never shown).
    rows = session.exec(select(CoachingLink.session_id, CoachingLink.kind, CoachingLink.ref_id, Exam.title_en,
                               Exam.title_zh, Attempt.percent, Attempt.submitted_at)
                        .join(CoachingSession, CoachingSession.id == CoachingLink.session_id)
                        .join(Attempt, and_(Attempt.id == CoachingLink.ref_id,
                                            Attempt.user_id == CoachingSession.agent_id,
                                            CoachingLink.kind.in_(("attempt", "practical"))), isouter=True)
                        .join(Exam, Exam.id == Attempt.exam_id, isouter=True)
                        .where(CoachingLink.session_id.in_(session_ids),
                               or_(CoachingLink.kind == "supervised_review", Attempt.id.is_not(None)))
                        .order_by(CoachingLink.id)).all()
    found: dict[int, list[LinkView]] = {}
    for sid, kind, ref, title_en, title_zh, percent, submitted in rows:
        found.setdefault(sid, []).append(LinkView(kind, ref, title_en or "", title_zh or "", percent,
                                                  local_date(submitted) if submitted else None))
    return found


def _views(session: Session, actor: Actor, rows: list[CoachingSession], *, as_agent: bool = False,
           with_effect: bool = True) -> list[SessionView]:
    ids = [r.id for r in rows]
    names = _names(session, [r.agent_id for r in rows] + [r.author_id for r in rows])
    items, links = _items(session, ids), _links(session, ids)
    effects = session_effects(session, ids, load_settings(session).effect_window_days) if with_effect else {}
    # The teams the actor leads, looked up once for all rows (not once per session).
    led = set(teams_led_by(session, actor.id)) if rows and not as_agent and actor.has(Role.LEAD) else set()
    views = []
    for r in rows:
        manage = not as_agent and (actor.id == r.author_id or (r.team_id is not None and r.team_id in led))
        views.append(SessionView(
            id=r.id, agent_id=r.agent_id, agent_name=names.get(r.agent_id, ""), author_id=r.author_id,
            author_name=names.get(r.author_id, ""), team_id=r.team_id, held_on=r.held_on, focus_area=r.focus_area,
            shared_notes=r.shared_notes, private_notes=r.private_notes if manage else None,
            follow_up_on=r.follow_up_on, ack_due_on=r.ack_due_on, acknowledged_at=r.acknowledged_at,
            ack_comment=r.ack_comment, version=r.version, links=tuple(links.get(r.id, ())),
            action_items=tuple(items.get(r.id, ())), effect=effects.get(r.id), can_edit=manage))
    return views


def list_sessions(session: Session, actor: Actor, agent_id: int | None = None) -> list[SessionView]:
    """Sessions a coach may read, newest first (optionally for one agent)."""
    require_role(actor, *COACHES)
    query = select(CoachingSession).order_by(CoachingSession.held_on.desc(), CoachingSession.id.desc())
    if agent_id is not None:
        query = query.where(CoachingSession.agent_id == agent_id)
    if not actor.has(Role.ADMIN, Role.TRAINER):
        led = teams_led_by(session, actor.id) if actor.has(Role.LEAD) else []
        mentees = select(User.id).where(User.mentor_id == actor.id)
        query = query.where(or_(CoachingSession.author_id == actor.id, CoachingSession.team_id.in_(led or [-1]),
                                CoachingSession.agent_id.in_(mentees) if actor.has(Role.MENTOR) else literal(False)))
    return _views(session, actor, list(session.exec(query)))


def get_session(session: Session, actor: Actor, session_id: int) -> SessionView:
    cs = _get(session, session_id)
    if not _may_read(session, actor, cs):
        raise PermissionDenied("coaching.error.not_your_session")
    return _views(session, actor, [cs], as_agent=actor.id == cs.agent_id)[0]


def my_sessions(session: Session, actor: Actor) -> list[SessionView]:
    """Sessions about the actor, shared parts only, newest first."""
    rows = session.exec(select(CoachingSession).where(CoachingSession.agent_id == actor.id)
                        .order_by(CoachingSession.held_on.desc(), CoachingSession.id.desc())).all()
    return _views(session, actor, list(rows), as_agent=True)


def my_open_items(session: Session, actor: Actor) -> list[ActionItemView]:
    """Open action items the actor owns or that stem from sessions about them."""
    rows = session.exec(select(ActionItem).join(CoachingSession, CoachingSession.id == ActionItem.session_id)
                        .where(ActionItem.done_at.is_(None),
                               or_(ActionItem.owner_id == actor.id, CoachingSession.agent_id == actor.id))
                        .order_by(ActionItem.due_on, ActionItem.id)).all()
    names = _names(session, [r.owner_id for r in rows])
    return [_item_view(r, names) for r in rows]


def previous_open_items(session: Session, actor: Actor, agent_id: int,
                        before_session_id: int | None = None) -> list[ActionItemView]:
    """Open action items of the agent's previous session, shown when writing the next one."""
    agent = _user(session, agent_id)
    _require_coach_of(session, actor, agent)
    query = select(CoachingSession).where(CoachingSession.agent_id == agent_id)
    if before_session_id is not None:
        query = query.where(CoachingSession.id != before_session_id)
        current = _get(session, before_session_id)
        query = query.where(or_(CoachingSession.held_on < current.held_on,
                                and_(CoachingSession.held_on == current.held_on,
                                     CoachingSession.id < current.id)))
    previous = session.exec(query.order_by(CoachingSession.held_on.desc(), CoachingSession.id.desc())).first()
    if previous is None:
        return []
    return [i for i in _items(session, [previous.id]).get(previous.id, []) if not i.done]


def revisions(session: Session, actor: Actor, session_id: int) -> list[dict]:
    """Earlier acknowledged versions, for those who may manage the session."""
    cs = _get(session, session_id)
    if not _may_manage(session, actor, cs):
        raise PermissionDenied("coaching.error.not_your_session")
    rows = session.exec(select(CoachingRevision).where(CoachingRevision.session_id == session_id)
                        .order_by(CoachingRevision.version)).all()
    return [{**json.loads(r.snapshot), "acknowledged_at": r.acknowledged_at, "ack_comment": r.ack_comment,
             "replaced_at": r.replaced_at} for r in rows]


def revisions_of(session: Session, actor: Actor, session_ids: list[int]) -> dict[int, list[dict]]:
    """`revisions` of several sessions in one query (a page lists many), by session id."""
    ids = list(dict.fromkeys(session_ids))
    if not ids:
        return {}
    found = {cs.id: cs for cs in session.exec(select(CoachingSession).where(CoachingSession.id.in_(ids)))}
    led = set(teams_led_by(session, actor.id)) if actor.has(Role.LEAD) else set()
    for sid in ids:
        cs = found.get(sid)
        if cs is None:
            raise NotFound("coaching.error.no_such_session", session=sid)
        if actor.id != cs.author_id and not (cs.team_id is not None and cs.team_id in led):
            raise PermissionDenied("coaching.error.not_your_session")
    out: dict[int, list[dict]] = {sid: [] for sid in ids}
    rows = session.exec(select(CoachingRevision).where(CoachingRevision.session_id.in_(ids))
                        .order_by(CoachingRevision.session_id, CoachingRevision.version)).all()
    for r in rows:
        out[r.session_id].append({**json.loads(r.snapshot), "acknowledged_at": r.acknowledged_at,
                                  "ack_comment": r.ack_comment, "replaced_at": r.replaced_at})
    return out


def attempt_links(attempts: pd.DataFrame, chosen) -> tuple[LinkInput, ...]:
    """One link per chosen attempt (each once, in the order chosen), of the kind its exam is."""
    kinds = dict(zip(attempts["attempt_id"].astype(int), attempts["kind"]))
    return tuple(LinkInput("practical" if kinds.get(ref) == "practical" else "attempt", ref)
                 for ref in dict.fromkeys(int(ref) for ref in chosen))


def agent_attempts(session: Session, actor: Actor, agent_id: int, limit: int = 30) -> pd.DataFrame:
    """The agent's graded attempts, newest first, to link a session to."""
    agent = _user(session, agent_id)
    _require_coach_of(session, actor, agent)
    rows = session.exec(select(Attempt.id, Exam.kind, Exam.title_en, Exam.title_zh, Attempt.submitted_at,
                               Attempt.percent).join(Exam, Exam.id == Attempt.exam_id)
                        .where(Attempt.user_id == agent_id, Attempt.status == "graded")
                        .order_by(Attempt.submitted_at.desc()).limit(limit)).all()
    return pd.DataFrame(rows, columns=["attempt_id", "kind", "title_en", "title_zh", "submitted_at", "percent"])


# --- coaching effect -------------------------------------------------------------

def _day(session: Session, column):
    """The calendar day (UTC) of a datetime column, comparable with a date column."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column)
    return func.date(func.timezone("UTC", column))


def _plus_days(session: Session, column, days: int):
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column, f"{int(days):+d} days")
    return column + int(days)


def effect_aggregates(session: Session, window_days: int) -> list:
    """Exam average and count `window_days` before and after a session, as aggregate columns.

    Use with `with_effect_attempts` on a query grouped by session. Written and
    practical exams only; the session day itself counts as neither.
    """
    day = _day(session, Attempt.submitted_at)
    held = CoachingSession.held_on
    counted = Exam.id.is_not(None)  # the attempt's exam is written or practical (see with_effect_attempts)
    before = and_(counted, day >= _plus_days(session, held, -window_days), day < held)
    after = and_(counted, day > held, day <= _plus_days(session, held, window_days))
    return [func.avg(case((before, Attempt.percent))).label("before_avg"),
            func.count(case((before, Attempt.id))).label("before_n"),
            func.avg(case((after, Attempt.percent))).label("after_avg"),
            func.count(case((after, Attempt.id))).label("after_n")]


def with_effect_attempts(session: Session, query, window_days: int):
    """Join each session of `query` to its agent's graded written and practical attempts around it.

    Only attempts within a day of the window are joined (an index range on
    attempt (user_id, submitted_at)), not every attempt the agent ever made;
    the exact window is in `effect_aggregates`. As before, a session is left
    out when its agent has graded attempts but none of them written or practical.
    """
    held = CoachingSession.held_on
    graded = and_(Attempt.status == "graded", Attempt.percent.is_not(None))
    near = and_(Attempt.user_id == CoachingSession.agent_id, graded,
                Attempt.submitted_at >= _plus_days(session, held, -window_days - 1),
                Attempt.submitted_at < _plus_days(session, held, window_days + 2))
    agent_attempt = Attempt.__table__.alias("any_attempt")
    agent_graded = and_(agent_attempt.c.user_id == CoachingSession.agent_id, agent_attempt.c.status == "graded",
                        agent_attempt.c.percent.is_not(None))
    counted_exam = Exam.__table__.alias("any_exam")
    has_counted = (sa_select(literal(1)).select_from(agent_attempt)
                   .join(counted_exam, counted_exam.c.id == agent_attempt.c.exam_id)
                   .where(agent_graded, counted_exam.c.kind.in_(EFFECT_KINDS)).exists())
    has_graded = sa_select(literal(1)).select_from(agent_attempt).where(agent_graded).exists()
    return (query.outerjoin(Attempt, near)
            .outerjoin(Exam, and_(Exam.id == Attempt.exam_id, Exam.kind.in_(EFFECT_KINDS)))
            .where(or_(has_counted, ~has_graded)))


def effect_query(session: Session, window_days: int):
    """Per session: exam average and count `window_days` before and after it, in SQL."""
    query = (select(CoachingSession.id.label("session_id"), *effect_aggregates(session, window_days))
             .select_from(CoachingSession))
    return with_effect_attempts(session, query, window_days).group_by(CoachingSession.id)


def session_effects(session: Session, session_ids: list[int], window_days: int) -> dict[int, Effect]:
    if not session_ids:
        return {}
    query = effect_query(session, window_days).where(CoachingSession.id.in_(session_ids))
    return {sid: Effect(_round(b), int(bn), _round(a), int(an))
            for sid, b, bn, a, an in session.exec(query).all()}


def _round(value) -> float | None:
    return None if value is None else round(float(value), 1)


# --- templates -------------------------------------------------------------------

@dataclass(frozen=True)
class TemplateView:
    id: int
    name: str
    focus_area: str
    shared_notes: str
    action_items: tuple[str, ...] = field(default_factory=tuple)


def list_templates(session: Session, actor: Actor) -> list[TemplateView]:
    require_role(actor, *COACHES)
    return [TemplateView(r.id, r.name, r.focus_area, r.shared_notes, tuple(json.loads(r.action_items)))
            for r in session.exec(select(CoachingTemplate).order_by(CoachingTemplate.name))]


def create_template(session: Session, actor: Actor, name: str, focus_area: str, shared_notes: str = "",
                    action_items: list[str] | tuple[str, ...] = ()) -> int:
    require_role(actor, *COACHES)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("coaching.error.template_name_required")
    if not (focus_area or "").strip():
        raise ValidationFailed("coaching.error.focus_required")
    if focus_area not in load_settings(session).focus_areas:
        raise ValidationFailed("coaching.error.unknown_focus", focus=focus_area)
    if session.exec(select(CoachingTemplate.id).where(func.lower(CoachingTemplate.name) == name.lower())).first():
        raise ValidationFailed("coaching.error.duplicate_template", name=name)
    items = [i.strip() for i in action_items if i and i.strip()]
    row = CoachingTemplate(name=name, focus_area=focus_area, shared_notes=(shared_notes or "").strip(),
                           action_items=json.dumps(items, ensure_ascii=False), created_by=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, actor_id=actor.id, action="coaching_template.created", target=name)
    return row.id
