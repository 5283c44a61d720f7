"""A person never sees a traceback: one catch-all shows an incident id, the log keeps the details."""
import logging
import re

import pytest
from sqlmodel import Session

from portal import auth, wellbeing
from portal.ui import incident
from tests.utils.apptest import app_as, errors_of

INCIDENT = re.compile(r"incident number: ([0-9A-F]{8})")


def _break_home(monkeypatch, message: str) -> None:
    """The agent's Home asks for their to-do list: make that fail as an unexpected error would.

    (AppTest runs `streamlit_app.py`, and so the catch-all, only for the default page:
    `switch_page` runs a page file on its own.)"""
    from portal import todo

    def broken(*args, **kwargs):
        raise RuntimeError(message)

    monkeypatch.setattr(todo, "todo_for", broken)


def test_an_unexpected_error_shows_a_plain_message_with_an_incident_id(demo_engine, monkeypatch, caplog):
    _break_home(monkeypatch, "the database fell over")
    caplog.set_level(logging.ERROR, logger="portal.incident")
    at = app_as(demo_engine, "agent").run()
    assert not errors_of(at), "a traceback reached the person"
    [shown] = [e.value for e in at.error]
    assert "the database fell over" not in shown and "Traceback" not in shown
    incident_id = INCIDENT.search(shown).group(1)
    [record] = [r for r in caplog.records if r.name == "portal.incident"]
    assert incident_id in record.getMessage()
    assert record.exc_info and "the database fell over" in str(record.exc_info[1])


def test_the_incident_message_is_in_the_persons_language(demo_engine, monkeypatch):
    _break_home(monkeypatch, "boom")
    at = app_as(demo_engine, "agent", language="zh-CN").run()
    [shown] = [e.value for e in at.error]
    assert "事件编号" in shown and re.search(r"[0-9A-F]{8}", shown)


def test_an_error_on_a_wellbeing_page_logs_no_message_and_no_traceback(caplog):
    secret = "I cried on a call today"
    caplog.set_level(logging.DEBUG)
    incident_id = incident.report_incident(RuntimeError(secret), "wellbeing_checkin")
    [record] = caplog.records
    assert incident_id in record.getMessage() and "RuntimeError" in record.getMessage()
    assert record.exc_info is None and secret not in record.getMessage()


def test_an_error_elsewhere_logs_its_traceback(caplog):
    caplog.set_level(logging.DEBUG)
    try:
        raise ValueError("exam 7 has no questions")
    except ValueError as exc:
        incident_id = incident.report_incident(exc, "training_exams")
    [record] = caplog.records
    assert incident_id in record.getMessage() and record.exc_info[1].args == ("exam 7 has no questions",)


def test_streamlit_control_flow_passes_through_the_catch_all():
    """st.rerun / st.stop raise BaseExceptions that are not Exception: never reported as incidents."""
    class Control(BaseException):
        pass

    def rerun():
        raise Control()

    with pytest.raises(Control):
        incident.run_guarded(rerun, "training_exams", t=None)


def test_a_check_in_emits_no_log_record(demo_engine, caplog):
    """Nothing from a wellbeing check-in ever reaches the server log, at any level, from any logger."""
    from portal.wellbeing import CheckIn

    caplog.set_level(logging.DEBUG)
    with Session(demo_engine) as session:
        actor = auth.actor_for(session, auth.find_user(session, "agent"))
        wellbeing.check_in(session, actor, CheckIn(who5=[3, 3, 3, 3, 3], pss4=[2, 2, 2, 2],
                                                   comment="a private word about my lead"))
        session.commit()
    assert [r.getMessage() for r in caplog.records] == []


def test_a_check_in_through_the_page_emits_no_log_record(demo_engine, caplog):
    """The same through the page, in both languages: the form, the service, the result and the resources."""
    from tests.test_wellbeing import _answer_everything

    caplog.set_level(logging.DEBUG)
    for username, language in (("agent", "en"), ("newhire", "zh-CN")):
        at = app_as(demo_engine, username, language=language).run()
        at.switch_page("pages/wellbeing_checkin.py").run()
        at.text_area[0].input("a private word about my lead")
        _answer_everything(at, who5=1)
        caplog.clear()
        at.button[0].click().run()
        assert not errors_of(at) and not at.error and at.metric
        # AppTest starts an event loop for each run (asyncio says so at DEBUG): the harness, not the app
        assert [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.name != "asyncio"] == []


def test_streamlit_shows_no_error_details_and_no_developer_menu():
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["client"] == {"showErrorDetails": "none", "toolbarMode": "viewer"}
