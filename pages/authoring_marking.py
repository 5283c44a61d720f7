import streamlit as st

from portal.quizzes import attempts, marking
from portal.quizzes import exams as exams_service
from portal.ui import exam_widgets, question_view, state
from portal.ui.dates import datetime_column
from portal.ui.widgets import empty_state, page_header, run_action, service_call

t = state.translator()
actor = state.actor()
page_header(t, "nav.marking_queue", "exams.marking.caption")
exam_widgets.show_flash(t)

queue_tab, practical_tab, override_tab = st.tabs([t("exams.marking.queue"), t("exams.marking.open_practical"),
                                                  t("exams.marking.override")])


def practical_form(sheet) -> None:
    rubric = sheet.rubric
    st.caption(t("exams.marking.critical_rule_zero_section" if rubric.critical_miss == "zero_section"
                 else "exams.marking.critical_rule_fail_exam"))
    points, comments = {}, {}
    for section in rubric.sections:
        st.markdown(f"#### {section.title.get(t.language)} · {t('exams.marking.weight', weight=f'{section.weight:g}')}")
        for item in section.items:
            with st.container(border=True):
                text = item.text.get(t.language)
                if item.critical:
                    st.markdown(f":red-background[:material/priority_high: {t('exams.marking.critical')}] {text}")
                else:
                    st.markdown(text)
                left, right = st.columns([1, 3])
                before = sheet.points.get(item.id)
                points[item.id] = left.number_input(
                    t("exams.marking.points", maximum=f"{item.max_points:g}"), 0.0, float(item.max_points),
                    float(before if before is not None else item.max_points),
                    step=float(item.max_points) if item.critical else 0.5, key=f"p{sheet.attempt_id}-{item.id}")
                comments[item.id] = right.text_input(t("exams.marking.item_comment"), sheet.comments.get(item.id, ""),
                                                     key=f"c{sheet.attempt_id}-{item.id}")
    preview = rubric.score(points)
    cols = st.columns(3)
    cols[0].metric(t("exams.score"), f"{preview.percent:.1f}%")
    cols[1].metric(t("exams.result"), exam_widgets.verdict(preview.passed(sheet.exam.pass_mark), t))
    cols[2].metric(t("exams.marking.critical_missed"), len(preview.critical_missed))
    if preview.critical_missed:
        st.error(t("exams.marking.critical_missed_list", items=", ".join(preview.critical_missed)),
                 icon=":material/priority_high:")
    comment = st.text_area(t("exams.marking.overall_comment"), sheet.comment, key=f"oc{sheet.attempt_id}")
    if st.button(t("exams.marking.save_marks"), type="primary", key=f"save_practical_{sheet.attempt_id}"):
        if run_action(t, lambda s: marking.mark_practical(s, actor, sheet.attempt_id, points, comments, comment)):
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
                float(essay.mark or 0.0), step=0.5, key=f"m{sheet.attempt_id}-{essay.slot}")
            comments[essay.slot] = right.text_input(t("exams.marking.item_comment"), essay.comment,
                                                    key=f"mc{sheet.attempt_id}-{essay.slot}")
    comment = st.text_area(t("exams.marking.overall_comment"), sheet.comment, key=f"eoc{sheet.attempt_id}")
    if st.button(t("exams.marking.save_marks"), type="primary", key=f"save_essay_{sheet.attempt_id}"):
        if run_action(t, lambda s: marking.mark_essays(s, actor, sheet.attempt_id, marks, comments, comment)):
            exam_widgets.flash("exams.marking.marked")
            st.rerun()


with queue_tab:
    with service_call(t) as session:
        queue = marking.marking_queue(session, actor, language=t.language)
    if queue.empty:
        empty_state(t, "empty.marking_queue", icon=":material/task_alt:")
    else:
        st.dataframe(queue[["submitted_at", "learner", "exam", "kind", "number"]].assign(
            kind=queue["kind"].map(lambda v: t(f"exams.kind.{v}"))), hide_index=True, width="stretch",
            column_config={"submitted_at": datetime_column(t, t("exams.field.submitted_at")),
                           "learner": t("exams.field.learner"),
                           "exam": t("exams.field.exam"), "kind": t("exams.field.kind"),
                           "number": t("exams.field.attempt")})
        options = dict(zip(queue["attempt_id"].tolist(),
                           (queue["learner"] + " · " + queue["exam"]).tolist()))
        attempt_id = st.selectbox(t("exams.marking.pick"), list(options), format_func=options.get, key="mark_pick")
        with service_call(t) as session:
            sheet = marking.marking_sheet(session, actor, attempt_id)
        st.subheader(t("exams.marking.sheet_title", learner=sheet.learner, n=sheet.number))
        st.caption(t("exams.marking.submitted", at=exam_widgets.when(sheet.submitted_at, t)))
        if sheet.rubric is not None:
            practical_form(sheet)
        else:
            essay_form(sheet)

with practical_tab:
    with service_call(t) as session:
        practicals = [e for e in exams_service.list_exams(session, actor).itertuples() if e.kind == "practical"]
    if not practicals:
        empty_state(t, "exams.marking.no_practicals")
    else:
        names = {e.id: (e.title_zh if t.language == "zh-CN" else e.title_en) for e in practicals}
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
                if run_action(t, lambda s: attempts.open_practical(s, actor, exam_id, learner_id)):
                    exam_widgets.flash("exams.marking.practical_opened")
                    st.rerun()

with override_tab:
    with service_call(t) as session:
        listing = exams_service.list_exams(session, actor)
    if listing.empty:
        empty_state(t, "empty.exams")
    else:
        titles = dict(zip(listing["id"].tolist(), (listing["title_zh"] if t.language == "zh-CN"
                                                   else listing["title_en"]).tolist()))
        exam_id = st.selectbox(t("exams.field.exam"), list(titles), format_func=titles.get, key="override_exam")
        with service_call(t) as session:
            graded = marking.graded_attempts(session, actor, exam_id)
        if graded.empty:
            st.info(t("exams.marking.none_graded"))
        else:
            st.dataframe(graded.drop(columns=["attempt_id"]), hide_index=True, width="stretch",
                         column_config={"learner": t("exams.field.learner"), "number": t("exams.field.attempt"),
                                        "submitted_at": datetime_column(t, t("exams.field.submitted_at")),
                                        "percent": st.column_config.NumberColumn(t("exams.score"), format="%.1f%%"),
                                        "passed": t("exams.passed"), "overridden": t("exams.field.overridden")})
            choices = {row.attempt_id: f"{row.learner} · #{row.number} · {row.percent:.1f}%"
                       for row in graded.itertuples()}
            with st.form("override_form", clear_on_submit=True):
                attempt_id = st.selectbox(t("exams.field.attempt"), list(choices), format_func=choices.get)
                new_percent = st.number_input(t("exams.marking.new_percent"), 0.0, 100.0, 80.0, 0.5)
                reason = st.text_area(t("exams.marking.reason"), help=t("exams.marking.reason_help"))
                if st.form_submit_button(t("exams.marking.override_button"), type="primary"):
                    if run_action(t, lambda s: marking.override_grade(s, actor, attempt_id, new_percent, reason)):
                        exam_widgets.flash("exams.marking.overridden")
                        st.rerun()
