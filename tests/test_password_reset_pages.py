"""The login page's "Forgot password?": shown only with SMTP, one answer for every name, the link's form."""
import pytest
from sqlmodel import Session

from portal import auth, password_reset
from portal.models import NotificationPreference
from tests.utils.apptest import app_as, errors_of

SENT = ("If this names an account with an e-mail address, a link to set a new password is on its way there. "
        "It works once, for 30 minutes.")


@pytest.fixture
def mailed(demo_engine, monkeypatch):
    """SMTP configured; the mails the page would send, caught instead of sent."""
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    with Session(demo_engine) as session:
        session.add(NotificationPreference(user_id=auth.find_user(session, "agent").id, email="agent@example.com"))
        session.commit()
    sent = []
    monkeypatch.setattr(password_reset, "send", lambda mail, settings: sent.append(mail))
    return sent


def _ask(at, typed):
    at.button(key="forgot_password").click().run()
    at.text_input[2].input(typed)
    at.button[-1].click().run()
    return at


def test_without_smtp_there_is_no_forgot_password(demo_engine, monkeypatch):
    monkeypatch.delenv("SMTP_HOST", raising=False)
    at = app_as(demo_engine, None).run()
    assert not [b for b in at.button if b.key == "forgot_password"]
    assert "Forgot your password? Ask an administrator to reset it." in [c.value for c in at.caption]


def test_the_same_answer_for_a_real_and_an_unknown_name(demo_engine, mailed):
    for typed in ("agent", "no-such-person"):
        at = _ask(app_as(demo_engine, None).run(), typed)
        assert not errors_of(at) and [s.value for s in at.success] == [SENT]
    assert [m.address for m in mailed] == ["agent@example.com"]


def test_an_empty_request_is_refused_beside_the_form(demo_engine, mailed):
    at = _ask(app_as(demo_engine, None).run(), "  ")
    assert [e.value for e in at.error] == ["Enter your username or e-mail address."] and not mailed


def test_the_link_opens_the_new_password_form_and_a_bad_link_says_so(demo_engine, mailed):
    mail = password_reset.request_reset("agent", "en")
    at = app_as(demo_engine, None)
    at.query_params["reset"] = mail.token
    at.run()
    assert "Set a new password" in [h.value for h in at.subheader]
    assert [t.label for t in at.text_input] == ["New password", "New password again"]

    at = app_as(demo_engine, None, language="zh-CN")
    at.query_params["reset"] = "not-a-token"
    at.run()
    assert [e.value for e in at.error] == ["此密码链接无效。你可以在下方重新申请。"]
    assert [t.label for t in at.text_input] == ["用户名", "密码"]  # and the way to ask for a new one
