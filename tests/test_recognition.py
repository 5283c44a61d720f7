"""Recognition through its services, on SQLite and PostgreSQL: thanks and the wall, counts per team,
compliments, nominations and the service star, badges, and graduation's badge and certificate."""
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import func, select

from portal import users
from portal.users import PEOPLE_SHOWN
from portal.clock import utcnow
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import Badge, Certificate, Notification, StarNomination, Thanks
from portal.recognition import badges, profile, stars, thanks
from portal.roles import SYSTEM, Role
from tests.test_onboarding import (ALL_MET, TODAY, journey_of, log_shadowing, pass_stage,  # noqa: F401
                                   take_calls, world)
from tests.utils.factories import make_team, make_user
from tests.utils.qa_factories import make_call, make_evaluation, make_scorecard

KEY = "k" * 24
MONTH = date(2026, 11, 1)
IN_MONTH = datetime(2026, 11, 10, 3, tzinfo=UTC)
NOV_20 = date(2026, 11, 20)


@pytest.fixture
def center(session):
    a, b = make_team(session, "Mobile A"), make_team(session, "Broadband B")
    people = dict(
        admin=make_user(session, "ad.min", Role.ADMIN), lead_a=make_user(session, "lead.a", Role.LEAD),
        lead_b=make_user(session, "lead.b", Role.LEAD), qa=make_user(session, "q.a", Role.QA),
        agent=make_user(session, "ag.ent", Role.AGENT, team_id=a.id),
        colleague=make_user(session, "col.league", Role.AGENT, team_id=a.id),
        other=make_user(session, "oth.er", Role.AGENT, team_id=b.id))
    users.set_team_leads(session, SYSTEM, a.id, [people["lead_a"].id])
    users.set_team_leads(session, SYSTEM, b.id, [people["lead_b"].id])
    session.flush()
    return people, a, b


def count(session, table, *where) -> int:
    return session.exec(select(func.count()).select_from(table).where(*where)).one()


# --- thanks -----------------------------------------------------------------------------------------

def test_thanks_in_chinese_reach_the_wall_and_the_inbox_once_per_submission(session, center):
    people, _, _ = center
    agent, colleague = people["agent"], people["colleague"]
    message = "谢谢你昨天帮我处理那位投诉的客户，学到了很多！"
    first = thanks.thank(session, agent, colleague.id, f"  {message}  ", submission_key=KEY)
    again = thanks.thank(session, agent, colleague.id, message, submission_key=KEY)  # a double click
    assert again.id == first.id and count(session, Thanks) == 1
    wall = thanks.wall(session, people["other"])
    assert wall.total == 1 and [(e.from_name, e.to_name, e.message) for e in wall.rows] == [
        ("Ag.Ent", "Col.League", message)]
    told = session.exec(select(Notification).where(Notification.user_id == colleague.id)).all()
    assert [n.kind for n in told] == ["recognition_thanks"]


def test_a_message_longer_than_280_characters_is_refused_and_280_chinese_characters_pass(session, center):
    people, _, _ = center
    with pytest.raises(ValidationFailed) as caught:
        thanks.thank(session, people["agent"], people["colleague"].id, "好" * 281)
    assert caught.value.key == "recognition.error.message_too_long" and caught.value.params["length"] == 281
    thanks.thank(session, people["agent"], people["colleague"].id, "好" * 280)
    for empty in ("", "   "):
        with pytest.raises(ValidationFailed) as caught:
            thanks.thank(session, people["agent"], people["colleague"].id, empty)
        assert caught.value.key == "recognition.error.message_required"
    with pytest.raises(ValidationFailed) as caught:
        thanks.thank(session, people["agent"], None, "Thanks!")
    assert caught.value.key == "recognition.error.colleague_required"


def test_nobody_thanks_themselves(session, center):
    people, _, _ = center
    with pytest.raises(PermissionDenied):
        thanks.thank(session, people["agent"], people["agent"].id, "Well done me")
    assert all(c.id != people["agent"].id for c in thanks.colleagues(session, people["agent"]))


def test_the_colleague_picker_lists_ones_team_and_finds_anyone_by_name_a_page_at_most(session, center):
    """Issue 15: the picker held every active person of the center (11,070 at 5x) on every run of the page."""
    people, a, _ = center
    agent = people["agent"]
    assert [c.id for c in thanks.colleagues(session, agent)] == [people["colleague"].id]
    assert [c.id for c in thanks.colleagues(session, agent, " OTH ")] == [people["other"].id]
    assert thanks.colleagues(session, agent, "ag.ent") == []  # never oneself
    assert thanks.colleagues(session, people["lead_a"]) == []  # no team of one's own: a name is typed
    for n in range(PEOPLE_SHOWN + 5):
        make_user(session, f"many{n:02d}", Role.AGENT, team_id=a.id)
    session.flush()
    assert len(thanks.colleagues(session, agent)) == PEOPLE_SHOWN
    assert len(thanks.colleagues(session, people["other"], "many")) == PEOPLE_SHOWN


