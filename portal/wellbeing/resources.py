"""Support resources: EAP, crisis lines, training, peer circles; read by everyone, edited by admins."""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from portal import audit
from portal.errors import NotFound, ValidationFailed
from portal.i18n import LANGUAGES
from portal.models import SupportResource
from portal.permissions import permission
from portal.roles import Actor

RESOURCE_KINDS = ("eap", "training", "peer", "crisis", "emergency")
URGENT_KINDS = ("eap", "crisis", "emergency")
URL_PATTERN = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class Resource:
    id: int
    kind: str
    name: str
    description: str
    phone: str
    hours: str
    booking_url: str
    language: str | None
    sort_order: int
    active: bool

    @property
    def urgent(self) -> bool:
        return self.kind in URGENT_KINDS


@dataclass(frozen=True)
class ResourceInput:
    kind: str
    name: str
    description: str = ""
    phone: str = ""
    hours: str = ""
    booking_url: str = ""
    language: str | None = None
    sort_order: int = 0
    active: bool = True


def _resource(row: SupportResource) -> Resource:
    return Resource(row.id, row.kind, row.name, row.description, row.phone, row.hours, row.booking_url,
                    row.language, row.sort_order, row.active)


def _resource_order(row: SupportResource):
    return (row.sort_order, RESOURCE_KINDS.index(row.kind) if row.kind in RESOURCE_KINDS else 99, row.name)


@permission("wellbeing:resources_read")
def support_resources(session: Session, actor: Actor, language: str) -> list[Resource]:
    """Active resources in `language` (or for every language); all active ones if none match."""
    active = list(session.exec(select(SupportResource).where(SupportResource.active)))
    chosen = [r for r in active if r.language in (None, language)] or active
    return [_resource(r) for r in sorted(chosen, key=_resource_order)]


@permission("wellbeing:resources_manage")
def all_resources(session: Session, actor: Actor) -> list[Resource]:
    return [_resource(r) for r in sorted(session.exec(select(SupportResource)), key=_resource_order)]


@permission("wellbeing:resources_manage")
def save_resource(session: Session, actor: Actor, data: ResourceInput,
                  resource_id: int | None = None) -> Resource:
    """Create or update a resource. The seed loader acts as `permissions.SYSTEM`."""
    if data.kind not in RESOURCE_KINDS:
        raise ValidationFailed("wellbeing.error.unknown_kind", kind=data.kind)
    name = (data.name or "").strip()
    if not name:
        raise ValidationFailed("wellbeing.error.resource_name_required")
    if not (data.phone or "").strip() and not (data.booking_url or "").strip():
        raise ValidationFailed("wellbeing.error.resource_contact_required")
    url = (data.booking_url or "").strip()
    if url and not URL_PATTERN.match(url):
        raise ValidationFailed("wellbeing.error.bad_url", url=url)
    if data.language not in (None, *LANGUAGES):
        raise ValidationFailed("error.unknown_language", language=data.language)
    row = SupportResource() if resource_id is None else session.get(SupportResource, resource_id)
    if row is None:
        raise NotFound("wellbeing.error.no_such_resource", resource=resource_id)
    row.kind, row.name, row.description = data.kind, name[:120], (data.description or "").strip()
    row.phone, row.hours, row.booking_url = (data.phone or "").strip()[:60], (data.hours or "").strip()[:120], url
    row.language, row.sort_order, row.active = data.language, int(data.sort_order), bool(data.active)
    session.add(row)
    session.flush()
    audit.record(session, actor_id=actor.id,
                 action="resource.created" if resource_id is None else "resource.updated", target=name)
    return _resource(row)

