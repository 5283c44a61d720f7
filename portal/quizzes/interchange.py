"""Neutral question model shared by the GIFT and Aiken interchange formats.

The model mirrors what Moodle's question importers produce, reduced to what
Agent Academy stores.  `QuestionData.to_json_dict()` is the contract other
parts of the portal (and operators' scripts) rely on.

Problems found while reading or writing a file are `FormatProblem`s: an i18n
key plus parameters, so the UI can show them in the reader's language, and an
English `message` rendered from the en catalog for logs and the CLI.  A file
with any problem is rejected whole with `QuestionFileError`.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from portal.errors import PortalError
from portal.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
CATALOG_FILE = "interchange.json"
DEFAULT_LOCALE = "en"

QTYPES = ("multichoice", "truefalse", "shortanswer", "numerical", "match", "essay", "description")
TEXT_FORMATS = ("moodle", "html", "markdown", "plain")

# PHP's trim() removes exactly these characters; Moodle trims with it everywhere.
PHP_WHITESPACE = " \t\n\r\0\x0b"

DEFAULT_NAME = "Untitled question"
DEFAULT_MARK = 1.0
DEFAULT_PENALTY = 0.3333333  # Moodle's default penalty for each wrong try
NAME_LENGTH = 80


def php_trim(text: str) -> str:
    """Trim like PHP's trim(), which Moodle uses (narrower than str.strip())."""
    return text.strip(PHP_WHITESPACE)


