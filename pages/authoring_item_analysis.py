import altair as alt
import pandas as pd
import streamlit as st

from portal.quizzes import analysis
from portal.quizzes import exams as exams_service
from portal.quizzes.stats import TOO_EASY_FACILITY, TOO_HARD_FACILITY, WEAK_DISCRIMINATION
from portal.ui import state
from portal.ui.widgets import empty_state, page_header, service_call

FLAG_COLOURS = {"ok": "#2e7d32", "too_easy": "#1565c0", "too_hard": "#c62828", "weak": "#ef6c00",
                "negative": "#6a1b9a"}

t = state.translator()
actor = state.actor()
page_header(t, "nav.item_analysis", "exams.analysis.caption")

with service_call(t) as session:
    listing = exams_service.list_exams(session, actor)
    analysable = analysis.exams_with_marks(session, actor)
listing = listing[listing["id"].isin(analysable)] if not listing.empty else listing
if listing.empty:
    empty_state(t, "empty.item_analysis")
    st.stop()

titles = dict(zip(listing["id"].tolist(), (listing["title_zh"] if t.language == "zh-CN"
                                           else listing["title_en"]).tolist()))
exam_id = st.selectbox(t("exams.field.exam"), list(titles), format_func=titles.get, key="analysis_exam")
with service_call(t) as session:
    exam, result, _ = analysis.exam_item_analysis(session, actor, exam_id)

test = result.test
if test.count == 0:
    empty_state(t, "exams.analysis.no_graded")
    st.stop()
counted_key = "exams.analysis.counted_all" if exam.grading == "average" else "exams.analysis.counted_one"
st.caption(t(counted_key, grading=t(f"exams.grading.{exam.grading}")))


def pct(value):
    return "—" if value is None else f"{value * 100:.1f}%"


def num(value, digits=2):
    return "—" if value is None else f"{value:.{digits}f}"


st.subheader(t("exams.analysis.test"))
row1 = st.columns(5)
row1[0].metric(t("exams.analysis.attempts"), test.count)
row1[1].metric(t("exams.analysis.mean"), pct(test.mean_fraction))
row1[2].metric(t("exams.analysis.median"), pct(test.median_fraction))
row1[3].metric(t("exams.analysis.sd"), pct(test.sd_fraction))
row1[4].metric(t("exams.analysis.alpha"), pct(test.cronbach_alpha), help=t("exams.analysis.alpha_help"))
row2 = st.columns(5)
row2[0].metric(t("exams.analysis.skewness"), num(test.skewness))
row2[1].metric(t("exams.analysis.kurtosis"), num(test.kurtosis))
row2[2].metric(t("exams.analysis.error_ratio"), pct(test.error_ratio))
row2[3].metric(t("exams.analysis.standard_error"), num(test.standard_error))
row2[4].metric(t("exams.analysis.max_total"), num(test.max_total, 1))
if test.count < 10:
    st.warning(t("exams.analysis.few_attempts", n=test.count), icon=":material/info:")

slots = result.slots_frame()


def flag_of(row) -> str:
    if row["negative_discrimination"]:
        return "negative"
    if row["too_hard"]:
        return "too_hard"
    if row["too_easy"]:
        return "too_easy"
    if row["weak_discrimination"]:
        return "weak"
    return "ok"


slots["flag"] = slots.apply(flag_of, axis=1)
slots["flag_text"] = slots["flag"].map(lambda f: t(f"exams.analysis.flag.{f}"))
table = slots[["slot", "label", "attempts", "facility", "sd", "discrimination_index", "discriminative_efficiency",
               "intended_weight", "effective_weight", "flag_text"]].copy()
for column in ["facility", "sd", "discrimination_index", "discriminative_efficiency", "intended_weight",
               "effective_weight"]:
    table[column] = table[column] * 100


def colour(row):
    shade = FLAG_COLOURS[slots.loc[row.name, "flag"]] + "22"
    return [f"background-color: {shade}" if slots.loc[row.name, "flag"] != "ok" else ""] * len(row)


st.subheader(t("exams.analysis.slots"))
st.dataframe(table.style.apply(colour, axis=1), hide_index=True, width="stretch",
             column_config={"slot": t("exams.analysis.slot"), "label": t("exams.analysis.question"),
                            "attempts": t("exams.analysis.attempts"),
                            "facility": st.column_config.NumberColumn(t("exams.analysis.facility"), format="%.1f%%"),
                            "sd": st.column_config.NumberColumn(t("exams.analysis.sd"), format="%.1f%%"),
                            "discrimination_index": st.column_config.NumberColumn(
                                t("exams.analysis.discrimination"), format="%.1f%%"),
                            "discriminative_efficiency": st.column_config.NumberColumn(
                                t("exams.analysis.efficiency"), format="%.1f%%"),
                            "intended_weight": st.column_config.NumberColumn(
                                t("exams.analysis.intended_weight"), format="%.1f%%"),
                            "effective_weight": st.column_config.NumberColumn(
                                t("exams.analysis.effective_weight"), format="%.1f%%"),
                            "flag_text": t("exams.analysis.flag")})
st.caption(t("exams.analysis.flags_help", easy=f"{TOO_EASY_FACILITY:.0%}", hard=f"{TOO_HARD_FACILITY:.0%}",
             weak=f"{WEAK_DISCRIMINATION:.0%}"))

st.subheader(t("exams.analysis.chart"))
points = slots.dropna(subset=["facility"]).assign(
    discrimination=lambda f: f["discrimination_index"].fillna(0.0))
flags = list(FLAG_COLOURS)
scatter = alt.Chart(points).mark_circle(size=120, opacity=0.85).encode(
    x=alt.X("facility:Q", title=t("exams.analysis.facility"), scale=alt.Scale(domain=[0, 1]),
            axis=alt.Axis(format="%")),
    y=alt.Y("discrimination:Q", title=t("exams.analysis.discrimination"), scale=alt.Scale(domain=[-1, 1]),
            axis=alt.Axis(format="%")),
    color=alt.Color("flag_text:N", title=t("exams.analysis.flag"),
                    scale=alt.Scale(domain=[t(f"exams.analysis.flag.{f}") for f in flags],
                                    range=[FLAG_COLOURS[f] for f in flags])),
    tooltip=[alt.Tooltip("label:N", title=t("exams.analysis.question")),
             alt.Tooltip("facility:Q", title=t("exams.analysis.facility"), format=".0%"),
             alt.Tooltip("discrimination:Q", title=t("exams.analysis.discrimination"), format=".0%")])
guides = pd.DataFrame({"x": [TOO_HARD_FACILITY, TOO_EASY_FACILITY]})
vertical = alt.Chart(guides).mark_rule(strokeDash=[4, 4], color="#888").encode(x="x:Q")
horizontal = alt.Chart(pd.DataFrame({"y": [WEAK_DISCRIMINATION, 0.0]})).mark_rule(
    strokeDash=[4, 4], color="#888").encode(y="y:Q")
st.altair_chart(vertical + horizontal + scatter, width="stretch")

left, right = st.columns(2)
# both files are built when their button is clicked, not on every rerun (the marks of 20,000 attempts: ~3 MB)
left.download_button(t("exams.analysis.download_items"), lambda: analysis.item_analysis_csv(result),
                     file_name=f"{exam.code}-item-analysis.csv", mime="text/csv", icon=":material/download:")
right.download_button(t("exams.analysis.download_marks"), analysis.deferred_marks_csv(actor, exam.id),
                      file_name=f"{exam.code}-marks.csv", mime="text/csv", icon=":material/download:")
