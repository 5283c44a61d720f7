import pandas as pd
import streamlit as st

from portal.formatting import format_datetime
from portal.i18n import localized_field
from portal.qa import dashboards, focus
from portal.ui import state
from portal.ui.charts.qa import month_label
from portal.ui.forms import RecordForm
from portal.ui.tables import filled
from portal.ui.text import plain
from portal.ui.widgets import empty_state, page_header, run_action, service_call

t = state.translator()
actor = state.actor()
FIELDS_BY_ERROR = {"qa.focus.error.title_en_required": "title_en", "qa.focus.error.title_zh_required": "title_zh",
                   "qa.focus.error.title_too_long": "title_en", "qa.focus.error.duplicate_title": "title_en",
                   "qa.focus.error.no_links": "links", "qa.focus.error.unknown_item": "links",
                   "qa.focus.error.unknown_module": "links", "qa.focus.error.unknown_tag": "links",
                   "qa.focus.error.too_many_links": "links", "qa.focus.error.published": "republish"}


def render_month() -> str:
    months = dashboards.recent_months(13)
    following = dashboards.recent_months(1, dashboards.month_of(months[-1]).end)[0]
    choices = [following, *months[::-1]]
    return st.selectbox(t("qa.focus.month"), choices, index=1, key="qa_focus_month",
                        format_func=lambda m: month_label(m, t.language))


def render_items(items: list[focus.FocusItemView], labels: dict, modules: dict) -> None:
    if not items:
        empty_state(t, "qa.focus.none")
        return
    frame = pd.DataFrame([{
        "title": item.title(t.language),
        "scorecard_items": ", ".join(labels.get(i, i) for i in item.scorecard_item_ids),
        "modules": ", ".join(_module(modules, code) for code in item.module_codes),
        "quiz_tags": ", ".join(item.quiz_tags),
        "published_at": format_datetime(item.published_at, t.language) if item.published_at else None,
    } for item in items])
    shown = frame.rename(columns={c: t(f"qa.focus.col.{c}") for c in frame.columns})
    display, config = filled(t, shown)
    st.dataframe(display, hide_index=True, width="stretch", column_config=config)


def _module(modules: dict, code: str) -> str:
    titles = modules.get(code)
    return titles[1 if t.language == "zh-CN" else 0] if titles else code


def render_form(month: str, published: bool, labels: dict, modules: dict, tags: list[str],
                editing: focus.FocusItemView | None) -> None:
    """Add an item to the month (or change `editing`); a published month changes only when republish is ticked."""
    form = RecordForm(f"qa_focus_{month}_{editing.id if editing else 'new'}")
    form.show_saved()
    with st.form(form.key("form")):
        left, right = st.columns(2)
        title_en = left.text_input(t("qa.focus.title_en"), value=editing.title_en if editing else "",
                                   max_chars=focus.TITLE_MAX, key=form.key("title_en"))
        with left:
            form.show_error("title_en")
        title_zh = right.text_input(t("qa.focus.title_zh"), value=editing.title_zh if editing else "",
                                    max_chars=focus.TITLE_MAX, key=form.key("title_zh"))
        with right:
            form.show_error("title_zh")
        items = st.multiselect(t("qa.focus.scorecard_items"), list(labels), format_func=labels.get,
                               default=list(editing.scorecard_item_ids) if editing else [], key=form.key("items"),
                               placeholder=t("qa.focus.choose"), select_all=False)
        chosen_modules = st.multiselect(t("qa.focus.modules"), list(modules), format_func=lambda c: _module(modules, c),
                                        default=[c for c in editing.module_codes if c in modules] if editing else [],
                                        key=form.key("modules"), placeholder=t("qa.focus.choose"),
                                        select_all=False)
        chosen_tags = st.multiselect(t("qa.focus.quiz_tags"), tags, key=form.key("tags"),
                                     default=[g for g in editing.quiz_tags if g in tags] if editing else [],
                                     placeholder=t("qa.focus.choose"), select_all=False)
        form.show_error("links")
        republish = False
        if published:
            republish = st.checkbox(t("qa.focus.republish"), help=t("qa.focus.republish_help"),
                                    key=form.key("republish"))
            form.show_error("republish")
        submitted = st.form_submit_button(t("qa.focus.save"), type="primary", icon=":material/save:")
    if submitted:
        draft = focus.FocusDraft(month, title_en, title_zh, tuple(items), tuple(chosen_modules), tuple(chosen_tags))
        if form.submit(t, lambda s: focus.save_item(s, actor, draft, editing.id if editing else None,
                                                    republish=republish), fields_by_error=FIELDS_BY_ERROR):
            form.saved(t("qa.focus.saved"))
            st.rerun()


def render_publish(month: str, items: list[focus.FocusItemView]) -> None:
    drafts = [item for item in items if item.published_at is None]
    if not drafts:
        return
    st.info(t("qa.focus.drafts", count=len(drafts)), icon=":material/edit_note:")
    clicked = st.button(t("qa.focus.publish", month=month_label(month, t.language)), type="primary",
                        icon=":material/campaign:", key=f"qa_focus_publish_{month}")
    if clicked and run_action(t, lambda s: focus.publish_month(s, actor, month), "qa.focus.published_toast"):
        st.rerun()


def render_assignments(assignments: list[focus.Assignment], modules: dict) -> None:
    st.subheader(t("qa.focus.assign_title"))
    st.caption(t("qa.focus.assign_caption"))
    if not assignments:
        empty_state(t, "qa.focus.none")
        return
    for assignment in assignments:
        lines = [f"- {t('qa.focus.assign_module', title=_module(modules, code))}" for code, *_ in assignment.modules]
        lines += [f"- {t('qa.focus.assign_quiz', title=plain(zh if t.language == 'zh-CN' else en), count=n)}"
                  for _, en, zh, n in assignment.quizzes]
        st.markdown(f"**{plain(assignment.focus.title(t.language))}**")
        st.markdown("\n".join(lines) if lines else t("qa.focus.assign_nothing"))


page_header(t, "nav.qa_focus", "qa.focus.caption")
month = render_month()
with service_call(t) as session:
    items = focus.focus_items(session, actor, month)
    card_items = focus.scorecard_items(session, actor)
    tags = focus.quiz_tags(session)
    assignments = focus.assignments(session, actor, month)
    published = focus.is_published(session, month)
modules = focus.course_modules()
labels = {row.item_id: f"{localized_field(row, 'scorecard', t.language)} · {localized_field(row, 'item', t.language)}"
          for row in card_items.itertuples()}
if published:
    st.success(t("qa.focus.published_note", month=month_label(month, t.language)), icon=":material/lock:")
render_items(items, labels, modules)
render_publish(month, items)
st.subheader(t("qa.focus.add_title"))
render_form(month, published, labels, modules, tags, None)
if items:
    with st.expander(t("qa.focus.edit_title")):
        names = {item.id: item.title(t.language) for item in items}
        picked = st.selectbox(t("qa.focus.edit_pick"), list(names), format_func=lambda i: plain(names[i]),
                              index=None, key=f"qa_focus_edit_{month}", placeholder=t("qa.focus.choose"))
        if picked is not None:
            render_form(month, published, labels, modules, tags, next(i for i in items if i.id == picked))
render_assignments(assignments, modules)
