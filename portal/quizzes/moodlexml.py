"""Moodle XML import and export, following Moodle's qformat_xml.

Reference: moodle/moodle question/format/xml/format.php. The question types the portal has
(multichoice, truefalse, shortanswer, numerical, matching, essay, description) are read with
their names, texts and formats, per-answer and general feedback, default marks, penalties,
`idnumber`, tags and `<question type="category">` paths, and the files embedded as Moodle
does: `<file name="x.png" path="/" encoding="base64">` inside the text that shows them as
`@@PLUGINFILE@@/x.png` (and Moodle 1.9's `<image>`/`<image_base64>`).

The XML is read with defusedxml and any DTD refused, so billion laughs and external
entities never expand. Every problem is collected, with the question's number, name and
line, and a file with any problem is rejected whole, like GIFT.

Deliberate differences from Moodle:
- Types the portal cannot hold (cloze, calculated, drag and drop...) are errors, not skipped.
- Embedded files must be images (`portal/quizzes/images.py`): an mp3 or an SVG is refused.
- A text pointing at `@@PLUGINFILE@@/x.png` with no such file in the question is an error.
- Per-question files share one name space: two different files with the same name are an error.
- Numerical units, combined feedback, hints, grader info and response templates are not kept.
- A question must also be writable as GIFT (the bank's rule for every question), so the
  checks of `bank.validate_question` apply (a right answer worth 100%, ...).
"""
from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass, field, replace
from urllib.parse import quote, unquote
from xml.sax import SAXParseException
from xml.sax.handler import ContentHandler

import defusedxml.sax
from defusedxml import DefusedXmlException

from portal.quizzes.gift import category_path
from portal.quizzes.images import ImageRefused, clean_image
from portal.quizzes.interchange import (
    DEFAULT_PENALTY,
    Answer,
    FormatProblem,
    ProblemList,
    QuestionData,
    QuestionFileError,
    SubQuestion,
    make_problem,
    php_trim,
)

MOODLE_XML = "moodlexml"
PLUGINFILE = "@@PLUGINFILE@@/"
CONTEXT_TOKEN = "$course$"
TOP_CATEGORY = "top"
FORMATS_IN = {"moodle_auto_format": "moodle", "html": "html", "plain_text": "plain", "markdown": "markdown",
              "wiki_like": "moodle"}
FORMATS_OUT = {"moodle": "moodle_auto_format", "html": "html", "plain": "plain_text", "markdown": "markdown"}
TYPES_IN = {"multichoice": "multichoice", "truefalse": "truefalse", "shortanswer": "shortanswer",
            "numerical": "numerical", "matching": "match", "match": "match", "essay": "essay",
            "description": "description"}
TYPES_OUT = {"match": "matching"}
_XML_DECLARATION_RE = re.compile(r"\A\s*<\?xml[^>]*\?>")
_DTD_RE = re.compile(r"<!(?:DOCTYPE|ENTITY)\b")
_PLUGINFILE_RE = re.compile(re.escape(PLUGINFILE) + r"([^\"'<>\s)?#]+)")
_INVALID_XML_CHARS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
GRADE_TOLERANCE = 0.00001
MOODLE_GRADES = (1.0, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2,
                 0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0.0)
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


