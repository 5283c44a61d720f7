"""Charts of the QA dashboard, built from small, already-aggregated frames.

Functions only, so they can be folded into `portal/ui/charts.py`. As in
`portal/ui/dashboard_charts.py`: each chart is defined with Altair once per set of
labels and compiled to a Vega-Lite spec that names its data (`alt.NamedData`);
each run only attaches that run's rows and draws it with `st.vega_lite_chart`
(validating an Altair chart on every rerun cost more than the page's queries).
Months arrive as 'YYYY-MM' keys and are shown with `portal.formatting.format_month`.
"""
import copy
from datetime import date
from functools import lru_cache

import altair as alt
import pandas as pd
import streamlit as st

from portal.formatting import format_month
from portal.i18n import Translator, localized_column


def month_label(key: str, language: str) -> str:
    year, month = (int(part) for part in key.split("-"))
    return format_month(date(year, month, 1), language)


def _draw(spec: dict, **datasets: pd.DataFrame) -> None:
    out = copy.deepcopy(spec)
    out["datasets"] = {**out.get("datasets", {}), **datasets}
    st.vega_lite_chart(spec=out, width="stretch")


def _months_axis(title: str, labels: tuple[str, ...]) -> alt.X:
    return alt.X("label:N", title=title, sort=list(labels), axis=alt.Axis(labelAngle=0))


@lru_cache(maxsize=64)
def _trend_spec(texts: tuple[str, ...], labels: tuple[str, ...], with_agents: bool) -> dict:
    axis_month, axis_score, col_agent, col_month, col_mean, col_evaluations = texts
    x = _months_axis(axis_month, labels)
    y = alt.Y("mean_score:Q", title=axis_score, scale=alt.Scale(zero=False))
    tooltip = [alt.Tooltip("who:N", title=col_agent), alt.Tooltip("label:N", title=col_month),
               alt.Tooltip("mean_score:Q", title=col_mean, format=".1f"),
               alt.Tooltip("evaluations:Q", title=col_evaluations)]
    colour = alt.Color("who:N", title=col_agent)
    layers = [alt.Chart(alt.NamedData("team")).mark_line(strokeDash=[6, 3], strokeWidth=3, point=True)
              .encode(x=x, y=y, color=colour, tooltip=tooltip)]
    if with_agents:
        layers.append(alt.Chart(alt.NamedData("agents")).mark_line(strokeWidth=1.4, point=True)
                      .encode(x=x, y=y, color=colour, tooltip=tooltip))
    return alt.layer(*layers).properties(height=320).to_dict()


def score_trend_chart(t: Translator, team: pd.DataFrame, agents: pd.DataFrame, shown_agents: list[str]) -> None:
    """The team's mean QA score by month (thick, dashed) and the chosen agents' means (thin lines)."""
    labels = tuple(month_label(m, t.language) for m in team["month"])
    by_key = dict(zip(team["month"], labels))
    columns = ["label", "who", "mean_score", "evaluations"]
    team_rows = team.dropna(subset=["mean_score"]).assign(label=lambda f: f["month"].map(by_key),
                                                          who=t("qa.dashboard.team_mean"))[columns]
    agent_rows = agents[agents["agent"].isin(shown_agents)].assign(
        label=lambda f: f["month"].map(by_key), who=lambda f: f["agent"])[columns]
    texts = tuple(t(key) for key in ("qa.dashboard.axis_month", "qa.dashboard.axis_score", "qa.dashboard.col.agent",
                                     "qa.dashboard.col.month", "qa.dashboard.col.mean_score",
                                     "qa.dashboard.col.evaluations"))
    spec = _trend_spec(texts, labels, not agent_rows.empty)
    _draw(spec, team=team_rows, agents=agent_rows)


@lru_cache(maxsize=64)
def _focus_spec(texts: tuple[str, ...], labels: tuple[str, ...]) -> dict:
    axis_month, axis_rate, col_focus, col_month, col_rate, col_scored = texts
    return alt.Chart(alt.NamedData("rates")).mark_line(point=True).encode(
        x=_months_axis(axis_month, labels),
        y=alt.Y("pass_rate:Q", title=axis_rate, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("focus:N", title=col_focus),
        tooltip=[alt.Tooltip("focus:N", title=col_focus), alt.Tooltip("label:N", title=col_month),
                 alt.Tooltip("pass_rate:Q", title=col_rate, format=".0%"),
                 alt.Tooltip("scored:Q", title=col_scored)]).properties(height=260).to_dict()


def focus_pass_chart(t: Translator, rates: pd.DataFrame) -> None:
    """Each published focus item's pass rate by month (one line per item); nothing when nothing was scored."""
    data = rates.dropna(subset=["pass_rate"])
    if data.empty:
        return
    labels = tuple(month_label(m, t.language) for m in dict.fromkeys(rates["month"]))
    data = data.assign(label=[month_label(m, t.language) for m in data["month"]],
                       focus=localized_column(data, "focus", t.language))
    texts = tuple(t(key) for key in ("qa.dashboard.axis_month", "qa.dashboard.axis_pass_rate",
                                     "qa.dashboard.col.focus", "qa.dashboard.col.month",
                                     "qa.dashboard.col.pass_rate", "qa.dashboard.col.scored"))
    _draw(_focus_spec(texts, labels), rates=data[["label", "focus", "pass_rate", "scored"]])
