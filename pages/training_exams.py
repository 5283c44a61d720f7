"""My exams: the list, sitting an attempt, and reviewing one.

The attempt on screen is in the URL (`?attempt=<id>`), so a reload, Back and a
shared link return to it; the service refuses anyone else's attempt.
"""
import json

import streamlit as st

from portal.clock import utcnow
from portal.quizzes import attempts, my_exams
from portal.ui import exam_widgets, question_view, state
from portal.ui.text import plain
from portal.ui.url import show_in_url
from portal.ui.widgets import empty_state, page_header, run_action, service_call

ATTEMPT_PARAM = exam_widgets.ATTEMPT_PARAM
CONFIRMING = "exams_confirming"  # ("start", exam id) or ("submit", attempt id) while its dialog is open

t = state.translator()
actor = state.actor()
page_header(t, "nav.my_exams", "exams.my.caption")
exam_widgets.show_flash(t)
now = utcnow()  # one instant for the whole run: what is expired is graded first, then read
with service_call(t) as session:
    expired = attempts.has_expired(session, now=now, user_id=actor.id)
if expired and not run_action(t, lambda s: attempts.finalise_expired(s, now=now, user_id=actor.id)):
    st.stop()


def show_attempt_in_url(attempt_id: int) -> None:
    show_in_url(**{ATTEMPT_PARAM: attempt_id})


def back_to_list() -> None:
    show_in_url(**{ATTEMPT_PARAM: None})


def ask(action: str, target: int) -> None:
    """Open a confirmation; it stays open across runs (and Streamlit's test runner) until answered."""
    st.session_state[CONFIRMING] = (action, target)


def asking(action: str, target: int) -> bool:
    return st.session_state.get(CONFIRMING) == (action, target)


def stop_asking() -> None:
    st.session_state.pop(CONFIRMING, None)


def sit(view: attempts.AttemptView) -> None:
    st.subheader(plain(view.title))
    exam_widgets.countdown(view.deadline_at, t, key="exam_countdown")
    st.caption(t("exams.autosave_hint"))
    responses, notes = {}, {}
    for question in view.questions:
        with st.container(border=True):
            st.markdown(f"**{t('exams.question_n', n=question.slot)}** · "
                        f"{t('exams.marks_worth', marks=f'{question.max_mark:g}')}")
            question_view.show_text(question.text, question.text_format, version_id=question.version_id, t=t)
            responses[question.slot] = question_view.answer_widget(
                question.payload, question.layout, key=f"a{view.attempt_id}-{question.slot}", t=t,
                value=question.response)
            notes[question.slot] = st.empty()  # a refusal is shown here, beside its answer
    outcome = save_changed(view, responses)
    refused = outcome.refused if outcome else {}
    for slot, refusal in refused.items():
        notes[slot].error(t.error(refusal), icon=":material/error:")
    answered = outcome.answered if outcome else view.answered
    total = len(view.questions)
    st.progress(answered / max(1, total), text=t("exams.answered", n=answered, total=total))
    left, right = st.columns([1, 1])
    left.button(t("exams.submit"), type="primary", icon=":material/send:", key="submit_attempt",
                on_click=ask, args=("submit", view.attempt_id))
    if asking("submit", view.attempt_id):
        confirm_submit(view.attempt_id, total - answered, total, sorted(refused))
    right.button(t("exams.leave"), icon=":material/pause:", key="leave_attempt", help=t("exams.leave_help"),
                 on_click=back_to_list)


def save_changed(view: attempts.AttemptView, responses: dict) -> attempts.SaveOutcome | None:
    """Send the answers that differ from the stored ones; each is saved or refused on its own.

    A refused answer stays in its widget, so it is sent (and refused, with its reason) again on
    every run until it is corrected."""
    stored = {q.slot: q.response for q in view.questions}
    changed = {slot: r for slot, r in responses.items() if json.loads(json.dumps(r)) != stored[slot]}
    if not changed:
        return None
    saved = run_action(t, lambda s: attempts.save_answers(s, actor, view.attempt_id, changed))
    return saved.value if saved else None


@st.dialog(t("exams.confirm_submit.title"), on_dismiss=stop_asking)
def confirm_submit(attempt_id: int, unanswered: int, total: int, refused_slots: list[int]) -> None:
    if unanswered:
        st.warning(t("exams.confirm_submit.unanswered", n=unanswered, total=total), icon=":material/warning:")
    else:
        st.info(t("exams.confirm_submit.all_answered"), icon=":material/check_circle:")
    if refused_slots:
        st.error(t("exams.confirm_submit.refused", questions=", ".join(map(str, refused_slots))),
                 icon=":material/error:")
    st.markdown(t("exams.confirm_submit.final"))
    left, right = st.columns(2)
    if right.button(t("exams.confirm_submit.no"), key="keep_working", on_click=stop_asking):
        st.rerun()
    if left.button(t("exams.confirm_submit.yes"), type="primary", key="confirm_submit",
                   icon=":material/send:"):
        if run_action(t, lambda s: attempts.submit_attempt(s, actor, attempt_id)):  # a refusal stays shown here
            stop_asking()
            exam_widgets.flash("exams.submitted")
            st.rerun()