# --- a small element tree that remembers lines ---------------------------------------------


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list[_Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def first(self, tag: str) -> _Node | None:
        return next((child for child in self.children if child.tag == tag), None)

    def all(self, tag: str) -> list[_Node]:
        return [child for child in self.children if child.tag == tag]

    def value(self, tag: str, default: str = "") -> str:
        """The trimmed character data of the first `tag` child (Moodle's getpath(..., istext))."""
        child = self.first(tag)
        return php_trim(child.text) if child is not None else default

    def text_of(self, tag: str | None = None) -> str:
        """The `<text>` inside the first `tag` child (or inside this node)."""
        holder = self.first(tag) if tag else self
        text = holder.first("text") if holder is not None else None
        return php_trim(text.text) if text is not None else ""


class _TreeBuilder(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[_Node] = []
        self.root: _Node | None = None

    def startElement(self, name, attrs):
        node = _Node(name, dict(attrs), self._locator.getLineNumber() if self._locator else 0)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def endElement(self, name):
        self.stack.pop()

    def characters(self, content):
        if self.stack:
            self.stack[-1].parts.append(content)


def _parse_xml(text: str) -> _Node:
    """The document tree, or QuestionFileError: not well-formed (with its line) or unsafe."""
    data = _XML_DECLARATION_RE.sub('<?xml version="1.0" encoding="UTF-8"?>', text.removeprefix("\ufeff"), count=1)
    builder = _TreeBuilder()
    try:
        defusedxml.sax.parseString(data.encode("utf-8"), builder, forbid_dtd=True)
    except DefusedXmlException:
        declaration = _DTD_RE.search(data)
        line = data.count("\n", 0, declaration.start()) + 1 if declaration else 1
        raise QuestionFileError([make_problem(line, "moodlexml.error.unsafe_xml")]) from None
    except SAXParseException as error:
        raise QuestionFileError([make_problem(error.getLineNumber() or 1, "moodlexml.error.not_xml",
                                              detail=error.getMessage(), column=error.getColumnNumber() + 1)]) \
            from None
    if builder.root is None or builder.root.tag != "quiz":
        raise QuestionFileError([make_problem(builder.root.line if builder.root else 1, "moodlexml.error.not_quiz")])
    return builder.root


# --- reading -------------------------------------------------------------------------------


@dataclass
class _Reading:
    """One question being read: its number and name for messages, its problems and its files."""

    number: int
    node: _Node
    problems: ProblemList
    name: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    refused: set[str] = field(default_factory=set)  # files already reported: not "missing" as well
    texts: list[str] = field(default_factory=list)

    def add(self, line: int, key: str, **params) -> None:
        self.problems.add(line, "moodlexml.error.in_question", number=self.number, name=self.name or "-",
                          reason_key=key, reason_params=params)


def parse_moodlexml(text: str) -> list[QuestionData]:
    """Read a Moodle XML file; QuestionFileError lists every problem (question, name, line)."""
    root = _parse_xml(text)
    problems = ProblemList()
    questions: list[QuestionData] = []
    category = ""
    number = 0  # as people count them: categories are not questions
    numbers: dict[int, int] = {}  # line -> number
    for node in root.all("question"):
        qtype = php_trim(node.attrs.get("type", ""))
        if qtype == "category":
            category = category_path(node.text_of("category"))
            continue
        number += 1
        numbers[node.line] = number
        reading = _Reading(number, node, problems, name=node.text_of("name"))
        question = _read_question(reading, qtype, category)
        if question is not None:
            questions.append(question)
    for node in root.children:
        if node.tag != "question":
            problems.add(node.line, "moodlexml.error.unexpected_element", element=node.tag)
    if not problems:
        _check_with_the_bank(questions, problems, numbers)
    problems.raise_if_any()
    return questions


def _read_question(reading: _Reading, qtype: str, category: str) -> QuestionData | None:
    node = reading.node
    if qtype not in TYPES_IN:
        reading.add(node.line, "moodlexml.error.unsupported_type", qtype=qtype or "-")
        return None
    if node.first("name") is None:
        reading.add(node.line, "moodlexml.error.no_name")
    question = QuestionData(qtype=TYPES_IN[qtype], name=reading.name, questiontext="", line=node.line,
                            category=category)
    question.questiontext, question.questiontextformat = _read_text_area(reading, node.first("questiontext"), "html")
    question.questiontext = _with_old_image(reading, question.questiontext)
    question.generalfeedback, _ = _read_text_area(reading, node.first("generalfeedback"), "html")
    question.defaultgrade = _read_number(reading, node, "defaultgrade", 0.0 if qtype == "description" else 1.0)
    penalty = _read_number(reading, node, "penalty", DEFAULT_PENALTY)
    question.penalty = DEFAULT_PENALTY if abs(penalty - DEFAULT_PENALTY) < 0.005 else penalty  # as Moodle does
    question.idnumber = node.value("idnumber")
    question.tags = [tag.text_of() for tag in (node.first("tags").all("tag") if node.first("tags") else [])]
    _READERS[question.qtype](reading, question)
    question.images = dict(reading.files)
    _check_references(reading)
    return question


def _read_text_area(reading: _Reading, area: _Node | None, default_format: str) -> tuple[str, str]:
    """Text and format of a `<questiontext>`-like element; its `<file>`s are collected."""
    if area is None:
        return "", FORMATS_IN.get(default_format, "html")
    fmt = php_trim(area.attrs.get("format", default_format)) or default_format
    text = area.text_of()
    reading.texts.append(text)
    for file in area.all("file"):
        _read_file(reading, file, file.attrs.get("name", ""), file.text, file.attrs.get("encoding", "base64"))
    return text, FORMATS_IN.get(fmt, "html")  # Moodle: an unknown format is taken as HTML


def _read_file(reading: _Reading, node: _Node, name: str, content: str, encoding: str) -> str | None:
    stored = _stored_file(reading, node, name, content, encoding)
    if stored is None:
        reading.refused.add(php_trim(name))
    return stored


def _stored_file(reading: _Reading, node: _Node, name: str, content: str, encoding: str) -> str | None:
    if php_trim(encoding) != "base64":
        reading.add(node.line, "moodlexml.error.file_encoding", name=name, encoding=encoding)
        return None
    try:
        data = base64.b64decode("".join(content.split()), validate=True)
    except (binascii.Error, ValueError):
        reading.add(node.line, "moodlexml.error.file_base64", name=name)
        return None
    try:
        image = clean_image(name, data)
    except ImageRefused as error:
        reading.add(node.line, error.key, **error.params)
        return None
    known = reading.files.get(image.name)
    if known is not None and known != image.data:
        reading.add(node.line, "moodlexml.error.file_name_twice", name=image.name)
        return None
    reading.files[image.name] = image.data
    return image.name


def _with_old_image(reading: _Reading, questiontext: str) -> str:
    """Moodle 1.9's `<image>` + `<image_base64>`: the picture is appended to the question text."""
    node = reading.node
    name, data = node.value("image"), node.first("image_base64")
    if not name or data is None:
        return questiontext
    stored = _read_file(reading, data, name.replace("/", "_"), data.text, "base64")
    if stored is None:
        return questiontext
    return questiontext + f' <img src="{PLUGINFILE}{quote(stored)}" />'


def _check_references(reading: _Reading) -> None:
    for text in reading.texts:
        for match in _PLUGINFILE_RE.finditer(text):
            name = unquote(match.group(1))
            if name not in reading.files and name not in reading.refused:
                reading.add(reading.node.line, "moodlexml.error.file_missing", name=name)


def _read_number(reading: _Reading, node: _Node, tag: str, default: float) -> float:
    child = node.first(tag)
    if child is None or not php_trim(child.text):
        return default
    value = _number(php_trim(child.text))
    if value is None:
        reading.add(child.line, "moodlexml.error.not_a_number", field=tag, value=php_trim(child.text)[:30])
        return default
    return value


def _number(text: str) -> float | None:
    if not _NUMBER_RE.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _fraction(reading: _Reading, answer: _Node) -> float:
    raw = php_trim(answer.attrs.get("fraction", "0")) or "0"
    value = _number(raw)
    if value is None:
        reading.add(answer.line, "moodlexml.error.not_a_number", field="fraction", value=raw[:30])
        return 0.0
    fraction = moodle_grade(value / 100)
    if fraction is None:
        reading.add(answer.line, "moodlexml.error.invalid_grade", weight=raw[:30])
        return 0.0
    return fraction


def moodle_grade(fraction: float) -> float | None:
    """The grade of Moodle's list (question_bank::fraction_options_full) `fraction` stands for, or None.

    Moodle refuses a file with any other grade ("33" instead of "33.33333"); so do we, and the
    export refuses a question whose weights Moodle would not take.
    """
    for grade in MOODLE_GRADES:
        if abs(abs(fraction) - grade) < GRADE_TOLERANCE:
            return math.copysign(grade, fraction) if grade else 0.0
    return None


def _feedback(reading: _Reading, answer: _Node) -> str:
    text, _ = _read_text_area(reading, answer.first("feedback"), "html")
    return text


def _read_choices(reading: _Reading, question: QuestionData) -> None:
    """multichoice: HTML answers that may show images; shortanswer: plain answers."""
    if question.qtype == "multichoice":
        question.single = php_trim(reading.node.value("single", "true")) not in ("false", "0", "")
    for answer in reading.node.all("answer"):
        if question.qtype == "multichoice":
            text, _ = _read_text_area(reading, answer, "html")
        else:
            text = answer.text_of()
        question.answers.append(Answer(text, _fraction(reading, answer), _feedback(reading, answer)))


def _read_truefalse(reading: _Reading, question: QuestionData) -> None:
    """Moodle matches the answers on "true"/"false"; old files in another language are true, then false."""
    found: dict[str, Answer] = {}
    for index, answer in enumerate(reading.node.all("answer")):
        word = answer.text_of().lower()
        if word not in ("true", "false"):
            word = "true" if index == 0 else "false"
        found[word] = Answer(word.capitalize(), _fraction(reading, answer), _feedback(reading, answer))
    question.answers = [found[word] for word in ("true", "false") if word in found]


def _read_numerical(reading: _Reading, question: QuestionData) -> None:
    for answer in reading.node.all("answer"):
        text = answer.text_of() or php_trim("".join(answer.parts)) or "*"
        if text != "*" and _number(text) is None:
            reading.add(answer.line, "moodlexml.error.not_a_number", field="answer", value=text[:30])
        tolerance = _read_number(reading, answer, "tolerance", 0.0)
        question.answers.append(Answer(text, _fraction(reading, answer), _feedback(reading, answer), tolerance))


def _read_match(reading: _Reading, question: QuestionData) -> None:
    for sub in reading.node.all("subquestion"):
        text, _ = _read_text_area(reading, sub, "html")
        question.subquestions.append(SubQuestion(text, sub.text_of("answer")))


def _read_nothing(reading: _Reading, question: QuestionData) -> None:
    """Essays and descriptions have no answers to read (grader info and templates are not kept)."""


_READERS = {"multichoice": _read_choices, "shortanswer": _read_choices, "truefalse": _read_truefalse,
            "numerical": _read_numerical, "match": _read_match, "essay": _read_nothing,
            "description": _read_nothing}


def _check_with_the_bank(questions: list[QuestionData], problems: ProblemList, numbers: dict[int, int]) -> None:
    """The bank's rules for any question (a right answer, enough choices...), named by question."""
    from portal.quizzes.bank import validate_question  # the bank imports this module

    for question in questions:
        try:
            validate_question(question)
        except QuestionFileError as error:
            for problem in error.problems:
                key, params = _reason(problem)
                problems.add(question.line, "moodlexml.error.in_question", number=numbers.get(question.line, 0),
                             name=question.name or "-", reason_key=key, reason_params=params)


def _reason(problem: FormatProblem) -> tuple[str, dict]:
    if problem.key == "interchange.error.export_invalid_question":
        return problem.params["reason_key"], problem.params.get("reason_params", {})
    return problem.key, problem.params


# --- writing -------------------------------------------------------------------------------


def dump_moodlexml(questions: list[QuestionData]) -> str:
    """Moodle XML for `questions` (categories written as Moodle does, before the questions in them)."""
    problems = ProblemList()
    chunks = ['<?xml version="1.0" encoding="UTF-8"?>', "<quiz>"]
    category: str | None = None
    for question in questions:
        if not _writable(question, problems):
            continue
        if question.category != category:
            category = question.category
            path = "/".join(part for part in (CONTEXT_TOKEN, TOP_CATEGORY, category) if part)
            chunks.append(f'  <question type="category">\n    <category>\n      {_text(path)}\n'
                          f"    </category>\n  </question>")
        chunks.append(_write_question(question))
    problems.raise_if_any()
    chunks.append("</quiz>")
    return "\n".join(chunks) + "\n"


def _writable(question: QuestionData, problems: ProblemList) -> bool:
    weights = [answer.fraction for answer in question.answers]
    odd = next((w for w in weights if moodle_grade(w) is None), None)
    if odd is not None:
        problems.add(question.line, "moodlexml.error.export_grade", name=question.name,
                     weight=_number_text(round(odd * 100, 5)))
        return False
    texts = [question.name, question.questiontext, question.generalfeedback, question.idnumber, question.category,
             *question.tags, *(a.text for a in question.answers), *(a.feedback for a in question.answers),
             *(s.question for s in question.subquestions), *(s.answer for s in question.subquestions)]
    if any(_INVALID_XML_CHARS_RE.search(text) for text in texts):
        problems.add(question.line, "interchange.error.export_not_faithful", name=question.name, field="text")
        return False
    return True


def _write_question(question: QuestionData) -> str:
    fmt = FORMATS_OUT.get(question.questiontextformat, "html")
    used: set[str] = set()
    lines = [f'  <question type="{TYPES_OUT.get(question.qtype, question.qtype)}">',
             f"    <name>\n      {_text(question.name)}\n    </name>",
             _area("questiontext", question.questiontext, fmt, question, used, everything_left=True),
             _area("generalfeedback", question.generalfeedback, fmt, question, used),
             f"    <defaultgrade>{question.defaultgrade:.7f}</defaultgrade>",
             f"    <penalty>{question.penalty:.7f}</penalty>",
             "    <hidden>0</hidden>",
             f"    <idnumber>{_escape(question.idnumber)}</idnumber>"]
    lines.extend(_write_body(question, fmt, used))
    if question.tags:
        lines.append("    <tags>\n" + "\n".join(f"      <tag>{_text(tag)}</tag>" for tag in question.tags)
                     + "\n    </tags>")
    lines.append("  </question>")
    return "\n".join(lines)


def _write_body(question: QuestionData, fmt: str, used: set[str]) -> list[str]:
    if question.qtype == "multichoice":
        return [f"    <single>{'true' if question.single else 'false'}</single>",
                "    <shuffleanswers>true</shuffleanswers>", "    <answernumbering>abc</answernumbering>",
                *(_answer(a, fmt, question, used, html=True) for a in question.answers)]
    if question.qtype == "truefalse":
        return [_answer(replace(a, text=a.text.lower()), "moodle_auto_format", question, used,
                        feedback_format=fmt) for a in question.answers]
    if question.qtype == "shortanswer":
        return ["    <usecase>0</usecase>", *(_answer(a, "moodle_auto_format", question, used, feedback_format=fmt)
                                              for a in question.answers)]
    if question.qtype == "numerical":
        return [_answer(a, "moodle_auto_format", question, used, feedback_format=fmt,
                        extra=f"      <tolerance>{_number_text(a.tolerance or 0.0)}</tolerance>")
                for a in question.answers]
    if question.qtype == "match":
        return ["    <shuffleanswers>true</shuffleanswers>",
                *(f'    <subquestion format="{fmt}">\n      {_text(s.question)}\n'
                  f"{_files(s.question, question, used)}"
                  f"      <answer>\n        {_text(s.answer)}\n      </answer>\n    </subquestion>"
                  for s in question.subquestions)]
    if question.qtype == "essay":
        return ["    <responseformat>editor</responseformat>", "    <responserequired>1</responserequired>",
                "    <responsefieldlines>15</responsefieldlines>", "    <attachments>0</attachments>"]
    return []


def _answer(answer: Answer, fmt: str, question: QuestionData, used: set[str], *, html: bool = False,
            feedback_format: str | None = None, extra: str = "") -> str:
    files = _files(answer.text, question, used) if html else ""
    feedback = _area("feedback", answer.feedback, feedback_format or fmt, question, used, indent="      ")
    return (f'    <answer fraction="{_number_text(round(answer.fraction * 100, 5))}" format="{fmt}">\n'
            f"      {_text(answer.text)}\n{files}{feedback}\n" + (extra + "\n" if extra else "") + "    </answer>")


def _area(tag: str, text: str, fmt: str, question: QuestionData, used: set[str], *, indent: str = "    ",
          everything_left: bool = False) -> str:
    """`<tag format=..><text>..</text><file ..>..</file></tag>`: the files the text shows travel with it."""
    files = _files(text, question, used)
    if everything_left:  # an image no text shows still travels, with the question text
        files += "".join(_file(name, data) for name, data in sorted(question.images.items())
                         if name not in used and name not in _referenced(question))
    return f'{indent}<{tag} format="{fmt}">\n{indent}  {_text(text)}\n{files}{indent}</{tag}>'


def _referenced(question: QuestionData) -> set[str]:
    texts = [question.questiontext, question.generalfeedback, *(a.text for a in question.answers),
             *(a.feedback for a in question.answers), *(s.question for s in question.subquestions)]
    return {unquote(match.group(1)) for text in texts for match in _PLUGINFILE_RE.finditer(text)}


def _files(text: str, question: QuestionData, used: set[str]) -> str:
    names = dict.fromkeys(unquote(match.group(1)) for match in _PLUGINFILE_RE.finditer(text))
    out = []
    for name in names:
        if name in question.images and name not in used:
            used.add(name)
            out.append(_file(name, question.images[name]))
    return "".join(out)


def _file(name: str, data: bytes) -> str:
    return (f'<file name="{_escape(name, quote=True)}" path="/" encoding="base64">'
            f"{base64.b64encode(data).decode('ascii')}</file>\n")


def _text(text: str) -> str:
    return f"<text>{_cdata(text)}</text>"


def _cdata(text: str) -> str:
    """Moodle's xml_escape(): CDATA when the text has markup characters."""
    if text and _escape(text) != text:
        return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    return text


def _escape(text: str, *, quote: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text


def _number_text(value: float) -> str:
    text = repr(float(value))
    return text.removesuffix(".0")
