import streamlit as st

from portal.quizzes import attempts, marking
from portal.quizzes import exams as exams_service
from portal.ui import exam_widgets, question_view, state
from portal.ui.forms import RecordForm
from portal.ui.dates import datetime_column
from portal.paging import PAGE_SIZE, Page, within
from portal.ui.paging import UrlFilters, page_index, pager
from portal.ui.widgets import empty_state, page_header, run_action, service_call

t = state.translator()
actor = state.actor()
page_header(t, "nav.marking_queue", "exams.marking.caption")
exam_widgets.show_flash(t)

queue_tab, practical_tab, override_tab = st.tabs([t("exams.marking.queue"), t("exams.marking.open_practical"),
                                                  t("exams.marking.override")])


def points_choice(item, before, key: str):
    """One item's points as a row of buttons, blank until the marker chooses.

    A critical item is met (full points) or missed (0); the others take whole points
    (plus a half given before, if any, so an earlier mark still shows).
    """
    if item.critical:
        options = [float(item.max_points), 0.0]
        label = lambda v: t("exams.marking.met" if v else "exams.marking.missed") + f" · {v:g}"  # noqa: E731
    else:
        options = sorted({float(v) for v in range(int(item.max_points) + 1)} | ({float(before)} if before else set()))
        label = lambda v: f"{v:g}"  # noqa: E731
    return st.segmented_control(item.text.get(t.language), options, default=before, format_func=label, key=key,
                                label_visibility="collapsed", wrap=True)  # a narrow window: wrap, hide none


def rubric_item_row(sheet, number: int, item, flag_unscored: bool) -> tuple[float | None, str]:
    """One line per rubric item: number and text, the points, a comment; "not scored" beside it when asked."""
    text, points_col, comment_col = st.columns([3.8, 4, 2.2], vertical_alignment="center")
    badge = f":red-badge[:material/priority_high: {t('exams.marking.critical')}] " if item.critical else ""
    text.markdown(f"**{number}.** {badge}{item.text.get(t.language)}")
    with points_col:
        points = points_choice(item, sheet.points.get(item.id), f"p{sheet.attempt_id}-{item.id}")
        if flag_unscored and points is None:
            st.markdown(f":red[:material/error: {t('exams.marking.not_scored')}]")
    comment = comment_col.text_input(t("exams.marking.item_comment"), sheet.comments.get(item.id, ""),
                                     placeholder=t("exams.marking.comment_placeholder"),
                                     label_visibility="collapsed", key=f"c{sheet.attempt_id}-{item.id}")
    return points, comment


def practical_form(sheet) -> None:
    rubric = sheet.rubric
    flag_key = f"flag_unscored_{sheet.attempt_id}"
    st.caption(t("exams.marking.critical_rule_zero_section" if rubric.critical_miss == "zero_section"
                 else "exams.marking.critical_rule_fail_exam"))
    points, comments, number = {}, {}, 0
    for section in rubric.sections:
        st.markdown(f"**{section.title.get(t.language)}** · {t('exams.marking.weight', weight=f'{section.weight:g}')}")
        with st.container(border=True):
            for item in section.items:
                number += 1
                points[item.id], comments[item.id] = rubric_item_row(sheet, number, item,
                                                                     st.session_state.get(flag_key, False))
    unscored = rubric.unscored_items(points)
    total = sum(1 for _ in rubric.items())
    preview = None if unscored else rubric.score(points)
    cols = st.columns(4)
    cols[0].metric(t("exams.marking.scored"), f"{total - len(unscored)} / {total}")
    cols[1].metric(t("exams.score"), "—" if preview is None else f"{preview.percent:.1f}%")
    cols[2].metric(t("exams.result"), "—" if preview is None else
                   exam_widgets.verdict(preview.passed(sheet.exam.pass_mark), t))
    cols[3].metric(t("exams.marking.critical_missed"), "—" if preview is None else len(preview.critical_missed))
    if preview is not None and preview.critical_missed:
        numbers = {item.id: str(n) for n, (_, item) in enumerate(rubric.items(), start=1)}
        st.error(t("exams.marking.critical_missed_list", items=", ".join(numbers[i] for i in preview.critical_missed)),
                 icon=":material/priority_high:")
    comment = st.text_area(t("exams.marking.overall_comment"), sheet.comment, key=f"oc{sheet.attempt_id}")
    if unscored and st.session_state.get(flag_key):
        st.error(t("exams.error.unscored_items", count=len(unscored), items=", ".join(str(n) for n, _ in unscored)),
                 icon=":material/error:")
    if st.button(t("exams.marking.save_marks"), type="primary", key=f"save_practical_{sheet.attempt_id}"):
        if unscored:  # the service refuses it too; here each unscored item is named beside it
            st.session_state[flag_key] = True
            st.rerun()
        if run_action(t, lambda s: marking.mark_practical(s, actor, sheet.attempt_id, points, comments, comment)):
            st.session_state.pop(flag_key, None)
            exam_widgets.flash("exams.marking.marked")
            st.rerun()


