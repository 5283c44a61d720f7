"""The demo intake shows every onboarding view alive, with the intended flags, whatever day it is loaded."""
from datetime import date, timedelta

import pytest
from sqlmodel import Session

from portal import auth, onboarding
from portal.onboarding import JourneyStatus
from portal.onboarding.rules import StageStatus
from seed import core, quizbank
from seed import onboarding as seed_onboarding
from seed.context import SeedContext

# username -> (status, current stage, behind schedule, stalled, asked to repeat)
EXPECTED = {
    "newhire": ("in_progress", "product", True, False, False),
    "wu.hao": ("in_progress", "supervised_calls", False, False, False),
    "zhou.min": ("in_progress", "supervised_calls", False, False, False),
    "xu.jing": ("in_progress", "supervised_calls", False, False, True),
    "he.tao": ("in_progress", "supervised_calls", False, True, False),
    "gao.yan": ("graduated", None, False, False, False),
    "lin.feng": ("in_progress", "supervised_calls", False, False, False),
    "ma.xin": ("withdrawn", None, False, False, False),
    "luo.qing": ("in_progress", "supervised_calls", False, False, False),
}


def actor(session, username):
    return auth.actor_for(session, auth.find_user(session, username))


def flags(board) -> dict:
    columns = ["status", "current_stage", "behind_schedule", "stalled", "asked_to_repeat"]
    return {row.username: tuple(None if v != v else v for v in (getattr(row, c) for c in columns))
            for row in board.itertuples()}


def check_demo(session, today: date) -> None:
    trainer = actor(session, "trainer")
    board = onboarding.cohort_board(session, trainer, today=today)
    assert flags(board) == EXPECTED
    journeys = {j.username: j for j in onboarding.visible_journeys(session, trainer, today=today)}
    for journey in journeys.values():
        for stage in journey.stages:
            if stage.status is StageStatus.PASSED:
                assert stage.evaluation.met, f"{journey.username}: {stage.key} passed without its requirements"
            if stage.status is StageStatus.NOT_STARTED:  # never "Not started — 30% done"
                assert round(stage.progress * 100) == 0, f"{journey.username}: {stage.key} not started but done"
    assert journeys["wu.hao"].current.status is StageStatus.AWAITING_SIGNOFF
    newhire_product = journeys["newhire"].stage("product")
    assert 0 < sum(m.done for m in newhire_product.modules) < len(newhire_product.modules)


def test_the_demo_intake_has_the_intended_flags(demo_session):
    check_demo(demo_session, onboarding.journey(demo_session, actor(demo_session, "newhire"),
                                                actor(demo_session, "newhire").id).today)


def test_the_demo_queues_and_views_are_alive(demo_session):
    mentor, sun_li = actor(demo_session, "mentor"), actor(demo_session, "sun.li")
    queue = onboarding.review_queue(demo_session, mentor)
    assert [(p.new_hire.split()[0], p.ticket_ref) for p in queue][:1] == [("Zhou", queue[0].ticket_ref)]
    assert len(queue) == 4 and [p.call_date for p in queue] == sorted(p.call_date for p in queue)
    assert len(onboarding.review_queue(demo_session, sun_li)) == 2
    assert len(onboarding.mentee_journeys(demo_session, mentor)) == 5
    assert len(onboarding.cohort_board(demo_session, actor(demo_session, "lead"))) == 5
    assert len(onboarding.cohort_board(demo_session, actor(demo_session, "zhao.lei"))) == 4
    journeys = onboarding.mentee_journeys(demo_session, mentor)
    assert [j.username for j, _ in onboarding.awaiting_signoff(mentor, journeys)] == ["wu.hao"]
    gao = onboarding.journey(demo_session, actor(demo_session, "trainer"), actor(demo_session, "gao.yan").id)
    assert gao.status is JourneyStatus.GRADUATED and gao.shadowing_calls >= 30
    newhire = actor(demo_session, "newhire")
    assert len(onboarding.shadowing_log(demo_session, newhire, newhire.id)) == 0  # Li Na is still in class


@pytest.mark.parametrize("loaded_on", [date(2026, 11, 16) + timedelta(days=i) for i in range(7)],
                         ids=lambda d: d.strftime("%a"))
def test_the_demo_flags_hold_whatever_weekday_it_is_loaded(session, loaded_on):
    """Loaded on any weekday, and read the same day or the next (Beijing is ahead of UTC)."""
    ctx = SeedContext(session=session, today=loaded_on)
    core.load(ctx)
    quizbank.load(ctx)  # the practice quizzes whose scores onboarding's quiz requirements read
    seed_onboarding.load(ctx)
    session.flush()
    for today in (loaded_on, loaded_on + timedelta(days=1)):
        check_demo(session, today)


def test_loading_the_demo_onboarding_twice_changes_nothing(demo_engine):
    with Session(demo_engine) as session:
        ctx = SeedContext(session=session, today=date.today())
        seed_onboarding.load(ctx)
        assert ctx.created == {}
