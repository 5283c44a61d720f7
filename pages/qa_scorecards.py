import pandas as pd
import streamlit as st

from portal.qa import scorecards
from portal.ui import rubric_builder, rubric_sheet, state
from portal.ui.dates import datetime_column
from portal.ui.tables import filled
from portal.ui.text import plain
from portal.ui.widgets import empty_state, page_header, run_action, service_call

NEW = "__new__"
PARAM = "scorecard"

t = state.translator()
actor = state.actor()
page_header(t, "nav.qa_scorecards", "qa.scorecards.caption")
rubric_builder.show_saved()


def render_listing(cards) -> None:
    frame = pd.DataFrame([{"title": c.title(t.language), "code": c.code, "version": c.version, "items": c.items,
                           "status": t("qa.scorecards.archived" if c.archived else "qa.scorecards.in_use"),
                           "updated_at": c.updated_at} for c in cards])
    shown, config = filled(t, frame, {"title": t("qa.scorecards.col.title"), "code": t("qa.rubric.field.id"),
                                      "version": t("qa.scorecards.col.version"),
                                      "items": t("qa.scorecards.col.items"),
                                      "status": t("qa.scorecards.col.status"),
                                      "updated_at": datetime_column(t, t("qa.scorecards.col.updated_at"))})
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)


def pick(cards) -> str:
    """The scorecard to edit (or a new one); the choice stays in the URL."""
    options = [c.code for c in cards] + [NEW]
    titles = {c.code: c.title(t.language) + (f" · {t('qa.scorecards.archived')}" if c.archived else "")
              for c in cards}
    titles[NEW] = t("qa.scorecards.new")
    wanted = st.query_params.get(PARAM)
    index = options.index(wanted) if wanted in options else (0 if cards else options.index(NEW))
    chosen = st.selectbox(t("qa.scorecards.pick"), options, index=index, format_func=titles.get, key="qa_sc_pick")
    if st.query_params.get(PARAM) != chosen:
        st.query_params[PARAM] = chosen
    return chosen


def render_history(code: str) -> None:
    with service_call(t) as session:
        history = scorecards.version_history(session, actor, code)
    frame = pd.DataFrame([{"version": v.version, "author": v.author or "—", "created_at": v.created_at,
                           "items": sum(1 for _ in v.spec.items())} for v in history])
    shown, config = filled(t, frame, {"version": t("qa.scorecards.col.version"),
                                      "author": t("qa.scorecards.col.author"),
                                      "created_at": datetime_column(t, t("qa.scorecards.col.saved_at")),
                                      "items": t("qa.scorecards.col.items")})
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
    versions = {v.version: v for v in history}
    shown_version = st.selectbox(t("qa.scorecards.show_version"), list(versions), format_func=lambda n: f"v{n}",
                                 key=f"qa_sc_hist_{code}")
    rubric_sheet.preview(t, versions[shown_version].spec)


def render_archive(card) -> None:
    label = "qa.scorecards.restore" if card.archived else "qa.scorecards.archive"
    st.caption(t("qa.scorecards.archive_help"))
    if st.button(t(label), key=f"qa_sc_archive_{card.code}"):
        if run_action(t, lambda s: scorecards.set_archived(s, actor, card.code, not card.archived),
                      "qa.scorecards.restored" if card.archived else "qa.scorecards.archived_done"):
            st.rerun()


with service_call(t) as session:
    cards = scorecards.list_scorecards(session, actor, include_archived=True)

if cards:
    render_listing(cards)
else:
    empty_state(t, "qa.scorecards.empty", icon=":material/checklist:")

chosen = pick(cards)
if chosen == NEW:
    st.subheader(t("qa.scorecards.new"))
    saved = rubric_builder.editor(
        t, "qa_sc_new", None, allow_na=True, is_new=True,
        save=lambda s, spec: (spec.id, scorecards.save_scorecard(s, actor, spec, new=True).version))
    if saved:
        code, version = saved.value
        rubric_builder.remember_saved(t("qa.scorecards.saved", version=version), code, picker_key="qa_sc_pick")
        st.query_params[PARAM] = code
        for name in [k for k in st.session_state if str(k).startswith("qa_sc_new")]:
            del st.session_state[name]
        st.rerun()
else:
    card = next(c for c in cards if c.code == chosen)
    with service_call(t) as session:
        version_id, spec = scorecards.current_spec(session, actor, chosen)
    st.subheader(plain(card.title(t.language)))
    st.caption(t("qa.scorecards.current_version", version=card.version))
    edit_area, history_area = st.tabs([t("qa.scorecards.edit"), t("qa.scorecards.history")])
    with edit_area:
        saved = rubric_builder.editor(
            t, f"qa_sc_{chosen}_{version_id}", spec, allow_na=True, is_new=False,
            save=lambda s, new_spec: scorecards.save_scorecard(s, actor, new_spec, based_on_version_id=version_id))
        if saved:
            rubric_builder.remember_saved(t("qa.scorecards.saved", version=saved.value.version)
                                          if saved.value.id != version_id else t("qa.scorecards.unchanged"))
            st.rerun()
        render_archive(card)
    with history_area:
        render_history(chosen)
