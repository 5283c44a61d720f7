"""What is yours to do: one list per person, overdue first, each item a link to the exact place.

`todo_for(session, actor)` gathers, by the roles the person holds:

- new hire: the repeat asked with its reason, the next module, quizzes below the stage's mark,
  shadowing calls still needed, tickets sent back for rework, exams open, reviews due;
- agent: exams open, reviews due, coaching sessions to acknowledge and their own action items, and
  QA evaluations to acknowledge (due when their dispute window closes);
- mentor: mentee tickets waiting for review (oldest first) and sign-offs that are ready;
- trainer: the marking queue, the newest intake's sign-offs, and exams closed in the last two weeks
  whose item analysis flags questions;
- lead: people at risk in the teams they lead (with why), the teams' overdue action items, and the
  QA disputes to decide;
- quality analyst: the calls waiting in the QA queue, disputes to decide, call files refused;
- admin: accounts someone is guessing at (held after failed sign-ins), accounts never signed in to, and
  call files the scheduled import refused.
- everyone: certificates about to lapse; learners also changed modules to read again (recertification).

Home shows it (`pages/home.py`) and `portal todo USERNAME` prints it, so it is tested without Streamlit.
Every collector reads through the services, which check permissions as usual.
"""
from datetime import date

from sqlmodel import Session

from portal.analytics import Reason
from portal.clock import local_today
from portal.formatting import format_date, format_day_month
from portal.i18n import Translator
from portal.permissions import permission
from portal.roles import Actor, Role
from portal.todo import learning, quality, recognition, staff
from portal.todo.items import TodoItem

__all__ = ["TodoItem", "todo_for", "item_text", "due_text"]


@permission("home:view")
def todo_for(session: Session, actor: Actor, *, language: str | None = None,
             today: date | None = None) -> list[TodoItem]:
    """Everything that is `actor`'s to do now, overdue first, then by due date; titles in `language`."""
    today = today or local_today()
    lang = language or actor.language or "en"
    items: list[TodoItem] = []
    if actor.has(Role.NEWHIRE):
        items += learning.programme_items(session, actor, today, lang)
    if actor.has(Role.NEWHIRE, Role.AGENT):
        items += learning.exam_items(session, actor, lang)
        items += learning.review_items(session, actor)
        items += learning.coaching_items(session, actor)
        items += quality.evaluation_items(session, actor, lang)
        items += recognition.recert_items(session, actor, today, lang)
    if actor.has(Role.MENTOR):
        items += staff.ticket_items(session, actor)
        items += staff.mentor_signoff_items(session, actor, today, lang)
    if actor.has(Role.TRAINER):
        items += staff.marking_items(session, actor)
        items += staff.trainer_signoff_items(session, actor, today, lang)
        items += staff.item_analysis_items(session, actor, lang)
    if actor.has(Role.LEAD, Role.QA):
        items += quality.dispute_items(session, actor)
    if actor.has(Role.QA):
        items += quality.queue_items(session, actor)
    if actor.has(Role.ADMIN, Role.QA):
        items += staff.failed_import_items(session, actor, audit_page=actor.has(Role.ADMIN))
    if actor.has(Role.LEAD):
        items += staff.lead_items(session, actor, today)
    if actor.has(Role.ADMIN):
        items += staff.admin_items(session, actor)
    items += recognition.expiry_items(session, actor, today, lang)
    return sorted(_unique(items), key=lambda i: i.sort_key(today))


def _unique(items: list[TodoItem]) -> list[TodoItem]:
    """A sign-off that is both the mentor's and the trainer's is listed once."""
    seen, kept = set(), []
    for entry in items:
        key = (entry.kind, entry.query, entry.params if entry.kind != "signoff" else ())
        if key not in seen:
            seen.add(key)
            kept.append(entry)
    return kept


def item_text(entry: TodoItem, t: Translator, language: str | None) -> str:
    """The item in words, in the viewer's language (dates in the center's calendar)."""
    params = {}
    for name, value in entry.params:
        if isinstance(value, tuple) and value and isinstance(value[0], Reason):
            value = "; ".join(reason.text(t) for reason in value)
        elif isinstance(value, date):
            value = format_date(value, language)
        params[name] = value
    return t(entry.text_key, **params)


def due_text(entry: TodoItem, t: Translator, language: str | None, today: date) -> str:
    """'Overdue since 25 Nov', 'Due today', 'Due 8 Dec', or '' for an item with no date."""
    if entry.due is None:
        return ""
    day = format_day_month(entry.due, language) if entry.due.year == today.year else format_date(entry.due, language)
    if entry.due < today:
        return t("todo.overdue_since", date=day)
    if entry.due == today:
        return t("todo.due_today")
    return t("todo.due_on", date=day)
