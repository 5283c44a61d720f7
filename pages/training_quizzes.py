"""Practice quizzes for new hires and agents: the review queue, the quizzes, an attempt, my history.

`st.session_state["open_quiz"] = "practice-product"` (set by the onboarding
page) opens that practice quiz directly. The attempt on screen is in the URL
(`?quiz=practice-product&attempt=<id>`), so a reload, Back and a shared link
return to it; the service refuses anyone else's attempt.
"""
import streamlit as st

from portal.db import run_transaction
from portal.errors import PortalError
from portal.formatting import format_datetime
from portal.quizzes import practice, render
from portal.quizzes.grading import Grade
from portal.ui import charts, state
from portal.ui.dates import datetime_column
from portal.ui.exam_widgets import ATTEMPT_PARAM, attempt_in_url
from portal.ui.text import plain
from portal.ui.url import show_in_url
from portal.ui.question_view import answer_widget, render_question_text, response_from_state, show_feedback
from portal.ui.widgets import empty_state, page_header, run_action, service_call

QUIZ_PARAM = "quiz"
START_REFUSED = "practice_start_refused"  # (quiz code, why) when "Start" could not open it
FEEDBACK_KEY = "practice_feedback_slot"
REVIEW_FEEDBACK_KEY = "review_feedback"
NOTICE_KEY = "practice_notice"  # why the last "Check my answer" saved nothing

t = state.translator()
actor = state.actor()
language = state.language()
page_header(t, "nav.my_quizzes", "quizbank.practice.caption")


def _open_or_start(session, code: str) -> int:
    return practice.open_attempt_id(session, actor, code) or practice.start_practice(session, actor, code, language)


def open_requested_quiz(code: str) -> None:
    """Resume the learner's open attempt at `code`, or start one, and put it in the URL."""
    if opened := run_action(t, lambda s: _open_or_start(s, code)):
        show_in_url(**{QUIZ_PARAM: code, ATTEMPT_PARAM: opened.value})


def start_quiz(code: str) -> None:
    """"Start", as the button's callback: the run that follows draws the attempt (one run per click);
    a refusal is kept for the quiz's card."""
    try:
        attempt_id = run_transaction(lambda s: _open_or_start(s, code))
    except PortalError as exc:
        st.session_state[START_REFUSED] = (code, t.error(exc))
        return
    show_in_url(**{QUIZ_PARAM: code, ATTEMPT_PARAM: attempt_id})


def leave_attempt() -> None:
    show_in_url(**{ATTEMPT_PARAM: None, QUIZ_PARAM: None})
    st.session_state.pop(FEEDBACK_KEY, None)


def answer_key(attempt_id: int, item: practice.PracticeItem) -> str:
    return f"q-{attempt_id}-{item.slot}"


def check_answer(attempt_id: int, item: practice.PracticeItem) -> None:
    """"Check my answer", run as the button's callback: the answer is saved before the page is
    drawn, which then shows the feedback straight away (one script run per click, not two)."""
    response = response_from_state(item.payload, item.layout, answer_key(attempt_id, item))
    if render.response_is_empty(response):
        st.session_state[NOTICE_KEY] = t("quizbank.practice.answer_first")
        return
    try:  # a partly matched answer is refused by the service, with its reason
        run_transaction(lambda s: practice.answer_practice(s, actor, attempt_id, item.slot, response))
    except PortalError as exc:
        st.session_state[NOTICE_KEY] = t.error(exc)
        return
    st.session_state[FEEDBACK_KEY] = item.slot


# A fragment: answering and moving on redraw the question, not the whole app.
@st.fragment
def show_attempt(attempt_id: int) -> None:
    with service_call(t) as session:
        view = practice.get_practice_attempt(session, actor, attempt_id, language)
    if view.next_item is None and view.attempt.status == "in_progress" and FEEDBACK_KEY not in st.session_state:
        run_action(t, lambda s: practice.finish_practice(s, actor, attempt_id))
        with service_call(t) as session:
            view = practice.get_practice_attempt(session, actor, attempt_id, language)
    total = len(view.items)
    st.subheader(plain(view.title))
    st.progress(view.answered / total if total else 1.0,
                text=t("quizbank.practice.progress", done=view.answered, total=total))
    if view.attempt.status != "in_progress":
        show_result(view)
        return
    feedback_slot = st.session_state.get(FEEDBACK_KEY)
    item = next((i for i in view.items if i.slot == feedback_slot and i.answered), None) or view.next_item
    position = view.items.index(item) + 1
    with st.container(border=True):
        st.caption(t("quizbank.practice.question_of", number=position, total=total))
        render_question_text(item.version, t)
        if item.answered:
            answer_widget(item.payload, item.layout, key=f"done-{attempt_id}-{item.slot}", disabled=True, t=t,
                          value=item.response)
            show_feedback(item.grade, item.payload, item.response, t, version_id=item.version.id)
            last = view.next_item is None
            # a callback, not a click handled below then st.rerun(): one script run per click, not two
            st.button(t("quizbank.practice.see_score" if last else "quizbank.practice.next"), type="primary",
                      on_click=st.session_state.pop, args=(FEEDBACK_KEY, None))
        else:
            with st.form(f"answer-{attempt_id}-{item.slot}"):
                answer_widget(item.payload, item.layout, key=answer_key(attempt_id, item), t=t)
                st.form_submit_button(t("quizbank.practice.check"), type="primary", on_click=check_answer,
                                      args=(attempt_id, item))
            if NOTICE_KEY in st.session_state:
                st.warning(st.session_state.pop(NOTICE_KEY))
    left, right = st.columns(2)
    if left.button(t("quizbank.practice.finish_now"), help=t("quizbank.practice.finish_help")):
        if run_action(t, lambda s: practice.finish_practice(s, actor, attempt_id)):
            st.session_state.pop(FEEDBACK_KEY, None)
            st.rerun()
    if right.button(t("quizbank.practice.back")):
        leave_attempt()
        st.rerun()


