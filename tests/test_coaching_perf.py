"""Issue 7 (performance) for coaching and the team dashboard: the design stays fast as data grows.

Not timings (those are in tests/benchmarks/bench_pages.py) but the properties
that keep the pages fast: the number of SQL statements does not grow with the
team or the number of sessions, aggregates are limited to the scope in SQL,
and the cached chart specs and deferred downloads give what the slow path gave.
"""
import json
import random
import re
from contextlib import contextmanager
from datetime import datetime, time, timedelta

import pandas as pd
import pytest
from sqlalchemy import event
from sqlmodel import Session

from portal import analytics, coaching
from portal.clock import center_zone, today, utcnow
from portal.errors import PermissionDenied, ValidationFailed
from portal.i18n import Translator
from portal.models import Attempt, Exam
from portal.roles import Role
from portal.users import set_team_leads
from portal.roles import SYSTEM
from tests.utils.factories import make_cohort, make_team, make_user


@contextmanager
def counted(engine):
    """Count the SQL statements run on `engine` inside the block."""
    count = [0]

    def before(*_args):
        count[0] += 1

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", before)


def build_team(session, name: str, size: int, sessions_each: int = 2):
    """A team of `size` agents with a lead, graded exams and coaching sessions (by a trainer) with action items."""
    team, cohort = make_team(session, name), make_cohort(session, f"{name} intake")
    lead = make_user(session, f"{name.lower()}.lead", Role.LEAD, Role.MENTOR)
    set_team_leads(session, SYSTEM, team.id, [lead.id])
    trainer = make_user(session, f"{name.lower()}.trainer", Role.TRAINER)  # writes the sessions the lead reads
    exams = []
    for number, kind in enumerate(("written", "practical", "written")):
        exam = Exam(code=f"{name}-{number}", kind=kind, title_en=f"Exam {number}", title_zh=f"考试 {number}",
                    pass_mark=80)
        session.add(exam)
        exams.append(exam)
    session.flush()
    agents = []
    for n in range(size):
        agent = make_user(session, f"{name.lower()}.agent{n}", Role.NEWHIRE, team_id=team.id, cohort_id=cohort.id,
                          mentor_id=lead.id if n % 2 else None)
        agents.append(agent)
        for days_ago in (50, 40, 20, 10, 3):
            at = utcnow() - timedelta(days=days_ago)
            session.add(Attempt(exam_id=exams[days_ago % 3].id, user_id=agent.id, status="graded", started_at=at,
                                submitted_at=at, percent=float(60 + (n * 7 + days_ago) % 40),
                                passed=(60 + (n * 7 + days_ago) % 40) >= 80))
        session.flush()
        for k in range(sessions_each):
            coaching.write_session(session, trainer, coaching.SessionDraft(
                agent_id=agent.id, held_on=today() - timedelta(days=15 + 5 * k), focus_area="etiquette",
                shared_notes="notes", action_items=(coaching.ActionItemInput("do it", agent.id, today()),)))
    session.flush()
    return analytics.Scope("team", team.id, name), lead, agents


def dashboard_statements(engine, session, lead, scope, agent_id) -> int:
    """Statements for everything the team dashboard asks for in one run (all tabs and the drill-down)."""
    filt = analytics.ResultFilter()
    with counted(engine) as count:
        analytics.available_scopes(session, lead)
        analytics.exam_results(session, lead, scope, filt)
        analytics.team_means(session, lead, scope, filt)
        analytics.score_distribution(session, lead, scope, filt)
        analytics.at_risk(session, lead, scope, filt)
        analytics.coaching_effects(session, lead, scope)
        analytics.proficiency(session, lead, scope)
        analytics.exam_results(session, lead, scope, filt, user_id=agent_id)
        coaching.list_sessions(session, lead, agent_id)
    return count[0]


def test_dashboard_statement_count_does_not_grow_with_team_size(engine):
    with Session(engine, expire_on_commit=False) as session:
        small, small_lead, small_agents = build_team(session, "Small", 2)
        large, large_lead, large_agents = build_team(session, "Large", 9, sessions_each=4)
        session.commit()
        dashboard_statements(engine, session, small_lead, small, small_agents[0].id)  # warm: transaction, settings
        few = dashboard_statements(engine, session, small_lead, small, small_agents[0].id)
        many = dashboard_statements(engine, session, large_lead, large, large_agents[0].id)
    assert few == many, (few, many)


