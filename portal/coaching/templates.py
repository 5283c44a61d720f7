"""Session templates."""
import json
from dataclasses import dataclass, field

from sqlalchemy import func
from sqlmodel import Session, select

from portal import audit
from portal.coaching.settings import load_settings
from portal.errors import ValidationFailed
from portal.models import (
    CoachingTemplate,
)
from portal.permissions import permission
from portal.roles import Actor


@dataclass(frozen=True)
class TemplateView:
    id: int
    name: str
    focus_area: str
    shared_notes: str
    action_items: tuple[str, ...] = field(default_factory=tuple)


@permission("coaching:write")
def list_templates(session: Session, actor: Actor) -> list[TemplateView]:
    return [TemplateView(r.id, r.name, r.focus_area, r.shared_notes, tuple(json.loads(r.action_items)))
            for r in session.exec(select(CoachingTemplate).order_by(CoachingTemplate.name))]


@permission("coaching:write")
def create_template(session: Session, actor: Actor, name: str, focus_area: str, shared_notes: str = "",
                    action_items: list[str] | tuple[str, ...] = ()) -> int:
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
