"""The Users page's team change asks for its effective date and shows the person's team history (#18.2)."""
from datetime import timedelta

from sqlmodel import Session, select

from portal.clock import today
from portal.formatting import format_date
from portal.models import Team, TeamMembership, User
from portal.teams.membership import MAX_DAYS_AHEAD


def _edit_chen_jie(demo_engine):
    from tests.utils.apptest import app_as

    at = app_as(demo_engine, "admin").run()
    at.switch_page("pages/admin_users.py").run()
    at.text_input(key="users_search").input("Chen Jie").run()
    with Session(demo_engine) as session:
        chen_id = session.exec(select(User.id).where(User.username == "agent")).one()
    pick = next(s for s in at.selectbox if "Chen Jie 陈杰 (agent)" in s.options)
    return pick.set_value(chen_id).run()


def _team_id(demo_engine, name):
    with Session(demo_engine) as session:
        return session.exec(select(Team.id).where(Team.name == name)).one()


def _effective(at):
    return next(w for w in at.date_input if (w.key or "").startswith("effective.edit_user_team_"))


def _save(at):
    next(b for b in at.button if b.label == "Save").click().run()


def test_a_team_move_is_dated_refused_beside_the_date_and_shown_in_the_history(demo_engine):
    from tests.utils.apptest import errors_of

    at = _edit_chen_jie(demo_engine)
    assert not errors_of(at)
    assert _effective(at).value == today()
    history = next(d for d in at.dataframe if "first_day" in d.value.columns).value
    assert history["team"].tolist() == ["Mobile Team A"] and history["last_day"].tolist() == ["—"]  # the demo's
    team = [s for s in at.selectbox if s.label == "Team" and "—" in s.options][-1]  # the edit form's (after create's)
    team.set_value(_team_id(demo_engine, "Broadband Team B"))
    _effective(at).set_value(today() + timedelta(days=MAX_DAYS_AHEAD + 5))
    _save(at)
    assert [e.value for e in at.error] == [f"The move can be dated at most {MAX_DAYS_AHEAD} days ahead."]
    with Session(demo_engine) as session:
        chen = session.exec(select(User).where(User.username == "agent")).one()
        assert session.get(Team, chen.team_id).name == "Mobile Team A"  # nothing saved

    moved_on = today() - timedelta(days=10)
    _effective(at).set_value(moved_on)
    _save(at)
    assert not at.error
    with Session(demo_engine) as session:
        chen = session.exec(select(User).where(User.username == "agent")).one()
        assert session.get(Team, chen.team_id).name == "Broadband Team B"
        rows = session.exec(select(TeamMembership).where(TeamMembership.user_id == chen.id)).all()
        assert max((r.start_date, r.end_date) for r in rows) == (moved_on, None)
    history = next(d for d in at.dataframe if "first_day" in d.value.columns).value
    assert history["team"].tolist() == ["Broadband Team B", "Mobile Team A"]
    assert history["last_day"].tolist() == ["—", format_date(moved_on - timedelta(days=1), "en")]

    team = [s for s in at.selectbox if s.label == "Team" and "—" in s.options][-1]
    team.set_value(_team_id(demo_engine, "Mobile Team A"))
    _effective(at).set_value(moved_on - timedelta(days=1))  # before the stretch in Team B began
    _save(at)
    assert [e.value for e in at.error] == [
        (f"The move cannot take effect before {moved_on.isoformat()}, when the current team began: "
         "history already written stays as it is.")]
    with Session(demo_engine) as session:
        assert session.exec(select(User.team_id).where(User.username == "agent")).one() == \
            _team_id(demo_engine, "Broadband Team B")


def test_in_chinese_the_date_the_refusal_and_the_history_speak_chinese(demo_engine):
    from tests.utils.apptest import app_as, errors_of

    at = app_as(demo_engine, "admin", language="zh-CN").run()
    at.switch_page("pages/admin_users.py").run()
    with Session(demo_engine) as session:
        chen_id = session.exec(select(User.id).where(User.username == "agent")).one()
    pick = next(s for s in at.selectbox if "Chen Jie 陈杰 (agent)" in s.options)
    pick.set_value(chen_id).run()
    assert not errors_of(at)
    effective = next(w for w in at.date_input if (w.key or "").startswith("effective.edit_user_team_"))
    assert effective.label == "调组生效日期"
    team = [s for s in at.selectbox if s.label == "班组" and "—" in s.options][-1]
    team.set_value(_team_id(demo_engine, "Broadband Team B"))
    effective.set_value(today() + timedelta(days=MAX_DAYS_AHEAD + 1))
    next(b for b in at.button if b.label == "保存").click().run()
    assert [e.value for e in at.error] == [f"调动生效日期最多只能提前 {MAX_DAYS_AHEAD} 天设定。"]
    assert "班组历史" in " ".join(m.value for m in at.markdown)
