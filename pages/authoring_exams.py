"""Exams for trainers: the list, then one exam's settings, its paper or rubric, and saving it."""
from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from portal import users
from portal.clock import center_time, center_zone, local_today
from portal.i18n import localized_column
from portal.quizzes import exams as exams_service
from portal.ui import exam_widgets, state
from portal.ui.forms import RecordForm
from portal.ui.widgets import empty_state, page_header, run_action, service_call

NEW = 0
NEXT_PICK = "exam_pick_next"  # set after a create: the picker opens the new exam and the New form is blank

t = state.translator()
actor = state.actor()


def render_listing(listing) -> None:
    """The exams, open first, archived last; every value in words in the reader's language, no raw None."""
    if listing.empty:
        empty_state(t, "empty.exams")
        return
    shown = listing.assign(
        title=localized_column(listing, "title", t.language),
        kind=listing["kind"].map(lambda k: t(f"exams.kind.{k}")),
        state=listing["state"].map(lambda s: t(f"exams.state.{s}")),
        grading=listing["grading"].map(lambda g: t(f"exams.grading.{g}")),
        time_limit_minutes=listing["time_limit_minutes"].map(lambda m: f"{m:g}" if pd.notna(m) else "—"),
        attempts_allowed=listing["attempts_allowed"].map(lambda n: str(n) if n else t("exams.unlimited")),
        open_at=listing["open_at"].map(lambda v: exam_widgets.when(None if pd.isna(v) else v, t)),
        close_at=listing["close_at"].map(lambda v: exam_widgets.when(None if pd.isna(v) else v, t)))
    st.dataframe(shown[["state", "code", "title", "kind", "time_limit_minutes", "pass_mark", "attempts_allowed",
                        "grading", "open_at", "close_at", "attempts", "to_mark"]],
                 hide_index=True, width="stretch",
                 column_config={"state": t("exams.field.status"), "code": t("exams.field.code"),
                                "title": t("exams.field.title"), "kind": t("exams.field.kind"),
                                "time_limit_minutes": t("exams.field.time_limit"),
                                "pass_mark": st.column_config.NumberColumn(t("exams.field.pass_mark"), format="%.0f%%"),
                                "attempts_allowed": t("exams.field.attempts_allowed"),
                                "grading": t("exams.field.grading"), "open_at": t("exams.field.open_at"),
                                "close_at": t("exams.field.close_at"), "attempts": t("exams.field.attempts"),
                                "to_mark": t("exams.field.to_mark")})


def choose_exam(listing) -> tuple[int, exams_service.ExamSettings]:
    """The exam to edit (or NEW) and its settings as stored (a new one: the usual defaults)."""
    if NEXT_PICK in st.session_state:
        for key in [k for k in st.session_state if str(k).startswith(f"exam{NEW}_")]:
            del st.session_state[key]
        st.session_state["exam_pick"] = st.session_state.pop(NEXT_PICK)
    labels = {NEW: t("exams.authoring.new")} | {
        row.id: f"{row.code} · {t(f'exams.state.{row.state}')}" for row in listing.itertuples()}
    chosen = st.selectbox(t("exams.authoring.pick"), list(labels), format_func=labels.get, key="exam_pick")
    if chosen == NEW:
        return chosen, exams_service.ExamSettings(code="", kind="written", title_en="", title_zh="",
                                                  time_limit_minutes=30, pass_mark=80, attempts_allowed=1)
    with service_call(t) as session:
        return chosen, exams_service.settings_of(session, exams_service.get_exam(session, chosen))


def date_time(label_key: str, value: datetime | None, default_days: int, key: str) -> datetime | None:
    enabled = st.checkbox(t(label_key), value=value is not None, key=key + "on")
    if not enabled:
        return None
    first_day = local_today() + timedelta(days=default_days)
    base = center_time(value) if value else datetime.combine(first_day, time(9), tzinfo=center_zone())
    day_col, time_col = st.columns(2)
    day = day_col.date_input(t("exams.field.date"), value=base.date(), key=key + "d")
    at = time_col.time_input(t("exams.field.time_utc"), value=base.time(), key=key + "t")
    return datetime.combine(day, at, tzinfo=center_zone()).astimezone(UTC)


