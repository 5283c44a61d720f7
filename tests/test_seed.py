from sqlmodel import select

from portal.models import Cohort, User, UserRole
from portal.users import teams_led_by
from seed.loader import load_demo


def test_demo_center_has_the_documented_accounts_and_a_cohort_of_nine(demo_session):
    roles = {}
    for username, role in demo_session.exec(select(User.username, UserRole.role).join(UserRole)):
        roles.setdefault(username, set()).add(role)
    assert roles["admin"] == {"admin"} and roles["trainer"] == {"trainer"} and roles["mentor"] == {"mentor"}
    assert roles["lead"] == {"lead"} and roles["newhire"] == {"newhire"} and roles["agent"] == {"agent"}
    assert roles["sun.li"] == {"trainer", "mentor"}
    cohort = demo_session.exec(select(Cohort)).one()
    assert len(demo_session.exec(select(User).where(User.cohort_id == cohort.id)).all()) == 9
    lead = demo_session.exec(select(User).where(User.username == "lead")).one()
    assert len(teams_led_by(demo_session, lead.id)) == 1


def test_loading_twice_changes_nothing(demo_engine):
    assert load_demo(demo_engine) == {}
