"""The agent's quality page, the disputes page and the calibration page, driven through AppTest in both languages."""
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal import clock
from portal.auth import actor_for, find_user
from portal.models import QaCalibration, QaDispute, QaEvaluation
from portal.qa import calibration, disputes
from tests.utils.apptest import app_as, problems_of, texts_of
from tests.utils.qa_factories import make_call, make_evaluation, make_scorecard


def actor(session, username):
    return actor_for(session, find_user(session, username))


@pytest.fixture
def qa_world(demo_engine):
    with Session(demo_engine, expire_on_commit=False) as session:
        ids = {u: actor(session, u).id for u in ("agent", "qa", "lead", "trainer")}
        version = make_scorecard(session, code="voice-test")
        evaluation = make_evaluation(session, version, ids["agent"], ids["qa"],
                                     {"greet": 2, "verify": 1, "offer": None}, clock.utcnow(),
                                     comments={"verify": "没有核实身份 no PIN"})
        call = make_call(session, ids["agent"], clock.utcnow() - timedelta(hours=1))  # among the newest calls
        session.commit()
        return {"evaluation": evaluation.id, "version": version.id, "call": call.id, **ids}


def open_page(engine, username, path, language=None, **params):
    at = app_as(engine, username, language=language).run()
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.switch_page(path).run()
    return at


def texts(at) -> str:
    return "\n".join(texts_of(at))


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_agent_reads_an_evaluation_chosen_in_the_address(demo_engine, qa_world, language):
    at = open_page(demo_engine, "agent", "pages/training_quality.py", language, evaluation=qa_world["evaluation"])
    assert not problems_of(at), problems_of(at)
    shown = texts(at)
    assert ("Verification" if language == "en" else "身份核实") in shown
    assert ("You can dispute until" if language == "en" else "申诉截止日期") in shown
    cells = at.dataframe[1].value.to_string()
    assert "没有核实身份 no PIN" in cells and ("N/A" if language == "en" else "不适用") in cells


def test_nothing_is_chosen_until_the_agent_chooses(demo_engine, qa_world):
    at = open_page(demo_engine, "agent", "pages/training_quality.py")
    assert not problems_of(at), problems_of(at)
    assert at.selectbox(key="choose_evaluation").value is None and not at.checkbox


def test_acknowledge_then_an_empty_reason_is_refused_beside_its_item(demo_engine, qa_world):
    at = open_page(demo_engine, "agent", "pages/training_quality.py", evaluation=qa_world["evaluation"])
    next(b for b in at.button if b.label == "I have read this evaluation").click().run()
    assert not problems_of(at), problems_of(at)
    verify = next(c for c in at.checkbox if "Verification" in c.label)
    verify.check()
    next(b for b in at.button if b.label == "Send dispute").click().run()
    assert [e.value for e in at.error] == ["Give a reason for this item."]
    with Session(demo_engine) as session:
        assert session.get(QaEvaluation, qa_world["evaluation"]).acknowledged_at is not None
        assert not session.exec(select(QaDispute).where(QaDispute.evaluation_id == qa_world["evaluation"])).all()
    reason_boxes = [a for a in at.text_area]
    reason_boxes[1].input("我问了密码 I asked for the PIN")
    next(b for b in at.button if b.label == "Send dispute").click().run()
    assert not problems_of(at), problems_of(at)
    with Session(demo_engine) as session:
        assert len(session.exec(select(QaDispute).where(QaDispute.evaluation_id == qa_world["evaluation"])).all()) == 1
    assert "In dispute" in texts(at)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_lead_decides_a_dispute(demo_engine, qa_world, language):
    with Session(demo_engine, expire_on_commit=False) as session:
        disputes.raise_dispute(session, actor(session, "agent"), qa_world["evaluation"], {"verify": "I asked"})
        session.commit()
    at = open_page(demo_engine, "lead", "pages/qa_disputes.py", language, evaluation=qa_world["evaluation"])
    assert not problems_of(at), problems_of(at)
    waiting = len(at.dataframe[0].value)
    at.radio[0].set_value("changed")
    at.number_input[0].set_value(2.0)
    at.text_area[0].input("PIN asked at 0:42 在0:42核实了")
    at.button[-1].click().run()
    assert not problems_of(at), problems_of(at)
    with Session(demo_engine) as session:
        evaluation = session.get(QaEvaluation, qa_world["evaluation"])
        assert evaluation.revision == 1 and evaluation.percent == pytest.approx(100.0)
    assert len(at.dataframe[0].value) == waiting - 1  # decided: gone from the queue
    decided = at.dataframe[-1].value  # the Decided tab: newest first, with who decided and what changed
    assert list(decided.iloc[0])[1:] == ["Chen Jie 陈杰", 1, 1, 1, "Zhang Wei 张伟"]
    at.selectbox(key="choose_decided").set_value(qa_world["evaluation"]).run()
    assert not problems_of(at), problems_of(at)
    assert at.query_params["decided"] == str(qa_world["evaluation"])
    assert "PIN asked at 0:42" in " ".join(str(frame.value.to_dict()) for frame in at.dataframe)