def render_settings(settings, chosen: int, k: str) -> None:
    """What the exam is: its kind (fixed once created), code, status, titles and descriptions."""
    st.subheader(t("exams.authoring.settings"))
    kinds = ["written", "practical"]
    settings.kind = st.radio(t("exams.field.kind"), kinds, index=kinds.index(settings.kind), horizontal=True,
                             format_func=lambda v: t(f"exams.kind.{v}"), disabled=chosen != NEW, key=k + "kind")
    left, right = st.columns(2)
    settings.code = left.text_input(t("exams.field.code"), settings.code, help=t("exams.field.code_help"),
                                    key=k + "code")
    statuses = ["draft", "published", "archived"]
    settings.status = right.selectbox(t("exams.field.status"), statuses, index=statuses.index(settings.status),
                                      format_func=lambda v: t(f"exams.status.{v}"), key=k + "status")
    settings.title_en = left.text_input(t("exams.field.title_en"), settings.title_en, key=k + "ten")
    settings.title_zh = right.text_input(t("exams.field.title_zh"), settings.title_zh, key=k + "tzh")
    settings.description_en = left.text_area(t("exams.field.description_en"), settings.description_en, key=k + "den")
    settings.description_zh = right.text_area(t("exams.field.description_zh"), settings.description_zh, key=k + "dzh")


def render_rules(settings, k: str, cohorts: dict[int, str]) -> None:
    """Time limit, pass mark, attempts and grading; when it opens and closes; review; who sits it."""
    a, b, c, d = st.columns(4)
    limit = a.number_input(t("exams.field.time_limit"), 0, exams_service.MAX_TIME_LIMIT,
                           int(settings.time_limit_minutes or 0), help=t("exams.field.time_limit_help"), key=k + "lim")
    settings.time_limit_minutes = int(limit) or None
    settings.pass_mark = b.number_input(t("exams.field.pass_mark"), 0.0, 100.0, float(settings.pass_mark), 5.0,
                                        key=k + "pass")
    settings.attempts_allowed = int(c.number_input(t("exams.field.attempts_allowed"), 0, 20,
                                                   int(settings.attempts_allowed), help=t("exams.field.attempts_help"),
                                                   key=k + "att"))
    settings.grading = d.selectbox(t("exams.field.grading"), list(exams_service.GRADING_METHODS),
                                   index=exams_service.GRADING_METHODS.index(settings.grading),
                                   format_func=lambda v: t(f"exams.grading.{v}"), key=k + "grading")

    left, right = st.columns(2)
    with left:
        settings.open_at = date_time("exams.field.has_open", settings.open_at, 0, k + "open")
    with right:
        settings.close_at = date_time("exams.field.has_close", settings.close_at, 14, k + "close")

    left, right, third = st.columns(3)
    settings.review_marks = left.selectbox(t("exams.field.review_marks"), list(exams_service.REVIEW_WHEN),
                                           index=exams_service.REVIEW_WHEN.index(settings.review_marks),
                                           format_func=lambda v: t(f"exams.review.{v}"), key=k + "rm")
    settings.review_answers = right.selectbox(t("exams.field.review_answers"), list(exams_service.REVIEW_WHEN),
                                              index=exams_service.REVIEW_WHEN.index(settings.review_answers),
                                              format_func=lambda v: t(f"exams.review.{v}"), key=k + "ra")
    offered = [*active_cohort_ids, *(i for i in settings.cohort_ids if i not in active_cohort_ids)]  # archived: kept
    settings.cohort_ids = third.multiselect(t("exams.field.cohorts"), offered, default=settings.cohort_ids,
                                            format_func=cohorts.get, help=t("exams.field.cohorts_help"), key=k + "coh",
                                            placeholder=t("widget.choose_many"))


def render_paper(settings, k: str, bank: list[str], tags: list[str]) -> None:
    """A written exam's questions: a fixed list, or a pool drawn by tags (checked against the bank)."""
    st.subheader(t("exams.authoring.paper"))
    settings.shuffle_answers = st.checkbox(t("exams.field.shuffle"), settings.shuffle_answers, key=k + "shuf")
    modes = ["fixed", "pool"]
    mode = st.radio(t("exams.field.paper"), modes, index=1 if settings.pool_tags else 0, horizontal=True,
                    format_func=lambda v: t(f"exams.paper.{v}"), key=k + "mode")
    if not bank:
        st.warning(t("exams.authoring.bank_empty"), icon=":material/warning:")
    if mode == "fixed":
        settings.questions = st.multiselect(t("exams.field.questions"), bank,
                                            default=[q for q in settings.questions if q in bank], key=k + "qs",
                                            placeholder=t("widget.choose_many"))
        settings.question_marks = []
        settings.pool_tags, settings.pool_count = [], None
        st.caption(t("exams.authoring.fixed_count", n=len(settings.questions)))
    else:
        render_pool(settings, k, tags)


