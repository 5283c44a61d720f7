"""The question bank for trainers: browse and filter, create and edit (versions, drafts,
translations) with a live preview, import question files, export them."""
from dataclasses import replace

import streamlit as st

from portal.i18n import LANGUAGE_NAMES, LANGUAGES
from portal.quizzes import bank, render
from portal.quizzes.detect import MAX_MOODLE_XML_BYTES, read_question_file
from portal.quizzes.interchange import QTYPES
from portal.text_files import MAX_QUESTION_FILE_BYTES, megabytes
from portal.ui import charts, state
from portal.ui.dates import datetime_column
from portal.ui.question_form import blank_question, question_editor, question_preview
from portal.ui.question_view import show_text
from portal.ui.widgets import empty_state, page_header, refusals_shown, run_action, service_call

VIEW_KEY, SELECTED_KEY, TRANSLATE_KEY, NEW_LANGUAGE_KEY = "qb_view", "qb_selected", "qb_translate", "qb_new_language"
VIEWS = ("bank", "edit", "import", "export")
FORMAT_NAMES = {"": "", "gift": "GIFT", "aiken": "Aiken", "moodlexml": "Moodle XML"}
FILE_TYPES = {"gift": ("gift", "text/plain"), "aiken": ("txt", "text/plain"), "moodlexml": ("xml", "application/xml")}
NEXT_VIEW_KEY = "qb_next_view"

t = state.translator()
actor = state.actor()
user_language = state.language()
page_header(t, "nav.question_bank", "quizbank.bank.caption")


def go(view: str, selected: int | None = None) -> None:
    """Switch view on the next run (the view radio is already drawn in this one)."""
    st.session_state[NEXT_VIEW_KEY] = view
    st.session_state[SELECTED_KEY] = selected
    st.session_state.pop(TRANSLATE_KEY, None)


# --- browse ----------------------------------------------------------------------------------


def render_counts(questions) -> None:
    """How many questions, published, with a draft, untranslated; and by type and tag, drawn."""
    metrics = st.columns(4)
    metrics[0].metric(t("quizbank.bank.count"), len(questions))
    metrics[1].metric(t("quizbank.bank.published"), int((questions["status"] == "published").sum()))
    metrics[2].metric(t("quizbank.bank.drafts"), int(questions["has_draft"].sum()))
    metrics[3].metric(t("quizbank.bank.untranslated"), int((questions["translations"] == "").sum()))
    with st.expander(t("quizbank.bank.counts")):
        facets = bank.facet_counts(questions)
        left, right = st.columns(2)
        with left:
            charts.question_counts(t, facets["qtype"].rename(index=lambda q: t(f"quizbank.qtype.{q}")),
                                   t("quizbank.form.qtype"))
        with right:
            charts.question_counts(t, facets["tag"].head(15), t("quizbank.form.tags"))


