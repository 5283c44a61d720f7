"""Reading sessions, their items, links and revisions."""
import json

import pandas as pd
from sqlalchemy import and_, literal, or_
from sqlmodel import Session, select

from portal import permissions
from portal.clock import local_date, today
from portal.coaching.access import (
    PRIVATE,
    READ,
    WRITE,
    _get,
    _may_manage,
    _may_read,
    _require_coach_of,
    _user,
)
from portal.coaching.effect import session_effects
from portal.coaching.settings import CoachingSettings, settings_or_load
from portal.coaching.views import ActionItemView, LinkInput, LinkView, SessionView
from portal.errors import NotFound, PermissionDenied
from portal.models import (
    ActionItem,
    Attempt,
    CoachingLink,
    CoachingRevision,
    CoachingSession,
    Exam,
    QaEvaluation,
    User,
)
from portal.permissions import permission
from portal.roles import Actor

LIST = "coaching:list"


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
    for sid, view in _evaluation_links(session, session_ids):
        found.setdefault(sid, []).append(view)
    return found


def _teams_managed(session: Session, actor: Actor) -> set[int]:
    """The teams whose sessions the actor manages besides their own (`coaching:private_notes`),
    looked up once for all rows, not once per session."""
    return set(permissions.teams_within(session, actor, PRIVATE) or ())


def _evaluation_links(session: Session, session_ids: list[int]) -> list[tuple[int, LinkView]]:
    """Linked QA evaluations that are the coached person's own live ones (others never show), with the
    scorecard's title."""
    rows = session.exec(select(CoachingLink.session_id, QaEvaluation.id, QaEvaluation.scorecard_version_id,
                               QaEvaluation.percent, QaEvaluation.submitted_at, QaEvaluation.critical_missed)
                        .join(CoachingSession, CoachingSession.id == CoachingLink.session_id)
                        .join(QaEvaluation, and_(QaEvaluation.id == CoachingLink.ref_id,
                                                 QaEvaluation.agent_id == CoachingSession.agent_id,
                                                 QaEvaluation.calibration_id.is_(None)))
                        .where(CoachingLink.session_id.in_(session_ids), CoachingLink.kind == "qa_evaluation")
                        .order_by(CoachingLink.id)).all()
    titles = _scorecard_titles(session, {row[2] for row in rows})
    return [(sid, LinkView("qa_evaluation", ref, *titles[version], percent,
                           local_date(submitted) if submitted else None, bool(missed)))
            for sid, ref, version, percent, submitted, missed in rows]


def _scorecard_titles(session: Session, version_ids: set[int]) -> dict[int, tuple[str, str]]:
    from portal.qa.scoring import scorecard_spec

    titles = {}
    for version_id in version_ids:
        spec = scorecard_spec(session, version_id)
        titles[version_id] = (spec.title.en, spec.title.zh_CN)
    return titles


def _views(session: Session, actor: Actor, rows: list[CoachingSession], *, as_agent: bool = False,
           with_effect: bool = True, settings: CoachingSettings | None = None) -> list[SessionView]:
    ids = [r.id for r in rows]
    names = _names(session, [r.agent_id for r in rows] + [r.author_id for r in rows])
    items, links = _items(session, ids), _links(session, ids)
    effects = session_effects(session, ids, settings_or_load(session, settings).effect_window_days) \
        if with_effect else {}
    led = _teams_managed(session, actor) if rows and not as_agent else set()
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


@permission(LIST)
def list_sessions(session: Session, actor: Actor, agent_id: int | None = None, *,
                  settings: CoachingSettings | None = None) -> list[SessionView]:
    """Sessions a coach may read, newest first (optionally for one agent; `settings` as the page loaded them)."""
    query = select(CoachingSession).order_by(CoachingSession.held_on.desc(), CoachingSession.id.desc())
    if agent_id is not None:
        query = query.where(CoachingSession.agent_id == agent_id)
    return _views(session, actor, list(session.exec(query.where(_readable(session, actor, LIST)))),
                  settings=settings)


def _readable(session: Session, actor: Actor, action: str):
    """SQL: the sessions `action` reaches: the actor's own writing, and the table's scope over the
    person coached, `teams_led` read as the team the session was held in (as `_may_read` does)."""
    held = permissions.scopes(actor, action)
    if permissions.Scope.EVERYONE in held:
        return literal(True)
    conditions = [CoachingSession.author_id == actor.id]
    if permissions.Scope.OWN in held:
        conditions.append(CoachingSession.agent_id == actor.id)
    if permissions.Scope.MENTEES in held:
        conditions.append(CoachingSession.agent_id.in_(select(User.id).where(User.mentor_id == actor.id)))
    if permissions.Scope.TEAMS_LED in held:
        conditions.append(CoachingSession.team_id.in_(permissions.teams_within(session, actor, action) or [-1]))
    return or_(*conditions)


