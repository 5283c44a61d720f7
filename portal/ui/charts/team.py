"""The team dashboard's charts: the score trend, the score distribution, the proficiency curves.

Each chart is defined with Altair, but building and validating an Altair chart
costs far more than the page's queries (tens of milliseconds per chart on
every rerun). So the Altair definition is compiled once to a Vega-Lite spec
that refers to its data by name (`alt.NamedData`), cached by what shapes it
(language, thresholds, axis floor), and each run only attaches that run's
data (`*_spec`). `*_spec_inline` compiles the same definition with the data
inline, as `st.altair_chart` would; tests check both give the same chart.
"""
from functools import lru_cache

import altair as alt
import pandas as pd

from portal.coaching import CoachingSettings
from portal.i18n import Translator
from portal.ui.charts.base import day_axis, day_tooltip, draw, in_language, nothing_to_draw, to_spec, with_data
from portal.ui.coaching_views import BAND_COLOURS

BAND_ORDER = ["red", "amber", "green"]


def _band_scale():
    return alt.Scale(domain=BAND_ORDER, range=[BAND_COLOURS[b] for b in BAND_ORDER])


# --- trend ----------------------------------------------------------------------

def _trend_labels(t: Translator) -> tuple[str, ...]:
    """The chart's texts, and last the language (for its dates)."""
    return tuple(t(key) for key in ("analytics.axis_date", "analytics.axis_score", "coaching.col.agent",
                                    "coaching.col.exam", "coaching.col.percent", "coaching.col.submitted_on",
                                    "analytics.risk_legend", "analytics.not_at_risk", "analytics.at_risk",
                                    "analytics.team_mean")) + (t.language,)


def _trend_altair(data, means, rules, labels: tuple[str, ...], floor: int, exam_column: str) -> alt.LayerChart:
    """One line per agent (at-risk agents drawn thicker), points in threshold colours,
    the team mean as a dashed black line, the pass mark and the low line as rules."""
    (axis_date, axis_score, col_agent, col_exam, col_percent, col_submitted, risk_legend, not_at_risk, at_risk,
     team_mean, language) = labels
    x = day_axis("submitted_on:T", axis_date, language)
    y = alt.Y("percent:Q", title=axis_score, scale=alt.Scale(domain=[floor, 100]))
    tooltip = [alt.Tooltip("agent:N", title=col_agent),
               alt.Tooltip(f"{exam_column}:N", title=col_exam),
               alt.Tooltip("percent:Q", title=col_percent, format=".0f"),
               day_tooltip("submitted_on:T", col_submitted, language)]
    pick = alt.selection_point(fields=["agent"], bind="legend")
    lines = alt.Chart(data).mark_line().encode(
        x=x, y=y, color=alt.Color("agent:N", title=col_agent),
        strokeWidth=alt.StrokeWidth("risk:N", title=risk_legend,
                                    scale=alt.Scale(domain=[not_at_risk, at_risk], range=[1.2, 3.5])),
        opacity=alt.condition(pick, alt.value(0.9), alt.value(0.15))).add_params(pick)
    points = alt.Chart(data).mark_circle(size=55).encode(
        x=x, y=y, color=alt.Color("band:N", scale=_band_scale(), legend=None),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.15)), tooltip=tooltip)
    mean = alt.Chart(means).mark_line(
        color="black", strokeDash=[6, 3], strokeWidth=2.5, point=alt.OverlayMarkDef(color="black")).encode(
        x="taken_on:T", y="mean:Q",
        tooltip=[alt.Tooltip(f"{exam_column}:N", title=col_exam),
                 alt.Tooltip("mean:Q", title=team_mean, format=".1f")])
    rule = alt.Chart(rules).mark_rule(strokeDash=[4, 4], strokeWidth=1.5).encode(
        y="y:Q", color=alt.Color("colour:N", scale=None))
    label = alt.Chart(rules).mark_text(align="left", dx=4, dy=-6, fontSize=11).encode(
        y="y:Q", x=alt.value(0), text="label:N", color=alt.Color("colour:N", scale=None))
    return in_language(alt.layer(lines, points, mean, rule, label).resolve_scale(color="independent")
                       .properties(height=380), language)


@lru_cache(maxsize=64)
def _trend_spec(labels: tuple[str, ...], floor: int, exam_column: str) -> dict:
    return to_spec(_trend_altair(alt.NamedData("results"), alt.NamedData("means"), alt.NamedData("rules"),
                                  labels, floor, exam_column))


def _trend_frames(results: pd.DataFrame, means: pd.DataFrame, settings: CoachingSettings, t: Translator,
                  at_risk_agents: set[str], shown_agents: set[str] | None = None):
    """The chart's frames; only `shown_agents` get lines (None: everyone), the axis and rules from all results."""
    data = results.assign(
        band=["red" if p < settings.low_score else "amber" if p < settings.amber_score else "green"
              for p in results["percent"]],
        risk=[t("analytics.at_risk") if a in at_risk_agents else t("analytics.not_at_risk") for a in results["agent"]],
        submitted_on=pd.to_datetime(results["submitted_on"]))
    floor = max(0, min(50, int(data["percent"].min()) - 5)) if not data.empty else 50
    pass_mark = float(results["pass_mark"].mode().iloc[0]) if not results.empty else 80.0
    rules = pd.DataFrame({"y": [pass_mark, settings.low_score],
                          "label": [t("analytics.pass_mark_label", mark=f"{pass_mark:g}"),
                                    t("analytics.low_line_label", low=f"{settings.low_score:g}")],
                          "colour": ["#1f77b4", BAND_COLOURS["red"]]})
    if shown_agents is not None:
        data = data[data["agent"].isin(shown_agents)]
    return data, means.assign(taken_on=pd.to_datetime(means["taken_on"])), rules, floor


