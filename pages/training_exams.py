import json

import streamlit as st

from portal.clock import utcnow
from portal.quizzes import attempts, my_exams
from portal.ui import exam_widgets, question_view, state
from portal.ui.widgets import empty_state, page_header, run_action, service_call

SITTING = "exams_sitting"  # the attempt on screen
REVIEWING = "exams_reviewing"

t = state.translator()
actor = state.actor()
page_header(t, "nav.my_exams", "exams.my.caption")
exam_widgets.show_flash(t)
now = utcnow()  # one instant for the whole run: what is expired is graded first, then read
with service_call(t) as session:
    expired = attempts.has_expired(session, now=now, user_id=actor.id)
if expired and not run_action(t, lambda s: attempts.finalise_expired(s, now=now, user_id=actor.id)):
    st.stop()


def sit(attempt_id: int) -> None:
    with service_call(t) as session:
        view = attempts.attempt_view(session, actor, attempt_id, now=now, language=t.language)
    if view.status != "in_progress":
        st.session_state.pop(SITTING, None)
        st.warning(t("exams.time_up_finalised"), icon=":material/timer_off:")
        if st.button(t("exams.back_to_list"), key="back_after_expiry"):
            st.rerun()
        return
    st.subheader(view.title)
    exam_widgets.countdown(view.deadline_at, t, key="exam_countdown")
    st.caption(t("exams.autosave_hint"))
    responses = {}
    for question in view.questions:
        with st.container(border=True):
            st.markdown(f"**{t('exams.question_n', n=question.slot)}** · "
                        f"{t('exams.marks_worth', marks=f'{question.max_mark:g}')}")
            question_view.show_text(question.text, question.text_format)
            responses[question.slot] = question_view.answer_widget(
                question.payload, question.layout, key=f"a{view.attempt_id}-{question.slot}", t=t,
                value=question.response)
    saved = {q.slot: q.response for q in view.questions}
    changed = {slot: r for slot, r in responses.items() if json.loads(json.dumps(r)) != saved[slot]}
    if changed:
        run_action(t, lambda s: attempts.save_answers(s, actor, view.attempt_id, changed))
    answered = sum(1 for r in responses.values() if r not in (None, "", [], {}))
    st.progress(answered / max(1, len(responses)), text=t("exams.answered", n=answered, total=len(responses)))
    left, right = st.columns([1, 1])
    if left.button(t("exams.submit"), type="primary", icon=":material/send:", key="submit_attempt"):
        outcome = {}

        def submit(session):
            outcome["result"] = attempts.submit_attempt(session, actor, view.attempt_id, responses)

        if run_action(t, submit):
            exam_widgets.flash("exams.submitted")
            st.session_state.pop(SITTING, None)
            st.session_state[REVIEWING] = view.attempt_id
            if outcome["result"].late:
                st.session_state["exams_late"] = True
            st.rerun()
    if right.button(t("exams.leave"), icon=":material/pause:", key="leave_attempt",
                    help=t("exams.leave_help")):
        st.session_state.pop(SITTING, None)
        st.rerun()


def review(attempt_id: int) -> None:
    if st.session_state.pop("exams_late", False):
        st.warning(t("exams.submitted_late"), icon=":material/timer_off:")
    with service_call(t) as session:
        view = attempts.attempt_view(session, actor, attempt_id, now=now, language=t.language)
    st.subheader(t("exams.review_title", title=view.title, n=view.number))
    if view.status == "needs_marking":
        st.info(t("exams.awaiting_marking"), icon=":material/hourglass_top:")
    exam_widgets.show_review(view, t)
    if st.button(t("exams.back_to_list"), key="back_from_review"):
        st.session_state.pop(REVIEWING, None)
        st.rerun()


def start(exam_id: int) -> None:
    started = {}

    def go(session):
        started["id"] = attempts.start_attempt(session, actor, exam_id)

    if run_action(t, go):
        st.session_state[SITTING] = started["id"]
        st.rerun()


