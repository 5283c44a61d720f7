"""The contest pages on the demo center, through AppTest: each renders for the people who see it, in both languages;
the agent starts a round (sat on the exam page); a judge submits a sheet; a trainer sets up and starts a contest."""
import pytest
from sqlmodel import Session, select

from portal import auth
from portal.formatting import format_date
from portal.models import Attempt, Contest, ContestMark, Team, User
from portal.ui.navigation import pages_for
from tests.utils.apptest import app_as, errors_of, problems_of

ORGANISE, MINE, TEAM, JUDGING = ("pages/authoring_contests.py", "pages/training_contests.py", "pages/team_contests.py",
                                 "pages/contests_judging.py")


def open_page(engine, username, path, language=None):
    at = app_as(engine, username, language=language).run()
    at.switch_page(path).run()
    assert not errors_of(at), errors_of(at)
    return at


def keyed(widgets, name, form="contest_knowledge"):
    """The widget of a RecordForm field (`name.<form>.<key>.<n>`)."""
    return next(w for w in widgets if w.key and w.key.startswith(f"{name}.{form}."))


def texts(at) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "warning", "error", "success", "title",
                                               "subheader") for e in getattr(at, kind))


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("username,path", [("trainer", ORGANISE), ("agent", MINE), ("lead", TEAM),
                                           ("trainer", JUDGING), ("qa", JUDGING), ("lead", JUDGING)])
def test_each_page_renders_for_its_people_in_both_languages(demo_engine, username, path, language):
    at = open_page(demo_engine, username, path, language)
    assert not problems_of(at), problems_of(at)
    assert at.title


def test_the_menus_follow_the_permission_table(demo_session):
    def paths(username):
        return {p.path for p in pages_for(auth.actor_for(demo_session, auth.find_user(demo_session, username)))}

    assert ORGANISE in paths("trainer") and ORGANISE not in paths("lead") and ORGANISE not in paths("agent")
    assert MINE in paths("agent") and MINE in paths("newhire") and MINE not in paths("trainer")
    assert TEAM in paths("lead") and TEAM not in paths("agent")
    assert JUDGING in paths("qa") and JUDGING not in paths("agent")


def test_the_agent_sees_the_board_rule_and_starts_a_round_on_the_exam_page(demo_engine):
    at = open_page(demo_engine, "agent", MINE)
    assert "at least 60% of its members took part" in texts(at)
    start = next(b for b in at.button if b.label == "Start round")
    start.click().run()
    assert not errors_of(at), errors_of(at)
    with Session(demo_engine) as session:
        agent = session.exec(select(User).where(User.username == "agent")).one()
        running = session.exec(select(Attempt).where(Attempt.user_id == agent.id, Attempt.status == "in_progress")).all()
    assert len(running) == 1
    assert at.query_params.get("attempt") in ([str(running[0].id)], str(running[0].id))
    assert any("Question 1" in str(m.value) for m in at.markdown)  # the exam page: the questions


def test_a_judge_submitting_an_incomplete_sheet_is_told_beside_it_and_nothing_is_final(demo_engine):
    with Session(demo_engine) as session:
        contest = session.exec(select(Contest).where(Contest.kind == "scenario")).one()
        song = session.exec(select(User).where(User.username == "song.yu")).one()
    at = app_as(demo_engine, "trainer")
    at.query_params["contest"], at.query_params["contestant"] = str(contest.id), str(song.id)
    at.run()
    at.switch_page(JUDGING)
    at.query_params["contest"], at.query_params["contestant"] = str(contest.id), str(song.id)
    at.run()
    assert not errors_of(at), errors_of(at)
    assert all(control.value is None for control in at.get("button_group"))  # the sheet starts blank
    next(b for b in at.button if b.label == "Submit (final)").click().run()
    assert any("Mark every item" in str(e.value) for e in at.error)
    with Session(demo_engine) as session:
        assert session.exec(select(ContestMark).where(ContestMark.contestant_id == song.id,
                                                      ContestMark.judge_id == contest.created_by)).first() is None


def test_a_trainer_creates_a_contest_once_and_starts_it(demo_engine):
    at = open_page(demo_engine, "trainer", ORGANISE)
    keyed(at.text_input, "title_en").input("Winter cup")
    keyed(at.text_input, "title_zh").input("冬季杯")
    with Session(demo_engine) as session:
        team_ids = list(session.exec(select(Team.id)).all())
    keyed(at.multiselect, "teams").set_value(team_ids)
    keyed(at.multiselect, "r1.tags1").select("product")
    keyed(at.number_input, "r1.count1").set_value(3)
    last = keyed(at.date_input, "end").value
    next(b for b in at.button if b.label == "Create the contest").click().run()
    assert not problems_of(at), problems_of(at)
    with Session(demo_engine) as session:
        created = session.exec(select(Contest).where(Contest.title_en == "Winter cup")).all()
    assert len(created) == 1 and created[0].status == "draft"
    at.run()
    heading = next(c.value for c in at.caption if c.value.startswith(format_date(created[0].starts_at, "en")))
    assert f"– {format_date(last, 'en')}" in heading, heading  # the last day chosen, not the day after
    next(b for b in at.button if b.label == "Start the contest").click().run()
    with Session(demo_engine) as session:
        assert session.get(Contest, created[0].id).status == "running"


def test_closing_asks_first_and_closes_once(demo_engine):
    with Session(demo_engine) as session:
        running = session.exec(select(Contest).where(Contest.title_en == "December roaming sprint")).one()
    at = app_as(demo_engine, "trainer")
    at.query_params["contest"] = str(running.id)
    at.run()
    at.switch_page(ORGANISE)
    at.query_params["contest"] = str(running.id)
    at.run()
    next(b for b in at.button if b.label == "Close the contest").click().run()
    with Session(demo_engine) as session:
        assert session.get(Contest, running.id).status == "running"  # asked first, nothing closed yet
    next(b for b in at.button if b.label == "Close it now").click().run()
    assert not errors_of(at), errors_of(at)
    with Session(demo_engine) as session:
        assert session.get(Contest, running.id).status == "closed"
