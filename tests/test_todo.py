"""Home's to-do list for each demo person, the order rule, and the CLI that prints it."""
from datetime import date, timedelta

import pytest

from portal import auth, todo
from portal.cli import main as cli
from portal.i18n import Translator
from portal.todo.items import item


def _actor(session, username):
    return auth.actor_for(session, auth.find_user(session, username))


def _todo(session, username, language="en"):
    items = todo.todo_for(session, _actor(session, username), language=language)
    t = Translator(language)
    return items, [todo.item_text(i, t, language) for i in items]


def test_overdue_first_then_by_due_date_then_undated():
    today = date(2026, 12, 3)
    later = item("exam", "pages/training_exams.py", due=today + timedelta(days=9), exam="B")
    soon = item("exam", "pages/training_exams.py", due=today + timedelta(days=1), exam="A")
    late = item("acknowledge", "pages/training_coaching.py", due=today - timedelta(days=7), author="x", held=today)
    undated = item("reviews", "pages/training_quizzes.py", count=2)
    ordered = sorted([undated, later, soon, late], key=lambda i: i.sort_key(today))
    assert ordered == [late, soon, later, undated]
    assert late.overdue(today) and not soon.overdue(today)


def test_the_new_hire_behind_schedule_sees_her_next_module_overdue_and_the_open_exam(demo_session):
    items, texts = _todo(demo_session, "newhire")
    assert items[0].kind == "module" and items[0].overdue(todo.local_today())
    assert dict(items[0].query) == {"module": "product-bundles"}
    assert "Converged services" in texts[0]
    assert any(i.kind == "exam" for i in items) and any(i.kind == "reviews" for i in items)
    _, chinese = _todo(demo_session, "newhire", "zh-CN")
    assert chinese[0].startswith("学习融合业务")


def test_an_agent_sees_the_acknowledgement_overdue_first_then_her_action_items(demo_session):
    items, texts = _todo(demo_session, "tang.mei")
    assert [i.kind for i in items][:2] == ["acknowledge", "action"]
    assert items[0].overdue(todo.local_today()) and items[0].page == "pages/training_coaching.py"
    assert dict(items[0].query)["session"] == dict(items[1].query)["session"]
    assert "Zhang Wei" in texts[0]


def test_a_mentor_sees_tickets_oldest_first_and_ready_sign_offs(demo_session):
    items, texts = _todo(demo_session, "mentor")
    tickets = [i for i in items if i.kind == "ticket"]
    assert tickets and all(i.page == "pages/team_mentees.py" and "person" in dict(i.query) for i in tickets)
    assert [i.due for i in tickets] == sorted(i.due for i in tickets)
    assert any(i.kind == "signoff" and "Wu Hao" in text for i, text in zip(items, texts))
    assert not any("Lin Feng" in text for text in texts)  # sun.li's mentee, not theirs


def test_a_trainer_sees_the_marking_queue_and_a_lead_the_people_at_risk_with_why(demo_session):
    kinds = [i.kind for i in _todo(demo_session, "trainer")[0]]
    assert "marking" in kinds and "signoff" in kinds
    items, texts = _todo(demo_session, "lead")
    at_risk = {text.split(" needs help")[0] for i, text in zip(items, texts) if i.kind == "at_risk"}
    assert {"Feng Jun 冯军", "Tang Mei 唐梅", "Li Na 李娜"} <= at_risk
    assert all(dict(i.query)["agent"].isdigit() for i in items if i.kind == "at_risk")
    other = {text.split(" needs help")[0] for i, text in zip(*_todo(demo_session, "zhao.lei")) if i.kind == "at_risk"}
    assert not other & at_risk  # the lead of Team B sees none of Team A


def test_an_empty_list_is_empty_not_an_error(demo_session):
    assert _todo(demo_session, "admin")[0] == []


def test_the_cli_prints_the_same_list(demo_engine, capsys):
    cli(["todo", "tang.mei"])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("! Acknowledge the coaching session") and "training_coaching?session=" in out[0]
    cli(["todo", "admin", "--language", "zh-CN"])
    assert "没有待办事项" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="nobody"):
        cli(["todo", "nobody"])


def test_quality_asks_the_lead_to_decide_the_dispute_and_the_analyst_to_evaluate(demo_session):
    items, texts = _todo(demo_session, "lead")
    dispute = next(i for i in items if i.kind == "qa_dispute")
    assert dispute.page == "pages/qa_disputes.py" and dict(dispute.query)["evaluation"].isdigit()
    assert any(text.startswith("Decide Tang Mei 唐梅's dispute") for text in texts)
    assert not any(i.kind == "qa_dispute" for i in _todo(demo_session, "zhao.lei")[0])  # another team's lead
    queue = [i for i in _todo(demo_session, "qa")[0] if i.kind == "qa_queue"]
    assert len(queue) == 1 and dict(queue[0].params)["count"] > 0


def test_an_agent_is_asked_to_acknowledge_an_evaluation_until_the_dispute_window_closes(demo_session):
    from portal.qa import disputes

    for name in ("agent", "huang.lei", "zheng.xia", "song.yu", "feng.jun", "tang.mei"):
        agent = _actor(demo_session, name)
        waiting = [e for e in disputes.my_evaluations(demo_session, agent)
                   if e.summary.acknowledged_at is None and not e.in_dispute]
        items = [i for i in todo.todo_for(demo_session, agent, language="en") if i.kind == "qa_acknowledge"]
        assert [dict(i.query)["evaluation"] for i in items] == [str(e.summary.evaluation_id) for e in waiting]
        if waiting:
            break
    assert waiting, "the demo has an evaluation waiting for its agent"
    disputes.acknowledge(demo_session, agent, waiting[0].summary.evaluation_id)
    after = [i for i in todo.todo_for(demo_session, agent, language="en") if i.kind == "qa_acknowledge"]
    assert len(after) == len(items) - 1
