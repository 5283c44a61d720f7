"""Coaching sessions: writing, permissions per role, private notes, acknowledgement, history, PDF."""
import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from portal import coaching
from portal.clock import today, utcnow
from portal.coaching_pdf import session_pdf
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.i18n import Translator
from portal.models import (ActionItem, Attempt, CoachingLink, CoachingRevision, CoachingSession, Exam, SupervisedCall,
                           TicketReview)
from portal.roles import Role
from portal.settings import get_settings
from portal.users import set_team_leads
from portal.roles import SYSTEM
from tests.utils.factories import make_team, make_user

PRIVATE = "私密：家里有压力 private-stress-note"
SHARED = "共享：复习国际漫游资费 roaming review"


@pytest.fixture
def world(session):
    """Two teams with a lead each, an agent in each, a trainer, a mentor with a mentee, an admin."""
    team_a, team_b = make_team(session, "Team A"), make_team(session, "Team B")
    lead_a = make_user(session, "lead.a", Role.LEAD)
    lead_b = make_user(session, "lead.b", Role.LEAD)
    set_team_leads(session, SYSTEM, team_a.id, [lead_a.id])
    set_team_leads(session, SYSTEM, team_b.id, [lead_b.id])
    mentor = make_user(session, "mentor.m", Role.MENTOR, team_id=team_a.id)
    w = dict(team_a=team_a, team_b=team_b, lead_a=lead_a, lead_b=lead_b, mentor=mentor,
             agent_a=make_user(session, "agent.a", Role.AGENT, team_id=team_a.id),
             peer_a=make_user(session, "peer.a", Role.AGENT, team_id=team_a.id),
             agent_b=make_user(session, "agent.b", Role.AGENT, team_id=team_b.id),
             mentee=make_user(session, "mentee.m", Role.NEWHIRE, team_id=team_a.id, mentor_id=mentor.id),
             trainer=make_user(session, "trainer.t", Role.TRAINER),
             admin=make_user(session, "admin.x", Role.ADMIN))
    session.flush()
    return w


def attempt_for(session, user_id, kind="written", percent=75.0, days_ago=5):
    exam = Exam(code=f"ex-{kind}-{user_id}-{days_ago}-{percent}", kind=kind, title_en="Roaming exam",
                title_zh="漫游考试", pass_mark=80)
    session.add(exam)
    session.flush()
    at = utcnow() - timedelta(days=days_ago)
    attempt = Attempt(exam_id=exam.id, user_id=user_id, status="graded", started_at=at, submitted_at=at,
                      percent=percent, passed=percent >= 80)
    session.add(attempt)
    session.flush()
    return attempt


def draft(agent, **changes):
    values = dict(agent_id=agent.id, held_on=today(), focus_area="product_knowledge", shared_notes=SHARED,
                  private_notes=PRIVATE, follow_up_on=today() + timedelta(days=14),
                  action_items=(coaching.ActionItemInput("Re-read the roaming sheet 重读资费表", agent.id,
                                                         today() + timedelta(days=7)),))
    values.update(changes)
    return coaching.SessionDraft(**values)


def test_lead_writes_a_session_with_notes_links_and_action_items(session, world):
    attempt = attempt_for(session, world["agent_a"].id)
    sid = coaching.write_session(session, world["lead_a"], draft(world["agent_a"], links=(
        coaching.LinkInput("attempt", attempt.id),)))
    view = coaching.get_session(session, world["lead_a"], sid)
    assert view.private_notes == PRIVATE and view.shared_notes == SHARED and view.can_edit
    assert [i.description for i in view.action_items] == ["Re-read the roaming sheet 重读资费表"]
    assert view.links[0].exam_title_zh == "漫游考试" and view.links[0].percent == 75.0
    assert view.ack_due_on == today() + timedelta(days=3) and not view.acknowledged