def overview() -> None:
    with service_call(t) as session:
        exams = my_exams.my_exams(session, actor, now=now, language=t.language)
    if not exams:
        empty_state(t, "empty.my_exams")
        return
    running = [e for e in exams if e.in_progress_id]
    available = [e for e in exams if e.window == "open" and not e.in_progress_id]
    upcoming = [e for e in exams if e.window == "upcoming"]
    done = [e for e in exams if e.attempts and any(a.status != "in_progress" for a in e.attempts)]

    if running:
        st.subheader(t("exams.my.in_progress"))
        for exam in running:
            with st.container(border=True):
                st.markdown(f"**{exam.title}**")
                exam_widgets.countdown(exam.deadline_at, t, key=f"countdown_{exam.exam_id}")
                if st.button(t("exams.continue"), type="primary", key=f"continue_{exam.exam_id}",
                             icon=":material/play_arrow:"):
                    st.session_state[SITTING] = exam.in_progress_id
                    st.rerun()

    st.subheader(t("exams.my.open"))
    if not available:
        st.caption(t("exams.my.none_open"))
    for exam in available:
        with st.container(border=True):
            st.markdown(f"**{exam.title}**")
            st.caption(exam.description)
            allowed = t("exams.unlimited") if not exam.attempts_allowed else str(exam.attempts_allowed)
            limit = t("exams.minutes", n=exam.time_limit_minutes) if exam.time_limit_minutes else t("exams.none")
            st.markdown(t("exams.my.facts", limit=limit, pass_mark=f"{exam.pass_mark:g}", used=exam.attempts_used,
                          allowed=allowed, closes=exam_widgets.when(exam.close_at, t)))
            if exam.kind == "practical":
                st.info(t("exams.my.practical_note"), icon=":material/record_voice_over:")
            elif exam.can_start:
                if st.button(t("exams.start"), type="primary", key=f"start_{exam.exam_id}",
                             icon=":material/play_arrow:"):
                    start(exam.exam_id)
            else:
                st.caption(t("exams.my.no_attempts_left"))

    if upcoming:
        st.subheader(t("exams.my.upcoming"))
        for exam in upcoming:
            st.markdown(t("exams.my.opens", title=exam.title, opens=exam_widgets.when(exam.open_at, t)))

    st.subheader(t("exams.my.results"))
    if not done:
        st.caption(t("exams.my.no_results"))
    for exam in done:
        with st.container(border=True):
            st.markdown(f"**{exam.title}**")
            if exam.marks_visible and exam.final_percent is not None:
                st.markdown(t("exams.my.final", percent=exam_widgets.percent_text(exam.final_percent, t),
                              verdict=exam_widgets.verdict(exam.final_passed, t),
                              grading=t(f"exams.grading.{exam.grading}")))
            elif not exam.marks_visible:
                st.caption(t("exams.marks_hidden_until", closes=exam_widgets.when(exam.close_at, t)))
            for attempt in exam.attempts:
                if attempt.status == "in_progress":
                    continue
                cols = st.columns([3, 2, 2, 2])
                cols[0].markdown(t("exams.my.attempt_line", n=attempt.number,
                                   at=exam_widgets.when(attempt.submitted_at, t)))
                status = t("exams.status.needs_marking") if attempt.status == "needs_marking" else \
                    exam_widgets.percent_text(attempt.percent, t)
                cols[1].markdown(status)
                cols[2].markdown(exam_widgets.verdict(attempt.passed, t) if attempt.status == "graded" else "")
                if cols[3].button(t("exams.review"), key=f"review_{attempt.attempt_id}"):
                    st.session_state[REVIEWING] = attempt.attempt_id
                    st.rerun()


if st.session_state.get(SITTING):
    sit(st.session_state[SITTING])
elif st.session_state.get(REVIEWING):
    review(st.session_state[REVIEWING])
else:
    overview()