def test_the_demo_disputes_and_calibration_pages_render_for_each_reviewer(demo_engine):
    for username, path in (("lead", "pages/qa_disputes.py"), ("qa", "pages/qa_disputes.py"),
                           ("qa", "pages/qa_calibration.py"), ("trainer", "pages/qa_calibration.py"),
                           ("zhao.lei", "pages/qa_disputes.py")):
        at = open_page(demo_engine, username, path, "zh-CN")
        assert not problems_of(at), f"{username} {path}: {problems_of(at)}"


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_calibration_blind_then_revealed(demo_engine, qa_world, language):
    with Session(demo_engine, expire_on_commit=False) as session:
        qa, lead, trainer = (actor(session, u) for u in ("qa", "lead", "trainer"))
        cid = calibration.create_calibration(session, qa, "Nov 校准", qa_world["version"], [qa_world["call"]],
                                             [lead.id, trainer.id])
        calibration.submit_scores(session, lead, cid, qa_world["call"], {"greet": 2, "verify": 0, "offer": 4})
        session.commit()
    at = open_page(demo_engine, "qa", "pages/qa_calibration.py", language, calibration=cid)
    assert not problems_of(at), problems_of(at)
    assert at.radio and all(r.value is None for r in at.radio)  # a blank sheet
    assert "0" not in [c for df in at.dataframe for c in df.value.columns]  # no one's scores
    with Session(demo_engine, expire_on_commit=False) as session:
        qa, trainer = actor(session, "qa"), actor(session, "trainer")
        calibration.submit_scores(session, qa, cid, qa_world["call"], {"greet": 2, "verify": 2, "offer": 4})
        calibration.submit_scores(session, trainer, cid, qa_world["call"], {"greet": 1, "verify": 2, "offer": None})
        calibration.reveal(session, qa, cid)
        session.commit()
    at = open_page(demo_engine, "trainer", "pages/qa_calibration.py", language, calibration=cid)
    assert not problems_of(at), problems_of(at)
    names = {c for df in at.dataframe for c in df.value.columns}
    reference = "Yang Qing 杨青 (reference)" if language == "en" else "Yang Qing 杨青（基准）"
    assert {"Zhang Wei 张伟", "Wang Fang 王芳", reference} <= names
    side_by_side = next(df.value for df in at.dataframe if "Zhang Wei 张伟" in df.value.columns)
    assert list(side_by_side["Zhang Wei 张伟"]) == ["2", "0 (-2)" if language == "en" else "0（-2）", "4"]
    assert any("α" in str(m.label) or "alpha" in str(m.label) for m in at.metric)


def test_a_created_session_opens_at_once_and_is_created_once(demo_engine, qa_world):
    at = open_page(demo_engine, "qa", "pages/qa_calibration.py")
    next(b for b in at.button if b.label == "Create session").click().run()
    assert "Give the session a title." in [e.value for e in at.error]
    at.text_input[0].input("Blind 盲评")
    at.selectbox[0].select(qa_world["version"])
    at.multiselect[0].select(qa_world["call"])
    at.multiselect[1].select(qa_world["lead"])
    next(b for b in at.button if b.label == "Create session").click().run()
    assert not problems_of(at), problems_of(at)
    assert "Blind 盲评" in [s.value for s in at.subheader]
    assert at.query_params["calibration"]
    with Session(demo_engine) as session:
        assert len(session.exec(select(QaCalibration).where(QaCalibration.title == "Blind 盲评")).all()) == 1