def test_lead_of_another_team_is_refused_everywhere(session, world):
    sid = coaching.write_session(session, world["lead_a"], draft(world["agent_a"]))
    lead_b = world["lead_b"]
    with pytest.raises(PermissionDenied):
        coaching.write_session(session, lead_b, draft(world["agent_a"]))
    with pytest.raises(PermissionDenied):
        coaching.get_session(session, lead_b, sid)
    with pytest.raises(PermissionDenied):
        coaching.update_session(session, lead_b, sid, draft(world["agent_a"]))
    with pytest.raises(PermissionDenied):
        coaching.previous_open_items(session, lead_b, world["agent_a"].id)
    assert coaching.list_sessions(session, lead_b) == []
    assert world["agent_a"].id not in {u.id for u in coaching.coachable_agents(session, lead_b)}


@pytest.mark.parametrize("role", ["agent_a", "peer_a", "agent_b"])
def test_learners_cannot_write_sessions(session, world, role):
    with pytest.raises(PermissionDenied):
        coaching.write_session(session, world[role], draft(world["agent_a"]))
    with pytest.raises(PermissionDenied):
        coaching.list_sessions(session, world[role])


def test_agent_sees_only_the_shared_part(session, world):
    sid = coaching.write_session(session, world["lead_a"], draft(world["agent_a"]))
    mine = coaching.my_sessions(session, world["agent_a"])
    assert [v.id for v in mine] == [sid]
    assert mine[0].private_notes is None and mine[0].shared_notes == SHARED
    assert coaching.get_session(session, world["agent_a"], sid).private_notes is None
    with pytest.raises(PermissionDenied):
        coaching.get_session(session, world["peer_a"], sid)
    assert coaching.my_sessions(session, world["peer_a"]) == []


def test_private_notes_only_for_author_and_team_leads(session, world):
    sid = coaching.write_session(session, world["mentor"], draft(world["mentee"]))
    assert coaching.get_session(session, world["mentor"], sid).private_notes == PRIVATE
    assert coaching.get_session(session, world["lead_a"], sid).private_notes == PRIVATE  # lead of that team
    for reader in ("trainer", "admin"):  # may read the shared part, not the private one
        view = coaching.get_session(session, world[reader], sid)
        assert view.private_notes is None and view.shared_notes == SHARED and not view.can_edit


def test_mentor_coaches_only_mentees_and_trainer_anyone(session, world):
    with pytest.raises(PermissionDenied):
        coaching.write_session(session, world["mentor"], draft(world["agent_a"]))
    assert coaching.write_session(session, world["trainer"], draft(world["agent_b"]))
    assert {u.username for u in coaching.coachable_agents(session, world["mentor"])} == {"mentee.m"}


def test_bad_input_is_refused_and_nothing_is_saved(session, world):
    lead, agent = world["lead_a"], world["agent_a"]
    cases = [
        (dict(focus_area=""), "Choose a focus area"),
        (dict(focus_area="juggling"), "not one of the focus areas"),
        (dict(action_items=(coaching.ActionItemInput("x", agent.id, today() - timedelta(days=1)),)),
         "Action item 1: the due date"),
        (dict(action_items=(coaching.ActionItemInput("  ", agent.id, today()),)), "Action item 1: describe"),
        (dict(follow_up_on=today() - timedelta(days=2)), "follow-up date"),
        (dict(links=(coaching.LinkInput("attempt", 999999),)), "does not exist"),
    ]
    for changes, message in cases:
        with pytest.raises(ValidationFailed, match=message):
            coaching.write_session(session, lead, draft(agent, **changes))
    assert session.exec(select(CoachingSession)).all() == []
    assert session.exec(select(ActionItem)).all() == []


def ticket_review_for(session, user_id, reviewer_id):
    call = SupervisedCall(user_id=user_id, call_date=date(2026, 11, 2), call_type="complaint", ticket_ref="T-1",
                          summary="Refund promised after verification.")
    session.add(call)
    session.flush()
    review = TicketReview(call_id=call.id, reviewer_id=reviewer_id, outcome="passed", greeting=2, verification=2,
                          accuracy=2, resolution=2, closing=2)
    session.add(review)
    session.flush()
    return review


