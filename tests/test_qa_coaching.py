"""QA feeding coaching: linked evaluations (the coached agent's own live ones only), QA before/after in the
coaching effect, and the at-risk flags QA adds to the team dashboard."""
from datetime import date, timedelta

import pytest

from portal import analytics, coaching
from portal.clock import utcnow
from portal.errors import ValidationFailed
from portal.qa import dashboards
from portal.roles import Role
from tests.utils.factories import make_user
from tests.utils.qa_feed import at, evaluate, small_center

FULL = {"greet": 2, "verify": 2, "offer": 4}
MISSED = {"greet": 2, "verify": 0, "offer": 4}


@pytest.fixture
def world(session):
    return small_center(session)


def draft(agent_id: int, *refs: int, held_on: date = date(2026, 11, 20)) -> coaching.SessionDraft:
    return coaching.SessionDraft(agent_id=agent_id, held_on=held_on, focus_area="verification",
                                 links=tuple(coaching.LinkInput("qa_evaluation", ref) for ref in refs))


def test_a_session_links_the_coached_agents_own_evaluations(session, world):
    e1, e2 = world.evaluations["e1"], world.evaluations["e2"]
    session_id = coaching.write_session(session, world.lead_a, draft(world.agent1.id, e1.id, e2.id))
    links = coaching.get_session(session, world.lead_a, session_id).links
    assert [(link.kind, link.ref_id, link.percent, link.exam_title_zh) for link in links] == [
        ("qa_evaluation", e1.id, 100.0, "语音通话"), ("qa_evaluation", e2.id, 75.0, "语音通话")]
    assert coaching.get_session(session, world.agent1, session_id).links == links  # the agent reads them too


def test_another_agents_evaluation_is_refused(session, world):
    with pytest.raises(ValidationFailed) as refused:
        coaching.write_session(session, world.lead_a, draft(world.agent1.id, world.evaluations["e3"].id))
    assert refused.value.key == "coaching.error.link_not_own"


def test_a_calibration_score_or_a_draft_is_not_linkable(session, world):
    from sqlmodel import select

    from portal.models import QaEvaluation

    not_live = session.exec(select(QaEvaluation.id).where(QaEvaluation.agent_id == world.agent1.id,
                                                          (QaEvaluation.calibration_id.is_not(None))
                                                          | (QaEvaluation.status == "draft"))).all()
    assert len(not_live) == 2
    for ref in not_live:
        with pytest.raises(ValidationFailed) as refused:
            coaching.write_session(session, world.lead_a, draft(world.agent1.id, ref))
        assert refused.value.key == "coaching.error.link_missing"
    frame = coaching.agent_evaluations(session, world.lead_a, world.agent1.id)
    assert frame["evaluation_id"].tolist() == [world.evaluations[k].id for k in ("e4", "e2", "e1")]  # live only
    assert frame["critical_missed"].tolist() == [True, False, False]


def test_only_the_agents_coach_lists_their_evaluations(session, world):
    from portal.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        coaching.agent_evaluations(session, world.lead_b, world.agent1.id)


def test_the_coaching_effect_shows_qa_before_and_after(session, world):
    # a 30-day window either side of 20 October
    session_id = coaching.write_session(session, world.lead_a, draft(world.agent1.id, held_on=date(2026, 10, 20)))
    evaluate(session, world.version_id, world.agent1.id, world.analyst1.id, FULL, at(2026, 11, 10))
    effect = coaching.get_session(session, world.lead_a, session_id).effect
    assert (effect.qa_before_avg, effect.qa_before_n) == (87.5, 2)  # 5 and 12 October
    assert (effect.qa_after_avg, effect.qa_after_n) == (87.5, 2)  # 31 Oct 17:00 UTC (75) and 10 November (100)
    assert effect.qa_change == 0.0
    frame = analytics.coaching_effects(session, world.lead_a, analytics.available_scopes(session, world.lead_a)[0])
    row = frame[frame["session_id"] == session_id].iloc[0]
    assert (row["qa_before_avg"], row["qa_before_n"], row["qa_after_avg"], row["qa_after_n"]) == (87.5, 2, 87.5, 2)


