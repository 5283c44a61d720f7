"""The question form of the authoring page, and its live preview.

`question_editor` draws inputs pre-filled from a `QuestionData` and returns
the `QuestionData` they describe; nothing is saved here (the page saves it
through `portal.quizzes.bank`). `question_preview` shows it the way a new
hire will see it, with a "check" that grades the preview answer.
"""
from __future__ import annotations

import json
from types import SimpleNamespace

import pandas as pd
import streamlit as st

from portal.i18n import Translator
from portal.quizzes import bank, render
from portal.quizzes.grading import grade
from portal.quizzes.interchange import TEXT_FORMATS, Answer, QuestionData, SubQuestion
from portal.ui.question_view import answer_widget, render_question_text, show_feedback

EDITABLE_QTYPES = ("multichoice", "truefalse", "shortanswer", "numerical", "match", "essay", "description")


def blank_question() -> QuestionData:
    return QuestionData(qtype="multichoice", name="", questiontext="", single=True,
                        answers=[Answer("", 1.0), Answer("", 0.0)])


def _tags_text(tags: list[str]) -> str:
    return ", ".join(tags)


def _percent(fraction: float) -> float:
    return round(float(fraction) * 100, 5)


def question_editor(t: Translator, initial: QuestionData, key: str, *, idnumber_editable: bool) -> QuestionData:
    """Inputs for every field of a question; returns what they hold now."""
    left, right = st.columns(2)
    idnumber = left.text_input(t("quizbank.form.idnumber"), initial.idnumber, key=f"{key}-id",
                               disabled=not idnumber_editable, help=t("quizbank.form.idnumber_help"))
    name = right.text_input(t("quizbank.form.name"), initial.name, key=f"{key}-name")
    left, middle, right = st.columns(3)
    qtype = left.selectbox(t("quizbank.form.qtype"), EDITABLE_QTYPES, key=f"{key}-qtype",
                           index=EDITABLE_QTYPES.index(initial.qtype) if initial.qtype in EDITABLE_QTYPES else 0,
                           format_func=lambda q: t(f"quizbank.qtype.{q}"))
    category = middle.text_input(t("quizbank.form.category"), initial.category, key=f"{key}-category",
                                 placeholder="product/roaming")
    tags = right.text_input(t("quizbank.form.tags"), _tags_text(initial.tags), key=f"{key}-tags",
                            help=t("quizbank.form.tags_help"))
    textformat = st.selectbox(t("quizbank.form.format"), TEXT_FORMATS, key=f"{key}-format",
                              index=TEXT_FORMATS.index(initial.questiontextformat)
                              if initial.questiontextformat in TEXT_FORMATS else 0,
                              format_func=lambda f: t(f"quizbank.format.{f}"))
    questiontext = st.text_area(t("quizbank.form.questiontext"), initial.questiontext, key=f"{key}-text", height=120)
    same_type = qtype == initial.qtype
    single, answers, subquestions = None, [], []
    if qtype == "multichoice":
        single = st.toggle(t("quizbank.form.single"), value=initial.single is not False, key=f"{key}-single")
        answers = _answer_table(t, initial.answers if same_type else [], key, numerical=False)
    elif qtype == "truefalse":
        answers = _truefalse(t, initial.answers if same_type else [], key)
    elif qtype == "shortanswer":
        st.caption(t("quizbank.form.shortanswer_help"))
        answers = _answer_table(t, initial.answers if same_type else [], key, numerical=False)
    elif qtype == "numerical":
        answers = _answer_table(t, initial.answers if same_type else [], key, numerical=True)
    elif qtype == "match":
        subquestions = _match_table(t, initial.subquestions if same_type else [], key)
    generalfeedback = st.text_area(t("quizbank.form.generalfeedback"), initial.generalfeedback, key=f"{key}-general",
                                   height=80, help=t("quizbank.form.generalfeedback_help"))
    return QuestionData(qtype=qtype, name=name.strip(), questiontext=questiontext, questiontextformat=textformat,
                        generalfeedback=generalfeedback, single=single, answers=answers, subquestions=subquestions,
                        category=category.strip(), tags=[tag.strip() for tag in tags.split(",") if tag.strip()],
                        idnumber=idnumber.strip(),
                        # no inputs for these (Moodle XML brings them): an edit keeps them as they were
                        defaultgrade=initial.defaultgrade, penalty=initial.penalty)


# column -> pixels, for choice answers and for numerical ones (with a tolerance column)
ANSWER_WIDTHS = {False: {"text": 170, "percent": 95, "feedback": 165},
                 True: {"text": 90, "percent": 95, "feedback": 140, "tolerance": 90}}