@permission(READ)
def get_session(session: Session, actor: Actor, session_id: int) -> SessionView:
    cs = _get(session, session_id)
    if not _may_read(session, actor, cs):
        raise PermissionDenied("coaching.error.not_your_session")
    return _views(session, actor, [cs], as_agent=actor.id == cs.agent_id)[0]


@permission("coaching:read_own")
def my_sessions(session: Session, actor: Actor) -> list[SessionView]:
    """Sessions about the actor, shared parts only, newest first."""
    rows = session.exec(select(CoachingSession).where(CoachingSession.agent_id == actor.id)
                        .order_by(CoachingSession.held_on.desc(), CoachingSession.id.desc())).all()
    return _views(session, actor, list(rows), as_agent=True)


@permission(READ)
def my_open_items(session: Session, actor: Actor) -> list[ActionItemView]:
    """Open action items the actor owns or that stem from sessions about them.

    The sessions about the actor are looked up first, so both halves of the OR are on the item's own
    indexes (owner, session ids as a list); an OR across the joined session table, or with a subquery,
    read every open item of the center."""
    about_actor = session.exec(select(CoachingSession.id).where(CoachingSession.agent_id == actor.id)).all()
    mine = ActionItem.owner_id == actor.id
    rows = session.exec(select(ActionItem)
                        .where(ActionItem.done_at.is_(None),
                               or_(mine, ActionItem.session_id.in_(about_actor)) if about_actor else mine)
                        .order_by(ActionItem.due_on, ActionItem.id)).all()
    names = _names(session, [r.owner_id for r in rows])
    return [_item_view(r, names) for r in rows]


@permission(WRITE)
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


@permission(WRITE)
def revisions(session: Session, actor: Actor, session_id: int) -> list[dict]:
    """Earlier acknowledged versions, for those who may manage the session."""
    cs = _get(session, session_id)
    if not _may_manage(session, actor, cs):
        raise PermissionDenied("coaching.error.not_your_session")
    rows = session.exec(select(CoachingRevision).where(CoachingRevision.session_id == session_id)
                        .order_by(CoachingRevision.version)).all()
    return [{**json.loads(r.snapshot), "acknowledged_at": r.acknowledged_at, "ack_comment": r.ack_comment,
             "replaced_at": r.replaced_at} for r in rows]


@permission(WRITE)
def revisions_of(session: Session, actor: Actor, session_ids: list[int]) -> dict[int, list[dict]]:
    """`revisions` of several sessions in one query (a page lists many), by session id."""
    ids = list(dict.fromkeys(session_ids))
    if not ids:
        return {}
    found = {cs.id: cs for cs in session.exec(select(CoachingSession).where(CoachingSession.id.in_(ids)))}
    led = _teams_managed(session, actor)
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


@permission(WRITE)
def agent_evaluations(session: Session, actor: Actor, agent_id: int, limit: int = 30) -> pd.DataFrame:
    """The agent's live QA evaluations (submitted, not calibration), newest first, to link a session to."""
    agent = _user(session, agent_id)
    _require_coach_of(session, actor, agent)
    rows = session.exec(select(QaEvaluation.id, QaEvaluation.scorecard_version_id, QaEvaluation.submitted_at,
                               QaEvaluation.percent, QaEvaluation.critical_missed)
                        .where(QaEvaluation.agent_id == agent_id, QaEvaluation.status == "submitted",
                               QaEvaluation.calibration_id.is_(None))
                        .order_by(QaEvaluation.submitted_at.desc(), QaEvaluation.id.desc()).limit(limit)).all()
    titles = _scorecard_titles(session, {row[1] for row in rows})
    return pd.DataFrame([(ref, *titles[version], submitted, percent, bool(missed))
                         for ref, version, submitted, percent, missed in rows],
                        columns=["evaluation_id", "title_en", "title_zh", "submitted_at", "percent",
                                 "critical_missed"])


def evaluation_links(chosen) -> tuple[LinkInput, ...]:
    """One link per chosen QA evaluation, each once, in the order chosen."""
    return tuple(LinkInput("qa_evaluation", ref) for ref in dict.fromkeys(int(ref) for ref in chosen))


@permission(WRITE)
def agent_attempts(session: Session, actor: Actor, agent_id: int, limit: int = 30) -> pd.DataFrame:
    """The agent's graded attempts, newest first, to link a session to."""
    agent = _user(session, agent_id)
    _require_coach_of(session, actor, agent)
    rows = session.exec(select(Attempt.id, Exam.kind, Exam.title_en, Exam.title_zh, Attempt.submitted_at,
                               Attempt.percent).join(Exam, Exam.id == Attempt.exam_id)
                        .where(Attempt.user_id == agent_id, Attempt.status == "graded")
                        .order_by(Attempt.submitted_at.desc()).limit(limit)).all()
    return pd.DataFrame(rows, columns=["attempt_id", "kind", "title_en", "title_zh", "submitted_at", "percent"])