def essay_form(sheet) -> None:
    marks, comments = {}, {}
    for essay in sheet.essays:
        with st.container(border=True):
            st.markdown(f"**{t('exams.question_n', n=essay.slot)}** · {essay.idnumber}")
            question_view.show_text(essay.question)
            st.markdown(f"**{t('exams.marking.answer')}**")
            st.text(essay.response or t("exams.marking.no_answer"))
            left, right = st.columns([1, 3])
            marks[essay.slot] = left.number_input(
                t("exams.marking.points", maximum=f"{essay.max_mark:g}"), 0.0, float(essay.max_mark),
                essay.mark, step=0.5, placeholder=t("exams.marking.not_scored"),
                key=f"m{sheet.attempt_id}-{essay.slot}")
            comments[essay.slot] = right.text_input(t("exams.marking.item_comment"), essay.comment,
                                                    key=f"mc{sheet.attempt_id}-{essay.slot}")
    comment = st.text_area(t("exams.marking.overall_comment"), sheet.comment, key=f"eoc{sheet.attempt_id}")
    if st.button(t("exams.marking.save_marks"), type="primary", key=f"save_essay_{sheet.attempt_id}"):
        if run_action(t, lambda s: marking.mark_essays(s, actor, sheet.attempt_id, marks, comments, comment)):
            exam_widgets.flash("exams.marking.marked")
            st.rerun()