def _answer_table(t: Translator, answers: list[Answer], key: str, *, numerical: bool) -> list[Answer]:
    rows = [{"text": a.text, "percent": _percent(a.fraction), "feedback": a.feedback,
             **({"tolerance": float(a.tolerance or 0.0)} if numerical else {})} for a in answers]
    columns = ["text", "percent", "feedback"] + (["tolerance"] if numerical else [])
    frame = pd.DataFrame(rows or [{"text": "", "percent": 100.0, "feedback": "", **({"tolerance": 0.0}
                                                                                     if numerical else {})}],
                         columns=columns)
    # Widths in pixels that fit together in the editor's column at 1280 px (about 460 px): "large" text
    # columns pushed Feedback off to the right, where nobody saw it.
    widths = ANSWER_WIDTHS[numerical]
    config = {
        "text": st.column_config.TextColumn(t("quizbank.form.number" if numerical else "quizbank.form.answer"),
                                            required=True, width=widths["text"]),
        "percent": st.column_config.NumberColumn(t("quizbank.form.percent"), min_value=-100, max_value=100,
                                                 default=0.0, format="%g%%", help=t("quizbank.form.percent_help"),
                                                 width=widths["percent"]),
        "feedback": st.column_config.TextColumn(t("quizbank.form.feedback"), width=widths["feedback"]),
    }
    if numerical:
        config["tolerance"] = st.column_config.NumberColumn(t("quizbank.form.tolerance"), min_value=0, default=0.0,
                                                            width=widths["tolerance"])
    st.caption(t("quizbank.form.answers_help"))
    edited = st.data_editor(frame, num_rows="dynamic", key=f"{key}-answers", hide_index=True, column_config=config,
                            width="stretch")
    result = []
    for row in edited.to_dict("records"):
        text = "" if pd.isna(row.get("text")) else str(row["text"]).strip()
        if not text:
            continue
        percent = 0.0 if pd.isna(row.get("percent")) else float(row["percent"])
        feedback = "" if pd.isna(row.get("feedback")) else str(row["feedback"])
        tolerance = (0.0 if pd.isna(row.get("tolerance")) else float(row["tolerance"])) if numerical else None
        result.append(Answer(text, percent / 100, feedback, tolerance))
    return result


def _truefalse(t: Translator, answers: list[Answer], key: str) -> list[Answer]:
    by_truth = {str(a.text).lower() == "true": a for a in answers}
    right_is_true = float(by_truth[True].fraction) >= 1 if True in by_truth else True
    right = st.radio(t("quizbank.form.truefalse_right"), [True, False], index=0 if right_is_true else 1,
                     key=f"{key}-tf", horizontal=True,
                     format_func=lambda v: t("quizbank.view.true") if v else t("quizbank.view.false"))
    left, middle = st.columns(2)
    true_feedback = left.text_input(t("quizbank.form.feedback_true"), by_truth[True].feedback if True in by_truth
                                    else "", key=f"{key}-tf-true")
    false_feedback = middle.text_input(t("quizbank.form.feedback_false"), by_truth[False].feedback
                                       if False in by_truth else "", key=f"{key}-tf-false")
    return [Answer("True", 1.0 if right else 0.0, true_feedback), Answer("False", 0.0 if right else 1.0, false_feedback)]


def _match_table(t: Translator, subquestions: list[SubQuestion], key: str) -> list[SubQuestion]:
    frame = pd.DataFrame([{"question": s.question, "answer": s.answer} for s in subquestions]
                         or [{"question": "", "answer": ""}], columns=["question", "answer"])
    st.caption(t("quizbank.form.match_help"))
    edited = st.data_editor(frame, num_rows="dynamic", key=f"{key}-pairs", hide_index=True, width="stretch",
                            column_config={"question": st.column_config.TextColumn(t("quizbank.form.match_item")),
                                           "answer": st.column_config.TextColumn(t("quizbank.form.match_answer"),
                                                                                 required=True)})
    pairs = []
    for row in edited.to_dict("records"):
        question = "" if pd.isna(row.get("question")) else str(row["question"])
        answer = "" if pd.isna(row.get("answer")) else str(row["answer"])
        if question.strip() or answer.strip():
            pairs.append(SubQuestion(question, answer))
    return pairs


def question_preview(t: Translator, data: QuestionData, key: str, version_id: int | None = None) -> None:
    """The question as a new hire sees it; the trainer can answer and check it.

    Its images are the ones `data` carries (a file being imported) or else those of `version_id`."""
    payload = {**bank.payload_of(data), "questiontextformat": data.questiontextformat,
               "generalfeedback": data.generalfeedback}
    version = SimpleNamespace(questiontext=data.questiontext, questiontextformat=data.questiontextformat,
                              generalfeedback=data.generalfeedback, payload=json.dumps(payload),
                              images=data.images or None, id=version_id)
    with st.container(border=True):
        if not data.questiontext.strip():
            st.caption(t("quizbank.form.preview_empty"))
            return
        render_question_text(version, t)
        response = answer_widget(payload, render.make_layout(payload, shuffle=False), key=f"{key}-preview", t=t)
        if data.qtype != "description" and st.toggle(t("quizbank.form.preview_check"), key=f"{key}-preview-check"):
            try:
                result = grade(payload, response)
            except (KeyError, TypeError, ValueError):
                st.caption(t("quizbank.form.preview_incomplete"))
                return
            show_feedback(result, payload, response, t, images=data.images or None, version_id=version_id)