def test_qa_finds_any_agent_for_a_compliment_by_typing_a_page_at_most(session, center):
    people, a, _ = center
    assert [name for _, name in stars.complimentable(session, people["qa"], "oth")] == [people["other"].display_name]
    for n in range(PEOPLE_SHOWN + 5):
        make_user(session, f"many{n:02d}", Role.AGENT, team_id=a.id)
    session.flush()
    assert len(stars.complimentable(session, people["qa"])) == PEOPLE_SHOWN
    assert stars.complimentable(session, people["lead_b"], "many") == []  # a lead: their own teams only


def test_the_wall_shows_the_last_four_weeks_only(session, center):
    people, _, _ = center
    old = thanks.thank(session, people["agent"], people["colleague"].id, "Old news", now=utcnow() - timedelta(weeks=5))
    thanks.thank(session, people["agent"], people["colleague"].id, "Fresh")
    assert [e.message for e in thanks.wall(session, people["agent"]).rows] == ["Fresh"]
    assert old.id is not None


def test_a_lead_sees_counts_for_the_teams_they_lead_only_never_people(session, center):
    people, a, b = center
    thanks.thank(session, people["agent"], people["colleague"].id, "Thanks")
    thanks.thank(session, people["other"], people["agent"].id, "Thanks from B")
    counts = thanks.team_counts(session, people["lead_a"])
    assert [(c.team_name, c.received, c.given) for c in counts] == [("Mobile A", 2, 1)]
    assert {c.team_name for c in thanks.team_counts(session, people["admin"])} == {"Mobile A", "Broadband B"}
    assert set(vars(counts[0])) == {"team_id", "team_name", "received", "given"}  # no person anywhere
    with pytest.raises(PermissionDenied):
        thanks.team_counts(session, people["agent"])


def test_ten_thanks_received_earn_the_badge_once(session, center):
    people, _, _ = center
    for i in range(11):
        thanks.thank(session, people["agent"] if i % 2 else people["other"], people["colleague"].id, f"Thanks {i}")
    held = badges.badges_of(session, people["colleague"].id)
    assert [b.code for b in held] == [badges.THANKS_10]


# --- badges -------------------------------------------------------------------------------------------

def test_award_badge_is_idempotent_by_person_code_and_source(session, center):
    people, _, _ = center
    agent = people["agent"].id
    assert badges.award_badge(session, agent, badges.CONTEST_WINNER, source_key="contest:1") is True
    assert badges.award_badge(session, agent, badges.CONTEST_WINNER, source_key="contest:1") is False
    assert badges.award_badge(session, agent, badges.CONTEST_WINNER, source_key="contest:2") is True
    assert count(session, Badge, Badge.user_id == agent) == 2
    with pytest.raises(ValueError):
        badges.award_badge(session, agent, "made_up", source_key="x")


def test_a_profile_is_its_owners_its_teams_lead_and_an_admins(session, center):
    people, _, _ = center
    badges.award_badge(session, people["agent"].id, badges.THANKS_10, source_key="thanks:10")
    assert [b.code for b in profile.profile(session, people["agent"], people["agent"].id).badges] == ["thanks_10"]
    assert [b.code for b in profile.profile(session, people["admin"], people["agent"].id).badges] == ["thanks_10"]
    assert profile.profile(session, people["lead_a"], people["lead_a"].id).badges == []
    assert [b.code for b in profile.profile(session, people["lead_a"], people["agent"].id).badges] == ["thanks_10"]
    for outsider in ("lead_b", "colleague", "qa"):
        with pytest.raises(PermissionDenied):
            profile.profile(session, people[outsider], people["agent"].id)


# --- compliments, nominations and the star ------------------------------------------------------------

def test_a_compliment_is_recorded_against_the_agents_own_call_once(session, center):
    people, _, _ = center
    call = make_call(session, people["agent"].id)
    other_call = make_call(session, people["other"].id)
    first = stars.record_compliment(session, people["qa"], people["agent"].id, "客户表扬：耐心细致", call_ref=call.external_id,
                                    received_on=NOV_20, submission_key=KEY)
    again = stars.record_compliment(session, people["qa"], people["agent"].id, "客户表扬：耐心细致",
                                    call_ref=call.external_id, received_on=NOV_20, submission_key=KEY)
    assert first.id == again.id and first.call_id == call.id
    with pytest.raises(ValidationFailed) as caught:
        stars.record_compliment(session, people["qa"], people["agent"].id, "Kind", call_ref=other_call.external_id)
    assert caught.value.key == "recognition.error.call_not_agents"
    with pytest.raises(PermissionDenied):  # a lead of another team
        stars.record_compliment(session, people["lead_b"], people["agent"].id, "Kind")


