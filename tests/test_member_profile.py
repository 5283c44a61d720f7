"""A lead opens a team member's profile, a mentor a mentee's (on SQLite and PostgreSQL): who is refused,
what they see (badges, not the certificates they may not download), and which links the lists offer."""
from datetime import date

import pytest

from portal import permissions, users
from portal.certificates.issue import issue_certificate
from portal.errors import NotFound, PermissionDenied
from portal.recognition import badges, profile
from portal.roles import SYSTEM, Role
from tests.utils.factories import make_team, make_user


@pytest.fixture
def center(session):
    """Team A (lead_a; the agent, a colleague, a mentee of `mentor`), team B (lead_b; other, other_mentee)."""
    a, b = make_team(session, "Mobile A"), make_team(session, "Broadband B")
    people = dict(admin=make_user(session, "ad.min", Role.ADMIN), trainer=make_user(session, "trai.ner", Role.TRAINER),
                  lead_a=make_user(session, "lead.a", Role.LEAD), lead_b=make_user(session, "lead.b", Role.LEAD),
                  mentor=make_user(session, "men.tor", Role.MENTOR, team_id=a.id),
                  other_mentor=make_user(session, "oth.mentor", Role.MENTOR, team_id=b.id),
                  qa=make_user(session, "q.a", Role.QA),
                  agent=make_user(session, "ag.ent", Role.AGENT, team_id=a.id),
                  colleague=make_user(session, "col.league", Role.AGENT, team_id=a.id),
                  other=make_user(session, "oth.er", Role.AGENT, team_id=b.id))
    people["mentee"] = make_user(session, "men.tee", Role.NEWHIRE, team_id=a.id, mentor_id=people["mentor"].id)
    people["other_mentee"] = make_user(session, "oth.mentee", Role.NEWHIRE, team_id=b.id,
                                       mentor_id=people["other_mentor"].id)
    users.set_team_leads(session, SYSTEM, a.id, [people["lead_a"].id])
    users.set_team_leads(session, SYSTEM, b.id, [people["lead_b"].id])
    for who in ("agent", "mentee"):
        badges.award_badge(session, people[who].id, badges.THANKS_10, source_key="thanks:10")
        issue_certificate(session, people[who].id, "onboarding", title_en="Onboarding", title_zh="入职培训",
                          achieved_on=date(2026, 11, 2), source_key=f"onboarding:{who}")
    session.flush()
    return people


def test_the_lead_opens_a_team_members_profile_and_sees_the_badges_not_the_certificates(session, center):
    seen = profile.profile(session, center["lead_a"], center["agent"].id)
    assert seen.name == "Ag.Ent" and [b.code for b in seen.badges] == ["thanks_10"]
    assert seen.certificates is None and seen.own is False  # only the holder and admins download certificates


def test_the_mentor_opens_a_mentees_profile(session, center):
    seen = profile.profile(session, center["mentor"], center["mentee"].id)
    assert [b.code for b in seen.badges] == ["thanks_10"] and seen.certificates is None


def test_the_lead_and_the_mentor_still_open_their_own_profile(session, center):
    for who in ("lead_a", "mentor"):
        mine = profile.profile(session, center[who], center[who].id)
        assert mine.own and mine.badges == [] and mine.certificates == []


def test_the_holder_and_an_admin_see_the_certificates(session, center):
    mine = profile.profile(session, center["agent"], center["agent"].id)
    assert mine.own and [c.title_en for c in mine.certificates] == ["Onboarding"]
    seen = profile.profile(session, center["admin"], center["agent"].id)
    assert not seen.own and [c.title_en for c in seen.certificates] == ["Onboarding"]


@pytest.mark.parametrize("viewer, subject", [
    ("lead_b", "agent"),  # the lead of another team
    ("lead_a", "other"),
    ("other_mentor", "mentee"),  # the mentor of other new hires
    ("mentor", "agent"),  # a mentor reaches their mentees only, not the team they sit in
    ("colleague", "agent"),  # an agent looking at a colleague
    ("mentee", "agent"),
    ("trainer", "agent"),
    ("qa", "mentee"),
])
def test_the_wrong_people_are_refused_with_a_reason(session, center, viewer, subject):
    with pytest.raises(PermissionDenied) as refused:
        profile.profile(session, center[viewer], center[subject].id)
    assert refused.value.key == "memberprofile.error.not_yours"


def test_someone_who_does_not_exist_is_refused_like_an_outsider_and_not_found_for_an_admin(session, center):
    with pytest.raises(PermissionDenied) as refused:
        profile.profile(session, center["lead_a"], 10 ** 8)
    assert refused.value.key == "memberprofile.error.not_yours"
    with pytest.raises(NotFound):
        profile.profile(session, center["admin"], 10 ** 8)


def test_the_lists_link_only_the_profiles_the_viewer_may_open(session, center):
    ids = {name: person.id for name, person in center.items()}
    everyone = ids.values()
    named = {name for name, i in ids.items() if i in profile.profiles_open_to(session, center["lead_a"], everyone)}
    assert named == {"lead_a", "agent", "colleague", "mentee", "mentor"}  # the mentor sits in team A
    named = {name for name, i in ids.items() if i in profile.profiles_open_to(session, center["mentor"], everyone)}
    assert named == {"mentor", "mentee"}
    assert profile.profiles_open_to(session, center["trainer"], [ids["agent"]]) == set()
    assert profile.profiles_open_to(session, center["admin"], everyone) == set(everyone)
    assert profile.profiles_open_to(session, center["lead_a"], []) == set()


def test_the_table_says_own_and_teams_led_in_one_cell():
    rows = [row for row in permissions.markdown().splitlines() if row.startswith("| `recognition:profile`")]
    assert rows == ["| `recognition:profile` | everyone | own | own, mentees | own, teams led | own | own | own |"]