def score_trend_spec(results: pd.DataFrame, means: pd.DataFrame, settings: CoachingSettings, t: Translator,
                at_risk_agents: set[str], exam_column: str, shown_agents: set[str] | None = None) -> dict:
    """The trend chart's Vega-Lite spec with this run's data attached (for `st.vega_lite_chart`).

    A dozen lines on one chart cannot be read: the page passes the people the lead chose
    (`shown_agents`; the team mean is always drawn).
    """
    data, means, rules, floor = _trend_frames(results, means, settings, t, at_risk_agents, shown_agents)
    return with_data(_trend_spec(_trend_labels(t), floor, exam_column), results=data, means=means, rules=rules)


def score_trend(t: Translator, results: pd.DataFrame, means: pd.DataFrame, settings: CoachingSettings,
                at_risk_agents: set[str], shown_agents: set[str] | None = None, *, exam_column: str = "exam",
                empty_key: str = "empty.team_dashboard") -> None:
    """Draw the team's results over time (see `score_trend_spec`), or say there are none."""
    if not nothing_to_draw(t, results, empty_key):
        draw(score_trend_spec(results, means, settings, t, at_risk_agents, exam_column, shown_agents))


def score_trend_spec_inline(results: pd.DataFrame, means: pd.DataFrame, settings: CoachingSettings, t: Translator,
                       at_risk_agents: set[str], exam_column: str, shown_agents: set[str] | None = None) -> dict:
    """The same chart compiled from scratch with its data inline (the uncached reference)."""
    data, means, rules, floor = _trend_frames(results, means, settings, t, at_risk_agents, shown_agents)
    return to_spec(_trend_altair(data, means, rules, _trend_labels(t), floor, exam_column))


# --- score distribution ---------------------------------------------------------------

def _distribution_altair(data, labels: tuple[str, str], order: tuple[str, ...]) -> alt.Chart:
    axis_band, axis_results = labels
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("band:N", title=axis_band, sort=list(order)),
        y=alt.Y("results:Q", title=axis_results),
        color=alt.Color("colour:N", scale=_band_scale(), legend=None),
        tooltip=[alt.Tooltip("band:N", title=axis_band),
                 alt.Tooltip("results:Q", title=axis_results)]).properties(height=260)


@lru_cache(maxsize=64)
def _distribution_spec(labels: tuple[str, str], order: tuple[str, ...]) -> dict:
    return to_spec(_distribution_altair(alt.NamedData("distribution"), labels, order))


def _distribution_frame(dist: pd.DataFrame, settings: CoachingSettings, t: Translator):
    data = dist.assign(colour=["red" if b < settings.low_score else "amber" if b + 10 <= settings.amber_score
                               or b < settings.amber_score else "green" for b in dist["band_from"]])
    order = tuple(b for _, b in sorted({(f, b) for f, b in zip(dist["band_from"], dist["band"])}))
    return data, (t("analytics.axis_band"), t("analytics.axis_results")), order


def score_distribution_spec(dist: pd.DataFrame, settings: CoachingSettings, t: Translator) -> dict:
    data, labels, order = _distribution_frame(dist, settings, t)
    return with_data(_distribution_spec(labels, order), distribution=data)


def score_distribution(t: Translator, dist: pd.DataFrame, settings: CoachingSettings, *,
                       empty_key: str = "analytics.no_results") -> None:
    """Draw how many results fell in each score band, coloured by the low and amber lines."""
    if not nothing_to_draw(t, dist, empty_key):
        draw(score_distribution_spec(dist, settings, t))


def score_distribution_spec_inline(dist: pd.DataFrame, settings: CoachingSettings, t: Translator) -> dict:
    data, labels, order = _distribution_frame(dist, settings, t)
    return to_spec(_distribution_altair(data, labels, order))


# --- proficiency curve ------------------------------------------------------------------

def _curve_altair(data, title: str, labels: tuple[str, str]) -> alt.Chart:
    axis_days, axis_share = labels
    return alt.Chart(data).mark_line(interpolate="step-after", point=True).encode(
        x=alt.X("day:Q", title=axis_days),
        y=alt.Y("share:Q", title=axis_share, axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("group:N", title=title),
        tooltip=["group:N", "day:Q", alt.Tooltip("share:Q", format=".0%")]).properties(height=260, title=title)


def _curve_labels(t: Translator) -> tuple[str, str]:
    return t("analytics.axis_days_since_start"), t("analytics.axis_share_proficient")


@lru_cache(maxsize=64)
def _curve_spec(title: str, labels: tuple[str, str]) -> dict:
    return to_spec(_curve_altair(alt.NamedData("curve"), title, labels))


def proficiency_curve_spec(curve: pd.DataFrame, title: str, t: Translator) -> dict:
    return with_data(_curve_spec(title, _curve_labels(t)), curve=curve)


def proficiency_curve(t: Translator, curve: pd.DataFrame, title: str, *,
                      empty_key: str = "analytics.no_proficiency_yet") -> None:
    """Draw the share of each group proficient by days since starting, or say nobody is yet."""
    if not nothing_to_draw(t, curve, empty_key, icon=":material/hourglass_empty:"):
        draw(proficiency_curve_spec(curve, title, t))


def proficiency_curve_spec_inline(curve: pd.DataFrame, title: str, t: Translator) -> dict:
    return to_spec(_curve_altair(curve, title, _curve_labels(t)))
