"""The learning record page through AppTest: every demo role in both languages, the picker, refusals by URL."""
import pytest
from sqlmodel import Session, select

from portal.models import User
from tests.utils.apptest import app_as, errors_of, problems_of

PAGE = "pages/training_learning_record.py"
DEMO_USERS = ("admin", "trainer", "mentor", "lead", "newhire", "agent", "qa", "sun.li")


def user_id(engine, username) -> int:
    with Session(engine) as session:
        return session.exec(select(User.id).where(User.username == username)).one()


def open_record(engine, username, language="en", person: str | None = None):
    at = app_as(engine, username, language=language).run()
    if person is not None:
        at.query_params["user"] = str(user_id(engine, person))
    at.switch_page(PAGE).run()
    assert not errors_of(at), errors_of(at)
    return at


def shown(at) -> str:
    return "\n".join(str(e.value) for kind in ("title", "subheader", "markdown", "caption", "info", "error")
                     for e in getattr(at, kind))


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("username", DEMO_USERS)
def test_the_page_renders_cleanly_for_every_role(demo_engine, username, language):
    at = open_record(demo_engine, username, language)
    assert not problems_of(at), problems_of(at)
    assert at.title[0].value == ("Learning record" if language == "en" else "学习档案")


def test_a_new_hire_reads_their_own_record_with_stages_exams_and_downloads(demo_engine):
    at = open_record(demo_engine, "newhire")
    text = shown(at)
    assert "Li Na 李娜" in text and "Onboarding stages" in text and "Exams and practicals" in text
    assert not at.selectbox  # nobody else to pick
    assert len(at.dataframe) >= 2


def test_the_agent_sees_their_onboarding_certificate_in_both_languages(demo_engine):
    english = open_record(demo_engine, "agent")
    assert "Certificates" in shown(english) and "No onboarding stage on record." in shown(english)
    assert any(len(frame.value) for frame in english.dataframe if "Certificate" in frame.value.columns)
    chinese = open_record(demo_engine, "agent", "zh-CN")
    assert any(len(frame.value) for frame in chinese.dataframe if "证书" in frame.value.columns)


def test_a_lead_picks_a_team_member_and_is_refused_another_teams_by_url(demo_engine):
    at = open_record(demo_engine, "lead", person="agent")
    assert "Chen Jie 陈杰" in shown(at) and not at.error
    options = at.selectbox[0].options
    assert any("Chen Jie" in o for o in options) and not any("Qian Lu" in o for o in options)
    refused = open_record(demo_engine, "lead", person="qian.lu")
    assert refused.error and "Qian Lu" not in shown(refused).replace(refused.error[0].value, "")
    assert not refused.dataframe


def test_a_lead_without_a_learner_role_is_asked_to_choose(demo_engine):
    at = open_record(demo_engine, "lead", "zh-CN")
    assert "请选择一位人员查看其学习档案。" in shown(at) and not at.dataframe


def test_an_agent_cannot_read_a_colleague_by_url(demo_engine):
    at = open_record(demo_engine, "agent", person="huang.lei")
    assert at.error and not at.dataframe
