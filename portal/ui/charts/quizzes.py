"""The question bank's, item analysis's and practice's charts."""
import altair as alt
import pandas as pd

from portal.formatting import center_wall_clock
from portal.i18n import Translator
from portal.quizzes.stats import TOO_EASY_FACILITY, TOO_HARD_FACILITY, WEAK_DISCRIMINATION
from portal.ui.charts.base import day_axis, draw_altair, in_language, nothing_to_draw

FLAG_COLOURS = {"ok": "#2e7d32", "too_easy": "#1565c0", "too_hard": "#c62828", "weak": "#ef6c00",
                "negative": "#6a1b9a"}
"""An item analysis flag's colour, in the chart and behind the table's rows."""


def difficulty_vs_discrimination_chart(t: Translator, slots: pd.DataFrame) -> alt.LayerChart:
    """One point per question slot (facility across, discrimination up, coloured by flag), with dashed
    guides at the too-hard and too-easy facilities and at the weak and zero discrimination."""
    points = slots.dropna(subset=["facility"]).assign(
        discrimination=lambda f: f["discrimination_index"].fillna(0.0))
    facility, discrimination = t("exams.analysis.facility"), t("exams.analysis.discrimination")
    scatter = alt.Chart(points).mark_circle(size=120, opacity=0.85).encode(
        x=alt.X("facility:Q", title=facility, scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        y=alt.Y("discrimination:Q", title=discrimination, scale=alt.Scale(domain=[-1, 1]),
                axis=alt.Axis(format="%")),
        color=alt.Color("flag_text:N", title=t("exams.analysis.flag"),
                        scale=alt.Scale(domain=[t(f"exams.analysis.flag.{f}") for f in FLAG_COLOURS],
                                        range=list(FLAG_COLOURS.values()))),
        tooltip=[alt.Tooltip("label:N", title=t("exams.analysis.question")),
                 alt.Tooltip("facility:Q", title=facility, format=".0%"),
                 alt.Tooltip("discrimination:Q", title=discrimination, format=".0%")])
    guides = pd.DataFrame({"x": [TOO_HARD_FACILITY, TOO_EASY_FACILITY]})
    vertical = alt.Chart(guides).mark_rule(strokeDash=[4, 4], color="#888").encode(x="x:Q")
    horizontal = alt.Chart(pd.DataFrame({"y": [WEAK_DISCRIMINATION, 0.0]})).mark_rule(
        strokeDash=[4, 4], color="#888").encode(y="y:Q")
    return vertical + horizontal + scatter


def difficulty_vs_discrimination(t: Translator, slots: pd.DataFrame, *, empty_key: str | None = None) -> None:
    """Draw the item analysis scatter (see `difficulty_vs_discrimination_chart`), or say there is nothing."""
    if not nothing_to_draw(t, slots.dropna(subset=["facility"]), empty_key):
        draw_altair(difficulty_vs_discrimination_chart(t, slots))


def question_counts_chart(t: Translator, counts: pd.Series, title: str) -> alt.Chart:
    """A horizontal bar per value (type, tag), longest first."""
    frame = counts.rename_axis("item").reset_index(name="count")
    return alt.Chart(frame, height=max(120, 22 * len(frame))).mark_bar().encode(
        x=alt.X("count:Q", title=t("quizbank.bank.count")), y=alt.Y("item:N", sort="-x", title=title),
        tooltip=["item", "count"])


def question_counts(t: Translator, counts: pd.Series, title: str, *, empty_key: str | None = None) -> None:
    """Draw how many questions have each value (type, tag), or say there are none."""
    if not nothing_to_draw(t, counts, empty_key):
        draw_altair(question_counts_chart(t, counts, title))


def practice_scores_chart(t: Translator, history: pd.DataFrame) -> alt.Chart:
    """One line per quiz: each practice attempt's score on the day it was sent (the center's clock)."""
    chart = alt.Chart(history.assign(submitted_at=center_wall_clock(history["submitted_at"]))).mark_line(
        point=True).encode(
        x=day_axis("submitted_at:T", t("quizbank.practice.col.when"), t.language),
        y=alt.Y("percent:Q", title=t("quizbank.practice.col.percent"), scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("quiz:N", title=t("quizbank.practice.col.quiz")),
        tooltip=["quiz", "number", "percent"])
    return in_language(chart, t.language)


def practice_scores(t: Translator, history: pd.DataFrame, *, empty_key: str = "quizbank.practice.no_history") -> None:
    """Draw the person's practice scores over time once there are two to join; none: say so."""
    if nothing_to_draw(t, history, empty_key):
        return
    if len(history) >= 2:
        draw_altair(practice_scores_chart(t, history))
