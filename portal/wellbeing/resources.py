"""Support resources: EAP, crisis lines, training, peer circles; read by everyone, edited by admins.

One resource holds its texts in English and Chinese (a reader sees their language, English where the
Chinese is missing); two resources of the same kind may not share a name in either language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, select

from portal import audit
from portal.errors import NotFound, ValidationFailed
from portal.i18n import localized
from portal.models import SupportResource
from portal.permissions import permission
from portal.roles import Actor

RESOURCE_KINDS = ("eap", "training", "peer", "crisis", "emergency")
URGENT_KINDS = ("eap", "crisis", "emergency")
URL_PATTERN = re.compile(r"^https?://\S+$")


@dataclass(frozen=True)
class ResourceInput:
    """What an admin enters: every text in English (`name`...) and Chinese (`name_zh`...)."""

    kind: str
    name: str
    description: str = ""
    phone: str = ""
    hours: str = ""
    booking_url: str = ""
    sort_order: int = 0
    active: bool = True
    name_zh: str = ""
    description_zh: str = ""
    hours_zh: str = ""


@dataclass(frozen=True)
class Resource:
    """A resource as one reader sees it: `name`, `description` and `hours` in their language; `texts` as entered."""

    id: int
    kind: str
    name: str
    description: str
    phone: str
    hours: str
    booking_url: str
    sort_order: int
    active: bool
    texts: ResourceInput

    @property
    def urgent(self) -> bool:
        return self.kind in URGENT_KINDS


def _resource(row: SupportResource, language: str | None) -> Resource:
    def text(field: str) -> str:
        return localized({"en": getattr(row, field), "zh-CN": getattr(row, f"{field}_zh")}, language)

    texts = ResourceInput(kind=row.kind, name=row.name, description=row.description, phone=row.phone,
                          hours=row.hours, booking_url=row.booking_url, sort_order=row.sort_order, active=row.active,
                          name_zh=row.name_zh, description_zh=row.description_zh, hours_zh=row.hours_zh)
    return Resource(row.id, row.kind, text("name"), text("description"), row.phone, text("hours"), row.booking_url,
                    row.sort_order, row.active, texts)


def _resource_order(row: SupportResource):
    return (row.sort_order, RESOURCE_KINDS.index(row.kind) if row.kind in RESOURCE_KINDS else 99, row.name)


@permission("wellbeing:resources_read")
def support_resources(session: Session, actor: Actor, language: str) -> list[Resource]:
    """Active resources, in `language`."""
    active = session.exec(select(SupportResource).where(SupportResource.active)).all()
    return [_resource(r, language) for r in sorted(active, key=_resource_order)]


@permission("wellbeing:resources_manage")
def all_resources(session: Session, actor: Actor, language: str | None = None) -> list[Resource]:
    return [_resource(r, language) for r in sorted(session.exec(select(SupportResource)), key=_resource_order)]


def _clean(data: ResourceInput) -> ResourceInput:
    strip = {field: (getattr(data, field) or "").strip() for field in
             ("name", "name_zh", "description", "description_zh", "phone", "hours", "hours_zh", "booking_url")}
    return ResourceInput(kind=data.kind, sort_order=int(data.sort_order), active=bool(data.active), **strip)


def _check(session: Session, data: ResourceInput, resource_id: int | None) -> None:
    if data.kind not in RESOURCE_KINDS:
        raise ValidationFailed("wellbeing.error.unknown_kind", kind=data.kind)
    if not data.name:
        raise ValidationFailed("wellbeing.error.resource_name_required")
    if not data.phone and not data.booking_url:
        raise ValidationFailed("wellbeing.error.resource_contact_required")
    if data.booking_url and not URL_PATTERN.match(data.booking_url):
        raise ValidationFailed("wellbeing.error.bad_url", url=data.booking_url)
    names = [name.lower() for name in (data.name, data.name_zh) if name]
    twin = session.exec(select(SupportResource.name).where(
        SupportResource.kind == data.kind, SupportResource.id != (resource_id or -1),
        or_(func.lower(SupportResource.name).in_(names), func.lower(SupportResource.name_zh).in_(names)))).first()
    if twin is not None:
        raise ValidationFailed("wellbeing.error.duplicate_resource", name=twin)


@permission("wellbeing:resources_manage")
def save_resource(session: Session, actor: Actor, data: ResourceInput,
                  resource_id: int | None = None) -> Resource:
    """Create or update a resource. The seed loader acts as `permissions.SYSTEM`."""
    data = _clean(data)
    _check(session, data, resource_id)
    row = SupportResource() if resource_id is None else session.get(SupportResource, resource_id)
    if row is None:
        raise NotFound("wellbeing.error.no_such_resource", resource=resource_id)
    row.kind, row.name, row.name_zh = data.kind, data.name[:120], data.name_zh[:120]
    row.description, row.description_zh = data.description, data.description_zh
    row.phone, row.hours, row.hours_zh, row.booking_url = data.phone[:60], data.hours[:120], data.hours_zh[:120], \
        data.booking_url
    row.sort_order, row.active = data.sort_order, data.active
    session.add(row)
    session.flush()
    audit.record(session, actor_id=actor.id,
                 action="resource.created" if resource_id is None else "resource.updated", target=data.name)
    return _resource(row, actor.language)


@permission("wellbeing:resources_manage")
def delete_resource(session: Session, actor: Actor, resource_id: int) -> None:
    """Remove a resource for good (hiding it is `active=False`); audited with its name."""
    row = session.get(SupportResource, resource_id)
    if row is None:
        raise NotFound("wellbeing.error.no_such_resource", resource=resource_id)
    audit.record(session, actor_id=actor.id, action="resource.deleted", target=row.name, phone=row.phone)
    session.delete(row)