def test_session_lists_cost_the_same_statements_for_one_session_or_many(engine):
    with Session(engine, expire_on_commit=False) as session:
        _, lead, agents = build_team(session, "Team", 2, sessions_each=1)
        trainer = _actor(session, "team.trainer")
        for k in range(6):
            coaching.write_session(session, trainer, coaching.SessionDraft(
                agent_id=agents[1].id, held_on=today() - timedelta(days=k), focus_area="etiquette"))
        session.commit()
        coaching.list_sessions(session, lead, agents[0].id)  # warm: transaction, settings
        counts = []
        for agent in agents:
            with counted(engine) as count:
                views = coaching.list_sessions(session, lead, agent.id)
                coaching.my_sessions(session, agent)
            counts.append((len(views), count[0]))
    assert counts[0][0] == 1 and counts[1][0] == 7
    assert counts[0][1] == counts[1][1], counts


def test_coaching_effects_of_a_scope_match_each_sessions_own_effect(engine):
    with Session(engine, expire_on_commit=False) as session:
        scope, lead, _ = build_team(session, "Team", 4, sessions_each=3)
        build_team(session, "Other", 3)  # sessions outside the scope must not leak in
        session.commit()
        effects = analytics.coaching_effects(session, lead, scope)
        own = coaching.session_effects(session, effects["session_id"].tolist(),
                                       coaching.load_settings(session).effect_window_days)
    assert len(effects) == 12 and effects["held_on"].is_monotonic_decreasing
    for row in effects.itertuples():
        effect = own[row.session_id]
        assert (row.before_n, row.after_n) == (effect.before_n, effect.after_n)
        for mine, theirs in ((row.before_avg, effect.before_avg), (row.after_avg, effect.after_avg)):
            assert (theirs is None and mine != mine) or mine == theirs
    assert effects["before_n"].sum() > 0 and effects["after_n"].sum() > 0


def test_trend_slopes_fitted_together_equal_one_by_one():
    rng = random.Random(7)
    series = [[float(rng.randrange(40, 101, 5)) for _ in range(4)] for _ in range(500)]
    series += [[80.0, 79.0, 78.0, 77.0], [70.0, 70.0, 70.0, 70.0]]
    assert analytics._slopes(series) == [analytics._slope(s) for s in series]
    assert analytics._slopes([]) == []


def test_revisions_of_many_sessions_match_one_by_one_and_check_permission(engine):
    with Session(engine, expire_on_commit=False) as session:
        _, lead, agents = build_team(session, "Team", 2, sessions_each=1)
        ids = [v.id for a in agents for v in coaching.my_sessions(session, a)]
        for agent, sid in zip(agents, ids):
            coaching.acknowledge(session, agent, sid, "ok")
            coaching.update_session(session, lead, sid, coaching.SessionDraft(
                agent_id=agent.id, held_on=today(), focus_area="etiquette", shared_notes="new"))
        together = coaching.revisions_of(session, lead, ids)
        assert together == {sid: coaching.revisions(session, lead, sid) for sid in ids}
        assert all(len(h) == 1 for h in together.values())
        assert coaching.revisions_of(session, lead, []) == {}
        with pytest.raises(PermissionDenied):
            coaching.revisions_of(session, agents[0], ids)


# --- charts: cached specs give the chart Altair gives --------------------------------

