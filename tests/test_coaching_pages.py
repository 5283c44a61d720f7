"""The coaching pages and the team dashboard, driven through AppTest as each role."""
from datetime import timedelta

from sqlmodel import Session, select

from portal import analytics, auth, coaching
from portal.clock import today
from portal.formatting import format_date
from portal.models import CoachingSession, CoachingSetting, User
from portal.i18n import Translator
from portal.ui.charts import score_trend_spec
from tests.utils.apptest import app_as, errors_of

PRIVATE = "Private: worried about attrition 担心流失"
SHARED = "Shared: practise the standard closing 练习标准结束语"


def page_text(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader")
             for e in getattr(at, kind)]
    return "\n".join(str(p) for p in parts)


def open_page(engine, username, path, language=None):
    at = app_as(engine, username, language=language).run()
    at.switch_page(path).run()
    assert not errors_of(at), errors_of(at)
    return at


def user_id(engine, username) -> int:
    with Session(engine) as session:
        return session.exec(select(User.id).where(User.username == username)).one()


def button(at, label):
    return next(b for b in at.button if b.label == label)


def write_session_as_lead(demo_engine):
    at = open_page(demo_engine, "lead", "pages/team_coaching.py")
    agent_box = at.selectbox(key="coach_agent")
    agent_box.select(user_id(demo_engine, "agent")).run()
    form_id = next(k for k in (w.key for w in at.text_area) if k.startswith("shared_")).removeprefix("shared_")
    at.selectbox(key=f"focus_{form_id}").select("etiquette")
    at.text_area(key=f"shared_{form_id}").input(SHARED)
    at.text_area(key=f"private_{form_id}").input(PRIVATE)
    at.text_input(key=f"item_text_0_{form_id}").input("Use the closing on every call 每通电话使用结束语")
    at.date_input(key=f"item_due_0_{form_id}").set_value(today() + timedelta(days=7))
    return at, form_id


def test_lead_writes_a_session_through_the_form(demo_engine):
    at, _ = write_session_as_lead(demo_engine)
    button(at, "Save session").click().run()
    assert not errors_of(at) and not at.error, [e.value for e in at.error]
    assert "Saved." in [s.value for s in at.success]
    with Session(demo_engine) as session:
        agent = session.exec(select(User).where(User.username == "agent")).one()
        row = session.exec(select(CoachingSession).where(CoachingSession.agent_id == agent.id)
                           .order_by(CoachingSession.id.desc())).first()
        assert row.private_notes == PRIVATE and row.focus_area == "etiquette"
    assert PRIVATE in page_text(at)  # the lead's own view shows the private notes


def test_bad_form_input_shows_a_clear_error_and_saves_nothing(demo_engine):
    at, form_id = write_session_as_lead(demo_engine)
    at.date_input(key=f"item_due_0_{form_id}").set_value(today() - timedelta(days=3))
    with Session(demo_engine) as session:
        before = len(session.exec(select(CoachingSession)).all())
    button(at, "Save session").click().run()
    assert any("Action item 1: the due date" in e.value for e in at.error)
    with Session(demo_engine) as session:
        assert len(session.exec(select(CoachingSession)).all()) == before


def test_agent_sees_only_shared_notes_and_acknowledges(demo_engine):
    at, _ = write_session_as_lead(demo_engine)
    button(at, "Save session").click().run()
    at = open_page(demo_engine, "agent", "pages/training_coaching.py")
    text = page_text(at)
    assert SHARED in text and PRIVATE not in text and "Private notes" not in text
    assert "1 session waits for your acknowledgement." in text
    due = format_date(today() + timedelta(days=7), "en")
    item_line = f":orange-badge[Open] Use the closing on every call 每通电话使用结束语 · Chen Jie 陈杰 · Due {due}"
    assert item_line in text  # the session's action item, with its status, owner and due date
    ack_button = next(b for b in at.button if b.label == "Acknowledge")
    at.text_area(key=ack_button.key.replace("ack_", "ack_comment_")).input("Understood 明白")
    ack_button.click().run()
    assert not errors_of(at)
    assert "Thank you, your acknowledgement is recorded." in [s.value for s in at.success]
    with Session(demo_engine) as session:
        row = session.get(CoachingSession, int(ack_button.key.removeprefix("ack_")))
        assert row.acknowledged_at is not None and row.ack_comment == "Understood 明白"