def render_pool(settings, k: str, tags: list[str]) -> None:
    """Questions drawn by tags; says whether the bank holds enough of them."""
    settings.questions, settings.question_marks = [], []
    settings.pool_tags = st.multiselect(t("exams.field.pool_tags"), tags,
                                        default=[x for x in settings.pool_tags if x in tags], key=k + "tags",
                                        placeholder=t("widget.choose_many"))
    cols = st.columns(3)
    settings.pool_match = cols[0].radio(t("exams.field.pool_match"), ["any", "all"],
                                        index=1 if settings.pool_match == "all" else 0,
                                        format_func=lambda v: t(f"exams.pool_match.{v}"), key=k + "match")
    settings.pool_exclude_tags = cols[1].multiselect(
        t("exams.field.pool_exclude"), tags, default=[x for x in settings.pool_exclude_tags if x in tags],
        key=k + "excl", placeholder=t("widget.choose_many"))
    settings.pool_count = int(cols[2].number_input(t("exams.field.pool_count"), 1, 200,
                                                   int(settings.pool_count or 20), key=k + "count"))
    with service_call(t) as session:
        available = len(exams_service.pool_idnumbers(session, settings.pool_tags, settings.pool_match,
                                                     settings.pool_exclude_tags))
    if settings.pool_tags and available >= settings.pool_count:
        st.success(t("exams.authoring.pool_ok", available=available, wanted=settings.pool_count),
                   icon=":material/check_circle:")
    elif settings.pool_tags:
        st.error(t("exams.authoring.pool_short", available=available, wanted=settings.pool_count),
                 icon=":material/error:")


def render_rubric(settings, k: str, rubrics: list[str]) -> None:
    """A practical exam's rubric and what a missed critical item does."""
    st.subheader(t("exams.authoring.rubric"))
    if not rubrics:
        st.warning(t("exams.authoring.no_rubrics"), icon=":material/warning:")
    else:
        current = rubrics.index(settings.rubric_code) if settings.rubric_code in rubrics else 0
        settings.rubric_code = st.selectbox(t("exams.field.rubric"), rubrics, index=current, key=k + "rub")
    settings.critical_miss = st.radio(t("exams.field.critical_miss"), list(exams_service.CRITICAL_MISS),
                                      index=exams_service.CRITICAL_MISS.index(settings.critical_miss),
                                      format_func=lambda v: t(f"exams.critical_miss.{v}"), key=k + "crit")
    settings.shuffle_answers = False


def create(settings) -> None:
    """Create once however often the button is clicked; then open the new exam and blank the New form."""
    form = RecordForm("new_exam")
    if created := run_action(t, lambda s: exams_service.save_exam(s, actor, settings,
                                                                   submission_key=form.submission_key).id):
        form.saved()
        st.session_state[NEXT_PICK] = created.value
        exam_widgets.flash("exams.authoring.created")
        st.rerun()


def render_save(settings, chosen: int, k: str) -> None:
    if chosen == NEW:
        if st.button(t("exams.authoring.create"), type="primary", icon=":material/save:", key=k + "save"):
            create(settings)
        return
    if st.button(t("exams.authoring.save"), type="primary", icon=":material/save:", key=k + "save"):
        if run_action(t, lambda s: exams_service.save_exam(s, actor, settings, chosen)):
            exam_widgets.flash("action.saved")
            st.rerun()
    st.caption(t("exams.authoring.locked_hint"))
    st.caption(t("exams.authoring.times_utc", now=exam_widgets.when(datetime.now(UTC), t)))


page_header(t, "nav.exams", "exams.authoring.caption")
exam_widgets.show_flash(t)
with service_call(t) as session:
    exam_list = exams_service.list_exams(session, actor)
    cohort_names = {c.id: c.name for c in users.list_cohorts(session)}
    active_cohort_ids = [c.id for c in users.active_cohorts(session)]
    bank_tags = exams_service.bank_tags(session)
    bank_questions = sorted(exams_service.bank_entries(session))
    rubric_codes = exams_service.rubric_codes(session)
render_listing(exam_list)
exam_id, exam_settings = choose_exam(exam_list)
widget_prefix = f"exam{exam_id}_"  # widget keys per exam, so switching exams shows that exam's values
render_settings(exam_settings, exam_id, widget_prefix)
render_rules(exam_settings, widget_prefix, cohort_names)
if exam_settings.kind == "written":
    render_paper(exam_settings, widget_prefix, bank_questions, bank_tags)
else:
    render_rubric(exam_settings, widget_prefix, rubric_codes)
render_save(exam_settings, exam_id, widget_prefix)
