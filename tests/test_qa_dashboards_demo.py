"""The demo's QA story is there after seeding: feng.jun misses verification, is coached, improves."""
from sqlmodel import select

from portal import auth
from portal.models import (
    CoachingLink,
    CoachingSession,
    QaCalibration,
    QaDispute,
    QaDisputeItem,
    QaEvaluation,
    User,
)
from portal.qa import dashboards, focus
from portal.qa.sampling import month_of
from seed.qa_calls import PAST_MONTHS, demo_months


def actor(session, username):
    return auth.actor_for(session, auth.find_user(session, username))


def test_feng_jun_misses_verification_is_coached_and_improves(demo_session):
    lead = actor(demo_session, "lead")
    months = [month_of(day) for day in demo_months(_today())[:PAST_MONTHS]]
    team_id = demo_session.exec(select(User.team_id).where(User.username == "feng.jun")).one()
    trend = dashboards.agent_trend(demo_session, lead, team_id, months)
    feng = trend[trend["agent"].str.startswith("Feng Jun")].set_index("month")
    assert feng["evaluations"].tolist() == [4, 4, 4]
    assert feng.loc[months[2], "mean_score"] > max(feng.loc[months[0], "mean_score"], feng.loc[months[1], "mean_score"])
    failures = dashboards.item_failures(demo_session, lead, team_id, months)
    verify = failures[failures["item_id"] == "verify-before-details"].set_index("month")
    assert verify.loc[months[0], "failed"] == verify.loc[months[1], "failed"] == 3  # all feng.jun's
    assert verify.loc[months[2], "failed"] == 0
    coached = demo_session.exec(select(CoachingSession).join(User, User.id == CoachingSession.agent_id)
                                .where(User.username == "feng.jun", CoachingSession.focus_area == "verification")
                                .order_by(CoachingSession.held_on.desc())).first()
    linked = demo_session.exec(select(QaEvaluation).join(CoachingLink, CoachingLink.ref_id == QaEvaluation.id)
                               .where(CoachingLink.session_id == coached.id,
                                      CoachingLink.kind == "qa_evaluation")).all()
    assert len(linked) == 6 and all(e.critical_missed == "verify-before-details" for e in linked)
    assert coached.held_on.strftime("%Y-%m") == months[2]


def test_an_open_dispute_a_calibration_and_this_months_focus(demo_session):
    dispute = demo_session.exec(select(QaDispute).where(QaDispute.status == "open")).one()
    assert demo_session.get(User, dispute.raised_by).username == "tang.mei"
    assert [i.item_id for i in demo_session.exec(select(QaDisputeItem)
                                                 .where(QaDisputeItem.dispute_id == dispute.id))] == ["at-most-two-offers"]
    calibration = demo_session.exec(select(QaCalibration)).one()
    scores = demo_session.exec(select(QaEvaluation).where(QaEvaluation.calibration_id == calibration.id)).all()
    assert len(scores) == 3 and len({e.percent for e in scores}) == 3  # they disagree (on verification)
    qa = actor(demo_session, "qa")
    items = focus.focus_items(demo_session, qa, month_of(_today()))
    assert [(i.title_en, i.title_zh) for i in items] == [("Verification before details", "核实身份后再谈业务"),
                                                         ("At most two offers", "营销不超过两次")]
    assert all(i.published_at is not None for i in items)


def _today():
    from portal.clock import today

    return today()
