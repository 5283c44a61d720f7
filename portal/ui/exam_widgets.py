"""Streamlit pieces for exams: times, the countdown, percent badges, attempt review."""
from datetime import datetime

import streamlit as st

from portal.clock import utcnow
from portal.formatting import format_datetime
from portal.i18n import Translator
from portal.quizzes.attempts import AttemptView
from portal.ui import question_view
from portal.ui.url import id_in_url


def when(value: datetime | None, t: Translator) -> str:
    """An exam's time on the center's clock, in the viewer's language."""
    return format_datetime(value, t.language) if value else t("exams.no_date")


def clock_text(seconds: int) -> str:
    minutes, secs = divmod(max(0, int(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def countdown(deadline: datetime | None, t: Translator, key: str) -> None:
    """Time left to the server's deadline, refreshed every second (a page reload recomputes it)."""
    if deadline is None:
        st.caption(t("exams.no_time_limit"))
        return

    @st.fragment(run_every=1)
    def _tick():
        left = int((deadline - utcnow()).total_seconds())
        if left <= 0:
            st.error(t("exams.time_up_banner"), icon=":material/timer_off:")
            return
        st.metric(t("exams.time_left"), clock_text(left), help=t("exams.time_left_help", deadline=when(deadline, t)))
        if left <= 120:
            st.warning(t("exams.time_almost_up"), icon=":material/timer:")

    with st.container(key=key):
        _tick()


def percent_text(percent: float | None, t: Translator) -> str:
    return t("exams.hidden") if percent is None else f"{percent:.1f}%"


def verdict(passed: bool | None, t: Translator) -> str:
    if passed is None:
        return t("exams.hidden")
    return t("exams.passed") if passed else t("exams.failed")


def show_review(view: AttemptView, t: Translator) -> None:
    """A submitted attempt: marks if the review options allow, right answers and feedback if they allow."""
    if view.show_marks:
        cols = st.columns(3)
        cols[0].metric(t("exams.score"), percent_text(view.percent, t))
        cols[1].metric(t("exams.points"), f"{(view.score or 0):g} / {(view.max_score or 0):g}")
        cols[2].metric(t("exams.result"), verdict(view.passed, t))
        if view.comment:
            st.info(t("exams.trainer_comment", comment=view.comment), icon=":material/chat:")
    else:
        st.info(t("exams.marks_hidden"), icon=":material/visibility_off:")
    if view.kind != "written":
        return
    if not view.show_answers:
        st.caption(t("exams.answers_hidden"))
        return
    from portal.quizzes.grading import grade

    for question in view.questions:
        with st.container(border=True):
            st.markdown(f"**{t('exams.question_n', n=question.slot)}**"
                        + (f" · {question.mark:g} / {question.max_mark:g}" if question.mark is not None else ""))
            question_view.show_text(question.text, question.text_format, version_id=question.version_id, t=t)
            question_view.answer_widget(question.payload, question.layout, key=f"rv{view.attempt_id}-{question.slot}",
                                        disabled=True, t=t, value=question.response)
            question_view.show_feedback(grade(question.payload, question.response), question.payload,
                                        question.response, t, version_id=question.version_id)
            if question.comment:
                st.caption(t("exams.trainer_comment", comment=question.comment))


ATTEMPT_PARAM = "attempt"


def attempt_in_url() -> int | None:
    """The attempt on screen, from the URL (`?attempt=<id>`; a reload, Back or a shared link keep it).
    None when absent or malformed; whose attempt it is, the service checks."""
    return id_in_url(ATTEMPT_PARAM)


FLASH_KEY = "exams_flash"


def flash(key: str) -> None:
    """Remember a success message to show after st.rerun (a toast before a rerun is lost)."""
    st.session_state[FLASH_KEY] = key


def show_flash(t: Translator) -> None:
    key = st.session_state.pop(FLASH_KEY, None)
    if key:
        st.toast(t(key), icon=":material/check_circle:")
        st.success(t(key), icon=":material/check_circle:")