def review(view: attempts.AttemptView) -> None:
    if view.deadline_at is not None and view.submitted_at == view.deadline_at:
        st.warning(t("exams.time_up_finalised"), icon=":material/timer_off:")
    st.subheader(t("exams.review_title", title=plain(view.title), n=view.number))
    if view.status == "needs_marking":
        st.info(t("exams.awaiting_marking"), icon=":material/hourglass_top:")
    exam_widgets.show_review(view, t)
    st.button(t("exams.back_to_list"), key="back_from_review", on_click=back_to_list)


def show_attempt(attempt_id: int) -> None:
    with service_call(t) as session:
        view = attempts.own_attempt_view(session, actor, attempt_id, now=now, language=t.language)
    if view.status == "in_progress":
        sit(view)
    else:
        review(view)


@st.dialog(t("exams.confirm_start.title"), on_dismiss=stop_asking)
def confirm_start(exam: my_exams.MyExam) -> None:
    st.markdown(f"**{plain(exam.title)}**")
    if exam.time_limit_minutes:
        st.markdown(t("exams.confirm_start.clock", limit=t("exams.minutes", n=exam.time_limit_minutes)))
    else:
        st.markdown(t("exams.confirm_start.no_clock"))
    if exam.attempts_left == 1:
        st.warning(t("exams.confirm_start.last_attempt"), icon=":material/warning:")
    elif exam.attempts_left is not None:
        st.info(t("exams.confirm_start.attempts_left", left=exam.attempts_left, allowed=exam.attempts_allowed),
                icon=":material/info:")
    left, right = st.columns(2)
    if right.button(t("exams.confirm_start.no"), key="cancel_start", on_click=stop_asking):
        st.rerun()
    if left.button(t("exams.confirm_start.yes"), type="primary", key="confirm_start", icon=":material/play_arrow:"):
        start(exam.exam_id)


def start(exam_id: int) -> None:
    """Start (or, after a double click, return the attempt already started) and open it."""
    if started := run_action(t, lambda s: attempts.start_attempt(s, actor, exam_id)):  # a refusal stays shown
        stop_asking()
        show_attempt_in_url(started.value)
        st.rerun()


def overview() -> None:
    with service_call(t) as session:
        exams = my_exams.my_exams(session, actor, now=now, language=t.language)
    if not exams:
        empty_state(t, "empty.my_exams")
        return
    running = [e for e in exams if e.in_progress_id]
    available = [e for e in exams if e.open_to_me]
    upcoming = [e for e in exams if e.window == "upcoming"]
    done = [e for e in exams if e.attempts and any(a.status != "in_progress" for a in e.attempts)]

    if running:
        st.subheader(t("exams.my.in_progress"))
        for exam in running:
            with st.container(border=True):
                st.markdown(f"**{plain(exam.title)}**")
                exam_widgets.countdown(exam.deadline_at, t, key=f"countdown_{exam.exam_id}")
                st.button(t("exams.continue"), type="primary", key=f"continue_{exam.exam_id}",
                          icon=":material/play_arrow:", on_click=show_attempt_in_url, args=(exam.in_progress_id,))

    st.subheader(t("exams.my.open"))
    if not available:
        st.caption(t("exams.my.none_open"))
    for exam in available:
        with st.container(border=True):
            st.markdown(f"**{plain(exam.title)}**")
            st.caption(exam.description)
            allowed = t("exams.unlimited") if not exam.attempts_allowed else str(exam.attempts_allowed)
            limit = t("exams.minutes", n=exam.time_limit_minutes) if exam.time_limit_minutes else t("exams.none")
            st.markdown(t("exams.my.facts", limit=limit, pass_mark=f"{exam.pass_mark:g}", used=exam.attempts_used,
                          allowed=allowed, closes=exam_widgets.when(exam.close_at, t)))
            if exam.kind == "practical":
                st.info(t("exams.my.practical_note"), icon=":material/record_voice_over:")
            else:
                st.button(t("exams.start"), type="primary", key=f"start_{exam.exam_id}", icon=":material/play_arrow:",
                          on_click=ask, args=("start", exam.exam_id))
                if asking("start", exam.exam_id):
                    confirm_start(exam)

    if upcoming:
        st.subheader(t("exams.my.upcoming"))
        for exam in upcoming:
            st.markdown(t("exams.my.opens", title=plain(exam.title), opens=exam_widgets.when(exam.open_at, t)))

    st.subheader(t("exams.my.results"))
    if not done:
        st.caption(t("exams.my.no_results"))
    for exam in done:
        show_results(exam)


def show_results(exam: my_exams.MyExam) -> None:
    with st.container(border=True):
        st.markdown(f"**{plain(exam.title)}**")
        if exam.marks_visible and exam.final_percent is not None:
            st.markdown(t("exams.my.final", percent=exam_widgets.percent_text(exam.final_percent, t),
                          verdict=exam_widgets.verdict(exam.final_passed, t),
                          grading=t(f"exams.grading.{exam.grading}")))
        elif not exam.marks_visible:
            st.caption(t("exams.marks_hidden_until", closes=exam_widgets.when(exam.close_at, t)))
        if exam.window == "open" and exam.attempts_left == 0:
            st.caption(t("exams.my.no_attempts_left"))
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
            cols[3].button(t("exams.review"), key=f"review_{attempt.attempt_id}", on_click=show_attempt_in_url,
                           args=(attempt.attempt_id,))


requested = exam_widgets.attempt_in_url()
if requested is not None:
    show_attempt(requested)
else:
    back_to_list()  # a malformed ?attempt= is dropped
    overview()