def bank_view() -> None:
    with service_call(t) as session:
        tags, categories = bank.all_tags(session), bank.all_categories(session)
    row1 = st.columns([3, 1, 1])
    search = row1[0].text_input(t("quizbank.bank.search"), key="qb_search", placeholder=t("quizbank.bank.search_hint"))
    language = row1[1].selectbox(t("quizbank.bank.language"), ["", *LANGUAGES], key="qb_language",
                                 format_func=lambda v: LANGUAGE_NAMES.get(v, t("quizbank.bank.any")))
    qtype = row1[2].selectbox(t("quizbank.form.qtype"), ["", *QTYPES], key="qb_qtype",
                              format_func=lambda v: t(f"quizbank.qtype.{v}") if v else t("quizbank.bank.any"))
    row2 = st.columns([2, 2, 1])
    chosen_tags = row2[0].multiselect(t("quizbank.form.tags"), tags, key="qb_tags", placeholder=t("widget.choose_many"))
    category = row2[1].selectbox(t("quizbank.form.category"), ["", *sorted({c.split("/")[0] for c in categories if c}
                                                                             | set(categories))],
                                 key="qb_category", format_func=lambda v: v or t("quizbank.bank.any"))
    archived = row2[2].checkbox(t("quizbank.bank.archived"), key="qb_archived")
    with service_call(t) as session:
        questions = bank.list_questions(session, actor, search=search, tags=chosen_tags, category=category,
                                        qtype=qtype, language=language, include_archived=archived)
    if questions.empty:
        empty_state(t, "quizbank.bank.none" if not (search or chosen_tags or category or qtype or language)
                    else "quizbank.bank.no_match")
        if st.button(t("quizbank.bank.new"), type="primary", icon=":material/add:"):
            go("edit")
            st.rerun()
        return
    render_counts(questions)
    shown = questions.assign(qtype=questions["qtype"].map(lambda q: t(f"quizbank.qtype.{q}")),
                             status=questions["status"].map(lambda s: t(f"quizbank.status.{s}")))
    picked = st.dataframe(
        shown[["idnumber", "language", "qtype", "name", "category", "tags", "version", "status", "has_draft",
               "translations"]],
        hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="qb_table",
        column_config={"idnumber": t("quizbank.form.idnumber"), "language": t("quizbank.bank.language"),
                       "qtype": t("quizbank.form.qtype"), "name": t("quizbank.form.name"),
                       "category": t("quizbank.form.category"), "tags": t("quizbank.form.tags"),
                       "version": st.column_config.NumberColumn(t("quizbank.bank.version"), format="v%d"),
                       "status": t("quizbank.bank.status"),
                       "has_draft": st.column_config.CheckboxColumn(t("quizbank.bank.has_draft")),
                       "translations": t("quizbank.bank.translations")})
    rows = picked.selection.rows if picked and picked.selection else []
    left, right = st.columns(2)
    if rows and left.button(t("quizbank.bank.edit", idnumber=questions.iloc[rows[0]]["idnumber"]), type="primary",
                            icon=":material/edit:"):
        go("edit", int(questions.iloc[rows[0]]["id"]))
        st.rerun()
    if right.button(t("quizbank.bank.new"), icon=":material/add:"):
        go("edit")
        st.rerun()


# --- create and edit -------------------------------------------------------------------------


def edit_view() -> None:
    selected = st.session_state.get(SELECTED_KEY)
    translate_from = st.session_state.get(TRANSLATE_KEY)
    if st.button(t("quizbank.edit.back"), icon=":material/arrow_back:"):
        go("bank")
        st.rerun()
    if translate_from:
        translation_editor(translate_from)
    elif selected:
        existing_editor(selected)
    else:
        new_editor()


def _editor_with_preview(initial, key: str, idnumber_editable: bool, version_id: int | None = None):
    form, preview = st.columns([3, 2], gap="large")
    with form:
        data = question_editor(t, initial, key, idnumber_editable=idnumber_editable)
    with preview:
        st.markdown(f"**{t('quizbank.edit.preview')}**")
        st.caption(t("quizbank.edit.preview_hint"))
        question_preview(t, data, key, version_id)
    return data


def _save_buttons(key: str):
    left, right = st.columns(2)
    draft = left.button(t("quizbank.edit.save_draft"), key=f"{key}-draft", icon=":material/draft:",
                        help=t("quizbank.edit.draft_help"))
    publish = right.button(t("quizbank.edit.publish"), key=f"{key}-publish", type="primary",
                           icon=":material/publish:", help=t("quizbank.edit.publish_help"))
    return draft, publish


def new_editor() -> None:
    st.subheader(t("quizbank.edit.new_title"))
    language = st.selectbox(t("quizbank.bank.language"), LANGUAGES, key=NEW_LANGUAGE_KEY,
                            format_func=LANGUAGE_NAMES.get)
    data = _editor_with_preview(blank_question(), "qb-new", idnumber_editable=True)
    draft, publish = _save_buttons("qb-new")
    if draft or publish:
        if created := run_action(t, lambda s: bank.create_question(s, actor, data, language, publish=publish),
                                 "quizbank.edit.saved"):
            go("edit", created.value.question_id)
            st.rerun()


