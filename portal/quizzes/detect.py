"""Pick GIFT, Aiken or Moodle XML for an uploaded question file and read it.

`read_question_file` takes the uploaded bytes: it refuses empty files and
files over MAX_QUESTION_FILE_BYTES, or MAX_MOODLE_XML_BYTES for Moodle XML, whose
embedded images make it bigger (FileRefused), reads GBK/GB18030 as well
as UTF-8 and says which encoding it read, and refuses a file without a
single question (QuestionFileError), as the page and the CLI both need.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from portal.quizzes.aiken import OPTION_RE, parse_aiken
from portal.quizzes.gift import parse_gift
from portal.quizzes.interchange import QuestionData, QuestionFileError, make_problem, php_trim, split_lines
from portal.quizzes.moodlexml import MOODLE_XML, parse_moodlexml
from portal.text_files import MAX_QUESTION_FILE_BYTES, MEGABYTE, decode_upload

GIFT = "gift"
AIKEN = "aiken"
FORMATS: dict[str, Callable[[str], list[QuestionData]]] = {GIFT: parse_gift, AIKEN: parse_aiken,
                                                           MOODLE_XML: parse_moodlexml}
MAX_MOODLE_XML_BYTES = 20 * MEGABYTE  # images travel inside, base64: a third bigger than they are
_XML_START_RE = re.compile(r"\A\ufeff?\s*<(?:\?xml|quiz\b|!--|!DOCTYPE)", re.IGNORECASE)

# A whole "ANSWER: B" line practically never occurs in a GIFT file.
_ANSWER_LINE_RE = re.compile(r"ANSWER\s*:\s*[A-Za-z]", re.IGNORECASE)


@dataclass(frozen=True)
class QuestionFile:
    questions: list[QuestionData]
    format: str  # GIFT, AIKEN or MOODLE_XML
    encoding: str  # as people name it: "UTF-8", "GB18030", ...


def read_question_file(data: bytes, fmt: str | None = None, filename: str | None = None) -> QuestionFile:
    """Decode an uploaded question file and read it (FileRefused, QuestionFileError naming the file say why not)."""
    xml_expected = (fmt or "").strip().lower() == MOODLE_XML or (
        not fmt and PurePath(filename or "").suffix.lower() == ".xml")
    decoded = decode_upload(data, max_bytes=MAX_MOODLE_XML_BYTES if xml_expected else MAX_QUESTION_FILE_BYTES)
    chosen = choose_format(decoded.text, fmt, filename)
    try:
        return QuestionFile(_read(decoded.text, chosen), chosen, decoded.encoding)
    except QuestionFileError as error:
        raise error.rejected_as("quizbank.import.rejected", file=filename or "") from None


def parse_question_file(text: str, fmt: str | None = None,
                        filename: str | None = None) -> list[QuestionData]:
    """Read questions from `text` in the format chosen by `choose_format`."""
    return _read(text, choose_format(text, fmt, filename))


def _read(text: str, fmt: str) -> list[QuestionData]:
    questions = FORMATS[fmt](text)
    if not questions:
        raise QuestionFileError([make_problem(1, "interchange.error.no_questions")])
    return questions


def choose_format(text: str, fmt: str | None = None, filename: str | None = None) -> str:
    """An explicit `fmt` wins; then the extension; then the content.

    `.xml`, or text starting like XML, is Moodle XML.
    `.gift` is GIFT and `.aiken` is Aiken.  `.txt` is ambiguous (Moodle exports
    GIFT as .txt too), so it is Aiken only when the content looks like Aiken;
    the same applies to any other or missing extension.
    """
    if fmt:
        name = fmt.strip().lower()
        if name not in FORMATS:
            raise ValueError(f"unknown question file format: {fmt!r} (use 'gift', 'aiken' or 'moodlexml')")
        return name
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix == ".xml" or _XML_START_RE.match(text):
        return MOODLE_XML
    if suffix == ".gift":
        return GIFT
    if suffix == ".aiken":
        return AIKEN
    return AIKEN if looks_like_aiken(text) else GIFT


def looks_like_aiken(text: str) -> bool:
    """True when the text has both option lines (A. / A)) and ANSWER: X lines."""
    lines = [php_trim(line) for line in split_lines(text)]
    has_answer = any(_ANSWER_LINE_RE.fullmatch(line) for line in lines)
    has_option = any(OPTION_RE.match(line) for line in lines)
    return has_answer and has_option
