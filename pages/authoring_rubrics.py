import pandas as pd
import streamlit as st

from portal.quizzes import rubrics
from portal.ui import rubric_builder, state
from portal.ui.dates import datetime_column
from portal.ui.tables import filled
from portal.ui.text import plain
from portal.ui.widgets import empty_state, page_header, service_call

NEW = "__new__"
PARAM = "rubric"

t = state.translator()
actor = state.actor()
page_header(t, "nav.exam_rubrics", "qa.rubric.page_caption")
rubric_builder.show_saved()


def render_listing(listing) -> None:
    frame = pd.DataFrame([{"title": r.title(t.language), "code": r.code, "items": r.items, "exams": r.exams,
                           "attempts": r.attempts, "updated_at": r.updated_at} for r in listing])
    shown, config = filled(t, frame, {"title": t("qa.scorecards.col.title"), "code": t("qa.rubric.field.id"),
                                      "items": t("qa.scorecards.col.items"), "exams": t("qa.rubric.col.exams"),
                                      "attempts": t("qa.rubric.col.attempts"),
                                      "updated_at": datetime_column(t, t("qa.scorecards.col.updated_at"))})
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)


def pick(listing) -> str:
    options = [r.code for r in listing] + [NEW]
    titles = {r.code: r.title(t.language) for r in listing} | {NEW: t("qa.rubric.new")}
    wanted = st.query_params.get(PARAM)
    index = options.index(wanted) if wanted in options else 0
    chosen = st.selectbox(t("qa.rubric.pick"), options, index=index, format_func=titles.get, key="rubric_pick")
    if st.query_params.get(PARAM) != chosen:
        st.query_params[PARAM] = chosen
    return chosen


with service_call(t) as session:
    listing = rubrics.list_rubrics(session, actor)

if listing:
    render_listing(listing)
else:
    empty_state(t, "qa.rubric.empty", icon=":material/checklist:")
st.caption(t("qa.rubric.files_note"))

chosen = pick(listing)
if chosen == NEW:
    st.subheader(t("qa.rubric.new"))
    saved = rubric_builder.editor(t, "rubric_new", None, allow_na=False, is_new=True,
                                  save=lambda s, spec: rubrics.save_rubric(s, actor, spec, new=True).code)
    if saved:
        rubric_builder.remember_saved(t("qa.rubric.saved"), saved.value, picker_key="rubric_pick")
        st.query_params[PARAM] = saved.value
        for name in [k for k in st.session_state if str(k).startswith("rubric_new")]:
            del st.session_state[name]
        st.rerun()
else:
    summary = next(r for r in listing if r.code == chosen)
    with service_call(t) as session:
        spec = rubrics.rubric_spec(session, actor, chosen)
    st.subheader(plain(summary.title(t.language)))
    if summary.attempts:
        st.info(t("qa.rubric.in_use", attempts=summary.attempts), icon=":material/info:")
    saved = rubric_builder.editor(
        t, f"rubric_{chosen}_{hash(spec.model_dump_json())}", spec, allow_na=False, is_new=False,
        save=lambda s, new_spec: rubrics.save_rubric(s, actor, new_spec, based_on=spec).code,
        save_label=t("qa.rubric.save_changes"))
    if saved:
        rubric_builder.remember_saved(t("qa.rubric.saved"))
        st.rerun()
