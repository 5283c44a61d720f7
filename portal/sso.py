"""Single sign-on: an identity vouched for by the center's OpenID Connect provider, matched to a portal user.

Streamlit does the OpenID Connect part (`st.login` / `st.user`, configured in `.streamlit/secrets.toml`
[auth]); this module decides who that identity is here. The claim named by `SSO_MATCH_CLAIM`
(`email`: the address a person gave for notifications; `preferred_username`: the username) names
the portal user. An identity no one matches is refused, unless an administrator turned on "create
accounts on first sign-in" (`set_create_accounts`): then it gets an account with the role agent
only, until an administrator assigns more. A deactivated user is refused like at the login form.
Every outcome is audited as a local sign-in is.
"""
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from portal import audit
from portal.auth import actor_for, committing_refusal
from portal.clock import utcnow
from portal.errors import AuthenticationFailed, ValidationFailed
from portal.models import NotificationPreference, SignInSetting, User
from portal.permissions import permission
from portal.roles import SYSTEM, Actor, Role
from portal.settings import get_settings

FRESH_FOR = timedelta(minutes=10)
"""How recent the provider's sign-in must be to open a portal session by itself. Streamlit keeps the
identity cookie for 30 days; without this, an idle-expired portal session would reopen silently."""


@dataclass(frozen=True)
class Identity:
    """What the provider said about the person: the claim we match on and a name for a new account."""

    subject: str
    match_value: str
    name: str
    email: str | None
    issued_at: datetime | None

    def is_fresh(self, now: datetime) -> bool:
        return self.issued_at is not None and now - self.issued_at <= FRESH_FOR


def match_claim() -> str:
    return get_settings().sso_match_claim


def identity_from_claims(claims: Mapping, claim: str | None = None) -> Identity | None:
    """The identity in `st.user`'s claims, or None when the matching claim is missing."""
    value = str(claims.get(claim or match_claim()) or "").strip().lower()
    if not value:
        return None
    issued = claims.get("iat") if isinstance(claims.get("iat"), int | float) else None
    email = str(claims.get("email") or "").strip().lower() or None
    return Identity(subject=str(claims.get("sub") or ""), match_value=value,
                    name=str(claims.get("name") or claims.get("preferred_username") or value).strip(),
                    email=email, issued_at=datetime.fromtimestamp(issued, tz=UTC) if issued else None)


def find_user(session: Session, identity: Identity, claim: str | None = None) -> User | None:
    """The portal user the identity names, by e-mail address (case-insensitive) or username."""
    if (claim or match_claim()) == "preferred_username":
        return session.exec(select(User).where(User.username == identity.match_value)).first()
    matches = session.exec(select(User).join(NotificationPreference, NotificationPreference.user_id == User.id)
                           .where(func.lower(NotificationPreference.email) == identity.match_value)).all()
    return matches[0] if len(matches) == 1 else None  # an address two people gave names no one


def sign_in(identity: Identity, engine: Engine | None = None) -> Actor:
    """The portal actor for a provider-vouched identity; AuthenticationFailed when refused (the
    refusal is audited: it commits before the error is raised)."""
    return committing_refusal(lambda session: sign_in_with_identity(session, identity), engine)


def sign_in_with_identity(session: Session, identity: Identity) -> Actor:
    """The portal actor for a provider-vouched identity; raise AuthenticationFailed when refused.

    The refusal is recorded in `session` before raising: commit it (or call `sign_in`)."""
    claim = match_claim()
    user = find_user(session, identity, claim)
    if user is None and _setting(session).sso_create_accounts:
        user = _create_account(session, identity, claim)
    if user is None:
        _refuse(session, identity, "unknown", "sso.error.unknown_identity")
    if not user.active:
        _refuse(session, identity, "deactivated", "sso.error.deactivated")
    audit.record(session, actor_id=user.id, action="login.succeeded", target=user.username, method="sso")
    return actor_for(session, user)


def _setting(session: Session) -> SignInSetting:
    return session.get(SignInSetting, 1) or SignInSetting()


@dataclass(frozen=True)
class SignInSettings:
    """What the administrator's sign-in page shows: the decision, and what the environment fixes."""

    create_accounts: bool
    match_claim: str


@permission("users:manage")
def sign_in_settings(session: Session, actor: Actor) -> SignInSettings:
    return SignInSettings(create_accounts=_setting(session).sso_create_accounts, match_claim=match_claim())


@permission("users:manage")
def set_create_accounts(session: Session, actor: Actor, on: bool) -> bool:
    """Turn "create accounts on first sign-in" on or off; False when it already was so (nothing written)."""
    setting = session.get(SignInSetting, 1, with_for_update=True) or SignInSetting(id=1)
    if setting.sso_create_accounts == on:
        return False
    setting.sso_create_accounts = on
    setting.updated_at = utcnow()
    setting.updated_by = actor.id
    session.add(setting)
    audit.record(session, actor_id=actor.id, action="user.sso_create_accounts_set", on=on)
    return True


def _refuse(session: Session, identity: Identity, reason: str, key: str):
    audit.record(session, actor_id=None, action="login.failed", target=identity.match_value[:64], method="sso",
                 reason=reason)
    raise AuthenticationFailed(key, identity=identity.match_value)


def _create_account(session: Session, identity: Identity, claim: str) -> User | None:
    """A new agent account for `identity`, or None when no valid, free username follows from it."""
    from portal.users import NewUser, create_user  # here: portal.users loads pandas, the login page need not

    username = identity.match_value if claim == "preferred_username" else identity.match_value.split("@")[0]
    try:
        user = create_user(session, SYSTEM, NewUser(
            username=username, display_name=identity.name[:120] or username, roles=(Role.AGENT,),
            password=secrets.token_urlsafe(24)))  # never told to anyone: this person signs in through the provider
    except ValidationFailed:
        return None
    if identity.email:
        session.add(NotificationPreference(user_id=user.id, email=identity.email))
    session.flush()
    return user