def render_queue() -> None:
    """The oldest 50 waiting, then the next: the queue's length counted by index, the page read alone."""
    with service_call(t) as session:
        waiting = marking.queue_count(session, actor)
        page = within(page_index(), waiting)
        queue = marking.marking_queue(session, actor, language=t.language, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    if queue.empty:
        empty_state(t, "empty.marking_queue", icon=":material/task_alt:")
        return
    st.caption(t("exams.marking.waiting", count=f"{waiting:,}"))
    st.dataframe(queue[["submitted_at", "learner", "exam", "kind", "number"]].assign(
        kind=queue["kind"].map(lambda v: t(f"exams.kind.{v}"))), hide_index=True, width="stretch",
        column_config={"submitted_at": datetime_column(t, t("exams.field.submitted_at")),
                       "learner": t("exams.field.learner"),
                       "exam": t("exams.field.exam"), "kind": t("exams.field.kind"),
                       "number": t("exams.field.attempt")})
    pager(t, Page(queue, waiting, page), key="queue_pager")
    options = dict(zip(queue["attempt_id"].tolist(), (queue["learner"] + " · " + queue["exam"]).tolist()))
    attempt_id = st.selectbox(t("exams.marking.pick"), list(options), format_func=options.get, key="mark_pick")
    with service_call(t) as session:
        sheet = marking.marking_sheet(session, actor, attempt_id)
    st.subheader(t("exams.marking.sheet_title", learner=sheet.learner, n=sheet.number))
    st.caption(t("exams.marking.submitted", at=exam_widgets.when(sheet.submitted_at, t)))
    if sheet.rubric is not None:
        practical_form(sheet)
    else:
        essay_form(sheet)


def render_open_practical(choices) -> None:
    """Start a practical exam for a learner who can sit it now."""
    with service_call(t) as session:
        practicals = exams_service.open_practicals(session, actor, choices=choices)
    if practicals.empty:
        empty_state(t, "exams.marking.no_open_practicals")
    else:
        names = {e.id: (e.title_zh if t.language == "zh-CN" else e.title_en) for e in practicals.itertuples()}
        exam_id = st.selectbox(t("exams.field.exam"), list(names), format_func=names.get, key="practical_exam")
        with service_call(t) as session:
            learners = dict(exams_service.learners_for(session, actor, exam_id))
        if not learners:
            st.info(t("exams.marking.no_learners"))
        else:
            learner_id = st.selectbox(t("exams.field.learner"), list(learners), format_func=learners.get,
                                      key="practical_learner")
            st.caption(t("exams.marking.open_practical_help"))
            if st.button(t("exams.marking.open_practical_button"), type="primary", key="open_practical"):
                form = RecordForm("open_practical")
                if run_action(t, lambda s: attempts.open_practical(s, actor, exam_id, learner_id,
                                                                   submission_key=form.submission_key)):
                    form.saved()
                    exam_widgets.flash("exams.marking.practical_opened")
                    st.rerun()


def render_override(listing) -> None:
    """Override a graded attempt's result: the exam's graded attempts 50 at a time, by learner."""
    if listing.empty:
        empty_state(t, "empty.exams")
        return
    titles = dict(zip(listing["id"].tolist(), (listing["title_zh"] if t.language == "zh-CN"
                                               else listing["title_en"]).tolist()))
    filters = UrlFilters(page_param="graded_page")
    exam_id = st.selectbox(t("exams.field.exam"), list(titles), format_func=titles.get,
                           **filters.bind("override_exam", "exam", default=next(iter(titles)), parse=int,
                                          allowed=list(titles)))
    filters.keep()
    with service_call(t) as session:
        total = marking.graded_count(session, actor, exam_id)
        page = within(filters.page_index(), total)
        graded = marking.graded_attempts(session, actor, exam_id, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    if graded.empty:
        st.info(t("exams.marking.none_graded"))
        return
    st.dataframe(graded.drop(columns=["attempt_id"]), hide_index=True, width="stretch",
                 column_config={"learner": t("exams.field.learner"), "number": t("exams.field.attempt"),
                                "submitted_at": datetime_column(t, t("exams.field.submitted_at")),
                                "percent": st.column_config.NumberColumn(t("exams.score"), format="%.1f%%"),
                                "passed": t("exams.passed"), "overridden": t("exams.field.overridden")})
    pager(t, Page(graded, total, page), key="graded_pager", page_param="graded_page")
    choices = {row.attempt_id: f"{row.learner} · #{row.number} · {row.percent:.1f}%"
               for row in graded.itertuples()}
    with st.form("override_form", clear_on_submit=True):
        attempt_id = st.selectbox(t("exams.field.attempt"), list(choices), format_func=choices.get,
                                  help=t("exams.marking.override_pick_help"))
        new_percent = st.number_input(t("exams.marking.new_percent"), 0.0, 100.0, 80.0, 0.5)
        reason = st.text_area(t("exams.marking.reason"), help=t("exams.marking.reason_help"))
        if st.form_submit_button(t("exams.marking.override_button"), type="primary"):
            if run_action(t, lambda s: marking.override_grade(s, actor, attempt_id, new_percent, reason)):
                exam_widgets.flash("exams.marking.overridden")
                st.rerun()


with queue_tab:
    render_queue()
with service_call(t) as session:
    exam_listing = exams_service.exam_choices(session, actor)  # one read for both pickers below
with practical_tab:
    render_open_practical(exam_listing)
with override_tab:
    render_override(exam_listing)
