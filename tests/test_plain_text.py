"""Names and titles people typed are shown as typed, never as Markdown (links, colours, icons, formulas)."""
import re

import pytest
from sqlmodel import Session, select

from portal.models import Exam, User
from portal.ui.text import WORD_JOINER, plain
from tests.utils.apptest import app_as

HOSTILE = "[Li Na](http://evil.example) :red[boss] :material/home: $x^2$ **b** <b>x</b> www.evil.example 李娜"
UNESCAPED_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")


def test_plain_escapes_markdown_and_breaks_streamlit_codes():
    shown = plain(HOSTILE)
    assert not UNESCAPED_LINK.search(shown)
    assert ":red[" not in shown and ":material/" not in shown, "colour and icon codes are broken"
    assert "www." not in shown and "http://" not in shown, "bare addresses are not linked"
    assert shown.replace(WORD_JOINER, "").replace("\\", "") == HOSTILE.replace("\\", "")
    assert plain(None) == "" and plain("Chen Jie 陈杰") == "Chen Jie 陈杰"


def rename(engine, username, name):
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        user.display_name = name
        session.add(user)
        session.commit()


def test_the_sidebar_and_home_show_a_hostile_name_literally(demo_engine):
    rename(demo_engine, "agent", HOSTILE)
    at = app_as(demo_engine, "agent").run()
    texts = [c.value for c in at.sidebar.caption] + [t.value for t in at.title]
    assert any("evil" in text for text in texts)
    for text in texts:
        assert not UNESCAPED_LINK.search(text) and ":red[" not in text, text


@pytest.mark.parametrize("page", ["pages/training_exams.py"])
def test_exam_titles_are_plain_text(demo_engine, page):
    with Session(demo_engine) as session:
        for exam in session.exec(select(Exam)):
            exam.title_en = exam.title_zh = "[Win a prize](http://evil.example) :red[now]"
            session.add(exam)
        session.commit()
    at = app_as(demo_engine, "newhire").run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    shown = [m.value for m in at.markdown] + [s.value for s in at.subheader]
    assert any("prize" in text for text in shown)
    assert not [text for text in shown if UNESCAPED_LINK.search(text) or ":red[" in text]


def test_a_lead_sees_an_agents_hostile_name_literally_in_coaching(demo_engine):
    with Session(demo_engine) as session:
        for user in session.exec(select(User).where(User.username != "lead")):
            user.display_name = HOSTILE  # whoever the page opens first, and every coach's name
            session.add(user)
        session.commit()
    at = app_as(demo_engine, "lead").run()
    at.switch_page("pages/team_coaching.py").run()
    assert not at.exception
    names = [s.value for s in at.subheader] + [m.value for m in at.markdown]
    assert any("evil" in text for text in names)
    assert not [text for text in names if UNESCAPED_LINK.search(text) or ":red[" in text]