def existing_editor(question_id: int) -> None:
    with service_call(t) as session:
        detail = bank.get_question(session, actor, question_id)
        history = bank.version_history(session, actor, question_id)
    question = detail.question
    current = detail.current
    st.subheader(f"{question.idnumber} · {LANGUAGE_NAMES.get(question.language, question.language)}")
    status = t("quizbank.edit.current", version=current.version) if current else t("quizbank.edit.no_published")
    st.caption(status + (" · " + t("quizbank.bank.archived_flag") if question.archived else ""))
    numbers = [v.version for v in detail.versions]
    shown_number = st.selectbox(t("quizbank.edit.load_version"), numbers, key=f"qb-load-{question_id}",
                                format_func=lambda n: t("quizbank.edit.version_label", version=n,
                                                        status=t(f"quizbank.status.{_status_of(detail, n)}")))
    shown = next(v for v in detail.versions if v.version == shown_number)
    key = f"qb-{question_id}-v{shown.version}"
    data = _editor_with_preview(detail.data(shown), key, idnumber_editable=False, version_id=shown.id)
    draft, publish = _save_buttons(key)
    if (draft or publish) and run_action(
            t, lambda s: bank.save_version(s, actor, question_id, data, publish=publish),
            "quizbank.edit.published" if publish else "quizbank.edit.saved"):
        st.rerun()
    if shown.status == "draft" and st.button(t("quizbank.edit.publish_version", version=shown.version)):
        if run_action(t, lambda s: bank.publish_version(s, actor, shown.id), "quizbank.edit.published"):
            st.rerun()
    with st.expander(t("quizbank.edit.history", count=len(history))):
        st.dataframe(history.assign(status=history["status"].map(lambda s: t(f"quizbank.status.{s}")))
                     [["version", "status", "name", "created_at"]], hide_index=True, width="stretch",
                     column_config={"version": t("quizbank.bank.version"), "status": t("quizbank.bank.status"),
                                    "name": t("quizbank.form.name"),
                                    "created_at": datetime_column(t, t("quizbank.edit.saved_at"))})
        st.caption(t("quizbank.edit.history_hint"))
    translations_panel(detail)
    archive_label = "quizbank.edit.restore" if question.archived else "quizbank.edit.archive"
    if st.button(t(archive_label), icon=":material/archive:"):
        if run_action(t, lambda s: bank.archive_question(s, actor, question_id, not question.archived),
                      "quizbank.edit.archived_done"):
            st.rerun()


def _status_of(detail: bank.QuestionDetail, number: int) -> str:
    return next(v.status for v in detail.versions if v.version == number)


def translations_panel(detail: bank.QuestionDetail) -> None:
    st.markdown(f"**{t('quizbank.edit.translations')}**")
    for language in LANGUAGES:
        if language == detail.question.language:
            continue
        other = detail.translations.get(language)
        name = LANGUAGE_NAMES[language]
        if other is None:
            st.caption(t("quizbank.edit.no_translation", language=name))
            if st.button(t("quizbank.edit.create_translation", language=name), key=f"qb-tr-{language}",
                         icon=":material/translate:"):
                st.session_state[TRANSLATE_KEY] = (detail.question.id, language)
                st.rerun()
            continue
        with service_call(t) as session:
            other_detail = bank.get_question(session, actor, other.id)
        version = other_detail.current or other_detail.newest
        with st.container(border=True):
            st.caption(t("quizbank.edit.translation_of", language=name, version=version.version,
                         status=t(f"quizbank.status.{version.status}")))
            show_text(version.questiontext, version.questiontextformat, version_id=version.id, t=t)
            if st.button(t("quizbank.edit.open_translation", language=name), key=f"qb-open-{language}"):
                go("edit", other.id)
                st.rerun()


def translation_editor(target) -> None:
    source_id, language = target
    with service_call(t) as session:
        source = bank.get_question(session, actor, source_id)
    name = LANGUAGE_NAMES[language]
    st.subheader(t("quizbank.edit.translation_title", idnumber=source.question.idnumber, language=name))
    with st.expander(t("quizbank.edit.source_text", language=LANGUAGE_NAMES[source.question.language]),
                     expanded=True):
        shown = source.current or source.newest
        show_text(shown.questiontext, shown.questiontextformat, version_id=shown.id, t=t)
    key = f"qb-tr-{source_id}-{language}"
    data = _editor_with_preview(replace(source.data(shown)), key, idnumber_editable=False, version_id=shown.id)
    draft, publish = _save_buttons(key)
    if draft or publish:
        if created := run_action(
                t, lambda s: bank.create_translation(s, actor, source_id, language, data, publish=publish),
                "quizbank.edit.saved"):
            go("edit", created.value.question_id)
            st.rerun()


# --- import and export -----------------------------------------------------------------------


