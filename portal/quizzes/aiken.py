"""Aiken import and export, following Moodle's qformat_aiken.

Reference: moodle/moodle question/format/aiken/format.php.  An Aiken question
is one line of text, options `A)`/`A.` one per line, then `ANSWER: X`:

    Which plan includes unlimited data?
    A. Basic 5GB
    B. Max Unlimited
    ANSWER: B

Like Moodle, questions become single-answer multiple choice in HTML format
with the text HTML-escaped.  Unlike Moodle, a file with any problem is
rejected whole with every problem listed (Moodle skips bad questions).
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from portal.quizzes.interchange import (
    Answer,
    ProblemList,
    QuestionData,
    default_question_name,
    html_to_plain,
    php_trim,
    snippet,
    split_lines,
)

# Moodle: '/^[A-Z][).][ \t]?/' for options and '/^ANSWER:/' for the key line.
OPTION_RE = re.compile(r"([A-Z])[).][ \t]?")
# Accepted more loosely than Moodle ("Answer :" and lower case), which would
# otherwise silently turn the line into the text of a new question.
ANSWER_RE = re.compile(r"ANSWER\s*:", re.IGNORECASE)
MAX_OPTIONS = 26


@dataclass
class _Draft:
    """A question being read: its text line and options so far."""

    line: int
    text: str
    options: list[str] = field(default_factory=list)


def parse_aiken(text: str) -> list[QuestionData]:
    """Read an Aiken file; raise QuestionFileError listing every problem if it is bad."""
    problems = ProblemList()
    questions: list[QuestionData] = []
    draft: _Draft | None = None
    for number, raw in enumerate(split_lines(text), start=1):
        line = php_trim(raw)
        if not line:
            continue
        option = OPTION_RE.match(line)
        answer = ANSWER_RE.match(line)
        if (option or answer) and draft is None:
            problems.add(number, "interchange.error.aiken_not_started")
        elif option and draft is not None:
            _add_option(draft, option, line, number, problems)
        elif answer and draft is not None:
            question = _finish(draft, line[answer.end():], number, problems)
            if question is not None:
                questions.append(question)
            draft = None
        else:
            if draft is not None:
                problems.add(draft.line, "interchange.error.aiken_missing_answer")
            draft = _Draft(number, line)
    if draft is not None:
        problems.add(draft.line, "interchange.error.aiken_missing_answer")
    problems.raise_if_any()
    return questions


def _add_option(draft: _Draft, option: re.Match[str], line: str, number: int,
                problems: ProblemList) -> None:
    expected = chr(ord("A") + len(draft.options))
    if option.group(1) != expected:
        problems.add(number, "interchange.error.aiken_option_order",
                     letter=option.group(1), expected=expected)
    text = php_trim(line[2:])
    if not text:
        problems.add(number, "interchange.error.empty_answer")
    draft.options.append(text)


def _finish(draft: _Draft, key: str, number: int, problems: ProblemList) -> QuestionData | None:
    """Turn a draft into a question once its ANSWER line is read."""
    letter = php_trim(key).upper()
    if not re.fullmatch(r"[A-Z]", letter):
        problems.add(number, "interchange.error.aiken_invalid_answer_line", value=snippet(php_trim(key)))
        return None
    if len(draft.options) < 2:
        problems.add(number, "interchange.error.aiken_too_few_options", count=len(draft.options))
        return None
    right = ord(letter) - ord("A")
    if right >= len(draft.options):
        last = chr(ord("A") + len(draft.options) - 1)
        problems.add(number, "interchange.error.aiken_answer_not_an_option", letter=letter, last=last)
        return None
    answers = [
        Answer(_escape_html(option), 1.0 if index == right else 0.0)
        for index, option in enumerate(draft.options)
    ]
    return QuestionData(
        qtype="multichoice",
        name=default_question_name(draft.text),
        questiontext=_escape_html(draft.text),
        questiontextformat="html",
        single=True,
        answers=answers,
        line=draft.line,
    )


def _escape_html(text: str) -> str:
    """Moodle's htmlspecialchars($text, ENT_NOQUOTES): only & < > are escaped."""
    return html.escape(text, quote=False)


# --- writing --------------------------------------------------------------------


def dump_aiken(questions: list[QuestionData]) -> str:
    """Write Aiken; raise QuestionFileError naming every question Aiken cannot hold."""
    problems = ProblemList()
    chunks = [chunk for question in questions if (chunk := _write_question(question, problems))]
    problems.raise_if_any()
    return "\n\n".join(chunks) + "\n" if chunks else ""


def _write_question(question: QuestionData, problems: ProblemList) -> str | None:
    choices = _choices(question, problems)
    if choices is None:
        return None
    options, right = choices
    fmt = question.questiontextformat
    lines = [_plain(question.questiontext, fmt)]
    lines += [f"{chr(ord('A') + i)}. {_plain(option, fmt)}" for i, option in enumerate(options)]
    unwritable = [text for text in lines[:1] if not _is_question_line(text)]
    unwritable += [line for line in lines[1:] if not php_trim(line[3:])]
    if unwritable:
        problems.add(question.line, "interchange.error.export_aiken_text",
                     name=question.name, text=snippet(unwritable[0]))
        return None
    lines.append(f"ANSWER: {chr(ord('A') + right)}")
    return "\n".join(lines)


def _choices(question: QuestionData, problems: ProblemList) -> tuple[list[str], int] | None:
    """(option texts, index of the right one), or None after reporting why not."""
    name = question.name
    if question.qtype == "truefalse":
        return _truefalse_choices(question, problems)
    if question.qtype != "multichoice":
        problems.add(question.line, "interchange.error.export_unsupported_qtype",
                     name=name, qtype=question.qtype, format="Aiken")
        return None
    fractions = [answer.fraction for answer in question.answers]
    if not question.single or fractions.count(1) != 1 or any(f not in (0, 1) for f in fractions):
        problems.add(question.line, "interchange.error.export_not_single_choice", name=name)
        return None
    if len(fractions) > MAX_OPTIONS:
        problems.add(question.line, "interchange.error.export_too_many_options",
                     name=name, count=len(fractions))
        return None
    return [answer.text for answer in question.answers], fractions.index(1)


def _truefalse_choices(question: QuestionData, problems: ProblemList) -> tuple[list[str], int] | None:
    """True/false is written as "A. True / B. False"."""
    by_name = {answer.text.strip().lower(): answer.fraction for answer in question.answers}
    valid = (
        len(question.answers) == 2
        and set(by_name) == {"true", "false"}
        and sorted(by_name.values()) == [0, 1]
    )
    if not valid:
        problems.add(question.line, "interchange.error.export_bad_truefalse", name=question.name)
        return None
    return ["True", "False"], 0 if by_name["true"] == 1 else 1


def _plain(text: str, textformat: str) -> str:
    """One line of plain text, as Moodle exports (question_utils::to_plain_text)."""
    if textformat != "plain":
        text = html_to_plain(text)
    return php_trim(text.replace("\r\n", " ").replace("\r", " ").replace("\n", " "))


def _is_question_line(text: str) -> bool:
    """Would this line be read back as question text (not blank, option or ANSWER)?"""
    return bool(text) and not OPTION_RE.match(text) and not ANSWER_RE.match(text)
