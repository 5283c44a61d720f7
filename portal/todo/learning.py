"""What a new hire or an agent has to do: their programme, quizzes, exams, reviews and coaching."""
from datetime import date

from sqlmodel import Session

from portal.coaching import my_open_items, my_sessions
from portal.onboarding import journey
from portal.onboarding.floor import supervised_calls
from portal.onboarding.journey import Journey, StageState
from portal.onboarding.programme import quiz_titles
from portal.onboarding.rules import CheckStatus, ReviewOutcome
from portal.quizzes.my_exams import my_exams
from portal.quizzes.practice import count_due_reviews
from portal.permissions import permission
from portal.roles import Actor
from portal.todo.items import TodoItem, item

ONBOARDING = "pages/training_onboarding.py"
QUIZZES = "pages/training_quizzes.py"
EXAMS = "pages/training_exams.py"
SHADOWING = "pages/training_shadowing.py"
SUPERVISED = "pages/training_supervised.py"
COACHING = "pages/training_coaching.py"


@permission("home:view")
def programme_items(session: Session, actor: Actor, today: date, lang: str) -> list[TodoItem]:
    """The current stage's next module, quizzes below its mark, shadowing still needed, a repeat, a rework."""
    mine = journey(session, actor, actor.id, today=today)
    stage = mine.current
    if stage is None:
        return []
    items = []
    if stage.asked_to_repeat:
        items.append(item("repeat", ONBOARDING, due=stage.due_date, stage=stage.title.get(lang),
                          reason=stage.last_signoff.reason))
    unread = next((m for m in stage.modules if m.spec.required and (not m.done or m.outdated)), None)
    if unread is not None:
        items.append(item("module", ONBOARDING, due=stage.due_date, query={"module": unread.spec.id},
                          module=unread.spec.title.get(lang), stage=stage.title.get(lang)))
    items += _check_items(stage, lang)
    items += _rework_items(session, actor, mine)
    return items


def _check_items(stage: StageState, lang: str) -> list[TodoItem]:
    titles = quiz_titles()
    items = []
    for check in stage.evaluation.checks:
        if check.status is not CheckStatus.UNMET:
            continue
        if check.name in ("quiz", "quiz_not_taken"):
            title = titles[check.subject].get(lang) if check.subject in titles else check.subject
            items.append(item("quiz", QUIZZES, due=stage.due_date, query={"quiz": check.subject},
                              quiz=title, target=f"{check.target:g}"))
        elif check.name == "shadowing":
            items.append(item("shadowing", SHADOWING, due=stage.due_date, count=int(check.target - check.current)))
    return items


def _rework_items(session: Session, actor: Actor, mine: Journey) -> list[TodoItem]:
    """Tickets sent back for rework since the last one that passed."""
    if not mine.reviewed_calls:
        return []
    calls = supervised_calls(session, actor, actor.id).dropna(subset=["outcome"])
    items = []
    for call in calls.itertuples(index=False):  # newest first
        if call.outcome == ReviewOutcome.PASSED:
            break
        items.append(item("rework", SUPERVISED, ticket=call.ticket_ref, comment=call.comment or "—"))
    return items


@permission("home:view")
def exam_items(session: Session, actor: Actor, lang: str) -> list[TodoItem]:
    """Exams open now that the person has not finished: to start, or to finish before the deadline."""
    items = []
    for exam in my_exams(session, actor, language=lang):
        if exam.window != "open":
            continue
        if exam.in_progress_id is not None:
            due = exam.deadline_at or exam.close_at
            items.append(item("exam", EXAMS, due=_local_day(due), query={"attempt": exam.in_progress_id},
                              exam=exam.title))
        elif exam.attempts_used == 0:
            items.append(item("exam", EXAMS, due=_local_day(exam.close_at), exam=exam.title))
    return items


@permission("home:view")
def review_items(session: Session, actor: Actor) -> list[TodoItem]:
    due = count_due_reviews(session, actor)
    return [item("reviews", QUIZZES, count=due)] if due else []


@permission("home:view")
def coaching_items(session: Session, actor: Actor) -> list[TodoItem]:
    """Sessions about the person not yet acknowledged, and open action items they own or that are about them."""
    items = [item("acknowledge", COACHING, due=s.ack_due_on, query={"session": s.id}, author=s.author_name,
                  held=s.held_on)
             for s in my_sessions(session, actor) if s.acknowledged_at is None]
    items += [item("action", COACHING, due=a.due_on, query={"session": a.session_id}, action=a.description)
              for a in my_open_items(session, actor) if a.owner_id == actor.id]
    return items


def _local_day(moment) -> date | None:
    from portal.clock import local_date

    return local_date(moment) if moment is not None else None
