"""Self-service password reset by e-mail: one answer for every name, single-use short-lived links, audited."""
import logging
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal import auth, password_reset
from portal.clock import utcnow
from portal.errors import AuthenticationFailed, ValidationFailed
from portal.models import AuditEntry, PasswordResetToken, User
from portal.notifications.mail import SmtpSettings
from portal.security import token_digest
from portal.settings import get_settings
from tests.utils.factories import PASSWORD, make_user, make_user_with_email
from tests.utils.smtp import smtp_server

NEW_PASSWORD = "a brand new phrase 42"


@pytest.fixture
def chen(engine):
    return make_user_with_email(engine, "chen.jie", "Chen.Jie@Example.com")


@pytest.fixture
def smtp():
    """A real SMTP server on loopback (aiosmtpd) and the settings that point at it."""
    with smtp_server() as (port, inbox):
        yield SmtpSettings(host="127.0.0.1", port=port, starttls=False, public_url="https://academy.example"), inbox


@contextmanager
def refused(key_prefix: str):
    """The block raises ValidationFailed with an i18n key starting `key_prefix`."""
    with pytest.raises(ValidationFailed) as caught:
        yield caught
    assert caught.value.key.startswith(key_prefix), caught.value.key


def _token_of(message) -> str:
    return re.search(r"\?reset=([A-Za-z0-9_-]+)", message.get_content()).group(1)


def _audit(engine, action):
    with Session(engine) as session:
        return session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()


def test_a_link_is_mailed_by_username_or_address_and_sets_the_password_once(engine, chen, smtp):
    settings, inbox = smtp
    for typed in ("chen.jie", " CHEN.JIE@example.com "):
        mail = password_reset.request_reset(typed, "en")
        assert mail.address == "Chen.Jie@Example.com"
        assert password_reset.send(mail, settings)
    assert len(inbox.messages) == 2
    first, second = (_token_of(m) for m in inbox.messages)
    assert inbox.messages[1].get_content().count("https://academy.example/?reset=") == 1

    with refused("reset.error.used"):  # asking again spends the earlier link
        password_reset.complete_reset(first, NEW_PASSWORD, NEW_PASSWORD)
    assert password_reset.open_link(second) == "chen.jie"
    assert password_reset.complete_reset(second, NEW_PASSWORD, NEW_PASSWORD) is True
    assert password_reset.complete_reset(second, NEW_PASSWORD, NEW_PASSWORD) is False  # a double click: done already
    with refused("reset.error.used"):
        password_reset.complete_reset(second, "yet another phrase 7", "yet another phrase 7")
    with refused("reset.error.used"):
        password_reset.open_link(second)

    assert auth.sign_in("chen.jie", NEW_PASSWORD).username == "chen.jie"
    with pytest.raises(AuthenticationFailed):
        auth.sign_in("chen.jie", PASSWORD)
    assert [e.target for e in _audit(engine, "password.reset_by_link")] == ["chen.jie"]
    assert [e.details for e in _audit(engine, "password.reset_link_refused")].count('{"reason": "used"}') == 3


def test_the_answer_is_the_same_for_unknown_names_and_addresses_and_nothing_is_sent(engine, chen):
    assert password_reset.request_reset("nobody", "en") is None
    assert password_reset.request_reset("nobody@example.com", "en") is None
    with Session(engine) as session:
        make_user(session, "no.address")  # known, but gave no e-mail address
        session.commit()
    assert password_reset.request_reset("no.address", "en") is None
    with Session(engine) as session:
        assert session.exec(select(PasswordResetToken)).all() == []
    assert [e.target for e in _audit(engine, "password.reset_requested")] == ["nobody", "nobody@example.com",
                                                                              "no.address"]