def show_result(view: practice.PracticeAttempt) -> None:
    attempt = view.attempt
    st.metric(t("quizbank.practice.score"), f"{attempt.percent:.0f}%",
              help=t("quizbank.practice.score_detail", score=f"{attempt.score:g}", total=f"{attempt.max_score:g}"))
    if render.is_full_credit((attempt.percent or 0) / 100):
        st.success(t("quizbank.practice.all_right"), icon=":material/celebration:")
    else:
        st.info(t("quizbank.practice.try_again_hint"), icon=":material/replay:")
    left, right = st.columns(2)
    if left.button(t("quizbank.practice.try_again"), type="primary"):
        leave_attempt()
        open_requested_quiz(view.code)
        st.rerun()
    if right.button(t("quizbank.practice.back")):
        leave_attempt()
        st.rerun()
    with st.expander(t("quizbank.practice.review_answers")):
        for number, item in enumerate(view.items, start=1):
            st.markdown(f"**{t('quizbank.practice.question_of', number=number, total=len(view.items))}**")
            render_question_text(item.version, t)
            show_feedback(item.grade or Grade(0.0), item.payload, item.response, t, version_id=item.version.id)
            st.divider()


def show_review_queue() -> None:
    st.subheader(t("quizbank.review.heading"))
    answered = st.session_state.get(REVIEW_FEEDBACK_KEY)
    if answered:
        with st.container(border=True):
            render_question_text(answered["version"], t)
            show_feedback(answered["grade"], answered["payload"], answered["response"], t,
                          version_id=answered["version"].id)
            st.caption(t("quizbank.review.next_due", when=format_datetime(answered["next_due"], t.language)))
            if st.button(t("quizbank.review.next"), type="primary"):
                st.session_state.pop(REVIEW_FEEDBACK_KEY)
                st.rerun()
        return
    with service_call(t) as session:
        due = practice.due_reviews(session, actor, language)
        schedule = practice.review_schedule(session, actor)
    if not due:
        st.caption(t("quizbank.review.none_due") if not schedule.empty else t("quizbank.review.empty"))
        return
    st.caption(t("quizbank.review.due_count", count=len(due)))
    item = due[0]
    with st.container(border=True):
        render_question_text(item.version, t)
        with st.form(f"review-{item.idnumber}"):
            response = answer_widget(item.payload, item.layout, key=f"review-{item.idnumber}", t=t)
            checked = st.form_submit_button(t("quizbank.practice.check"), type="primary")
    if checked:
        if render.response_is_empty(response):
            st.warning(t("quizbank.practice.answer_first"))
            return
        if answered := run_action(t, lambda s: practice.answer_review(s, actor, item.idnumber, response, language)):
            st.session_state[REVIEW_FEEDBACK_KEY] = {
                "version": item.version, "payload": item.payload, "response": response,
                "grade": answered.value.grade, "next_due": answered.value.next_due}
            st.rerun()


def show_quizzes() -> None:
    st.subheader(t("quizbank.practice.choose"))
    with service_call(t) as session:
        quizzes = practice.list_practice_quizzes(session, actor, language)
    if not quizzes:
        empty_state(t, "empty.my_quizzes")
        return
    refused = st.session_state.pop(START_REFUSED, None)
    columns = st.columns(2)
    for n, quiz in enumerate(quizzes):
        with columns[n % 2].container(border=True):
            st.markdown(f"**{plain(quiz.title)}**")
            st.caption(render.escape_markdown(quiz.description))
            st.caption(t("quizbank.practice.size", count=min(quiz.count, quiz.available), pool=quiz.available))
            if quiz.best_percent is not None:
                st.progress(quiz.best_percent / 100,
                            text=t("quizbank.practice.best", percent=f"{quiz.best_percent:.0f}", attempts=quiz.attempts))
            else:
                st.caption(t("quizbank.practice.not_tried"))
            st.button(t("quizbank.practice.start"), key=f"start-{quiz.code}", disabled=not quiz.available,
                      on_click=start_quiz, args=(quiz.code,))
            if refused and refused[0] == quiz.code:
                st.error(refused[1], icon=":material/error:")


def show_history() -> None:
    st.subheader(t("quizbank.practice.history"))
    with service_call(t) as session:
        history = practice.practice_history(session, actor, language)
    if history.empty:
        st.caption(t("quizbank.practice.no_history"))
        return
    charts.practice_scores(t, history)
    st.dataframe(history[["submitted_at", "quiz", "number", "percent"]], hide_index=True, width="stretch",
                 column_config={
                     "submitted_at": datetime_column(t, t("quizbank.practice.col.when")),
                     "quiz": t("quizbank.practice.col.quiz"),
                     "number": t("quizbank.practice.col.number"),
                     "percent": st.column_config.ProgressColumn(t("quizbank.practice.col.percent"), min_value=0,
                                                                max_value=100, format="%.0f%%")})


requested = st.session_state.pop("open_quiz", None)
if requested:
    leave_attempt()
    open_requested_quiz(requested)

if attempt_in_url() is not None:
    show_attempt(attempt_in_url())
else:
    show_review_queue()
    st.divider()
    show_quizzes()
    st.divider()
    show_history()