def split_lines(text: str) -> list[str]:
    """File lines as Moodle reads them: BOM dropped, CRLF and lone CR are line ends.

    Only these count as line ends (str.splitlines() would also split on
    characters such as U+2028 that Moodle keeps inside a line).
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


@dataclass
class Answer:
    text: str
    fraction: float
    feedback: str = ""
    tolerance: float | None = None


@dataclass
class SubQuestion:
    question: str
    answer: str


@dataclass
class QuestionData:
    qtype: str
    name: str
    questiontext: str
    questiontextformat: str = "moodle"
    generalfeedback: str = ""
    single: bool | None = None
    answers: list[Answer] = field(default_factory=list)
    subquestions: list[SubQuestion] = field(default_factory=list)
    category: str = ""
    tags: list[str] = field(default_factory=list)
    idnumber: str = ""
    line: int = field(default=0, compare=False)
    # Moodle XML carries these; GIFT and Aiken leave them at Moodle's defaults
    defaultgrade: float = DEFAULT_MARK
    penalty: float = DEFAULT_PENALTY
    images: dict[str, bytes] = field(default_factory=dict)  # file name -> cleaned bytes (`@@PLUGINFILE@@/name`)

    def to_json_dict(self) -> dict[str, Any]:
        """The operator-facing JSON shape (see module docstring)."""
        data: dict[str, Any] = {
            "qtype": self.qtype,
            "name": self.name,
            "questiontext": self.questiontext,
            "questiontextformat": self.questiontextformat,
            "generalfeedback": self.generalfeedback,
        }
        if self.qtype == "multichoice":
            data["single"] = bool(self.single)
        data["answers"] = [self._answer_json(answer) for answer in self.answers]
        if self.qtype == "match":
            data["subquestions"] = [
                {"question": sub.question, "answer": sub.answer} for sub in self.subquestions
            ]
        data["category"] = self.category
        data["tags"] = list(self.tags)
        data["idnumber"] = self.idnumber
        if self.defaultgrade != DEFAULT_MARK:  # only when set, so GIFT and Aiken keep their shape
            data["defaultgrade"] = float(self.defaultgrade)
        if self.penalty != DEFAULT_PENALTY:
            data["penalty"] = float(self.penalty)
        if self.images:
            data["images"] = sorted(self.images)
        return data

    def _answer_json(self, answer: Answer) -> dict[str, Any]:
        item: dict[str, Any] = {
            "text": answer.text,
            "fraction": float(answer.fraction),
            "feedback": answer.feedback,
        }
        if self.qtype == "numerical":
            item["tolerance"] = float(answer.tolerance or 0.0)
        return item


@dataclass(frozen=True)
class FormatProblem:
    line: int
    key: str
    params: dict[str, Any]
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class QuestionFileError(PortalError, ValueError):
    """A question file, a set of questions to export or a question form was rejected whole.

    `problems` lists every `FormatProblem`, by line; `key` is the message above them, which the
    caller that knows the context chooses (`rejected_as`). A form's problems are shown without
    line numbers (`with_lines=False`). `str()` is the problems in English, one a line.
    """

    key = "quizbank.file.rejected"

    def __init__(self, problems: list[FormatProblem], key: str | None = None, *, with_lines: bool = True,
                 **params: Any):
        ordered = sorted(problems, key=lambda problem: problem.line)
        self.with_lines = with_lines
        super().__init__(key, problems=ordered, count=len(ordered), **params)

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)

    def problem_text(self, problem: FormatProblem, language: str | None) -> str:
        return problem_text(problem, language) if self.with_lines else problem_reason(problem, language)

    def rejected_as(self, key: str, *, with_lines: bool = True, **params: Any) -> QuestionFileError:
        """The same problems under the message `key` (e.g. naming the file)."""
        return QuestionFileError(self.problems, key, with_lines=with_lines, **params)


# --- i18n -----------------------------------------------------------------


@lru_cache
def load_catalog(locale: str = DEFAULT_LOCALE) -> dict[str, str]:
    """The interchange messages for `locale` (a flat key -> template object)."""
    path = LOCALES_DIR / locale / CATALOG_FILE
    return json.loads(path.read_text(encoding="utf-8"))


def render_message(key: str, params: dict[str, Any], locale: str = DEFAULT_LOCALE) -> str:
    """Render a problem message in `locale` through the portal's translation layer.

    Export problems wrap a read problem (params `reason_key`, `reason_params`);
    `portal.i18n.translate` renders the wrapped reason in the same locale.
    """
    return translate(key, locale, **params)


def problem_text(problem: FormatProblem, language: str | None = DEFAULT_LANGUAGE) -> str:
    """One file problem in `language`, with its line number (the UI's version of `str(problem)`)."""
    locale = language if language in LANGUAGES else DEFAULT_LANGUAGE
    return translate("quizbank.problem.line", locale, line=problem.line, reason=problem_reason(problem, locale))


def problem_reason(problem: FormatProblem, language: str | None = DEFAULT_LANGUAGE) -> str:
    """What is wrong, in `language`, without the line number."""
    key, params = problem.key, problem.params
    if key == "interchange.error.export_invalid_question":  # when saving a form, the reason is what matters
        key, params = params["reason_key"], params.get("reason_params", {})
    locale = language if language in LANGUAGES else DEFAULT_LANGUAGE
    if key in load_catalog(DEFAULT_LOCALE):
        return render_message(key, params, locale)
    return translate(key, locale, **params)


def make_problem(line: int, key: str, **params: Any) -> FormatProblem:
    """Build a problem; its English message comes from the en catalog."""
    return FormatProblem(line=line, key=key, params=params, message=render_message(key, params))


class ProblemList:
    """Collects the problems of one file so all of them can be reported."""

    def __init__(self) -> None:
        self.items: list[FormatProblem] = []

    def add(self, line: int, key: str, **params: Any) -> None:
        self.items.append(make_problem(line, key, **params))

    def extend(self, problems: list[FormatProblem]) -> None:
        self.items.extend(problems)

    def raise_if_any(self) -> None:
        if self.items:
            raise QuestionFileError(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)


def snippet(text: str, limit: int = 40) -> str:
    """A short one-line excerpt of user text for error messages."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# --- helpers shared by the formats ------------------------------------------

_TAG_RE = re.compile(r"<[^>]*>")


def html_to_plain(text: str) -> str:
    """Very small HTML -> text conversion (tags dropped, entities decoded)."""
    return html.unescape(_TAG_RE.sub("", text))


def default_question_name(questiontext: str) -> str:
    """Name for a question without one, like Moodle's create_default_question_name().

    Moodle shortens the text to 80 characters at a word boundary with "...";
    tags are removed and whitespace is collapsed.  Text without spaces
    (e.g. Chinese) is cut at the character limit.
    """
    plain = php_trim(" ".join(_TAG_RE.sub("", questiontext).split()))
    if not plain:
        return DEFAULT_NAME
    if len(plain) <= NAME_LENGTH:
        return plain
    cut = plain[: NAME_LENGTH - 3]
    space = cut.rfind(" ")
    if space > 0:
        cut = cut[:space]
    return php_trim(cut.rstrip()) + "..."
