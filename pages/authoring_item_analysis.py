"""Item analysis for trainers: the test's figures, each question slot's, and the difficulty chart."""
import streamlit as st

from portal.i18n import localized_column
from portal.quizzes import analysis
from portal.quizzes import exams as exams_service
from portal.quizzes.stats import TOO_EASY_FACILITY, TOO_HARD_FACILITY, WEAK_DISCRIMINATION
from portal.ui import charts, state
from portal.ui.charts import FLAG_COLOURS
from portal.ui.tables import filled
from portal.ui.paging import UrlFilters
from portal.ui.widgets import empty_state, page_header, service_call

UNDEFINED = "—"
EXAM_PARAM = "exam"
PERCENT_LABELS = {"facility": "exams.analysis.facility", "sd": "exams.analysis.sd",
                  "discrimination_index": "exams.analysis.discrimination",
                  "discriminative_efficiency": "exams.analysis.efficiency",
                  "intended_weight": "exams.analysis.intended_weight",
                  "effective_weight": "exams.analysis.effective_weight"}

t = state.translator()
actor = state.actor()


def pct(value):
    return UNDEFINED if value is None else f"{value * 100:.1f}%"


def num(value, digits=2):
    return UNDEFINED if value is None else f"{value:.{digits}f}"


def choose_exam() -> int:
    """The exam to analyse, among those with marks; none: say so and stop."""
    with service_call(t) as session:
        listing = exams_service.exam_choices(session, actor)  # titles only: no pass over every attempt
        analysable = analysis.exams_with_marks(session, actor)
    listing = listing[listing["id"].isin(analysable)] if not listing.empty else listing
    if listing.empty:
        empty_state(t, "empty.item_analysis")
        st.stop()
    titles = dict(zip(listing["id"].tolist(), localized_column(listing, "title", t.language)))
    filters = UrlFilters()  # Home's "questions flagged" item links here with ?exam=<id>
    chosen = st.selectbox(t("exams.field.exam"), list(titles), format_func=titles.get,
                          **filters.bind("analysis_exam", EXAM_PARAM, default=next(iter(titles)), parse=int,
                                         allowed=list(titles)))
    filters.keep()
    return chosen


def figure(column, label_key: str, value, shown: str, help_key: str | None = None) -> None:
    """A metric; an undefined one shows "—" and says why in its help."""
    notes = [t(help_key)] if help_key else []
    if value is None:
        notes.append(t(f"exams.analysis.undefined.{label_key.rsplit('.', 1)[-1]}"))
    column.metric(t(label_key), shown, help="\n\n".join(notes) or None)


def render_test_figures(test) -> None:
    st.subheader(t("exams.analysis.test"))
    row1 = st.columns(5)
    row1[0].metric(t("exams.analysis.attempts"), test.count)
    figure(row1[1], "exams.analysis.mean", test.mean_fraction, pct(test.mean_fraction))
    figure(row1[2], "exams.analysis.median", test.median_fraction, pct(test.median_fraction))
    figure(row1[3], "exams.analysis.sd", test.sd_fraction, pct(test.sd_fraction))
    figure(row1[4], "exams.analysis.alpha", test.cronbach_alpha, pct(test.cronbach_alpha), "exams.analysis.alpha_help")
    row2 = st.columns(5)
    figure(row2[0], "exams.analysis.skewness", test.skewness, num(test.skewness))
    figure(row2[1], "exams.analysis.kurtosis", test.kurtosis, num(test.kurtosis))
    figure(row2[2], "exams.analysis.error_ratio", test.error_ratio, pct(test.error_ratio))
    figure(row2[3], "exams.analysis.standard_error", test.standard_error, num(test.standard_error))
    figure(row2[4], "exams.analysis.max_total", test.max_total, num(test.max_total, 1))
    if test.count < analysis.MIN_ATTEMPTS_FOR_FLAGS:
        st.warning(t("exams.analysis.few_attempts", n=test.count), icon=":material/info:")


def flagged_slots(result, titles: dict[str, str]):
    """Each slot's figures with its flag, and practical items by their text rather than their id."""
    slots = result.slots_frame()
    slots["flag"] = slots.apply(analysis.slot_flag, axis=1)
    slots["flag_text"] = slots["flag"].map(lambda f: t(f"exams.analysis.flag.{f}"))
    slots["label"] = slots["label"].map(lambda label: titles.get(label, label))
    return slots


def render_slots(slots) -> None:
    """The slots as a table, flagged rows shaded; an undefined figure reads "—" (`filled`)."""
    percents = slots[list(PERCENT_LABELS)].astype(float) * 100
    config = {"slot": t("exams.analysis.slot"), "label": t("exams.analysis.question"),
              "attempts": t("exams.analysis.attempts"), "flag_text": t("exams.analysis.flag"),
              **{column: st.column_config.NumberColumn(t(key), format="%.1f%%")
                 for column, key in PERCENT_LABELS.items()}}
    table, config = filled(t, slots[["slot", "label", "attempts", "flag_text"]].join(percents)
                           [["slot", "label", "attempts", *PERCENT_LABELS, "flag_text"]], config)

    def colour(row):
        flag = slots.loc[row.name, "flag"]
        return [f"background-color: {FLAG_COLOURS[flag]}22" if flag != "ok" else ""] * len(row)

    st.subheader(t("exams.analysis.slots"))
    st.dataframe(table.style.apply(colour, axis=1), hide_index=True, width="stretch", column_config=config)
    st.caption(t("exams.analysis.flags_help", easy=f"{TOO_EASY_FACILITY:.0%}", hard=f"{TOO_HARD_FACILITY:.0%}",
                 weak=f"{WEAK_DISCRIMINATION:.0%}"))
    if percents.isna().any().any():
        st.caption(t("exams.analysis.undefined_help"))


def render_downloads(exam, result) -> None:
    left, right = st.columns(2)
    # both files are built when their button is clicked, not on every rerun (the marks of 20,000 attempts: ~3 MB)
    left.download_button(t("exams.analysis.download_items"), lambda: analysis.item_analysis_csv(result),
                         file_name=f"{exam.code}-item-analysis.csv", mime="text/csv", icon=":material/download:")
    right.download_button(t("exams.analysis.download_marks"), analysis.deferred_marks_csv(actor, exam.id),
                          file_name=f"{exam.code}-marks.csv", mime="text/csv", icon=":material/download:")


page_header(t, "nav.item_analysis", "exams.analysis.caption")
exam_id = choose_exam()
with service_call(t) as session:
    exam, result, _ = analysis.exam_item_analysis(session, actor, exam_id)
    item_titles = analysis.item_titles(session, actor, exam_id, t.language)
if result.test.count == 0:
    empty_state(t, "exams.analysis.no_graded")
    st.stop()
counted_key = "exams.analysis.counted_all" if exam.grading == "average" else "exams.analysis.counted_one"
st.caption(t(counted_key, grading=t(f"exams.grading.{exam.grading}")))
render_test_figures(result.test)
slots = flagged_slots(result, item_titles)
render_slots(slots)
st.subheader(t("exams.analysis.chart"))
charts.difficulty_vs_discrimination(t, slots)
render_downloads(exam, result)
