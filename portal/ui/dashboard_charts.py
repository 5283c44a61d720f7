"""Altair charts for the team dashboard (built from small, already-aggregated frames)."""
import altair as alt
import pandas as pd

from portal.coaching import CoachingSettings
from portal.i18n import Translator
from portal.ui.coaching_views import BAND_COLOURS

BAND_ORDER = ["red", "amber", "green"]


def _band_scale(t: Translator):
    return alt.Scale(domain=BAND_ORDER, range=[BAND_COLOURS[b] for b in BAND_ORDER])


def trend_chart(results: pd.DataFrame, means: pd.DataFrame, settings: CoachingSettings, t: Translator,
                at_risk_agents: set[str], exam_column: str) -> alt.LayerChart:
    """One line per agent (at-risk agents drawn thicker), points in threshold colours,
    the team mean as a dashed black line, the pass mark and the low line as rules."""
    data = results.assign(
        band=["red" if p < settings.low_score else "amber" if p < settings.amber_score else "green"
              for p in results["percent"]],
        risk=[t("analytics.at_risk") if a in at_risk_agents else t("analytics.not_at_risk") for a in results["agent"]],
        submitted_on=pd.to_datetime(results["submitted_on"]))
    floor = max(0, min(50, int(data["percent"].min()) - 5)) if not data.empty else 50
    x = alt.X("submitted_on:T", title=t("analytics.axis_date"))
    y = alt.Y("percent:Q", title=t("analytics.axis_score"), scale=alt.Scale(domain=[floor, 100]))
    tooltip = [alt.Tooltip("agent:N", title=t("coaching.col.agent")),
               alt.Tooltip(f"{exam_column}:N", title=t("coaching.col.exam")),
               alt.Tooltip("percent:Q", title=t("coaching.col.percent"), format=".0f"),
               alt.Tooltip("submitted_on:T", title=t("coaching.col.submitted_on"))]
    pick = alt.selection_point(fields=["agent"], bind="legend")
    lines = alt.Chart(data).mark_line().encode(
        x=x, y=y, color=alt.Color("agent:N", title=t("coaching.col.agent")),
        strokeWidth=alt.StrokeWidth("risk:N", title=t("analytics.risk_legend"),
                                    scale=alt.Scale(domain=[t("analytics.not_at_risk"), t("analytics.at_risk")],
                                                    range=[1.2, 3.5])),
        opacity=alt.condition(pick, alt.value(0.9), alt.value(0.15))).add_params(pick)
    points = alt.Chart(data).mark_circle(size=55).encode(
        x=x, y=y, color=alt.Color("band:N", scale=_band_scale(t), legend=None),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.15)), tooltip=tooltip)
    mean = alt.Chart(means.assign(taken_on=pd.to_datetime(means["taken_on"]))).mark_line(
        color="black", strokeDash=[6, 3], strokeWidth=2.5, point=alt.OverlayMarkDef(color="black")).encode(
        x="taken_on:T", y="mean:Q",
        tooltip=[alt.Tooltip(f"{exam_column}:N", title=t("coaching.col.exam")),
                 alt.Tooltip("mean:Q", title=t("analytics.team_mean"), format=".1f")])
    pass_mark = float(results["pass_mark"].mode().iloc[0]) if not results.empty else 80.0
    rules = pd.DataFrame({"y": [pass_mark, settings.low_score],
                          "label": [t("analytics.pass_mark_label", mark=f"{pass_mark:g}"),
                                    t("analytics.low_line_label", low=f"{settings.low_score:g}")],
                          "colour": ["#1f77b4", BAND_COLOURS["red"]]})
    rule = alt.Chart(rules).mark_rule(strokeDash=[4, 4], strokeWidth=1.5).encode(
        y="y:Q", color=alt.Color("colour:N", scale=None))
    label = alt.Chart(rules).mark_text(align="left", dx=4, dy=-6, fontSize=11).encode(
        y="y:Q", x=alt.value(0), text="label:N", color=alt.Color("colour:N", scale=None))
    return alt.layer(lines, points, mean, rule, label).resolve_scale(color="independent").properties(height=380)


def distribution_chart(dist: pd.DataFrame, settings: CoachingSettings, t: Translator) -> alt.Chart:
    data = dist.assign(colour=["red" if b < settings.low_score else "amber" if b + 10 <= settings.amber_score
                               or b < settings.amber_score else "green" for b in dist["band_from"]])
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("band:N", title=t("analytics.axis_band"), sort=[b for _, b in sorted(
            {(f, b) for f, b in zip(dist["band_from"], dist["band"])})]),
        y=alt.Y("results:Q", title=t("analytics.axis_results")),
        color=alt.Color("colour:N", scale=_band_scale(t), legend=None),
        tooltip=[alt.Tooltip("band:N", title=t("analytics.axis_band")),
                 alt.Tooltip("results:Q", title=t("analytics.axis_results"))]).properties(height=260)


def curve_chart(curve: pd.DataFrame, title: str, t: Translator) -> alt.Chart:
    return alt.Chart(curve).mark_line(interpolate="step-after", point=True).encode(
        x=alt.X("day:Q", title=t("analytics.axis_days_since_start")),
        y=alt.Y("share:Q", title=t("analytics.axis_share_proficient"), axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("group:N", title=title),
        tooltip=["group:N", "day:Q", alt.Tooltip("share:Q", format=".0%")]).properties(height=260, title=title)