def test_a_deactivated_account_gets_no_link_and_its_links_stop_working(engine, chen):
    mail = password_reset.request_reset("chen.jie", "en")
    with Session(engine) as session:

        user = session.get(User, chen.id)
        user.active = False
        session.add(user)
        session.commit()
    assert password_reset.request_reset("chen.jie", "en") is None
    with refused("reset.error.invalid"):
        password_reset.complete_reset(mail.token, NEW_PASSWORD, NEW_PASSWORD)


def test_a_link_expires_after_thirty_minutes(engine, chen, monkeypatch):
    mail = password_reset.request_reset("chen.jie", "en")
    later = utcnow() + timedelta(minutes=30, seconds=1)
    monkeypatch.setattr(password_reset, "utcnow", lambda: later)
    with refused("reset.error.expired"):
        password_reset.open_link(mail.token)
    with refused("reset.error.expired"):
        password_reset.complete_reset(mail.token, NEW_PASSWORD, NEW_PASSWORD)
    assert [e.details for e in _audit(engine, "password.reset_link_refused")] == ['{"reason": "expired"}'] * 2
    with pytest.raises(AuthenticationFailed):
        auth.sign_in("chen.jie", NEW_PASSWORD)


def test_an_unknown_link_is_refused_and_audited(engine, chen):
    with refused("reset.error.invalid"):
        password_reset.open_link("made-up-token")
    assert [e.details for e in _audit(engine, "password.reset_link_refused")] == ['{"reason": "invalid"}']


def test_the_new_password_follows_the_policy_and_a_refusal_keeps_the_link(engine, chen):
    mail = password_reset.request_reset("chen.jie", "en")
    with refused("auth.error.passwords_differ"):
        password_reset.complete_reset(mail.token, NEW_PASSWORD, NEW_PASSWORD + "x")
    with refused("auth.error.password_"):
        password_reset.complete_reset(mail.token, "short", "short")
    assert password_reset.complete_reset(mail.token, NEW_PASSWORD, NEW_PASSWORD) is True


def test_only_a_hash_of_the_token_is_stored_and_no_token_reaches_logs_or_audit(engine, chen, smtp, caplog):
    settings, inbox = smtp
    caplog.set_level(logging.DEBUG)
    mail = password_reset.request_reset("chen.jie", "en")
    password_reset.send(mail, settings)
    password_reset.send(mail, SmtpSettings(host="127.0.0.1", port=1, starttls=False))  # refused: logged
    password_reset.complete_reset(mail.token, NEW_PASSWORD, NEW_PASSWORD)
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail.log"))  # not the test server's
    assert "not sent" in ours and mail.token not in ours
    assert mail.token not in repr(mail)
    with Session(engine) as session:
        stored = session.exec(select(PasswordResetToken)).one()
        assert stored.token_hash == token_digest(mail.token) and stored.used_at is not None
        assert all(mail.token not in f"{e.target} {e.details}" for e in session.exec(select(AuditEntry)))


def test_requests_are_throttled_per_name_alike_for_known_and_unknown_names(engine, chen):
    for _ in range(get_settings().lockout_threshold):
        password_reset.request_reset("chen.jie", "en")
        password_reset.request_reset("nobody", "en")
    for name in ("chen.jie", "nobody"):
        with refused("reset.error.throttled") as caught:
            password_reset.request_reset(name, "en")
        assert caught.value.params["seconds"] == 30
    assert len(_audit(engine, "password.reset_throttled")) == 2
    assert auth.sign_in("chen.jie", PASSWORD).username == "chen.jie"  # asking for links never slows a sign-in


def test_the_mail_is_in_the_persons_language(engine, chen):
    with Session(engine) as session:

        user = session.get(User, chen.id)
        user.language = "zh-CN"
        session.add(user)
        session.commit()
    mail = password_reset.request_reset("chen.jie", "en")
    message = password_reset.compose(mail, SmtpSettings(host="x", public_url="https://academy.example"))
    assert message["Subject"] == "设置坐席学院的新密码"
    assert "30 分钟" in message.get_content() and f"https://academy.example/?reset={mail.token}" in message.get_content()
