"""The disputes lists at scale (#16, docs/benchmarks.md "Quality assurance pages at large scale"): for a reviewer
of everyone (QA) they must not filter agents by `IN (every user)`, which filters nothing but made SQLite walk every
evaluation (open disputes 403 ms, decided 313 ms at 5x; 3 and 45 ms without it); and the decided page is read from
the disputes alone, their agents for the page's rows after (PostgreSQL: 677 -> 17 ms at 5x). Leads still see only
their teams."""
from datetime import date

from sqlalchemy import event

from portal.qa import disputes
from portal.qa.disputes import Decision
from portal.roles import SYSTEM, Role
from portal.users import set_team_leads
from tests.utils.clock import center_noon, set_center_day
from tests.utils.factories import make_team, make_user
from tests.utils.qa_factories import make_evaluation, make_scorecard

FRIDAY = date(2026, 12, 4)


def _statements(session, call) -> tuple[object, list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)
    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        return call(), seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_qa_lists_disputes_without_an_everyone_filter_and_leads_only_their_teams(session, monkeypatch):
    team, other_team = make_team(session, "Mobile A"), make_team(session, "Mobile B")
    agent = make_user(session, "agent1", Role.AGENT, team_id=team.id)
    lead, other_lead = make_user(session, "lead1", Role.LEAD), make_user(session, "lead2", Role.LEAD)
    set_team_leads(session, SYSTEM, team.id, [lead.id])
    set_team_leads(session, SYSTEM, other_team.id, [other_lead.id])
    analyst, reviewer = make_user(session, "qa1", Role.QA), make_user(session, "qa2", Role.QA)
    evaluation = make_evaluation(session, make_scorecard(session), agent.id, analyst.id,
                                 {"greet": 2, "verify": 1, "offer": None}, center_noon(FRIDAY))
    session.commit()
    set_center_day(monkeypatch, date(2026, 12, 7))
    first = disputes.raise_dispute(session, agent, evaluation.id, {"verify": "I asked for the PIN"})
    session.commit()

    opened, statements = _statements(session, lambda: disputes.open_disputes(session, reviewer))
    assert [d.id for d in opened] == [first]
    assert not any("user_account" in s and "qa_dispute" in s for s in statements), statements

    disputes.decide_dispute(session, reviewer, first, {"verify": Decision("upheld", "points stand")})
    session.commit()
    decided, statements = _statements(session, lambda: disputes.decided_disputes(session, reviewer))
    assert [d.id for d in decided.rows] == [first] and decided.total == 1 and decided.rows[0].agent_name
    assert not any("user_account" in s and "qa_dispute" in s for s in statements), statements
    # the page and its count read the disputes alone (joined, PostgreSQL hashed every evaluation: 677 ms at 5x)
    assert not any("JOIN qa_evaluation" in s for s in statements), statements

    assert [d.id for d in disputes.decided_disputes(session, lead).rows] == [first]
    assert disputes.decided_disputes(session, other_lead).rows == []