def test_a_lead_nominates_from_the_months_evidence_and_only_their_own_members(session, center):
    people, _, _ = center
    version = make_scorecard(session)
    make_evaluation(session, version, people["agent"].id, people["qa"].id, {"greet": 2, "verify": 2, "offer": None},
                    IN_MONTH)
    stars.record_compliment(session, people["qa"], people["agent"].id, "Lovely", received_on=NOV_20)
    found = stars.candidates(session, people["lead_a"], MONTH, today=NOV_20)
    assert [c.name for c in found] == ["Ag.Ent", "Col.League"]
    assert found[0].qa_percent == 100.0 and found[0].qa_count == 1 and found[0].compliments == 1
    assert found[1].qa_percent is None
    row = stars.nominate(session, people["lead_a"], people["agent"].id, MONTH, "Calm with angry callers",
                         today=NOV_20)
    again = stars.nominate(session, people["lead_a"], people["agent"].id, MONTH, "Calm and kind", today=NOV_20)
    assert again.id == row.id and again.reason == "Calm and kind" and row.qa_percent == 100.0
    assert count(session, StarNomination) == 1
    with pytest.raises(PermissionDenied):  # the lead of another team cannot nominate a non-member
        stars.nominate(session, people["lead_b"], people["agent"].id, MONTH, "Great", today=NOV_20)
    with pytest.raises(PermissionDenied):
        stars.nominate(session, people["agent"], people["colleague"].id, MONTH, "Great", today=NOV_20)
    with pytest.raises(ValidationFailed) as caught:  # a month long gone
        stars.nominate(session, people["lead_a"], people["agent"].id, date(2026, 8, 1), "Great", today=NOV_20)
    assert caught.value.key == "recognition.error.month_closed"


def test_an_admin_confirms_one_star_a_month_and_everyone_sees_it(session, center):
    people, _, _ = center
    first = stars.nominate(session, people["lead_a"], people["agent"].id, MONTH, "Calm", today=NOV_20)
    second = stars.nominate(session, people["lead_b"], people["other"].id, MONTH, "Quick", today=NOV_20)
    assert [n.name for n in stars.nominations(session, people["admin"], MONTH)] == ["Ag.Ent", "Oth.Er"]
    for not_admin in ("agent", "lead_a", "qa"):
        with pytest.raises(PermissionDenied):  # an agent (or a lead) cannot confirm
            stars.confirm_star(session, people[not_admin], first.id)
    stars.confirm_star(session, people["admin"], first.id)
    stars.confirm_star(session, people["admin"], first.id)  # a double click: no change
    with pytest.raises(ValidationFailed) as caught:
        stars.confirm_star(session, people["admin"], second.id)
    assert caught.value.key == "recognition.error.star_already_confirmed"
    for viewer in ("other", "qa", "lead_b"):  # this month and through the next
        for day in (NOV_20, date(2026, 12, 15)):
            star = stars.current_star(session, people[viewer], today=day)
            assert star.name == "Ag.Ent" and star.month == MONTH and star.reason == "Calm"
    assert stars.current_star(session, people["other"], today=date(2027, 1, 3)) is None
    told = session.exec(select(Notification.kind).where(Notification.user_id == people["agent"].id)).all()
    assert told == ["recognition_star"]


# --- graduation -----------------------------------------------------------------------------------------

def test_graduating_onboarding_earns_the_badge_and_a_certificate(session, world):  # noqa: F811
    for key in ("theory", "product", "systems_skills"):
        pass_stage(session, world, key)
    log_shadowing(session, world.newhire, 30)
    from portal import onboarding

    onboarding.sign_off(session, world.mentor, world.newhire.id, "shadowing", "passed", today=TODAY)
    assert count(session, Certificate) == 0
    take_calls(session, world, "P" * 20)
    onboarding.sign_off(session, world.mentor, world.newhire.id, "supervised_calls", "passed", today=TODAY)
    mine = profile.profile(session, world.newhire, world.newhire.id)
    assert [b.code for b in mine.badges] == [badges.GRADUATED]
    [certificate] = mine.certificates
    assert certificate.kind == "onboarding" and certificate.achieved_on == TODAY
    assert certificate.expires_on == date(2028, 10, 21) and certificate.code.startswith("AA-")


def test_three_whole_months_without_a_critical_miss_earn_the_qa_badge_once(session, center):
    from portal.recognition import milestones

    people, _, _ = center
    version = make_scorecard(session)
    clean, missed = {"greet": 2, "verify": 2, "offer": None}, {"greet": 2, "verify": 0, "offer": None}
    for month in (9, 10, 11):
        at = datetime(2026, month, 12, 3, tzinfo=UTC)
        make_evaluation(session, version, people["agent"].id, people["qa"].id, clean, at)
        make_evaluation(session, version, people["other"].id, people["qa"].id, missed if month == 10 else clean, at)
    make_evaluation(session, version, people["colleague"].id, people["qa"].id, clean, datetime(2026, 11, 3, tzinfo=UTC))
    assert milestones.streak_months(date(2026, 12, 3)) == [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    assert milestones.sweep(session, date(2026, 12, 3)) == 1
    assert milestones.sweep(session, date(2026, 12, 20)) == 0
    awarded = session.exec(select(Badge.user_id, Badge.source_key).where(Badge.code == badges.QA_CLEAN_QUARTER)).all()
    assert awarded == [(people["agent"].id, "qa:2026-11")]  # not the one with a critical miss, nor one month only
