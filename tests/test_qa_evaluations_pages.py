"""The QA pages (evaluate a call, scorecards, practical-exam rubrics) on the demo center, in both languages."""
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from portal import auth
from portal.models import QaCall, QaEvaluation, User
from tests.utils.apptest import app_as, problems_of

EVALUATE = "pages/qa_evaluate.py"


def add_call(engine, agent: str = "agent", external_id: str = "CALL-9001") -> int:
    with Session(engine) as session:
        agent_id = session.exec(select(User.id).where(User.username == agent)).one()
        call = QaCall(external_id=external_id, agent_id=agent_id, queue="Mobile billing", direction="inbound",
                      started_at=datetime(2026, 11, 20, 2, 15, tzinfo=UTC), duration_seconds=412,
                      satisfaction=2.0, complaint=True, recording_url="https://recordings.example/9001",
                      ticket_ref="T-77")
        session.add(call)
        session.commit()
        return call.id


def open_page(engine, username, path, language=None, **params):
    at = app_as(engine, username, language=language).run()
    at.switch_page(path)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def texts(at) -> str:
    return "\n".join(str(e.value) for e in [*at.markdown, *at.caption, *at.success, *at.error, *at.info])


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("path,username", [(EVALUATE, "qa"), ("pages/qa_scorecards.py", "qa"),
                                           ("pages/qa_scorecards.py", "trainer"),
                                           ("pages/authoring_rubrics.py", "trainer")])
def test_pages_render_in_both_languages(demo_engine, path, username, language):
    at = open_page(demo_engine, username, path, language)
    assert not problems_of(at), problems_of(at)
    assert at.title


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_evaluation_starts_blank_and_is_flagged_item_by_item(demo_engine, language):
    call_id = add_call(demo_engine)
    at = open_page(demo_engine, "qa", EVALUATE, language, call=str(call_id))
    assert not problems_of(at), problems_of(at)
    assert "CALL\\-9001" in texts(at) and "T\\-77" in texts(at)  # escaped: shown as typed
    at.selectbox(key=f"qa_eval_card_{call_id}").select("voice-call").run()
    next(b for b in at.button if b.key == f"qa_eval_start_{call_id}").click().run()
    marks = [s for s in at.get("button_group") if "mark" in (s.proto.id or "")]
    assert len(marks) == 14 and all(not m.value for m in marks)  # nothing chosen for the analyst
    next(b for b in at.button if (b.key or "").startswith("submit.qa_eval_")).click().run()
    shown = texts(at)
    not_marked = "Not marked yet" if language == "en" else "尚未评分"
    assert shown.count(not_marked) == 14
    with Session(demo_engine) as session:
        assert session.exec(select(QaEvaluation.status).where(QaEvaluation.call_id == call_id)).all() == ["draft"]


def test_draft_is_kept_and_reopened(demo_engine):
    call_id = add_call(demo_engine)
    at = open_page(demo_engine, "qa", EVALUATE, call=str(call_id))
    at.selectbox(key=f"qa_eval_card_{call_id}").select("voice-call").run()
    next(b for b in at.button if b.key == f"qa_eval_start_{call_id}").click().run()
    with Session(demo_engine) as session:
        evaluation_id = session.exec(select(QaEvaluation.id).where(QaEvaluation.call_id == call_id)).one()
    at.text_area(key=f"qa_eval.{evaluation_id}.overall").input("Opening was rushed").run()
    again = open_page(demo_engine, "qa", EVALUATE, call=str(call_id))  # a reload: a new browser session
    assert again.text_area(key=f"qa_eval.{evaluation_id}.overall").value == "Opening was rushed"


def test_only_evaluators_have_the_evaluation_page_and_only_authors_the_builders(demo_engine):
    from portal.ui.navigation import pages_for

    with Session(demo_engine) as session:
        paths = {name: {p.path for p in pages_for(auth.actor_for(session, auth.find_user(session, name)))}
                 for name in ("qa", "agent", "lead", "trainer")}
    assert EVALUATE in paths["qa"] and "pages/qa_scorecards.py" in paths["qa"]
    assert EVALUATE not in paths["agent"] | paths["lead"] | paths["trainer"]
    assert "pages/qa_scorecards.py" in paths["trainer"] and "pages/authoring_rubrics.py" in paths["trainer"]
    assert "pages/authoring_rubrics.py" not in paths["qa"] | paths["agent"]


def test_scorecards_page_lists_the_demo_scorecards_in_chinese(demo_engine):
    at = open_page(demo_engine, "qa", "pages/qa_scorecards.py", "zh-CN")
    frame = at.dataframe[0].value
    assert set(frame.iloc[:, 0]) >= {"语音通话质检", "投诉处理"}
    assert not problems_of(at)
