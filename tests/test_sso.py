"""Single sign-on: a provider-vouched identity becomes a portal user by the configured claim, or is refused."""
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal import sso
from portal.clock import utcnow
from portal.errors import AuthenticationFailed, PermissionDenied
from portal.models import AuditEntry, NotificationPreference, User
from portal.roles import Role
from portal.settings import get_settings
from tests.utils.factories import make_user, make_user_with_email


def claims(**extra):
    return {"sub": "idp-123", "iat": int(utcnow().timestamp()), "is_logged_in": True, **extra}


@pytest.fixture
def chen(engine):
    return make_user_with_email(engine, "chen.jie", "Chen.Jie@Example.com")


@pytest.fixture
def create_accounts(engine):
    """The administrator turned on "create accounts on first sign-in"."""
    with Session(engine) as session:
        assert sso.set_create_accounts(session, make_user(session, "boss", Role.ADMIN), True) is True
        session.commit()


@pytest.fixture
def setting(monkeypatch):
    def set_(name, value):
        monkeypatch.setenv(name, value)
        get_settings.cache_clear()
    yield set_
    get_settings.cache_clear()


def _audit(engine):
    with Session(engine) as session:
        return [(e.action, e.target, e.details) for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))
                if e.action.startswith("login.")]


def _refusal(identity) -> str:
    with pytest.raises(AuthenticationFailed) as refused:
        sso.sign_in(identity)
    return refused.value.key


def test_the_email_claim_names_the_person_who_gave_that_address(engine, chen):
    actor = sso.sign_in(sso.identity_from_claims(claims(email="chen.jie@EXAMPLE.com", name="Chen Jie")))
    assert (actor.id, actor.username) == (chen.id, "chen.jie")
    assert _audit(engine) == [("login.succeeded", "chen.jie", '{"method": "sso"}')]


def test_preferred_username_names_the_user_when_so_configured(engine, chen, setting):
    setting("SSO_MATCH_CLAIM", "preferred_username")
    assert sso.sign_in(sso.identity_from_claims(claims(preferred_username="Chen.Jie"))).id == chen.id
    assert sso.identity_from_claims(claims(email="chen.jie@example.com")) is None  # no such claim: nobody


def test_an_unknown_identity_is_refused_and_audited(engine, chen):
    assert _refusal(sso.identity_from_claims(claims(email="stranger@example.com"))) == "sso.error.unknown_identity"
    assert _audit(engine) == [("login.failed", "stranger@example.com",
                               '{"method": "sso", "reason": "unknown"}')]
    with Session(engine) as session:
        assert session.exec(select(User).where(User.username == "stranger")).first() is None


def test_a_deactivated_user_is_refused(engine, chen):
    with Session(engine) as session:
        user = session.get(User, chen.id)
        user.active = False
        session.add(user)
        session.commit()
    assert _refusal(sso.identity_from_claims(claims(email="chen.jie@example.com"))) == "sso.error.deactivated"
    assert _audit(engine)[-1][0] == "login.failed"


def test_an_address_two_people_gave_names_no_one(engine, chen):
    with Session(engine) as session:
        other = make_user(session, "chen.jie2")
        session.add(NotificationPreference(user_id=other.id, email="chen.jie@example.com"))
        session.commit()
    assert _refusal(sso.identity_from_claims(claims(email="chen.jie@example.com"))) == "sso.error.unknown_identity"


def test_first_sign_in_creates_an_agent_account_when_the_admin_allows_it(engine, chen, create_accounts):
    actor = sso.sign_in(sso.identity_from_claims(claims(email="Li.Na@example.com", name="李娜")))
    assert actor.username == "li.na" and actor.roles == frozenset({Role.AGENT}) and actor.display_name == "李娜"
    again = sso.sign_in(sso.identity_from_claims(claims(email="li.na@example.com", name="李娜")))
    assert again.id == actor.id  # the second sign-in finds the account by its address
    with Session(engine) as session:
        assert session.get(NotificationPreference, actor.id).email == "li.na@example.com"
        assert session.exec(select(AuditEntry.action).where(AuditEntry.target == "li.na")).all() == [
            "user.created", "login.succeeded", "login.succeeded"]


def test_first_sign_in_refuses_when_the_username_it_would_take_is_someone_elses(engine, chen, create_accounts):
    identity = sso.identity_from_claims(claims(email="chen.jie@other.example"))
    assert _refusal(identity) == "sso.error.unknown_identity"


def test_only_a_recent_provider_sign_in_opens_a_session_by_itself():
    now = utcnow()
    fresh = sso.identity_from_claims(claims(email="a@example.com"), "email")
    assert fresh.is_fresh(now)
    assert not fresh.is_fresh(now + sso.FRESH_FOR + timedelta(seconds=1))
    assert not sso.identity_from_claims({"email": "a@example.com"}, "email").is_fresh(now)  # no iat: not vouched now


def test_only_an_administrator_turns_account_creation_on_and_it_is_audited(engine, chen):
    with Session(engine) as session:
        admin = make_user(session, "boss", Role.ADMIN)
        for role in (Role.LEAD, Role.TRAINER, Role.AGENT):
            with pytest.raises(PermissionDenied):
                sso.set_create_accounts(session, make_user(session, f"not.{role.value}", role), True)
        assert sso.sign_in_settings(session, admin) == sso.SignInSettings(create_accounts=False, match_claim="email")
        assert sso.set_create_accounts(session, admin, True) is True
        assert sso.set_create_accounts(session, admin, True) is False  # a double click writes nothing more
        assert sso.sign_in_settings(session, admin).create_accounts is True
        session.commit()
        assert session.exec(select(AuditEntry.details).where(
            AuditEntry.action == "user.sso_create_accounts_set")).all() == ['{"on": true}']