def _normalised(spec: dict) -> dict:
    """The spec with named datasets put back inline and Altair's data-derived view names made neutral."""
    import pyarrow as pa

    datasets = {}
    for name, data in (spec.get("datasets") or {}).items():
        if isinstance(data, list):  # already records (Altair's own to_dict)
            frame = pd.DataFrame(data)
        else:
            frame = pa.ipc.open_stream(data).read_all().to_pandas() if isinstance(data, bytes) else data
        datasets[name] = json.loads(frame.to_json(orient="records", date_format="iso"))

    def walk(node):
        if isinstance(node, dict):
            if set(node) == {"name"} and node["name"] in datasets:
                return {"values": datasets[node["name"]]}
            return {k: walk(v) for k, v in node.items() if k != "datasets"}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    text = json.dumps(walk(spec), sort_keys=True, default=str)
    text = re.sub(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.000", r"\1", text)  # pandas writes milliseconds
    return json.loads(re.sub(r"view_[0-9a-f]+_", "view_", text))


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_cached_chart_specs_equal_the_altair_charts(demo_session, language):
    from portal.ui import charts
    from portal.ui.coaching_views import localise_exam

    t = Translator(language)
    trainer = analytics.available_scopes(demo_session, _actor(demo_session, "trainer"))
    team = next(s for s in trainer if s.kind == "team")
    cohort = next(s for s in trainer if s.kind == "cohort")
    who = _actor(demo_session, "trainer")
    settings = coaching.load_settings(demo_session)
    results = localise_exam(analytics.exam_results(demo_session, who, team), t)
    means = localise_exam(analytics.team_means(demo_session, who, team), t)
    flagged = set(results["agent"][:2])
    for _ in range(2):  # the second time from the cache
        assert _normalised(charts.score_trend_spec(results, means, settings, t, flagged, "exam")) == \
            _normalised(charts.score_trend_spec_inline(results, means, settings, t, flagged, "exam"))
    dist = localise_exam(analytics.score_distribution(demo_session, who, team), t)
    one = dist[dist["exam"] == dist["exam"].iloc[0]]
    assert _normalised(charts.score_distribution_spec(one, settings, t)) == \
        _normalised(charts.score_distribution_spec_inline(one, settings, t))
    curve = analytics.proficiency_curve(analytics.proficiency(demo_session, who, cohort), "mentor")
    assert not curve.empty
    assert _normalised(charts.proficiency_curve_spec(curve, "Mentor", t)) == \
        _normalised(charts.proficiency_curve_spec_inline(curve, "Mentor", t))
    # a cached spec is never changed by attaching a run's data
    first = charts.score_trend_spec(results, means, settings, t, flagged, "exam")
    first["layer"].clear()
    assert charts.score_trend_spec(results, means, settings, t, flagged, "exam")["layer"]


def _actor(session, username):
    from portal import auth

    return auth.actor_for(session, auth.find_user(session, username))


# --- deferred downloads ------------------------------------------------------------------

def test_session_pdf_is_built_only_when_asked_but_a_missing_font_fails_at_once(engine, monkeypatch):
    from portal import coaching_pdf

    with Session(engine, expire_on_commit=False) as session:
        _, lead, agents = build_team(session, "Team", 1, sessions_each=1)
        view = coaching.list_sessions(session, lead, agents[0].id)[0]
    built = []
    monkeypatch.setattr(coaching_pdf, "session_pdf", lambda v, t: built.append(v.id) or b"%PDF-1.4")
    make = coaching_pdf.deferred_session_pdf(view, Translator("en"))
    assert built == [] and make() == b"%PDF-1.4" and built == [view.id]

    def no_font():
        raise ValidationFailed("coaching.error.no_cjk_font")

    monkeypatch.setattr(coaching_pdf, "cjk_font", no_font)
    with pytest.raises(ValidationFailed):
        coaching_pdf.deferred_session_pdf(view, Translator("en"))


def _effects_the_slow_way(session, window_days: int) -> dict:
    """The effect query as it was before issue 7: every attempt of the agent joined to every session."""
    from sqlalchemy import and_, case, func, or_, select

    from portal.clock import center_day_sql
    from portal.coaching.effect import _plus_days
    from portal.models import CoachingSession

    day = center_day_sql(session.get_bind().dialect.name, Attempt.submitted_at)
    held = CoachingSession.held_on
    before = and_(day >= _plus_days(session, held, -window_days), day < held)
    after = and_(day > held, day <= _plus_days(session, held, window_days))
    query = (select(CoachingSession.id, func.avg(case((before, Attempt.percent))),
                    func.count(case((before, Attempt.id))), func.avg(case((after, Attempt.percent))),
                    func.count(case((after, Attempt.id))))
             .select_from(CoachingSession)
             .join(Attempt, and_(Attempt.user_id == CoachingSession.agent_id, Attempt.status == "graded",
                                 Attempt.percent.is_not(None)), isouter=True)
             .join(Exam, and_(Exam.id == Attempt.exam_id, Exam.kind.in_(("written", "practical"))), isouter=True)
             .where(or_(Attempt.id.is_(None), Exam.id.is_not(None))).group_by(CoachingSession.id))
    return {sid: coaching.Effect(coaching.effect._round(b), int(bn), coaching.effect._round(a), int(an))
            for sid, b, bn, a, an in session.execute(query).all()}


def test_effect_window_by_index_range_equals_joining_every_attempt(engine):
    with Session(engine, expire_on_commit=False) as session:
        scope, lead, agents = build_team(session, "Team", 3, sessions_each=3)
        practice = Exam(code="practice-only", kind="practice", title_en="Practice", title_zh="练习", pass_mark=80)
        session.add(practice)
        session.flush()
        edge = {name: make_user(session, f"edge.{name}", Role.AGENT, team_id=agents[0].team_id)
                for name in ("practice_only", "no_attempts", "far_away", "on_the_edges")}
        now = utcnow()
        session.add(Attempt(exam_id=practice.id, user_id=edge["practice_only"].id, status="graded", started_at=now,
                            submitted_at=now - timedelta(days=2), percent=50.0, passed=False))
        written = session.exec(select_exam("written")).first()
        for days in (200, -200):
            session.add(Attempt(exam_id=written.id, user_id=edge["far_away"].id, status="graded", started_at=now,
                                submitted_at=now - timedelta(days=days), percent=90.0, passed=True))
        for days, hour in ((10 + 30, 0), (10 + 30, 23), (10 + 31, 23), (10 - 30, 0), (10 - 30, 23), (10 - 31, 0),
                           (10, 12)):
            at = datetime.combine(today() - timedelta(days=days), time(hour, 30), tzinfo=center_zone())  # center's clock
            session.add(Attempt(exam_id=written.id, user_id=edge["on_the_edges"].id, status="graded", started_at=at,
                                submitted_at=at, percent=float(60 + days), passed=True))
        session.flush()
        for agent in edge.values():
            coaching.write_session(session, lead, coaching.SessionDraft(
                agent_id=agent.id, held_on=today() - timedelta(days=10), focus_area="etiquette"))
        session.commit()
        window = coaching.load_settings(session).effect_window_days
        ids = [v.id for a in [*agents, *edge.values()] for v in coaching.list_sessions(session, lead, a.id)]
        slow = _effects_the_slow_way(session, window)
        assert coaching.session_effects(session, ids, window) == {i: slow[i] for i in ids if i in slow}
        scoped = analytics.coaching_effects(session, lead, scope)
        assert sorted(scoped["session_id"]) == sorted(i for i in ids if i in slow)
        by_agent = {name: coaching.list_sessions(session, lead, user.id)[0] for name, user in edge.items()}
        assert by_agent["practice_only"].effect is None  # as before: left out, not counted as "no results"
        assert (by_agent["no_attempts"].effect.before_n, by_agent["no_attempts"].effect.after_n) == (0, 0)
        assert (by_agent["far_away"].effect.before_n, by_agent["far_away"].effect.after_n) == (0, 0)
        assert (by_agent["on_the_edges"].effect.before_n, by_agent["on_the_edges"].effect.after_n) == (2, 2)


def select_exam(kind):
    from sqlmodel import select

    return select(Exam).where(Exam.kind == kind)


@pytest.mark.parametrize("kind", [None, "written", "practical"])
def test_result_stats_counted_in_sql_match_the_results_table(demo_session, kind):
    trainer = _actor(demo_session, "trainer")
    for scope in analytics.available_scopes(demo_session, trainer):
        for since in (None, today() - timedelta(days=31)):
            filt = analytics.ResultFilter(kind=kind, since=since)
            results = analytics.exam_results(demo_session, trainer, scope, filt)
            count, mean = analytics.result_stats(demo_session, trainer, scope, filt)
            assert count == len(results)
            if results.empty:
                assert mean is None
            else:
                assert f"{mean:.1f}" == f"{results['percent'].mean():.1f}" and mean == pytest.approx(
                    results["percent"].mean())
