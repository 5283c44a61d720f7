"""The team dashboard for leads, trainers and admins: who is at risk, the scores, the coaching effect,
how fast new hires become proficient. Each tab is drawn only while it is open."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from portal import analytics, coaching
from portal.clock import today
from portal.ui import charts, state
from portal.ui.coaching_views import effect_text, localise_exam, table
from portal.ui.recognition import render_out_of_date, render_profile_links
from portal.ui.widgets import empty_state, page_header, service_call

t = state.translator()
actor = state.actor()


def choose_filters(scopes: list) -> tuple:
    """The team or cohort, and which results count (kind, period); with how many to list at the bottom."""
    scope_labels = {i: t(f"analytics.scope_{s.kind}", name=s.name) for i, s in enumerate(scopes)}
    c1, c2, c3, c4 = st.columns([3, 2, 2, 1])
    scope = scopes[c1.selectbox(t("analytics.scope"), list(scope_labels), format_func=scope_labels.get,
                                key="dash_scope")]
    kind = c2.selectbox(t("analytics.kind"), [None, "written", "practical"], key="dash_kind",
                        format_func=lambda k: t(f"analytics.kind_{k or 'all'}"))
    months = c3.selectbox(t("analytics.period"), [3, 6, 12, 0], index=1, key="dash_months",
                          format_func=lambda m: t("analytics.period_all") if m == 0
                          else t("analytics.period_months", n=m))
    bottom_n = c4.number_input(t("analytics.bottom_n"), min_value=1, max_value=50, value=5, key="dash_bottom_n")
    filt = analytics.ResultFilter(kind=kind, since=today() - timedelta(days=31 * months) if months else None)
    return scope, filt, int(bottom_n)


def render_metrics(risk, flagged, result_count: int, result_mean) -> None:
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("analytics.metric_people"), len(risk))
    m2.metric(t("analytics.metric_results"), result_count)
    m3.metric(t("analytics.metric_mean"), f"{result_mean:.1f}" if result_mean is not None else "—")
    m4.metric(t("analytics.metric_at_risk"), len(flagged))


def trend_people(agents: list[str], at_risk: set[str]) -> list[str]:
    """Whose lines the trend chart draws: at first the people at risk (the team mean is always drawn)."""
    key = f"dash_trend_people_{slug}"
    if key not in st.session_state:
        st.session_state[key] = [a for a in agents if a in at_risk]
    else:  # a narrower period or kind may leave someone chosen without results
        st.session_state[key] = [a for a in st.session_state[key] if a in agents]
    chosen = st.multiselect(t("analytics.trend_people"), agents, key=key, select_all=False,
                            placeholder=t("analytics.trend_people_placeholder"))
    st.caption(t("analytics.trend_people_help"))
    return chosen


def render_at_risk() -> None:
    st.subheader(t("analytics.at_risk_title"))
    st.caption(t("analytics.at_risk_rules", count=settings.low_count, n=settings.last_n,
                 low=f"{settings.low_score:g}", k=settings.trend_k, drop=f"{settings.trend_min_drop:g}"))
    risk_table = pd.DataFrame({
        "agent": risk["agent"], "at_risk": [t("coaching.yes") if r else "" for r in risk["at_risk"]],
        "average": risk["average"], "reasons": [analytics.reasons_text(t, r) for r in risk["reasons"]],
        "latest": risk["latest"], "below_low": risk["below_low"], "slope": risk["slope"],
        "overdue_actions": risk["overdue_actions"], "overdue_acks": risk["overdue_acks"]})
    picked = table(t, risk_table, f"at-risk-{slug}", "risk_table", settings=settings,
                   score_columns=("average", "latest"), empty_key="analytics.no_people",
                   on_select="rerun", selection_mode="single-row",
                   column_config={t("coaching.col.reasons"): st.column_config.TextColumn(width="large")})
    rows = picked.selection.rows if picked is not None else []
    if rows:
        st.session_state["dash_agent"] = int(risk.iloc[rows[0]]["user_id"])


def render_trend() -> None:
    with service_call(t) as session:
        results = localise_exam(analytics.exam_results(session, actor, scope, filt), t)
        means = localise_exam(analytics.team_means(session, actor, scope, filt), t)
    st.subheader(t("analytics.trend_title"))
    if results.empty:
        empty_state(t, "empty.team_dashboard")
        return
    shown = trend_people(sorted(set(results["agent"])), set(flagged["agent"]))
    charts.score_trend(t, results, means, settings, set(flagged["agent"]), set(shown))
    table(t, means[["exam", "taken_on", "mean", "results", "pass_mark"]], f"team-mean-{slug}", "means_table",
          settings=settings, score_columns=("mean",))


def render_person() -> None:
    """One person's results and coaching history (the row picked in the at-risk table, or chosen here)."""
    st.subheader(t("analytics.drill_title"))
    people = dict(zip(risk["user_id"].astype(int), risk["agent"]))
    if not people:
        return
    if st.session_state.get("dash_agent") not in people:
        st.session_state["dash_agent"] = next(iter(people))
    agent_id = st.selectbox(t("coaching.agent"), list(people), format_func=people.get, key="dash_agent")
    render_profile_links(t, actor, {agent_id: people[agent_id]})
    with service_call(t) as session:
        mine = localise_exam(analytics.exam_results(session, actor, scope, filt, user_id=agent_id), t)
        history = coaching.list_sessions(session, actor, agent_id, settings=settings)
    reasons = risk.loc[risk["user_id"] == agent_id, "reasons"].iloc[0]
    if reasons:
        st.warning(t("analytics.flagged_because", reasons=analytics.reasons_text(t, reasons)), icon=":material/flag:")
    table(t, mine[["exam", "kind", "submitted_on", "percent", "passed"]], f"attempts-{agent_id}",
          "drill_attempts", settings=settings, score_columns=("percent",), empty_key="analytics.no_results")
    st.markdown(f"**{t('analytics.coaching_history')}**")
    table(t, pd.DataFrame([{"held_on": v.held_on, "focus_area": coaching.focus_label(t, v.focus_area),
                            "coach": v.author_name,
                            "acknowledged": t("coaching.yes") if v.acknowledged else
                            (t("coaching.ack_overdue_short") if v.ack_overdue else t("coaching.no")),
                            "effect": effect_text(t, v)} for v in history],
                          columns=["held_on", "focus_area", "coach", "acknowledged", "effect"]),
          f"coaching-{agent_id}", "drill_sessions", empty_key="empty.coaching")


