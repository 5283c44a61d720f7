"""Charts of quality assurance: the QA dashboard's and calibration's, from small, already-aggregated frames.

As the team dashboard's: each dashboard chart is defined with Altair once per set of
labels and compiled to a Vega-Lite spec that names its data (`alt.NamedData`);
each run only attaches that run's rows and draws it with `st.vega_lite_chart`
(validating an Altair chart on every rerun cost more than the page's queries).
Months arrive as 'YYYY-MM' keys and are shown with `portal.formatting.format_month`.
"""
from datetime import date
from functools import lru_cache

import altair as alt
import pandas as pd

from portal.formatting import format_date, format_month
from portal.i18n import Translator, localized_column
from portal.ui.charts.base import draw, draw_altair, with_data


def month_label(key: str, language: str) -> str:
    year, month = (int(part) for part in key.split("-"))
    return format_month(date(year, month, 1), language)


def _draw(spec: dict, **datasets: pd.DataFrame) -> None:
    draw(with_data(spec, **datasets))


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


def calibration_spread_chart(t: Translator, spreads: pd.DataFrame) -> None:
    """The widest spread of each item over a calibration session's calls (item, spread in % of its maximum)."""
    chart = spreads.groupby("item", sort=False, as_index=False)["spread"].max()
    draw_altair(alt.Chart(chart).mark_bar().encode(
        x=alt.X("spread:Q", title=t("qa.calibration.axis_spread"), scale=alt.Scale(domain=[0, 100])),
        y=alt.Y("item:N", title=None, sort=None), tooltip=[alt.Tooltip("spread:Q", format=".0f")]))


def alignment_chart(t: Translator, frame: pd.DataFrame) -> None:
    """Each analyst's alignment with the facilitator per revealed session (revealed_at, session, analyst, alignment)."""
    chart = frame.assign(when=[format_date(v, t.language) for v in frame["revealed_at"]]).drop(columns="revealed_at")
    draw_altair(alt.Chart(chart).mark_line(point=True).encode(
        x=alt.X("when:O", title=None, sort=None),
        y=alt.Y("alignment:Q", title=t("qa.calibration.col.alignment"), scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("analyst:N", title=None),
        tooltip=["session", "analyst", alt.Tooltip("alignment:Q", format=".1f")]))