@pytest.mark.parametrize("owner", ["agent_b", "peer_a"])
def test_link_to_anyone_elses_attempt_is_refused(session, world, owner):
    """Another team's or a teammate's attempt: the score would leak to the coach and the coached person."""
    other = attempt_for(session, world[owner].id)
    with pytest.raises(ValidationFailed, match="not Agent.A's own"):
        coaching.write_session(session, world["lead_a"], draft(world["agent_a"], links=(
            coaching.LinkInput("attempt", other.id),)))
    review = ticket_review_for(session, world[owner].id, world["lead_a"].id)
    with pytest.raises(ValidationFailed, match="not Agent.A's own"):
        coaching.write_session(session, world["lead_a"], draft(world["agent_a"], links=(
            coaching.LinkInput("supervised_review", review.id),)))


def test_mentor_cannot_read_an_agents_score_through_a_mentee_session(session, world):
    """Issue 13 item 5: a mentor linked an agent's attempt into their mentee's session; both then read it."""
    agents_attempt = attempt_for(session, world["agent_a"].id, percent=42.0)
    with pytest.raises(ValidationFailed, match="not Mentee.M's own"):
        coaching.write_session(session, world["mentor"], draft(world["mentee"], links=(
            coaching.LinkInput("attempt", agents_attempt.id),)))
    sid = coaching.write_session(session, world["mentor"], draft(world["mentee"]))
    session.add(CoachingLink(session_id=sid, kind="attempt", ref_id=agents_attempt.id))  # a row from before the fix
    session.flush()
    for reader in ("mentor", "mentee"):
        assert coaching.get_session(session, world[reader], sid).links == ()


def test_a_session_stores_each_chosen_link_once(session, world):
    first, second = attempt_for(session, world["agent_a"].id), attempt_for(session, world["agent_a"].id, days_ago=9)
    chosen = coaching.attempt_links(coaching.agent_attempts(session, world["lead_a"], world["agent_a"].id),
                                    [second.id, first.id, second.id])
    sid = coaching.write_session(session, world["lead_a"], draft(world["agent_a"], links=chosen))
    assert [link.ref_id for link in coaching.get_session(session, world["lead_a"], sid).links] == [second.id, first.id]


def test_link_of_the_wrong_kind_or_missing_is_refused(session, world):
    practical = attempt_for(session, world["agent_a"].id, kind="practical")
    with pytest.raises(ValidationFailed, match="is not a attempt result"):
        coaching.write_session(session, world["lead_a"], draft(world["agent_a"], links=(
            coaching.LinkInput("attempt", practical.id),)))
    with pytest.raises(ValidationFailed, match="does not exist"):
        coaching.write_session(session, world["lead_a"], draft(world["agent_a"], links=(
            coaching.LinkInput("supervised_review", 424242),)))
    review = ticket_review_for(session, world["agent_a"].id, world["lead_a"].id)
    sid = coaching.write_session(session, world["lead_a"], draft(world["agent_a"], links=(
        coaching.LinkInput("practical", practical.id), coaching.LinkInput("supervised_review", review.id))))
    assert {link.kind for link in coaching.get_session(session, world["lead_a"], sid).links} == \
        {"practical", "supervised_review"}


def test_acknowledge_only_by_the_agent_once(session, world):
    sid = coaching.write_session(session, world["lead_a"], draft(world["agent_a"]))
    with pytest.raises(PermissionDenied):
        coaching.acknowledge(session, world["lead_a"], sid)
    with pytest.raises(PermissionDenied):
        coaching.acknowledge(session, world["peer_a"], sid)
    coaching.acknowledge(session, world["agent_a"], sid, "明白了 thanks")
    view = coaching.get_session(session, world["lead_a"], sid)
    assert view.acknowledged and view.ack_comment == "明白了 thanks"
    with pytest.raises(ValidationFailed):
        coaching.acknowledge(session, world["agent_a"], sid)


