"""How a learner sees one question: its text, the answer widget, the feedback.

Shared by practice quizzes, the spaced review queue, the authoring preview
and written exams. Text from question authors goes through
`portal.quizzes.render.display_text` (nh3 for HTML) before it reaches
Streamlit; only sanitized HTML is ever passed with `unsafe_allow_html`.

Typical use::

    payload = render.version_payload(version)
    layout = json.loads(attempt_answer.layout)          # from render.make_layout()
    render_question_text(version, t)
    response = answer_widget(payload, layout, key=f"a{attempt_answer.id}")
    ...
    show_feedback(grade(payload, response), payload, response, t)

`answer_widget` returns exactly the response shapes documented in
`portal/quizzes/grading.py`, or None while nothing is answered.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from portal.db import read_scope
from portal.errors import PortalError
from portal.i18n import Translator
from portal.quizzes import bank, render
from portal.quizzes.grading import Grade


def show_text(text: str, textformat: str = "moodle", *, images: Mapping[str, bytes] | None = None,
              version_id: int | None = None, t: Translator | None = None) -> None:
    """Author-written text, rendered safely; its own images (`@@PLUGINFILE@@/name`) drawn from their bytes.

    `images` are the bytes by name when the caller has them (an uploaded file's preview); otherwise
    they are read for `version_id` through `bank.question_images`, which checks the viewer may see them.
    """
    if render.PLUGINFILE not in text:
        _show_safe(text, textformat)
        return
    if images is None:
        images = version_images(version_id)
    for piece in render.split_images(text):
        if isinstance(piece, str):
            _show_safe(piece, textformat)
        elif piece.name in images:
            st.image(images[piece.name], caption=piece.alt or None, width=piece.width or "content")
        else:
            st.caption(_translator(t)("moodlexml.image.missing", name=piece.name))


def version_images(version_id: int | None) -> dict[str, bytes]:
    """The images of a question version the signed-in person may see ({} when they may not: never a URL)."""
    if version_id is None:
        return {}
    from portal.ui import state

    try:
        with read_scope() as session:
            return {name: row.data for name, row in bank.question_images(session, state.actor(), version_id).items()}
    except PortalError:
        return {}


def _show_safe(text: str, textformat: str) -> None:
    safe = render.display_text(text, textformat)
    if not safe.body.strip():
        return
    if safe.is_html:
        st.markdown(safe.body, unsafe_allow_html=True)  # sanitized by nh3 in display_text
    else:
        st.markdown(safe.body)


def render_question_text(version: Any, t: Translator) -> None:
    """The question text of a `QuestionVersion` (or anything with questiontext/questiontextformat/payload,
    and `images` by name or an `id` to read them for)."""
    show_text(version.questiontext, version.questiontextformat, images=getattr(version, "images", None),
              version_id=getattr(version, "id", None), t=t)
    payload = render.version_payload(version)
    if payload.get("qtype") == "multichoice" and not payload.get("single", True):
        st.caption(t("quizbank.view.choose_all"))


def _translator(t: Translator | None) -> Translator:
    if t is not None:
        return t
    from portal.ui import state

    return state.translator()


def answer_widget(version_payload: dict, layout: dict | None, key: str, disabled: bool = False,
                  t: Translator | None = None, value: Any = None):
    """The input for one question; returns the response (None while unanswered).

    `layout` orders the choices (`render.make_layout`); `key` must be unique on
    the page; `value` pre-fills a response given earlier (e.g. when reviewing).
    """
    t = _translator(t)
    payload = version_payload
    qtype = payload.get("qtype")
    textformat = payload.get("questiontextformat", "moodle")
    if qtype == "multichoice":
        _multichoice(payload, layout, key, disabled, textformat, t, value)
    elif qtype == "truefalse":
        st.radio(t("quizbank.view.your_answer"), [True, False], key=key, disabled=disabled,
                 index=None if value is None else (0 if value else 1),
                 format_func=lambda v: t("quizbank.view.true") if v else t("quizbank.view.false"))
    elif qtype in ("shortanswer", "numerical"):
        st.text_input(t("quizbank.view.your_answer"), key=key, disabled=disabled,
                      value="" if value is None else str(value),
                      placeholder=t("quizbank.view.number_hint") if qtype == "numerical" else None)
    elif qtype == "match":
        _match(payload, layout, key, disabled, textformat, t, value)
    elif qtype == "essay":
        st.text_area(t("quizbank.view.your_answer"), key=key, disabled=disabled, height=200,
                     value="" if value is None else str(value))
    return response_from_state(payload, layout, key)


def response_from_state(version_payload: dict, layout: dict | None, key: str):
    """The response held by the widgets `answer_widget(version_payload, layout, key)` drew (None while
    unanswered). It reads `st.session_state`, so a button's callback can grade the answer before the
    page is drawn again: one script run per click instead of two."""
    payload, state = version_payload, st.session_state
    qtype = payload.get("qtype")
    if qtype == "truefalse" or (qtype == "multichoice" and payload.get("single", True)):
        return state.get(key)
    if qtype == "multichoice":
        return sorted(i for i in render.ordered(payload.get("answers", []), layout) if state.get(f"{key}-{i}")) \
            or None
    if qtype in ("shortanswer", "numerical", "essay"):
        return (state.get(key) or "").strip() or None
    if qtype == "match":
        picked = {i: state.get(f"{key}-{i}") for i in render.match_items(payload)}
        return {i: v for i, v in picked.items() if v is not None} or None
    return None  # description: nothing to answer


def _multichoice(payload, layout, key, disabled, textformat, t, value) -> None:
    answers = payload.get("answers", [])
    order = render.ordered(answers, layout)
    labels = {i: render.option_label(answers[i]["text"], textformat) for i in order}
    if payload.get("single", True):
        index = order.index(value) if isinstance(value, int) and value in order else None
        st.radio(t("quizbank.view.your_answer"), order, index=index, key=key, disabled=disabled,
                 format_func=labels.__getitem__)
        return
    chosen_before = set(value or [])
    st.markdown(t("quizbank.view.your_answer"))
    for i in order:
        st.checkbox(labels[i], key=f"{key}-{i}", disabled=disabled, value=i in chosen_before)


def _match(payload, layout, key, disabled, textformat, t, value) -> None:
    subquestions = payload.get("subquestions", [])
    choices = render.match_choices(payload)
    shown = [choices[i] for i in render.ordered(choices, layout)]
    given = {int(k): v for k, v in (value or {}).items()}
    for i in render.match_items(payload):
        before = given.get(i)
        st.selectbox(render.option_label(subquestions[i]["question"], textformat), shown,
                     index=shown.index(before) if before in shown else None, key=f"{key}-{i}",
                     disabled=disabled, placeholder=t("quizbank.view.choose"))


def show_feedback(grade: Grade, payload: dict, response, t: Translator, *,
                  images: Mapping[str, bytes] | None = None, version_id: int | None = None) -> None:
    """The verdict, the feedback the response earned, the right answer after a miss, the general feedback.

    Images in the feedback are `images` or those of `version_id` (read once, see `show_text`)."""
    textformat = payload.get("questiontextformat", "moodle")
    shown = [*grade.feedback, payload.get("generalfeedback", "")]
    if images is None and any(render.PLUGINFILE in text for text in shown):
        images = version_images(version_id)
    if grade.needs_marking:
        st.info(t("quizbank.view.needs_marking"), icon=":material/hourglass_top:")
    elif render.response_is_empty(response):
        st.error(t("quizbank.view.not_answered"), icon=":material/cancel:")
    elif render.is_full_credit(grade.fraction):
        st.success(t("quizbank.view.correct"), icon=":material/check_circle:")
    elif grade.fraction > 0:
        st.warning(t("quizbank.view.partial", percent=round(grade.fraction * 100)), icon=":material/adjust:")
    else:
        st.error(t("quizbank.view.incorrect"), icon=":material/cancel:")
    for text in grade.feedback:
        show_text(text, textformat, images=images, t=t)
    if grade.fraction is not None and not render.is_full_credit(grade.fraction):
        answers = render.right_answers(payload)
        if answers:
            st.markdown(t("quizbank.view.right_answer",
                          answer="; ".join(render.escape_markdown(a) for a in answers)))
    general = payload.get("generalfeedback", "")
    if general.strip():
        with st.container(border=True):
            st.caption(t("quizbank.view.general_feedback"))
            show_text(general, textformat, images=images, t=t)
