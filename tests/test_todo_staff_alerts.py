"""Home tells a trainer which recently closed exams item analysis flags, and the admin and the quality
analyst which call files the scheduled import refused (issue 17)."""
from datetime import timedelta

import pytest

from portal import auth, todo
from portal.cli import main as cli
from portal.clock import utcnow
from portal.i18n import Translator
from portal.models import Exam
from portal.qa import calls
from portal.roles import Role
from tests.test_item_analysis_db import sit_many
from tests.utils.factories import make_user


def _texts(session, actor, language="en"):
    items = todo.todo_for(session, actor, language=language)
    return items, [todo.item_text(i, Translator(language), language) for i in items]


def _close(session, exam, days_ago):
    exam.close_at = utcnow() - timedelta(days=days_ago)
    session.add(exam)
    session.flush()


def test_a_trainer_is_told_of_an_exam_closed_this_week_with_flagged_questions(session):
    trainer, exam = sit_many(session)  # 12 people: enough to judge
    _close(session, exam, 2)
    items, texts = _texts(session, trainer)
    flagged = [(i, text) for i, text in zip(items, texts) if i.kind == "item_analysis"]
    assert len(flagged) == 1
    entry, text = flagged[0]
    assert entry.page == "pages/authoring_item_analysis.py" and dict(entry.query) == {"exam": str(exam.id)}
    assert exam.title_en in text and dict(entry.params)["count"] >= 1
    _, chinese = _texts(session, trainer, "zh-CN")
    assert any("试题分析标记了" in line and exam.title_zh in line for line in chinese)


@pytest.mark.parametrize("days_ago", [-1, 20])
def test_an_exam_still_open_or_closed_long_ago_is_not_listed(session, days_ago):
    trainer, exam = sit_many(session)
    _close(session, exam, days_ago)
    assert not [i for i in todo.todo_for(session, trainer) if i.kind == "item_analysis"]


def test_too_few_attempts_to_judge_flags_nothing(session):
    trainer, exam = sit_many(session, people=5)
    _close(session, exam, 1)
    assert not [i for i in todo.todo_for(session, trainer) if i.kind == "item_analysis"]


def test_an_agent_cannot_ask_for_flagged_exams(session):
    from portal.errors import PermissionDenied
    from portal.quizzes.analysis import recently_flagged_exams
    agent = make_user(session, "agent1", Role.AGENT)
    with pytest.raises(PermissionDenied):
        recently_flagged_exams(session, agent, utcnow())


BAD_FILE = "call_id,agent,started_at,duration,queue,direction\nC-1,nobody,not a date,x,billing,inbound\n"


def test_a_refused_scheduled_import_is_on_the_admins_home_until_an_import_succeeds(demo_engine, demo_session, tmp_path,
                                                                                     capsys):
    bad = tmp_path / "calls-2026-12-02.csv"
    bad.write_text(BAD_FILE, encoding="utf-8")
    with pytest.raises(SystemExit):
        cli(["qa", "import-calls", str(bad)])
    with pytest.raises(SystemExit):
        cli(["qa", "import-calls", str(bad), "--dry-run"])  # a person trying a file by hand: not recorded
    admin = auth.actor_for(demo_session, auth.find_user(demo_session, "admin"))
    items, texts = _texts(demo_session, admin)
    failed = [(i, text) for i, text in zip(items, texts) if i.kind == "failed_import"]
    assert len(failed) == 1
    entry, text = failed[0]
    assert "calls-2026-12-02.csv" in text and entry.page == "pages/admin_audit.py"
    assert dict(entry.query) == {"action": "qa_calls.import_failed"}
    qa = auth.actor_for(demo_session, auth.find_user(demo_session, "qa"))
    assert [i.page for i in todo.todo_for(demo_session, qa) if i.kind == "failed_import"] == ["pages/qa_calls.py"]
    lead = auth.actor_for(demo_session, auth.find_user(demo_session, "lead"))
    assert not [i for i in todo.todo_for(demo_session, lead) if i.kind == "failed_import"]

    with demo_session.begin_nested():
        calls.audit.record(demo_session, actor_id=None, action=calls.IMPORTED, target="calls-2026-12-03.csv",
                           imported=3, already_imported=0)
    demo_session.commit()
    assert not [i for i in todo.todo_for(demo_session, admin) if i.kind == "failed_import"]


def test_the_admin_is_told_when_someone_keeps_guessing_an_accounts_password(demo_session):
    """Issue 17: "admin: locked ... accounts". The portal holds a name after repeated failures rather than
    locking it; Home says which accounts are held now, and links to the failed sign-ins."""
    from portal.errors import AuthenticationFailed
    from portal.settings import get_settings
    admin = auth.actor_for(demo_session, auth.find_user(demo_session, "admin"))
    assert not [i for i in todo.todo_for(demo_session, admin) if i.kind == "held_sign_ins"]
    for _ in range(get_settings().lockout_threshold):
        with pytest.raises(AuthenticationFailed):
            auth.authenticate(demo_session, "tang.mei", "not her password")
    demo_session.commit()
    items, texts = _texts(demo_session, admin)
    held = [(i, text) for i, text in zip(items, texts) if i.kind == "held_sign_ins"]
    assert len(held) == 1 and "tang.mei" in held[0][1]
    assert held[0][0].page == "pages/admin_audit.py" and dict(held[0][0].query) == {"action": "login.failed"}
    _, chinese = _texts(demo_session, admin, "zh-CN")
    assert any("被暂缓登录" in line for line in chinese)
    lead = auth.actor_for(demo_session, auth.find_user(demo_session, "lead"))
    assert not [i for i in todo.todo_for(demo_session, lead) if i.kind == "held_sign_ins"]