def test_editing_after_acknowledgement_keeps_history_and_asks_again(session, world):
    lead, agent = world["lead_a"], world["agent_a"]
    sid = coaching.write_session(session, lead, draft(agent))
    coaching.acknowledge(session, agent, sid, "ok")
    coaching.update_session(session, lead, sid, draft(agent, shared_notes="Updated plan 新计划"))
    view = coaching.get_session(session, lead, sid)
    assert view.version == 2 and not view.acknowledged and view.shared_notes == "Updated plan 新计划"
    history = coaching.revisions(session, lead, sid)
    assert len(history) == 1 and history[0]["shared_notes"] == SHARED and history[0]["ack_comment"] == "ok"
    with pytest.raises(PermissionDenied):
        coaching.revisions(session, agent, sid)  # the snapshot holds private notes
    coaching.update_session(session, lead, sid, draft(agent, shared_notes="again"))  # not acknowledged: no copy
    assert len(session.exec(select(CoachingRevision)).all()) == 1


def test_overdue_acknowledgement_is_flagged(session, world):
    sid = coaching.write_session(session, world["lead_a"], draft(world["agent_a"]))
    row = session.get(CoachingSession, sid)
    row.ack_due_on = today() - timedelta(days=1)
    session.add(row)
    session.flush()
    assert coaching.get_session(session, world["lead_a"], sid).ack_overdue


def test_previous_open_items_show_when_writing_the_next_session(session, world):
    lead, agent = world["lead_a"], world["agent_a"]
    first = coaching.write_session(session, lead, draft(agent, held_on=today() - timedelta(days=20)))
    assert [i.description for i in coaching.previous_open_items(session, lead, agent.id)] == \
        ["Re-read the roaming sheet 重读资费表"]
    item = coaching.get_session(session, lead, first).action_items[0]
    coaching.set_item_done(session, agent, item.id)
    assert coaching.previous_open_items(session, lead, agent.id) == []
    assert coaching.my_open_items(session, agent) == []
    with pytest.raises(PermissionDenied):
        coaching.set_item_done(session, world["peer_a"], item.id)


def test_settings_are_admin_only_and_validated(session, world):
    new = coaching.CoachingSettings(ack_days=5, focus_areas=("product_knowledge", "Roaming 漫游"))
    for role in ("lead_a", "trainer", "agent_a"):
        with pytest.raises(PermissionDenied):
            coaching.update_settings(session, world[role], new)
    coaching.update_settings(session, world["admin"], new)
    assert coaching.load_settings(session).ack_days == 5
    sid = coaching.write_session(session, world["lead_a"], draft(world["agent_a"], focus_area="Roaming 漫游"))
    assert coaching.get_session(session, world["agent_a"], sid).ack_due_on == today() + timedelta(days=5)
    with pytest.raises(ValidationFailed, match="low line"):
        coaching.update_settings(session, world["admin"], coaching.CoachingSettings(low_score=90, amber_score=85))
    with pytest.raises(ValidationFailed, match="at least one focus"):
        coaching.update_settings(session, world["admin"], coaching.CoachingSettings(focus_areas=()))


def test_templates(session, world):
    tid = coaching.create_template(session, world["lead_a"], "Monthly review", "product_knowledge", "Notes",
                                   ["Redo missed questions", ""])
    [tpl] = coaching.list_templates(session, world["lead_a"])
    assert tpl.id == tid and tpl.action_items == ("Redo missed questions",)
    with pytest.raises(ValidationFailed, match="already exists"):
        coaching.create_template(session, world["lead_a"], "monthly REVIEW", "product_knowledge")
    with pytest.raises(PermissionDenied):
        coaching.create_template(session, world["agent_a"], "Mine", "product_knowledge")