def import_view() -> None:
    st.caption(t("quizbank.import.caption", limit=megabytes(MAX_QUESTION_FILE_BYTES)) + " " +
               t("moodlexml.import.caption", limit=megabytes(MAX_MOODLE_XML_BYTES)))
    upload = st.file_uploader(t("quizbank.import.file"), type=["gift", "txt", "aiken", "xml"], key="qb_upload")
    left, right = st.columns(2)
    fmt = left.selectbox(t("quizbank.import.format"), list(FORMAT_NAMES), key="qb_import_format",
                         format_func=lambda f: FORMAT_NAMES[f] or t("quizbank.import.auto"))
    language = right.selectbox(t("quizbank.bank.language"), LANGUAGES, key="qb_import_language",
                               format_func=LANGUAGE_NAMES.get)
    if upload is None:
        return
    with refusals_shown(t):  # empty, too large, not text, or any question wrong: every problem with its line
        read = read_question_file(upload.getvalue(), fmt or None, upload.name)
    questions = read.questions
    st.success(t("quizbank.import.read", count=len(questions), file=upload.name) + " " +
               t("file.read_as", encoding=read.encoding), icon=":material/check:")
    st.dataframe([{t("quizbank.import.line"): q.line, t("quizbank.form.idnumber"): q.idnumber or "-",
                   t("quizbank.form.qtype"): t(f"quizbank.qtype.{q.qtype}"), t("quizbank.form.name"): q.name,
                   t("quizbank.form.category"): q.category or "—", t("quizbank.form.tags"): ", ".join(q.tags),
                   t("moodlexml.import.image_count"): len(q.images)}
                  for q in questions], hide_index=True, width="stretch")
    imported_preview(questions)
    if st.button(t("quizbank.import.save", count=len(questions), language=LANGUAGE_NAMES[language]), type="primary",
                 icon=":material/upload:"):
        if saved := run_action(t, lambda s: bank.import_questions(s, actor, questions, language,
                                                                  file_name=upload.name)):
            result = saved.value
            st.success(t("quizbank.import.done", created=len(result.created), updated=len(result.updated),
                         unchanged=len(result.unchanged)), icon=":material/check_circle:")


def imported_preview(questions) -> None:
    """One question of the file as learners will see it, images included (from the file's own bytes)."""
    images = sum(len(q.images) for q in questions)
    if images:
        st.caption(t("moodlexml.import.images", count=images))
    with st.expander(t("moodlexml.import.preview"), expanded=images > 0):
        index = st.selectbox(t("moodlexml.import.preview_which"), range(len(questions)), key="qb_import_preview",
                             format_func=lambda i: f"{questions[i].line}: {questions[i].name}")
        question_preview(t, questions[index or 0], "qb-import-preview")


def export_view() -> None:
    st.caption(t("quizbank.export.caption"))
    with service_call(t) as session:
        tags = bank.all_tags(session)
    columns = st.columns(3)
    fmt = columns[0].radio(t("quizbank.import.format"), bank.EXPORT_FORMATS, key="qb_export_format", horizontal=True,
                           format_func=FORMAT_NAMES.get)
    language = columns[1].selectbox(t("quizbank.bank.language"), LANGUAGES, key="qb_export_language",
                                    format_func=LANGUAGE_NAMES.get)
    tag = columns[2].selectbox(t("quizbank.export.tag"), ["", *tags], key="qb_export_tag",
                               format_func=lambda v: v or t("quizbank.export.all"))
    with service_call(t) as session:
        result = bank.export_questions(session, actor, fmt, tag=tag or None, language=language)
    st.metric(t("quizbank.export.count"), result.count)
    if result.skipped:
        with st.expander(t("quizbank.export.skipped", count=len(result.skipped))):
            for problem in result.skipped:
                st.markdown("- " + render.escape_markdown(bank.problem_reason(problem, user_language)))
    extension, mime = FILE_TYPES[fmt]
    file_name = f"questions-{tag or 'all'}-{language}.{extension}".replace(":", "_")
    st.download_button(t("quizbank.export.download"), result.text, file_name=file_name, mime=mime,
                       type="primary", icon=":material/download:", disabled=not result.count)


st.session_state.setdefault(VIEW_KEY, "bank")
if NEXT_VIEW_KEY in st.session_state:
    st.session_state[VIEW_KEY] = st.session_state.pop(NEXT_VIEW_KEY)
view = st.radio(t("quizbank.bank.view"), VIEWS, key=VIEW_KEY, horizontal=True, label_visibility="collapsed",
                format_func=lambda v: t(f"quizbank.view_tab.{v}"))
{"bank": bank_view, "edit": edit_view, "import": import_view, "export": export_view}[view]()
