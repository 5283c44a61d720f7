import pandas as pd
import streamlit as st

from portal import exports
from portal.i18n import localized_column
from portal.qa import dashboards, focus
from portal.ui import state
from portal.ui.charts.qa import focus_pass_chart, month_label, score_trend_chart
from portal.ui.coaching_views import download_buttons
from portal.ui.tables import filled
from portal.ui.text import plain
from portal.ui.widgets import empty_state, page_header, service_call

t = state.translator()
actor = state.actor()
PERIODS = (3, 6, 12, 24)
RATES = ("critical_fail_rate", "failure_rate", "dispute_rate", "overturn_rate", "pass_rate")


def render_filters(teams: pd.DataFrame) -> tuple[int, list[str]]:
    """Team (the viewer's teams; one at a time), the last month shown and how many months."""
    names = dict(zip(teams["team_id"].tolist(), teams["name"].tolist()))
    left, middle, right = st.columns([3, 2, 2])
    team_id = left.selectbox(t("qa.dashboard.team"), list(names), format_func=lambda i: plain(names[i]),
                             key="qa_dash_team")
    choices = dashboards.recent_months(24)[::-1]
    last = middle.selectbox(t("qa.dashboard.last_month"), choices, key="qa_dash_month",
                            format_func=lambda m: month_label(m, t.language))
    count = right.selectbox(t("qa.dashboard.period"), PERIODS, index=1, key="qa_dash_period",
                            format_func=lambda n: t("qa.dashboard.period_months", n=n))
    return team_id, dashboards.recent_months(count, dashboards.month_of(last).start)


def table(frame: pd.DataFrame, name: str, key: str, empty_key: str = "qa.dashboard.no_rows") -> None:
    """A translated table (months in the reader's language, rates as percentages) with CSV and XLSX downloads."""
    if frame.empty:
        empty_state(t, empty_key)
        return
    frame = frame.copy()
    if "month" in frame.columns:
        frame["month"] = [month_label(m, t.language) for m in frame["month"]]
    for column in RATES:
        if column in frame.columns:
            frame[column] = (frame[column] * 100).round(1)
    shown = exports.with_headers(frame, t, prefix="qa.dashboard.col.")
    header = dict(zip(frame.columns, shown.columns))
    config = {header[c]: st.column_config.NumberColumn(format="%.1f %%") for c in RATES if c in header}
    display, config = filled(t, shown, config)
    st.dataframe(display, hide_index=True, width="stretch", key=key, column_config=config)
    download_buttons(t, shown, name, key)


def render_metrics(trend: pd.DataFrame, disputes: pd.DataFrame) -> None:
    latest, rates = trend.iloc[-1], disputes.iloc[-1]
    pct = lambda v: "—" if pd.isna(v) else f"{100 * v:.1f}%"
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(t("qa.dashboard.metric_evaluations"), int(latest["evaluations"]))
    m2.metric(t("qa.dashboard.metric_mean"), "—" if pd.isna(latest["mean_score"]) else f"{latest['mean_score']:.1f}")
    m3.metric(t("qa.dashboard.metric_critical"), pct(latest["critical_fail_rate"]))
    m4.metric(t("qa.dashboard.metric_disputes"), pct(rates["dispute_rate"]))
    st.caption(t("qa.dashboard.metrics_month", month=month_label(latest["month"], t.language)))


def render_trend(team_id: int, months: list[str], trend: pd.DataFrame, slug: str) -> None:
    with service_call(t) as session:
        agents = dashboards.agent_trend(session, actor, team_id, months)
    if agents.empty:
        empty_state(t, "qa.dashboard.no_evaluations")
        return
    names = sorted(agents["agent"].unique())
    chosen = st.multiselect(t("qa.dashboard.trend_agents"), names, key=f"qa_dash_agents_{slug}",
                            placeholder=t("qa.dashboard.trend_agents_placeholder"))
    score_trend_chart(t, trend, agents, chosen)
    st.subheader(t("qa.dashboard.team_trend_title"))
    table(trend, f"qa-team-trend-{slug}", "qa_team_trend")
    st.subheader(t("qa.dashboard.agent_trend_title"))
    table(agents.drop(columns=["agent_id"]), f"qa-agent-trend-{slug}", "qa_agent_trend")


