"""What mentors, trainers, leads and admins have to do: reviews, sign-offs, marking, people at risk, accounts."""
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from portal.analytics import available_scopes, at_risk
from portal.clock import local_date, utcnow
from portal.i18n import localized_field
from portal.models import ActionItem, Cohort, CoachingSession, User
from portal.onboarding import awaiting_signoff, mentee_journeys, review_queue, visible_journeys
from portal.onboarding.rules import is_working_day
from portal.qa.calls import failed_imports
from portal.quizzes.analysis import recently_flagged_exams
from portal.quizzes.marking import marking_queue
from portal.permissions import permission
from portal.roles import Actor
from portal.todo.items import TodoItem, item
from portal.users import NEVER_SIGNED_IN_AFTER, held_accounts, never_signed_in, teams_led_by  # noqa: F401  (the rule lives in users)

MENTEES = "pages/team_mentees.py"
BOARD = "pages/team_cohort_board.py"
MARKING = "pages/authoring_marking.py"
DASHBOARD = "pages/team_dashboard.py"
COACHING = "pages/team_coaching.py"
USERS = "pages/admin_users.py"
ITEM_ANALYSIS = "pages/authoring_item_analysis.py"
AUDIT = "pages/admin_audit.py"
QA_CALLS = "pages/qa_calls.py"
HELD_NAMES_SHOWN = 3

@permission("home:view")
def ticket_items(session: Session, actor: Actor) -> list[TodoItem]:
    """Each mentee ticket waiting for review, oldest first: due the working day after the call."""
    return [item("ticket", MENTEES, due=next_working_day(t.call_date), query={"person": t.user_id}, person=t.new_hire,
                 ticket=t.ticket_ref) for t in review_queue(session, actor)]


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


@permission("home:view")
def mentor_signoff_items(session: Session, actor: Actor, today: date, lang: str) -> list[TodoItem]:
    return _signoff_items(mentee_journeys(session, actor, today=today), actor, MENTEES, lang)


@permission("home:view")
def trainer_signoff_items(session: Session, actor: Actor, today: date, lang: str) -> list[TodoItem]:
    """Sign-offs ready in the newest intake (a trainer's Home costs one cohort, not the center)."""
    newest = session.exec(select(Cohort.id).order_by(Cohort.start_date.desc(), Cohort.id.desc())).first()
    if newest is None:
        return []
    return _signoff_items(visible_journeys(session, actor, cohort_id=newest, today=today), actor, BOARD, lang)


def _signoff_items(journeys, actor: Actor, page: str, lang: str) -> list[TodoItem]:
    return [item("signoff", page, due=stage.due_date, query={"person": j.user_id}, person=j.display_name,
                 stage=stage.title.get(lang)) for j, stage in awaiting_signoff(actor, journeys)]


@permission("home:view")
def marking_items(session: Session, actor: Actor) -> list[TodoItem]:
    """The marking queue as one item: how many attempts wait, from when."""
    queue = marking_queue(session, actor)
    if queue.empty:
        return []
    oldest = pd.Timestamp(queue["submitted_at"].min()).to_pydatetime()
    return [item("marking", MARKING, due=local_date(oldest), count=len(queue))]


@permission("home:view")
def item_analysis_items(session: Session, actor: Actor, lang: str) -> list[TodoItem]:
    """Exams closed in the last two weeks with questions item analysis flags: one item per exam."""
    return [item("item_analysis", ITEM_ANALYSIS, query={"exam": exam.exam_id}, count=exam.flagged,
                 exam=localized_field(exam, "title", lang))
            for exam in recently_flagged_exams(session, actor, utcnow())]


@permission("home:view")
def failed_import_items(session: Session, actor: Actor, *, audit_page: bool) -> list[TodoItem]:
    """Call files the scheduled import refused since the last good import; the admin opens the audit log
    on them, the quality analyst the calls page."""
    page, query = (AUDIT, {"action": "qa_calls.import_failed"}) if audit_page else (QA_CALLS, {})
    return [item("failed_import", page, query=query, file=failed.file_name, count=failed.problems,
                 at=local_date(failed.at)) for failed in failed_imports(session, actor)]


@permission("home:view")
def lead_items(session: Session, actor: Actor, today: date) -> list[TodoItem]:
    """People at risk in the teams led (each with why) and the teams' overdue action items."""
    items = []
    for scope in available_scopes(session, actor):
        frame = at_risk(session, actor, scope)
        for row in frame[frame["at_risk"]].itertuples(index=False):
            items.append(item("at_risk", COACHING, query={"agent": row.user_id}, person=row.agent,
                              reasons=tuple(row.reasons)))
    led = teams_led_by(session, actor.id)
    if led:
        overdue, oldest = session.exec(
            select(func.count(ActionItem.id), func.min(ActionItem.due_on))
            .join(CoachingSession, CoachingSession.id == ActionItem.session_id)
            .where(CoachingSession.team_id.in_(led), ActionItem.done_at.is_(None), ActionItem.due_on < today)).one()
        if overdue:
            items.append(item("team_actions", COACHING, due=oldest, count=overdue))
    return items


@permission("home:view")
def admin_items(session: Session, actor: Actor) -> list[TodoItem]:
    """Accounts someone is guessing at (held after repeated failed sign-ins; the audit log shows the failures),
    and active accounts never signed in to, a few days after they were made."""
    items = []
    held = held_accounts(session, actor)
    if held:
        items.append(item("held_sign_ins", AUDIT, query={"action": "login.failed"}, count=len(held),
                          names=", ".join(held[:HELD_NAMES_SHOWN]) + (" …" if len(held) > HELD_NAMES_SHOWN else "")))
    never = session.exec(select(func.count(User.id)).where(*never_signed_in())).one()
    if never:
        items.append(item("never_signed_in", USERS, query={"filter": "never_signed_in"}, count=never))
    return items