def render_overview() -> None:
    render_at_risk()
    render_trend()
    render_person()


def render_distribution() -> None:
    with service_call(t) as session:
        distribution = localise_exam(analytics.score_distribution(session, actor, scope, filt), t)
    st.subheader(t("analytics.bottom_title", n=bottom_n))
    bottom = analytics.bottom(risk, bottom_n)
    table(t, bottom[["agent", "average", "latest", "results", "below_low", "slope"]], f"bottom-{slug}",
          "bottom_table", settings=settings, score_columns=("average", "latest"), empty_key="analytics.no_people")
    st.subheader(t("analytics.distribution_title"))
    if distribution.empty:
        empty_state(t, "analytics.no_results")
        return
    exams = list(dict.fromkeys(distribution["exam"]))
    chosen = st.selectbox(t("coaching.col.exam"), exams, index=len(exams) - 1, key="dash_exam")
    charts.score_distribution(t, distribution[distribution["exam"] == chosen], settings)
    table(t, distribution[["exam", "band", "results"]], f"distribution-{slug}", "distribution_table")


def render_effect() -> None:
    with service_call(t) as session:
        effects = analytics.coaching_effects(session, actor, scope, settings=settings)
    st.subheader(t("analytics.effect_title"))
    st.caption(t("analytics.effect_caption", days=settings.effect_window_days))
    shown = effects.assign(focus_area=[coaching.focus_label(t, f) for f in effects["focus_area"]])
    table(t, shown.drop(columns=["session_id"]), f"coaching-effect-{slug}", "effect_table", settings=settings,
          score_columns=("before_avg", "after_avg"), empty_key="empty.coaching")
    if effects.empty:
        return
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('analytics.effect_by_coach')}**")
        table(t, analytics.effect_by(shown, "coach"), f"effect-by-coach-{slug}", "effect_coach")
    with right:
        st.markdown(f"**{t('analytics.effect_by_focus')}**")
        table(t, analytics.effect_by(shown, "focus_area"), f"effect-by-focus-{slug}", "effect_focus")


def render_speed() -> None:
    with service_call(t) as session:
        speed = analytics.proficiency(session, actor, scope)
    st.subheader(t("analytics.speed_title"))
    st.caption(t("analytics.speed_caption"))
    if speed.empty:
        empty_state(t, "analytics.no_new_hires")
        return
    table(t, speed.drop(columns=["user_id"]), f"speed-{slug}", "speed_table")
    left, right = st.columns(2)
    for column, by, title_key in ((left, "cohort", "analytics.curve_by_cohort"),
                                  (right, "mentor", "analytics.curve_by_mentor")):
        with column:
            charts.proficiency_curve(t, analytics.proficiency_curve(speed, by), t(title_key))
    st.markdown(f"**{t('analytics.mentor_outcomes')}**")
    table(t, analytics.mentor_outcomes(speed), f"mentor-outcomes-{slug}", "mentor_table")


page_header(t, "nav.team_dashboard", "analytics.caption")
with service_call(t) as session:
    scopes = analytics.available_scopes(session, actor)
    settings = coaching.load_settings(session)  # once for the run: every service below is handed these
if not scopes:
    empty_state(t, "analytics.no_teams")
    st.stop()
scope, filt, bottom_n = choose_filters(scopes)
with service_call(t) as session:
    result_count, result_mean = analytics.result_stats(session, actor, scope, filt)
    risk = analytics.at_risk(session, actor, scope, filt, settings=settings)
slug = f"{scope.kind}-{scope.id}"
flagged = risk[risk["at_risk"]]
render_metrics(risk, flagged, result_count, result_mean)

# Only the open tab runs: each tab's queries, tables and charts cost about as much as the
# rest of the page, and every widget change reruns the page.
tabs = st.tabs([t("analytics.tab_overview"), t("analytics.tab_distribution"), t("analytics.tab_effect"),
                t("analytics.tab_speed")], key="dash_tab", on_change="rerun")
for tab, render in zip(tabs, (render_overview, render_distribution, render_effect, render_speed)):
    with tab:
        if tab.open is not False:
            render()

render_out_of_date(t, actor)  # who must read a changed module again (recertification)