def render_items(team_id: int, months: list[str], slug: str) -> None:
    with service_call(t) as session:
        failures = dashboards.item_failures(session, actor, team_id, months)
        rates = focus.pass_rates(session, actor, team_id, months)
    st.subheader(t("qa.dashboard.failures_title"))
    st.caption(t("qa.dashboard.failures_caption"))
    matrix = dashboards.failure_matrix(failures, t.language)
    if not matrix.empty:
        matrix.columns = ["item", *(month_label(m, t.language) for m in matrix.columns[1:])]
        rates_as_pct = matrix.set_index("item").mul(100).round(1).reset_index()
        shown = exports.with_headers(rates_as_pct, t, prefix="qa.dashboard.col.")
        config = {c: st.column_config.NumberColumn(format="%.1f %%") for c in shown.columns[1:]}
        display, config = filled(t, shown, config)
        st.dataframe(display, hide_index=True, width="stretch", key="qa_failures", column_config=config)
        download_buttons(t, shown, f"qa-item-failures-{slug}", "qa_failures")
    else:
        empty_state(t, "qa.dashboard.no_evaluations")
    st.subheader(t("qa.dashboard.focus_title"))
    st.caption(t("qa.dashboard.focus_caption"))
    focus_pass_chart(t, rates)
    shown = rates.assign(focus=localized_column(rates, "focus", t.language),
                         focus_month=[month_label(m, t.language) for m in rates["focus_month"]])
    table(shown[["focus", "focus_month", "month", "scored", "passed", "pass_rate"]], f"qa-focus-{slug}",
          "qa_focus_rates", empty_key="qa.dashboard.no_focus")


def render_disputes(disputes: pd.DataFrame, slug: str) -> None:
    st.caption(t("qa.dashboard.disputes_caption"))
    table(disputes, f"qa-disputes-{slug}", "qa_disputes")


def render_analysts(team_id: int, months: list[str], slug: str) -> None:
    with service_call(t) as session:
        workload = dashboards.analyst_workload(session, actor, team_id, months)
    st.caption(t("qa.dashboard.analysts_caption"))
    table(workload.drop(columns=["analyst_id"]), f"qa-analysts-{slug}", "qa_analysts")


page_header(t, "nav.qa_dashboard", "qa.dashboard.caption")
with service_call(t) as session:
    teams = dashboards.dashboard_teams(session, actor)
if teams.empty:
    empty_state(t, "qa.dashboard.no_teams")
    st.stop()
team_id, months = render_filters(teams)
slug = f"{team_id}-{months[-1]}-{len(months)}"
with service_call(t) as session:
    trend = dashboards.team_trend(session, actor, team_id, months)
    disputes = dashboards.dispute_rates(session, actor, team_id, months)
render_metrics(trend, disputes)
# Only the open tab runs its queries (st.tabs with on_change): the rest cost nothing until opened.
tab_trend, tab_items, tab_disputes, tab_analysts = st.tabs(
    [t("qa.dashboard.tab_trend"), t("qa.dashboard.tab_items"), t("qa.dashboard.tab_disputes"),
     t("qa.dashboard.tab_analysts")], key="qa_dash_tab", on_change="rerun")
with tab_trend:
    if tab_trend.open is not False:
        render_trend(team_id, months, trend, slug)
with tab_items:
    if tab_items.open is not False:
        render_items(team_id, months, slug)
with tab_disputes:
    if tab_disputes.open is not False:
        render_disputes(disputes, slug)
with tab_analysts:
    if tab_analysts.open is not False:
        render_analysts(team_id, months, slug)
