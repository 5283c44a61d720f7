"""What recertification asks of people: changed modules to read again, certificates about to lapse."""
from datetime import date

from sqlmodel import Session

from portal.certificates.issue import REMIND_DAYS
from portal.certificates.recert import my_recertifications
from portal.certificates.records import expiring
from portal.i18n import localized
from portal.permissions import permission
from portal.roles import Actor
from portal.todo.items import TodoItem, item

PROFILE = "pages/profile.py"


@permission("certificates:recert_own")
def recert_items(session: Session, actor: Actor, today: date, lang: str) -> list[TodoItem]:
    """Each changed module to read again (and its quiz to pass); an optional one has no due date."""
    return [item("recert" if r.mode == "required" else "recert_optional", PROFILE,
                 due=r.due_on if r.mode == "required" else None, query={"module": r.module_id},
                 module=r.module.title.get(lang))
            for r in my_recertifications(session, actor, today=today)]


@permission("certificates:download")
def expiry_items(session: Session, actor: Actor, today: date, lang: str) -> list[TodoItem]:
    """Each of the actor's certificates that lapses within `REMIND_DAYS` (or has lapsed)."""
    return [item("certificate_expiry", PROFILE, due=c.expires_on, query={"certificate": c.id},
                 title=localized({"en": c.title_en, "zh-CN": c.title_zh}, lang))
            for c in expiring(session, actor.id, within_days=REMIND_DAYS, today=today)]
