"""The inbox, reminders before things are late, and e-mail digests sent once through a real SMTP server."""
import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal import auth, notifications
from portal.cli import main as cli
from portal.clock import local_today
from portal.errors import ValidationFailed
from portal.i18n import Translator
from portal.models import Notification
from portal.notifications.mail import SmtpSettings, page_url, send_pending, smtp_settings
from portal.notifications.reminders import reminder_stage, sweep

from portal.wellbeing import CheckIn, check_in
from tests.utils.smtp import smtp_server as real_smtp_server

KEY = "notify-test-key-0001"


def _actor(session, username):
    return auth.actor_for(session, auth.find_user(session, username))


def _messages(session, username):
    user = auth.find_user(session, username)
    return session.exec(select(Notification).where(Notification.user_id == user.id)
                        .order_by(Notification.id)).all()


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (aiosmtpd), collecting what it receives."""
    with real_smtp_server() as server:
        yield server


def test_reminder_stages():
    today = date(2026, 12, 3)
    assert reminder_stage(today + timedelta(days=5), today) is None
    assert reminder_stage(today + timedelta(days=3), today) == "soon"
    assert reminder_stage(today + timedelta(days=1), today) == "tomorrow"
    assert reminder_stage(today, today) == "tomorrow"
    assert reminder_stage(today - timedelta(days=1), today) == "overdue"


def test_the_sweep_reminds_once_in_the_persons_language_with_a_link(demo_session):
    first = sweep(demo_session)
    demo_session.commit()
    assert first.added.get("reminder_overdue") and first.added.get("exam_open")
    assert sum(sweep(demo_session).added.values()) == 0  # idempotent
    mine = _messages(demo_session, "tang.mei")
    overdue = next(m for m in mine if m.kind == "reminder_overdue")
    assert overdue.page == "pages/training_coaching.py" and json.loads(overdue.query)["session"].isdigit()
    text = notifications.message_text(overdue, Translator("en"))
    assert text.startswith("Overdue since") and "Acknowledge the coaching session with Zhang Wei" in text


def test_events_write_one_message_each(demo_session):
    from portal import coaching
    from portal.coaching import SessionDraft

    lead = _actor(demo_session, "lead")
    agent = auth.find_user(demo_session, "agent")
    draft = SessionDraft(agent_id=agent.id, held_on=local_today(), focus_area="call_control",
                         shared_notes="Keep calls under control", private_notes="")
    unread = notifications.unread_count(demo_session, _actor(demo_session, "agent"))  # the demo's thanks, ...
    sid = coaching.write_session(demo_session, lead, draft, submission_key=KEY)
    coaching.write_session(demo_session, lead, draft, submission_key=KEY)  # a double click
    demo_session.commit()
    written = [m for m in _messages(demo_session, "agent") if m.kind == "coaching_written"]
    assert len(written) == 1 and json.loads(written[0].query) == {"session": str(sid)}
    assert notifications.message_text(written[0], Translator("zh-CN")).startswith("Zhang Wei 张伟 记录了你")
    assert notifications.unread_count(demo_session, _actor(demo_session, "agent")) == unread + 1


def test_a_person_reads_and_clears_only_their_own_inbox(demo_session):
    sweep(demo_session)
    demo_session.commit()
    tang, mentor = _actor(demo_session, "tang.mei"), _actor(demo_session, "mentor")
    before = notifications.unread_count(demo_session, mentor)
    assert notifications.inbox(demo_session, tang) and all(m.user_id == tang.id for m in notifications.inbox(
        demo_session, tang))
    others = [m.id for m in notifications.inbox(demo_session, mentor)]
    assert notifications.mark_read(demo_session, tang, others) == 0  # someone else's messages: untouched
    assert notifications.unread_count(demo_session, mentor) == before
    assert notifications.mark_read(demo_session, tang) > 0 and notifications.unread_count(demo_session, tang) == 0


def test_wellbeing_stays_out_the_invitation_is_the_same_checked_in_or_not(demo_session):
    from portal.roles import Role
    from tests.utils.factories import make_user

    team = auth.find_user(demo_session, "huang.lei").team_id
    twins = [make_user(demo_session, name, Role.AGENT, team_id=team) for name in ("twin.one", "twin.two")]
    for person in twins:
        notifications.set_preferences(demo_session, auth.actor_for(demo_session, person), email=None, mode="none",
                                      wellbeing_reminder=True)
    check_in(demo_session, auth.actor_for(demo_session, twins[0]), CheckIn(who5=[1, 1, 1, 1, 1], pss4=[3, 3, 3, 3]))
    demo_session.commit()
    sweep(demo_session)
    demo_session.commit()

    def seen(name):
        return [(m.kind, m.params, m.page, m.query) for m in _messages(demo_session, name)]

    assert seen("twin.one") == seen("twin.two")  # the one who checked in (feeling low) is told nothing else
    assert ("wellbeing_open", "{}", "pages/wellbeing_checkin.py", "{}") in seen("twin.one")
    everything = demo_session.exec(select(Notification)).all()
    assert all("wellbeing" not in m.kind or m.kind == "wellbeing_open" for m in everything)


def test_preferences_are_refused_beside_the_field(session):
    from tests.utils.factories import make_user

    actor = auth.actor_for(session, make_user(session, "p.one"))
    with pytest.raises(ValidationFailed) as refused:
        notifications.set_preferences(session, actor, email="not an address", mode="digest", wellbeing_reminder=False)
    assert refused.value.key == "notify.error.email"
    with pytest.raises(ValidationFailed) as refused:
        notifications.set_preferences(session, actor, email="", mode="immediate", wellbeing_reminder=False)
    assert refused.value.key == "notify.error.email_needed"
    saved = notifications.set_preferences(session, actor, email=" p.one@example.com ", mode="digest",
                                          wellbeing_reminder=True)
    assert saved.email == "p.one@example.com" and notifications.preferences(session, actor) == saved


def test_digests_reach_a_real_smtp_server_once_in_each_language(demo_engine, demo_session, smtp_server):
    from portal.db import session_scope

    port, received = smtp_server
    notifications.set_preferences(demo_session, _actor(demo_session, "tang.mei"), email="tang.mei@example.com",
                                  mode="digest", wellbeing_reminder=False)
    chinese = _actor(demo_session, "newhire")
    auth.set_own_language(demo_session, chinese, "zh-CN")
    notifications.set_preferences(demo_session, chinese, email="li.na@example.com", mode="digest",
                                  wellbeing_reminder=False)
    sweep(demo_session)
    demo_session.commit()
    settings = SmtpSettings(host="127.0.0.1", port=port, starttls=False, public_url="https://academy.example.com")
    assert send_pending(session_scope, settings, mode="digest") == 2
    assert send_pending(session_scope, settings, mode="digest") == 0  # twice: nothing twice
    assert send_pending(session_scope, settings, mode="immediate") == 0
    by_to = {m["To"]: m for m in received.messages}
    assert set(by_to) == {"tang.mei@example.com", "li.na@example.com"}
    english = by_to["tang.mei@example.com"]
    assert english["Subject"].startswith("Agent Academy:") and "new item" in english["Subject"]
    body = english.get_body(("plain",)).get_content()
    assert "Acknowledge the coaching session with Zhang Wei" in body
    assert "https://academy.example.com/training_coaching?session=" in body
    html_part = english.get_body(("html",)).get_content()
    assert '<a href="https://academy.example.com/training_coaching?session=' in html_part
    zh = by_to["li.na@example.com"]
    assert "新消息" in zh["Subject"] and "学习融合业务" in zh.get_body(("plain",)).get_content()


def test_the_cli_sends_digests_once(demo_engine, demo_session, smtp_server, monkeypatch, capsys):
    port, received = smtp_server
    notifications.set_preferences(demo_session, _actor(demo_session, "tang.mei"), email="tang.mei@example.com",
                                  mode="digest", wellbeing_reminder=False)
    demo_session.commit()
    for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_STARTTLS": "0",
                        "PUBLIC_URL": "https://academy.example.com/"}.items():
        monkeypatch.setenv(name, value)
    assert smtp_settings().public_url == "https://academy.example.com"
    cli(["notify", "send-digests"])
    cli(["notify", "send-digests"])
    assert len(received.messages) == 1
    assert "e-mailed 1 people" in capsys.readouterr().out


def test_page_urls():
    assert page_url("https://a.example", "pages/home.py", {}) == "https://a.example/"
    assert page_url("https://a.example", "pages/team_mentees.py", {"person": "5"}) == \
        "https://a.example/team_mentees?person=5"


def test_a_repeat_tells_the_new_hire_why_in_their_language(demo_session):
    from portal import onboarding

    mentor = _actor(demo_session, "mentor")
    wu = auth.find_user(demo_session, "wu.hao")
    stage = onboarding.journey(demo_session, mentor, wu.id).current
    onboarding.sign_off(demo_session, mentor, wu.id, stage.key, "repeat", reason="Two critical misses 两次严重失误")
    demo_session.commit()
    repeat = next(m for m in _messages(demo_session, "wu.hao") if m.kind == "stage_repeat")
    assert repeat.page == "pages/training_onboarding.py"
    zh = notifications.message_text(repeat, Translator("zh-CN"))
    assert zh.startswith("你需要重修" + stage.title.get("zh-CN")) and "两次严重失误" in zh
