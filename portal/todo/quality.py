"""What quality assurance asks of people: evaluations to acknowledge, disputes to decide, calls to evaluate."""
from sqlmodel import Session

from portal.clock import local_date
from portal.permissions import permission
from portal.qa import disputes, queue
from portal.qa.working_days import add_working_days, window_closes_on
from portal.roles import Actor
from portal.todo.items import TodoItem, item

MY_QUALITY = "pages/training_quality.py"
DISPUTES = "pages/qa_disputes.py"
QUEUE = "pages/qa_queue.py"

#: Working days a reviewer has to decide a dispute, from when it was raised.
DECIDE_WITHIN_DAYS = 5


@permission("qa:acknowledge")
def evaluation_items(session: Session, actor: Actor, lang: str) -> list[TodoItem]:
    """Each evaluation not yet acknowledged (nor disputed), due when its dispute window closes."""
    return [item("qa_acknowledge", MY_QUALITY, due=window_closes_on(e.summary.submitted_at),
                 query={"evaluation": e.summary.evaluation_id}, scorecard=e.summary.scorecard_title(lang),
                 call=local_date(e.summary.call_started_at), percent=f"{round(e.summary.percent, 1):g}")
            for e in disputes.my_evaluations(session, actor)
            if e.summary.acknowledged_at is None and not e.in_dispute]


@permission("qa:disputes_resolve")
def dispute_items(session: Session, actor: Actor) -> list[TodoItem]:
    """Open disputes the person may decide, oldest first."""
    return [item("qa_dispute", DISPUTES, due=add_working_days(local_date(d.raised_at), DECIDE_WITHIN_DAYS),
                 query={"evaluation": d.evaluation_id}, person=d.agent_name, count=d.items)
            for d in disputes.open_disputes(session, actor)]


@permission("qa:evaluate")
def queue_items(session: Session, actor: Actor) -> list[TodoItem]:
    """The analyst's queue as one line: how many sampled calls wait."""
    waiting = queue.analyst_queue(session, actor, page_size=1).total
    return [item("qa_queue", QUEUE, count=waiting)] if waiting else []
