"""The sweep: reminders before things are due, new exams, and the weekly wellbeing invitation.

Reminders come from the same to-do list Home shows (`portal.todo`), so what the portal reminds
people of and what their Home lists cannot disagree. Each reminder has a stage — three days
before, the day before (or the day itself), overdue — and each stage is sent once per item.
"""
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, select

from portal.auth import actor_for
from portal.recognition import milestones
from portal.clock import local_today
from portal.models import NotificationPreference, User
from portal.notifications.inbox import notify
from portal.todo import item_text, todo_for
from portal.todo.items import TodoItem
from portal.i18n import LANGUAGES, Translator

WELLBEING_PAGE = "pages/wellbeing_checkin.py"


@dataclass
class SweepReport:
    people: int = 0
    added: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str) -> None:
        self.added[kind] = self.added.get(kind, 0) + 1


def reminder_stage(due: date, today: date) -> str | None:
    """'overdue', 'tomorrow' (due today or tomorrow), 'soon' (within three days), or None."""
    days = (due - today).days
    if days < 0:
        return "overdue"
    if days <= 1:
        return "tomorrow"
    if days <= 3:
        return "soon"
    return None


def sweep(session: Session, *, today: date | None = None, commit_each: bool = False) -> SweepReport:
    """Add every reminder that is due now to each active person's inbox (idempotent).

    `commit_each` commits person by person (the command line does, so that a long sweep never
    holds the database's write lock for long).
    """
    today = today or local_today()
    report = SweepReport()
    milestones.sweep(session, today)  # module versions seen (recertification), QA streak badges
    for user in session.exec(select(User).where(User.active).order_by(User.id)).all():
        report.people += 1
        for entry in todo_for(session, actor_for(session, user), language=user.language, today=today):
            _remind(session, user, entry, today, report)
        if commit_each:
            session.commit()
    _wellbeing_invitations(session, today, report)
    return report


def _texts(entry: TodoItem, user: User) -> dict[str, str]:
    """The item's words in the person's language (titles were chosen in it when the list was built)."""
    language = user.language if user.language in LANGUAGES else "en"
    return {language: item_text(entry, Translator(language), language)}


def _remind(session: Session, user: User, entry: TodoItem, today: date, report: SweepReport) -> None:
    where = "&".join(f"{k}={v}" for k, v in entry.query)
    if entry.kind == "exam" and notify(session, user.id, "exam_open", page=entry.page, query=dict(entry.query),
                                       dedupe_key=f"exam_open:{dict(entry.params)['exam']}",
                                       what=_texts(entry, user)):
        report.count("exam_open")
    if entry.due is None:
        return
    stage = reminder_stage(entry.due, today)
    if stage and notify(session, user.id, f"reminder_{stage}", page=entry.page, query=dict(entry.query),
                        dedupe_key=f"reminder:{stage}:{entry.kind}:{where}:{entry.due.isoformat()}",
                        what=_texts(entry, user), due=entry.due):
        report.count(f"reminder_{stage}")


def _wellbeing_invitations(session: Session, today: date, report: SweepReport) -> None:
    """The same message to everyone who opted in, checked in or not: nothing about anyone's answers."""
    week = today - timedelta(days=today.weekday())
    opted = session.exec(select(NotificationPreference.user_id).join(User, User.id == NotificationPreference.user_id)
                         .where(NotificationPreference.wellbeing_reminder, User.active)).all()
    for user_id in opted:
        if notify(session, user_id, "wellbeing_open", page=WELLBEING_PAGE, dedupe_key=f"wellbeing:{week.isoformat()}"):
            report.count("wellbeing_open")