def test_repeated_critical_misses_flag_an_agent_at_risk(session, world):
    now = utcnow()
    for days in (3, 10):
        evaluate(session, world.version_id, world.agent2.id, world.analyst1.id, MISSED, now - timedelta(days=days))
    evaluate(session, world.version_id, world.agent1.id, world.analyst1.id, MISSED, now - timedelta(days=3))
    evaluate(session, world.version_id, world.agent1.id, world.analyst1.id, MISSED, now - timedelta(days=40))
    flags = dashboards.qa_risk_flags(session, [world.agent1.id, world.agent2.id])
    assert "qa.coaching.reason.critical_misses" in [f.key for f in flags[world.agent2.id]]
    # agent1: one miss in 30 days (the other is 40 days old)
    assert "qa.coaching.reason.critical_misses" not in [f.key for f in flags.get(world.agent1.id, [])]
    scope = analytics.available_scopes(session, world.lead_a)[0]
    risk = analytics.at_risk(session, world.lead_a, scope).set_index("user_id")
    assert risk.loc[world.agent2.id, "at_risk"]
    from portal.i18n import Translator

    text = analytics.reasons_text(Translator("en"), risk.loc[world.agent2.id, "reasons"])
    assert "2 QA evaluations with a critical item missed in the last 30 days" in text


def test_a_low_and_a_falling_qa_score_are_flagged(session, world):
    now = utcnow()
    mean_agent = make_user(session, "agent.low", Role.AGENT, team_id=world.team_a)
    for days, points in ((20, FULL), (15, {"greet": 1, "verify": 2, "offer": 2}), (10, {"greet": 0, "verify": 2,
                                                                                        "offer": 1}),
                         (5, {"greet": 0, "verify": 2, "offer": 0})):
        evaluate(session, world.version_id, mean_agent.id, world.analyst1.id, points, now - timedelta(days=days))
    # scores oldest first: 100, 62.5, 37.5, 25 -> mean 56.25 < 75, slope -25.5 per evaluation
    keys = [f.key for f in dashboards.qa_risk_flags(session, [mean_agent.id])[mean_agent.id]]
    assert keys == ["qa.coaching.reason.low_qa", "qa.coaching.reason.falling_qa"]


def test_lead_links_an_evaluation_in_a_coaching_session_through_the_page(demo_engine):
    """As the lead on the Coaching page: feng.jun's live QA evaluations are offered (never anyone else's), one is
    linked, and the saved session shows it among its links with its score."""
    from sqlmodel import Session, select

    from portal.models import CoachingLink, QaEvaluation, User
    from tests.utils.apptest import app_as, errors_of

    with Session(demo_engine) as db:
        feng = db.exec(select(User.id).where(User.username == "feng.jun")).one()
        own = set(db.exec(select(QaEvaluation.id).where(QaEvaluation.agent_id == feng,
                                                        QaEvaluation.calibration_id.is_(None))))
    at = app_as(demo_engine, "lead").run()
    at.switch_page("pages/team_coaching.py").run()
    at.selectbox(key="coach_agent").select(feng).run()
    form_id = next(k for k in (w.key for w in at.text_area) if k.startswith("shared_")).removeprefix("shared_")
    picker = at.multiselect(key=f"qa_links_{form_id}")
    assert set(picker.options) and len(picker.options) == len(own)
    first = next(iter(sorted(own)))
    at.selectbox(key=f"focus_{form_id}").select("verification")
    picker.select(first)
    next(b for b in at.button if b.label == "Save session").click().run()
    assert not errors_of(at) and not at.error, [e.value for e in at.error]
    with Session(demo_engine) as db:
        assert db.exec(select(CoachingLink.ref_id).where(CoachingLink.kind == "qa_evaluation")
                       .order_by(CoachingLink.id.desc())).first() == first
    assert any("QA Voice call" in m.value for m in at.markdown)


def test_the_team_dashboards_coaching_effect_tab_shows_qa_in_both_languages(demo_engine):
    from tests.utils.apptest import app_as, problems_of

    for language, header in (("en", "QA before"), ("zh-CN", "辅导前质检")):
        at = app_as(demo_engine, "lead", language=language).run()
        at.switch_page("pages/team_dashboard.py").run()
        at.session_state["dash_tab"] = at.tabs[2].label  # the coaching effect
        at.run()
        assert not problems_of(at), problems_of(at)
        assert any(header in frame.value.columns for frame in at.dataframe)
