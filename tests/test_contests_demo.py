"""The demo contests (seed/contests_demo.py): a close finished contest, a running one, a scenario judged by three."""
from sqlmodel import select

from portal.auth import actor_for
from portal.contests import board as boards, judging
from portal.models import Contest, ContestJudge, User
from seed import contests_demo
from seed.loader import load_demo


def _contest(session, title) -> Contest:
    return session.exec(select(Contest).where(Contest.title_en == title)).one()


def _actor(session, username):
    return actor_for(session, session.exec(select(User).where(User.username == username)).one())


def test_the_finished_contest_is_close_and_the_agent_sees_their_place(demo_session):
    contest = _contest(demo_session, contests_demo.FINISHED)
    assert contest.status == "closed"
    view = boards.board(demo_session, _actor(demo_session, "agent"), contest.id)
    first, second = view.teams
    assert {first.name, second.name} == {"Broadband Team B", "Mobile Team A"}
    assert first.counted and second.counted and first.rank == 1 and 0 < first.score - second.score < 3
    agent_id = _actor(demo_session, "agent").id
    assert agent_id in {p.user_id for p in view.top + view.extra}


def test_the_scenario_contest_has_three_judges_and_a_blank_sheet_for_the_trainer(demo_session):
    contest = _contest(demo_session, contests_demo.SCENARIO)
    assert len(demo_session.exec(select(ContestJudge).where(ContestJudge.contest_id == contest.id)).all()) == 3
    trainer = _actor(demo_session, "trainer")
    song = _actor(demo_session, "song.yu").id
    sheet = judging.judge_sheet(demo_session, trainer, contest.id, song)
    assert sheet.marks == {} and not sheet.submitted and sheet.others == []
    rows = {r.user_id: r for r in judging.scenario_results(demo_session, trainer, contest.id)}
    assert rows[song].hidden and not rows[_actor(demo_session, "huang.lei").id].hidden
    assert rows[_actor(demo_session, "huang.lei").id].spread > 0


def test_loading_the_demo_twice_adds_no_contest(demo_engine, demo_session):
    before = len(demo_session.exec(select(Contest)).all())
    load_demo(demo_engine)
    demo_session.expire_all()
    assert len(demo_session.exec(select(Contest)).all()) == before == 3
