"""Charts of the QA dashboard (small, already-aggregated frames in; drawn with `st.altair_chart`).

Functions only, so they can be folded into `portal/ui/charts.py`. Months arrive as
'YYYY-MM' keys and are shown with `portal.formatting.format_month` in the reader's language.
"""
from datetime import date

import altair as alt
import pandas as pd
import streamlit as st

from portal.formatting import format_month
from portal.i18n import Translator


def month_label(key: str, language: str) -> str:
    year, month = (int(part) for part in key.split("-"))
    return format_month(date(year, month, 1), language)


def _months_axis(t: Translator, months: list[str]) -> alt.X:
    labels = [month_label(m, t.language) for m in months]
    return alt.X("label:N", title=t("qa.dashboard.axis_month"), sort=labels, axis=alt.Axis(labelAngle=0))


def score_trend_chart(t: Translator, team: pd.DataFrame, agents: pd.DataFrame, shown_agents: list[str]) -> None:
    """The team's mean QA score by month (thick, dashed) and the chosen agents' means (thin lines)."""
    months = team["month"].tolist()
    team_data = team.dropna(subset=["mean_score"]).assign(
        label=lambda f: [month_label(m, t.language) for m in f["month"]], who=t("qa.dashboard.team_mean"))
    agent_data = agents[agents["agent"].isin(shown_agents)].assign(
        label=lambda f: [month_label(m, t.language) for m in f["month"]], who=lambda f: f["agent"])
    x = _months_axis(t, months)
    y = alt.Y("mean_score:Q", title=t("qa.dashboard.axis_score"), scale=alt.Scale(zero=False))
    tooltip = [alt.Tooltip("who:N", title=t("qa.dashboard.col.agent")),
               alt.Tooltip("label:N", title=t("qa.dashboard.col.month")),
               alt.Tooltip("mean_score:Q", title=t("qa.dashboard.col.mean_score"), format=".1f"),
               alt.Tooltip("evaluations:Q", title=t("qa.dashboard.col.evaluations"))]
    colour = alt.Color("who:N", title=t("qa.dashboard.col.agent"))
    layers = [alt.Chart(team_data).mark_line(strokeDash=[6, 3], strokeWidth=3, point=True)
              .encode(x=x, y=y, color=colour, tooltip=tooltip)]
    if not agent_data.empty:
        layers.append(alt.Chart(agent_data).mark_line(strokeWidth=1.4, point=True)
                      .encode(x=x, y=y, color=colour, tooltip=tooltip))
    st.altair_chart(alt.layer(*layers).properties(height=320), use_container_width=True)


def focus_pass_chart(t: Translator, rates: pd.DataFrame) -> None:
    """Each published focus item's pass rate by month (one line per item)."""
    data = rates.dropna(subset=["pass_rate"]).assign(
        label=lambda f: [month_label(m, t.language) for m in f["month"]],
        focus=lambda f: f["focus_zh"] if t.language == "zh-CN" else f["focus_en"])
    if data.empty:
        return
    months = list(dict.fromkeys(rates["month"]))
    chart = alt.Chart(data).mark_line(point=True).encode(
        x=_months_axis(t, months),
        y=alt.Y("pass_rate:Q", title=t("qa.dashboard.axis_pass_rate"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("focus:N", title=t("qa.dashboard.col.focus")),
        tooltip=[alt.Tooltip("focus:N", title=t("qa.dashboard.col.focus")),
                 alt.Tooltip("label:N", title=t("qa.dashboard.col.month")),
                 alt.Tooltip("pass_rate:Q", title=t("qa.dashboard.col.pass_rate"), format=".0%"),
                 alt.Tooltip("scored:Q", title=t("qa.dashboard.col.scored"))])
    st.altair_chart(chart.properties(height=260), use_container_width=True)