def test_dashboard_flags_the_two_at_risk_agents_with_reasons(demo_engine):
    at = open_page(demo_engine, "lead", "pages/team_dashboard.py")
    risk = at.dataframe[0].value
    flagged = risk[risk["At risk"] == "Yes"]
    # the demo's two agents at risk for different reasons, and the team's new hires for onboarding reasons
    assert sorted(a.split()[0] for a in flagged["Agent"]) == ["Feng", "He", "Li", "Tang", "Xu"]
    reasons = dict(zip([a.split()[0] for a in flagged["Agent"]], flagged["Reasons"]))
    assert reasons["Feng"] == "3 of the last 5 results below 70"
    assert "falling trend" in reasons["Tang"] and "not acknowledged in time" in reasons["Tang"]
    assert "behind schedule" in reasons["Li"] and "asked to repeat" in reasons["Xu"]
    assert [m.value for m in at.metric if m.label == "At risk"] == ["5"]


def test_the_trend_chart_draws_the_people_at_risk_then_those_the_lead_picks(demo_engine):
    """Issue 12 item 17: twelve agent lines drawn over each other; the lead picks whom to see."""
    at = open_page(demo_engine, "lead", "pages/team_dashboard.py")
    key = next(m.key for m in at.multiselect if m.key.startswith("dash_trend_people_"))
    people = at.multiselect(key=key)
    risk = at.dataframe[0].value
    flagged = set(risk.loc[risk["At risk"] == "Yes", "Agent"])
    assert set(people.value) == flagged & set(people.options) and len(people.options) > len(people.value)
    chen = next(a for a in people.options if a.startswith("Chen Jie"))
    people.set_value([chen]).run()
    assert not errors_of(at)
    assert at.multiselect(key=key).value == [chen]


def test_the_trend_chart_holds_lines_only_for_the_people_shown(demo_engine):
    with Session(demo_engine) as session:
        lead = auth.actor_for(session, auth.find_user(session, "lead"))
        scope = analytics.available_scopes(session, lead)[0]
        filt = analytics.ResultFilter()
        results = analytics.exam_results(session, lead, scope, filt)
        means = analytics.team_means(session, lead, scope, filt)
        settings = coaching.load_settings(session)
    t = Translator("en")
    one = results["agent"].iloc[0]
    everyone = score_trend_spec(results, means, settings, t, set(), "exam_en")
    chosen = score_trend_spec(results, means, settings, t, set(), "exam_en", {one})
    assert set(everyone["datasets"]["results"]["agent"]) == set(results["agent"])
    assert set(chosen["datasets"]["results"]["agent"]) == {one}
    assert len(chosen["datasets"]["means"]) == len(everyone["datasets"]["means"])  # the team mean always drawn


def test_dashboard_marks_low_and_amber_averages_in_words(demo_engine):
    with Session(demo_engine) as session:
        settings = coaching.load_settings(session)
    risk = open_page(demo_engine, "lead", "pages/team_dashboard.py").dataframe[0].value
    columns = list(risk.columns)
    assert columns[columns.index("Average (last results)") + 1] == "Level"
    expected = [f"Low (below {settings.low_score:g})" if a < settings.low_score else
                f"Watch (below {settings.amber_score:g})" if a < settings.amber_score else ""
                for a in risk["Average (last results)"].fillna(100)]
    assert list(risk["Level"]) == expected
    assert {"L", "W", ""} <= {level[:1] for level in expected}  # the demo team has all three


def test_dashboard_drill_down_in_chinese(demo_engine):
    at = open_page(demo_engine, "lead", "pages/team_dashboard.py", language="zh-CN")
    box = at.selectbox(key="dash_agent")
    box.select(user_id(demo_engine, "feng.jun")).run()
    assert not errors_of(at)
    assert any("需关注：最近 5 次成绩中有" in w.value for w in at.warning)  # a flag, not an error


def test_only_admin_changes_settings(demo_engine):
    at = open_page(demo_engine, "admin", "pages/admin_coaching_settings.py")
    at.number_input[0].set_value(65.0)
    button(at, "Save").click().run()
    assert not errors_of(at) and not at.error
    with Session(demo_engine) as session:
        assert session.get(CoachingSetting, "low_score").value == "65.0"
    from portal.ui.navigation import PAGES

    page = next(p for p in PAGES if p.path == "pages/admin_coaching_settings.py")
    assert {r.value for r in page.roles} == {"admin"}