def test_coaching_effect_compares_exam_averages_before_and_after(session, world):
    agent = world["agent_a"]
    for days_ago, percent in ((41, 60), (25, 70), (15, 72), (5, 90), (2, 94)):
        attempt_for(session, agent.id, percent=percent, days_ago=days_ago)
    sid = coaching.write_session(session, world["lead_a"], draft(agent, held_on=today() - timedelta(days=10)))
    effect = coaching.get_session(session, world["lead_a"], sid).effect
    assert (effect.before_avg, effect.before_n, effect.after_avg, effect.after_n) == (71.0, 2, 92.0, 2)
    assert effect.change == 21.0


@pytest.mark.parametrize("zone, local_time, counted", [
    # 07:30 in Beijing the day after the session is 23:30 UTC on the session's own day
    ("Asia/Shanghai", (1, time(7, 30)), (0, 1)),
    # 23:30 in New York the day before the session is 04:30 UTC on the session's own day
    ("America/New_York", (-1, time(23, 30)), (1, 0)),
])
def test_coaching_effect_counts_an_attempt_on_the_centers_day_not_utcs(session, world, monkeypatch, zone,
                                                                        local_time, counted):
    monkeypatch.setattr(get_settings(), "center_timezone", zone)
    agent, held_on = world["agent_a"], today() - timedelta(days=10)
    days_from_session, clock_time = local_time
    at = datetime.combine(held_on + timedelta(days=days_from_session), clock_time, tzinfo=ZoneInfo(zone))
    assert at.astimezone(UTC).date() == held_on  # on UTC's calendar it is the session's day, which counts as neither
    attempt = attempt_for(session, agent.id, percent=80)
    attempt.submitted_at = attempt.started_at = at
    session.add(attempt)
    sid = coaching.write_session(session, world["lead_a"], draft(agent, held_on=held_on))
    effect = coaching.get_session(session, world["lead_a"], sid).effect
    assert (effect.before_n, effect.after_n) == counted


def test_unknown_session_is_not_found(session, world):
    with pytest.raises(NotFound):
        coaching.get_session(session, world["lead_a"], 12345)


def pdf_text(data: bytes) -> str:
    pypdf = pytest.importorskip("pypdf")
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    return "".join(text.replace("\x00", "").split())


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_pdf_renders_chinese_and_never_private_notes(session, world, language):
    sid = coaching.write_session(session, world["lead_a"], draft(world["agent_a"]))
    view = coaching.get_session(session, world["lead_a"], sid)  # the lead's view holds the private notes
    data = session_pdf(view, Translator(language))
    assert data.startswith(b"%PDF") and len(data) < 2_000_000
    text = pdf_text(data)
    assert "共享：复习国际漫游资费" in text and "重读资费表" in text
    assert ("辅导记录" in text) == (language == "zh-CN")
    assert "私密" not in text and "private-stress-note" not in text


def test_missing_cjk_font_fails_clearly(monkeypatch, tmp_path):
    from portal import coaching_pdf, pdf_fonts

    coaching_pdf.cjk_font.cache_clear()
    monkeypatch.setattr(pdf_fonts, "FONT_CANDIDATES", ())
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-match
    monkeypatch.delenv("PORTAL_CJK_FONT", raising=False)
    try:
        with pytest.raises(ValidationFailed, match="No Chinese font"):
            coaching_pdf.cjk_font()
    finally:
        coaching_pdf.cjk_font.cache_clear()


def test_the_same_coaching_form_sent_twice_records_one_session(session, world):
    """A double click on "Save session", or the form sent again after a reload, records one session."""
    from sqlmodel import func, select

    from portal.models import CoachingSession

    key = "coaching-form-key-0001"
    first = coaching.write_session(session, world["lead_a"], draft(world["agent_a"]), submission_key=key)
    again = coaching.write_session(session, world["lead_a"], draft(world["agent_a"]), submission_key=key)
    assert first == again
    count = session.exec(select(func.count()).select_from(CoachingSession)
                         .where(CoachingSession.agent_id == world["agent_a"].id)).one()
    assert count == 1
    other = coaching.write_session(session, world["lead_a"], draft(world["agent_a"]), submission_key="another-fill-0002")
    assert other != first, "a new fill of the form is a new session"
