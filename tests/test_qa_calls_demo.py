"""The demo center's calls and samples (seed/qa_calls.py): what the QA pages and the evaluation demo build on."""
from sqlmodel import func, select

from portal.clock import local_today
from portal.models import QaCall, QaSamplePlan
from portal.qa.sampling import draw_sample, graduation_dates, month_of, sample_of
from portal.roles import SYSTEM
from seed import qa_calls
from seed.context import SeedContext


def test_three_months_of_calls_for_both_teams_with_their_samples_drawn(demo_session):
    months = [month_of(day) for day in qa_calls.demo_months(local_today())]
    for team in qa_calls.TEAMS:
        for month in months[:-1]:
            calls = qa_calls.demo_calls(demo_session, team=team, month=month)
            assert len(calls) >= 60, (team, month)  # about 24 per agent
            assert {c.queue for c in calls} == {"话费查询", "宽带报障", "套餐变更", "投诉"}
            assert any(c.complaint for c in calls) and {c.satisfaction for c in calls} >= {1.0, 5.0, None}
            sample = qa_calls.demo_sample(demo_session, team, month)
            assert {reason for _, reason in sample} >= {"base", "complaint", "low_satisfaction"}
        assert not qa_calls.demo_sample(demo_session, team, months[-1])  # this month: the analyst draws it
    plans = demo_session.exec(select(QaSamplePlan)).all()
    assert {p.seed for p in plans} == {int(m.replace("-", "")) for m in months[:-1]}


def test_the_demo_draw_is_repeatable_from_its_seed(demo_session):
    plan = demo_session.exec(select(QaSamplePlan).order_by(QaSamplePlan.id)).first()
    drawn = sample_of(demo_session, SYSTEM, plan.id)
    draw_sample(demo_session, SYSTEM, plan.team_id, plan.month, seed=plan.seed, redraw=True)
    assert sample_of(demo_session, SYSTEM, plan.id) == drawn
    demo_session.rollback()


def test_the_new_graduate_takes_calls_only_after_graduating(demo_session):
    gao = qa_calls.demo_calls(demo_session, team="Broadband Team B")
    user_id = demo_session.exec(select(QaCall.agent_id).where(QaCall.id.in_([c.id for c in gao]))
                                .group_by(QaCall.agent_id).order_by(func.min(QaCall.started_at).desc())).first()
    graduated = graduation_dates(demo_session, [user_id])
    assert user_id in graduated, "gao.yan has graduated in seed/demo/onboarding.yaml"
    first_call = min(c.started_at for c in gao if c.agent_id == user_id)
    assert first_call.date() >= graduated[user_id].date()


def test_loading_the_demo_calls_again_changes_nothing(demo_session):
    before = demo_session.exec(select(func.count(QaCall.id))).one()
    ctx = SeedContext(session=demo_session, today=local_today())
    qa_calls.load(ctx)
    assert demo_session.exec(select(func.count(QaCall.id))).one() == before and not ctx.created
    demo_session.rollback()
