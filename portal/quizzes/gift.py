"""GIFT import and export, following Moodle's qformat_gift.

Reference: moodle/moodle question/format/gift/format.php.  Reading follows
Moodle's rules (question type detection order, answer splitting, escapes,
format prefixes, `[id:]`/`[tag:]` comments, the missing-word blank) and adds
validation Moodle does late or not at all, so a bad file is rejected whole
with every problem and its line number instead of being half imported.

Writing produces canonical GIFT and checks each question by reading it back:
anything that would not read back unchanged is reported, never written.

Deliberate differences from Moodle:
- Errors where Moodle guesses: text before the first =/~ when marked answers
  follow (Moodle makes it an answer; a block with no marker at all, like
  `1 + 2 \\= {3}`, is a one-answer short answer as in Moodle), lower-case `{true}` (Moodle: a short answer "true"), `=%50%x` in
  multiple choice (Moodle: 100% with text "%50%x"), malformed `%..%` weights,
  non-numbers in numerical answers (a Moodle bug accepts them as "*"), junk
  after a numerical `~`, an unclosed `::title`, nested or repeated braces,
  text after an essay/matching block, empty answers, reversed ranges,
  negative tolerances.  Moodle's save-time grade rules (a 100% answer;
  positive weights adding to 100% for multiple answers) are checked here.
- `$CATEGORY:` paths are stored as Moodle's importer files them: the context
  token (`$course$`, `$system$`, ...) and Moodle's `top` category are dropped,
  so `$course$/top/product/roaming` and `$course$/product/roaming` both give
  `product/roaming` (names holding a `/` keep Moodle's `//` escape).
- Lines are trimmed as Moodle's readquestions() does, except inside `<pre>`,
  where leading spaces are the point (Moodle's readquestion() keeps them).
- A `$CATEGORY:` line directly followed by a question (no blank line) sets
  the category and the question is read; Moodle would take the whole block
  as the category name.
- Any weight from -100% to 100% is accepted (rounded to 7 decimals, Moodle's
  storage precision); Moodle's list of allowed grades is not enforced.
- Per-answer text formats are not kept: a `[html]` prefix on an answer or
  feedback is removed as in Moodle, and the answer uses the question format.
- Empty and duplicate tags are dropped; an empty `::::` title gets the
  default name; explicit titles are only trimmed (not tag-stripped).
- Export writes no `// question: N  name: X` comment, omits `%100%` where it
  is the default, and refuses what GIFT cannot express (`->` in a short
  answer or matching item, general feedback on a description).
"""
from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache

from portal.quizzes.interchange import (
    PHP_WHITESPACE,
    TEXT_FORMATS,
    Answer,
    ProblemList,
    QuestionData,
    QuestionFileError,
    SubQuestion,
    default_question_name,
    php_trim,
    snippet,
    split_lines,
)

# Escape sequences GIFT understands (Moodle's escapedchar_pre/post).
_ESCAPES = {"\\": "\\", ":": ":", "#": "#", "=": "=", "{": "{", "}": "}", "~": "~", "n": "\n"}
_SPECIAL = "\\:#={}~"
_ESCAPE_RE = re.compile("\\\\([" + re.escape("".join(_ESCAPES)) + "])")

CATEGORY_PREFIX = "$CATEGORY:"
COMMENT_PREFIX = "//"
BLANK = "_____"
GENERAL_FEEDBACK = "####"
OTHER_ANSWER = "*"
TRUE_WORDS = ("T", "TRUE")
FALSE_WORDS = ("F", "FALSE")

_FORMAT_TAG_RE = re.compile(r"\[(moodle|html|plain|markdown)\]")
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WEIGHT_NUMBER_RE = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# Anything shaped like "%...%" at the start of an answer is meant as a weight.
_WEIGHT_LIKE_RE = re.compile(r"%([^%\s]{1,30})%")
_TRUEFALSE_LIKE_RE = re.compile(r"(?i)(?:true|false|t|f)\b")
# Moodle's extract_idnumber_and_tags_from_comment(): "]" may be escaped as "\]".
_ID_RE = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG_RE = re.compile(r"\[tag:((?:\\\]|[^\]<>\x00-\x1f\x7f])*)\]")
_PRE_TAG_RE = re.compile(r"<(/?)pre\b[^>]*>", re.IGNORECASE)
# Moodle's split_category_path(): a single "/" separates, "//" is a "/" inside a name.
_CATEGORY_SPLIT_RE = re.compile(r"(?<!/)/(?!/)")
_CONTEXT_TOKEN_RE = re.compile(r"\$[a-z]+\$")
TOP_CATEGORY = "top"


# --- text helpers -------------------------------------------------------------


def unescape(raw: str) -> str:
    """Turn GIFT escapes (\\~ \\= \\# \\{ \\} \\: \\\\ \\n) into their characters."""
    return _ESCAPE_RE.sub(lambda match: _ESCAPES[match.group(1)], raw)


def escape(text: str) -> str:
    """Escape GIFT's special characters; newlines become \\n (Moodle's repchar)."""
    out: list[str] = []
    for char in text.replace("\r", ""):
        if char == "\n":
            out.append("\\n")
        elif char in _SPECIAL:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def _text_with_format(raw: str, default: str) -> tuple[str, str]:
    """Split an optional [html]/[markdown]/[plain]/[moodle] prefix off raw GIFT text."""
    raw = php_trim(raw)
    match = _FORMAT_TAG_RE.match(raw)
    if match:
        return match.group(1), php_trim(unescape(raw[match.end():]))
    return default, php_trim(unescape(raw))


def _format_number(value: float) -> str:
    return format(value, ".15g")


def _parse_number(text: str) -> float | None:
    if not _NUMBER_RE.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


# --- source positions ---------------------------------------------------------


class _Source:
    """The non-comment lines of one question, joined, with offset -> line lookup."""

    def __init__(self, lines: list[tuple[int, str]]):
        self.text = "\n".join(text for _, text in lines)
        self.numbers = [number for number, _ in lines]
        self.starts: list[int] = []
        position = 0
        for _, text in lines:
            self.starts.append(position)
            position += len(text) + 1

    def line_at(self, offset: int) -> int:
        index = bisect.bisect_right(self.starts, offset) - 1
        return self.numbers[max(index, 0)]

    def whole(self) -> _Frag:
        return _Frag(self, 0, len(self.text))


@lru_cache(maxsize=64)
def _marker_pattern(targets: tuple[str, ...]) -> re.Pattern[str]:
    """An escape (skipped whole) or, looking ahead, one of `targets`: one regex pass instead of a
    Python loop per character, which made a 10 MB file take a minute."""
    escapes = "".join(re.escape(char) for char in _ESCAPES)
    wanted = "|".join(re.escape(target) for target in targets)
    return re.compile(rf"\\[{escapes}]|(?=({wanted}))")


@dataclass(frozen=True)
class _Frag:
    """A slice [start, end) of a question's source; positions are absolute.

    Searching skips escaped characters, so a `\\~` never counts as a marker.
    """

    src: _Source
    start: int
    end: int

    @property
    def raw(self) -> str:
        return self.src.text[self.start:self.end]

    @property
    def line(self) -> int:
        return self.src.line_at(self.start)

    def cut(self, start: int, end: int | None = None) -> _Frag:
        return _Frag(self.src, start, self.end if end is None else end)

    def strip(self) -> _Frag:
        text, start, end = self.src.text, self.start, self.end
        while start < end and text[start] in " \t\n\r\0\x0b":
            start += 1
        while end > start and text[end - 1] in " \t\n\r\0\x0b":
            end -= 1
        return _Frag(self.src, start, end)

    def value(self) -> str:
        return php_trim(unescape(self.raw))

    def find_all(self, *targets: str) -> list[int]:
        """Positions of unescaped `targets` (overlapping ones too), in order."""
        pattern = _marker_pattern(targets)
        return [match.start() for match in pattern.finditer(self.src.text, self.start, self.end)
                if match.group(1) is not None]

    def find(self, target: str) -> int:
        found = self.find_all(target)
        return found[0] if found else -1

    def split_at(self, positions: list[int]) -> tuple[_Frag, list[_Frag]]:
        """(text before the first position, pieces each starting at a position)."""
        if not positions:
            return self, []
        bounds = positions + [self.end]
        pieces = [self.cut(bounds[i], bounds[i + 1]) for i in range(len(positions))]
        return self.cut(self.start, positions[0]), pieces


# --- reading --------------------------------------------------------------------


def parse_gift(text: str) -> list[QuestionData]:
    """Read a GIFT file; raise QuestionFileError listing every problem if it is bad."""
    problems = ProblemList()
    questions: list[QuestionData] = []
    category = ""
    for block in _blocks(text):
        comments = [line for _, line in block if line.startswith(COMMENT_PREFIX)]
        body = [(number, line) for number, line in block if not line.startswith(COMMENT_PREFIX)]
        if body and body[0][1].startswith(CATEGORY_PREFIX):
            category = category_path(body[0][1][len(CATEGORY_PREFIX):])
            body = body[1:]
        if not body:
            continue
        question = _read_question(_Source(body), problems)
        if question is not None:
            question.category = category
            question.idnumber, question.tags = idnumber_and_tags("\n".join(comments))
            questions.append(question)
    problems.raise_if_any()
    return questions


def _blocks(text: str) -> Iterator[list[tuple[int, str]]]:
    """Blank-line separated chunks of numbered lines, trimmed except where a `<pre>` keeps indentation."""
    block: list[tuple[int, str]] = []
    in_pre = False
    for number, raw in enumerate(split_lines(text), start=1):
        line = php_trim(raw)
        if line:
            block.append((number, raw.rstrip(PHP_WHITESPACE) if in_pre else line))
        elif block:
            yield block
            block = []
        in_pre = _inside_pre_after(raw, in_pre)
    if block:
        yield block


def _inside_pre_after(line: str, in_pre: bool) -> bool:
    """Whether a `<pre>` element is still open at the end of `line`."""
    for tag in _PRE_TAG_RE.finditer(line):
        in_pre = tag.group(1) != "/"
    return in_pre


def category_path(raw: str) -> str:
    """A `$CATEGORY:` path as Moodle's create_category_path() files it.

    `$course$/top/product/roaming` -> `product/roaming`: the context token is
    dropped (the portal has one bank), and so is Moodle's hidden `top`
    category. Names are trimmed; one holding a "/" keeps it escaped as "//".
    """
    names = [php_trim(name.replace("//", "/")) for name in _CATEGORY_SPLIT_RE.split(php_trim(raw))]
    if names and _CONTEXT_TOKEN_RE.fullmatch(names[0]):
        names = names[1:]
    while names and names[0] == TOP_CATEGORY:
        names = names[1:]
    return "/".join(name.replace("/", "//") for name in names if name)


def idnumber_and_tags(comments: str) -> tuple[str, list[str]]:
    """Moodle's `// [id:ABC] [tag:foo]` comment syntax (first id wins, tags in order)."""
    match = _ID_RE.search(comments)
    idnumber = php_trim(match.group(1)).replace("\\]", "]") if match else ""
    tags: list[str] = []
    for raw in _TAG_RE.findall(comments):
        tag = php_trim(raw).replace("\\]", "]")
        if tag and tag not in tags:
            tags.append(tag)
    return idnumber, tags


@dataclass
class _Layout:
    """Where the answer block sits in the question text."""

    answers: _Frag | None  # inside of { }, None for a description
    open_line: int
    questiontext_raw: str  # still escaped; the block removed or replaced by _____
    trailing_text: bool


@dataclass
class _Context:
    problems: ProblemList
    textformat: str
    block_line: int
    # Set when an answer's weight or value was unreadable: grade checks are
    # then skipped, since they would only repeat that one mistake.
    unreadable_answer: bool = False

    def add(self, line: int, key: str, **params) -> None:
        self.problems.add(line, key, **params)


def _read_question(src: _Source, problems: ProblemList) -> QuestionData | None:
    whole = src.whole()
    titled = _read_title(whole, problems)
    if titled is None:
        return None
    name, rest = titled
    layout = _read_layout(rest, problems)
    if layout is None:
        return None

    textformat, questiontext = _text_with_format(layout.questiontext_raw, "moodle")
    answers, generalfeedback = _split_general_feedback(layout.answers, textformat)
    qtype = _question_type(answers)
    question = QuestionData(
        qtype=qtype,
        name=name or default_question_name(questiontext),
        questiontext=questiontext,
        questiontextformat=textformat,
        generalfeedback=generalfeedback,
        line=whole.line,
    )
    context = _Context(problems, textformat, layout.open_line)
    if layout.trailing_text and qtype == "essay":
        context.add(layout.open_line, "interchange.error.text_after_essay")
    if layout.trailing_text and qtype == "match":
        context.add(layout.open_line, "interchange.error.text_after_match")
    if answers is not None and qtype in _READERS:
        _READERS[qtype](question, answers, context)
    return question


def _read_title(whole: _Frag, problems: ProblemList) -> tuple[str, _Frag] | None:
    """Split off `::Title::`; returns (name or "", rest of the question)."""
    if not whole.raw.startswith("::"):
        return "", whole
    after = whole.cut(whole.start + 2)
    close = after.find("::")
    if close < 0:
        problems.add(whole.line, "interchange.error.unclosed_title")
        return None
    name = after.cut(after.start, close).value()
    return name, whole.cut(close + 2).strip()


def _read_layout(rest: _Frag, problems: ProblemList) -> _Layout | None:
    """Find the single { ... } answer block, reporting brace mistakes."""
    braces = rest.find_all("{", "}")
    text = rest.src.text
    if not braces:
        return _Layout(None, rest.line, rest.raw, False)
    opening = braces[0]
    if text[opening] == "}":
        problems.add(rest.src.line_at(opening), "interchange.error.unexpected_closing_brace")
        return None
    if len(braces) == 1:
        problems.add(rest.src.line_at(opening), "interchange.error.unclosed_brace")
        return None
    closing = braces[1]
    if text[closing] == "{":
        problems.add(rest.src.line_at(closing), "interchange.error.nested_brace")
        return None
    if len(braces) > 2:
        extra = braces[2]
        if text[extra] == "{":
            problems.add(rest.src.line_at(extra), "interchange.error.multiple_answer_blocks")
        else:
            problems.add(rest.src.line_at(extra), "interchange.error.unexpected_closing_brace")
        # Keep reading the first block so its own problems are reported too.

    before = text[rest.start:opening]
    after = text[closing + 1:rest.end]
    trailing = php_trim(after) != ""
    questiontext_raw = before + BLANK + after if trailing else before
    answers = rest.cut(opening + 1, closing).strip()
    return _Layout(answers, rest.src.line_at(opening), questiontext_raw, trailing)


def _split_general_feedback(answers: _Frag | None, textformat: str) -> tuple[_Frag | None, str]:
    """The last `####` starts the general feedback (Moodle uses strrpos)."""
    if answers is None:
        return None, ""
    separators = answers.find_all(GENERAL_FEEDBACK)
    if not separators:
        return answers, ""
    last = separators[-1]
    feedback_raw = answers.src.text[last + len(GENERAL_FEEDBACK):answers.end]
    _, feedback = _text_with_format(feedback_raw, textformat)
    return answers.cut(answers.start, last).strip(), feedback


def _question_type(answers: _Frag | None) -> str:
    """Moodle's detection order: description, essay, numerical, multichoice, match, T/F, short."""
    if answers is None:
        return "description"
    raw = answers.raw
    if raw == "":
        return "essay"
    if raw.startswith("#"):
        return "numerical"
    if answers.find("~") >= 0:
        return "multichoice"
    if answers.find("=") >= 0 and answers.find("->") >= 0:
        return "match"
    if _truefalse_word(answers) is not None:
        return "truefalse"
    return "shortanswer"


def _truefalse_word(answers: _Frag) -> str | None:
    hash_at = answers.find("#")
    head = answers.raw if hash_at <= answers.start else answers.src.text[answers.start:hash_at]
    word = php_trim(head)
    return word if word in TRUE_WORDS + FALSE_WORDS else None


def _split_feedback(piece: _Frag) -> tuple[_Frag, str | None]:
    """Answer text and the raw feedback after the first unescaped `#` (if any)."""
    hash_at = piece.find("#")
    if hash_at < 0:
        return piece, None
    return piece.cut(piece.start, hash_at), piece.src.text[hash_at + 1:piece.end]


def _text_and_feedback(piece: _Frag, textformat: str) -> tuple[str, str]:
    text_part, feedback_raw = _split_feedback(piece)
    _, text = _text_with_format(text_part.raw, textformat)
    _, feedback = _text_with_format(feedback_raw or "", textformat)
    return text, feedback


def _read_weight(piece: _Frag, default: float, context: _Context) -> tuple[float, _Frag]:
    """Read a leading `%50%` weight; returns (fraction, rest of the answer)."""
    match = _WEIGHT_LIKE_RE.match(piece.raw)
    if not match:
        return default, piece
    rest = piece.cut(piece.start + match.end())
    number = match.group(1)
    if not _WEIGHT_NUMBER_RE.fullmatch(number):
        context.add(piece.line, "interchange.error.invalid_weight", weight=match.group(0))
        context.unreadable_answer = True
        return default, rest
    percent = float(number)
    if not -100 <= percent <= 100:
        context.add(piece.line, "interchange.error.weight_out_of_range", weight=number)
        context.unreadable_answer = True
        return default, rest
    return round(percent / 100, 7), rest


def _report_unmarked(leading: _Frag, context: _Context, truefalse_hint: bool = False) -> None:
    """Text before the first = or ~ (Moodle would silently make it an answer).

    With `truefalse_hint`, text such as "true" or "T F" is reported as a bad
    true/false answer, which is what the author most likely meant.
    """
    leading = leading.strip()
    if not leading.raw:
        return
    text = leading.value()
    if truefalse_hint and _TRUEFALSE_LIKE_RE.match(text):
        context.add(leading.line, "interchange.error.truefalse_invalid", answer=snippet(text))
    else:
        context.add(leading.line, "interchange.error.answer_missing_marker", answer=snippet(text))


def _read_multichoice(question: QuestionData, answers: _Frag, context: _Context) -> None:
    leading, pieces = answers.split_at(answers.find_all("~", "="))
    _report_unmarked(leading, context)
    question.single = any(piece.raw.startswith("=") for piece in pieces)
    # Unmarked leading text was meant as an answer too; it is reported above.
    count = len(pieces) + (1 if leading.strip().raw else 0)
    if count < 2:
        context.add(context.block_line, "interchange.error.too_few_answers", count=count)
    for piece in pieces:
        body = piece.cut(piece.start + 1)
        if piece.raw.startswith("="):
            # Moodle ignores weights after "=" (it keeps "%50%" as answer text);
            # written right after "=" it is certainly a mistake.
            weight = _WEIGHT_LIKE_RE.match(body.raw)
            if weight and _WEIGHT_NUMBER_RE.fullmatch(weight.group(1)):
                context.add(piece.line, "interchange.error.weight_on_equals")
            fraction = 1.0
        else:
            fraction, body = _read_weight(body.strip(), 0.0, context)
        text, feedback = _text_and_feedback(body, context.textformat)
        if not text:
            context.add(piece.line, "interchange.error.empty_answer")
        question.answers.append(Answer(text, fraction, feedback))
    if len(pieces) >= 2 and not context.unreadable_answer:
        _check_multichoice_grades(question, context)


def _check_multichoice_grades(question: QuestionData, context: _Context) -> None:
    """Moodle's rules: single needs a 100% answer; multiple needs positives adding to 100%."""
    positive = [answer.fraction for answer in question.answers if answer.fraction > 0]
    if not positive or (question.single and max(positive) != 1):
        context.add(context.block_line, "interchange.error.no_right_answer")
    elif not question.single and round(sum(positive), 2) != 1:
        total = _format_number(round(sum(positive) * 100, 5))
        context.add(context.block_line, "interchange.error.fractions_sum", total=total)


def _read_shortanswer(question: QuestionData, answers: _Frag, context: _Context) -> None:
    leading, pieces = answers.split_at(answers.find_all("="))
    bodies = [piece.cut(piece.start + 1).strip() for piece in pieces]
    if not pieces and not _TRUEFALSE_LIKE_RE.match(leading.value()):
        bodies = [leading]  # Moodle: a lone unmarked answer, as in `1 + 2 \= {3}`, is the 100% answer
    else:
        _report_unmarked(leading, context, truefalse_hint=True)
    for body in bodies:
        fraction, body = _read_weight(body, 1.0, context)
        text, feedback = _text_and_feedback(body, context.textformat)
        if not text:
            context.add(body.line, "interchange.error.empty_answer")
        question.answers.append(Answer(text, fraction, feedback))
    _check_has_full_credit(question, bool(bodies), context)


def _check_has_full_credit(question: QuestionData, has_answers: bool, context: _Context) -> None:
    """Short-answer and numerical questions need an answer worth 100% (Moodle's rule)."""
    if not has_answers or context.unreadable_answer:
        return
    if not any(answer.fraction == 1 for answer in question.answers):
        context.add(context.block_line, "interchange.error.no_right_answer")


def _read_truefalse(question: QuestionData, answers: _Frag, context: _Context) -> None:
    """`{T}`, `{FALSE#feedback if wrong#feedback if right}`."""
    hashes = answers.find_all("#")[:2]
    text = answers.src.text
    bounds = [answers.start, *hashes, answers.end]
    parts = [text[bounds[i] + (1 if i else 0):bounds[i + 1]] for i in range(len(bounds) - 1)]
    word = php_trim(parts[0])
    wrong = _text_with_format(parts[1], context.textformat)[1] if len(parts) > 1 else ""
    right = _text_with_format(parts[2], context.textformat)[1] if len(parts) > 2 else ""
    if word in TRUE_WORDS:
        question.answers = [Answer("True", 1.0, right), Answer("False", 0.0, wrong)]
    else:
        question.answers = [Answer("True", 0.0, wrong), Answer("False", 1.0, right)]


def _read_match(question: QuestionData, answers: _Frag, context: _Context) -> None:
    leading, pieces = answers.split_at(answers.find_all("="))
    _report_unmarked(leading, context)
    pairs = 0
    for piece in pieces:
        body = piece.cut(piece.start + 1).strip()
        arrow = body.find("->")
        if arrow < 0:
            context.add(piece.line, "interchange.error.match_missing_arrow", pair=snippet(body.value()))
            pairs += 1
            continue
        _, item = _text_with_format(body.src.text[body.start:arrow], context.textformat)
        answer = php_trim(unescape(body.src.text[arrow + 2:body.end]))
        if not answer:
            context.add(piece.line, "interchange.error.empty_answer")
        pairs += 1 if item else 0  # an empty item is an extra distractor answer
        question.subquestions.append(SubQuestion(item, answer))
    if pairs < 2:
        context.add(context.block_line, "interchange.error.match_too_few_pairs", count=pairs)


def _read_numerical(question: QuestionData, answers: _Frag, context: _Context) -> None:
    """`{#3.5:0.1}`, `{#1..5}`, `{#=%100%42 =%50%40:2 ~#feedback for anything else}`."""
    body = answers.cut(answers.start + 1)
    tilde = body.find("~")
    other = body.cut(tilde + 1) if tilde >= 0 else None
    if tilde >= 0:
        body = body.cut(body.start, tilde)
    leading, marked = body.split_at(body.find_all("="))
    pieces = ([leading] if leading.strip().raw else []) + [p.cut(p.start + 1) for p in marked]
    if not pieces:
        context.add(context.block_line, "interchange.error.no_answers")
    for piece in pieces:
        fraction, rest = _read_weight(piece.strip(), 1.0, context)
        value, feedback = _text_and_feedback(rest, context.textformat)
        if not value:
            context.add(piece.strip().line, "interchange.error.empty_answer")
            context.unreadable_answer = True
            continue
        number = _read_numerical_value(value, piece.strip().line, context)
        if number is None:
            context.unreadable_answer = True
        else:
            question.answers.append(Answer(number[0], fraction, feedback, number[1]))
    _check_has_full_credit(question, bool(pieces), context)
    if other is not None:
        _read_numerical_other(question, other, context)


def _read_numerical_value(text: str, line: int, context: _Context) -> tuple[str, float] | None:
    """"3.5:0.1" -> ("3.5", 0.1); "1..5" -> ("3", 2.0); "42" -> ("42", 0.0)."""
    if text.find("..") > 0:
        low_text, high_text = (php_trim(part) for part in text.split("..", 1))
        low, high = _parse_number(low_text), _parse_number(high_text)
        for raw, value in ((low_text, low), (high_text, high)):
            if value is None:
                context.add(line, "interchange.error.not_a_number", value=snippet(raw))
        if low is None or high is None:
            return None
        if low > high:
            context.add(line, "interchange.error.invalid_range", min=low_text, max=high_text)
            return None
        middle = (low + high) / 2
        return _format_number(middle), float(format(high - middle, ".12g"))
    value_text, tolerance_text = text, "0"
    if text.find(":") > 0:
        value_text, tolerance_text = (php_trim(part) for part in text.split(":", 1))
    value, tolerance = _parse_number(value_text), _parse_number(tolerance_text)
    if value is None:
        context.add(line, "interchange.error.not_a_number", value=snippet(value_text))
    if tolerance is None:
        context.add(line, "interchange.error.not_a_number", value=snippet(tolerance_text))
    elif tolerance < 0:
        context.add(line, "interchange.error.negative_tolerance", value=tolerance_text)
    if value is None or tolerance is None or tolerance < 0:
        return None
    return value_text, tolerance


def _read_numerical_other(question: QuestionData, other: _Frag, context: _Context) -> None:
    """`~#feedback`: Moodle adds an answer "*" worth 0% carrying that feedback."""
    text_part, feedback_raw = _split_feedback(other)
    stray = php_trim(text_part.raw) not in ("", OTHER_ANSWER)
    if stray or other.find_all("=", "~"):
        context.add(other.line, "interchange.error.numerical_other_answer")
        return
    _, feedback = _text_with_format(feedback_raw or "", context.textformat)
    question.answers.append(Answer(OTHER_ANSWER, 0.0, feedback, 0.0))


_READERS: dict[str, Callable[[QuestionData, _Frag, _Context], None]] = {
    "multichoice": _read_multichoice,
    "shortanswer": _read_shortanswer,
    "truefalse": _read_truefalse,
    "match": _read_match,
    "numerical": _read_numerical,
}


# --- writing --------------------------------------------------------------------


def dump_gift(questions: list[QuestionData]) -> str:
    """Write canonical GIFT; raise QuestionFileError naming every unwritable question."""
    problems = ProblemList()
    chunks: list[str] = []
    category = ""
    for question in questions:
        chunk = _write_checked(question, problems)
        if chunk is None:
            continue
        wanted = php_trim(question.category)
        if "\n" in wanted or "\r" in wanted or category_path(wanted) != wanted:
            problems.add(question.line, "interchange.error.export_not_faithful",
                         name=question.name, field="category")
            continue
        if wanted != category:
            chunks.append(f"{CATEGORY_PREFIX} {wanted}" if wanted else CATEGORY_PREFIX)
            category = wanted
        chunks.append(chunk)
    problems.raise_if_any()
    return "\n\n".join(chunks) + "\n" if chunks else ""


def _write_checked(question: QuestionData, problems: ProblemList) -> str | None:
    """Write one question and prove it reads back to the same data."""
    if question.qtype not in _WRITERS:
        problems.add(question.line, "interchange.error.export_unsupported_qtype",
                     name=question.name, qtype=question.qtype, format="GIFT")
        return None
    expected = canonical_question(question)
    limit = _gift_limit(expected)
    if limit:
        problems.add(question.line, "interchange.error.export_not_faithful", name=expected.name, field=limit)
        return None
    chunk = _WRITERS[expected.qtype](expected)
    if chunk is None:
        problems.add(question.line, "interchange.error.export_bad_truefalse", name=expected.name)
        return None
    try:
        reread = parse_gift(chunk)
    except QuestionFileError as error:
        for problem in error.problems:
            problems.add(question.line, "interchange.error.export_invalid_question",
                         name=expected.name, reason_key=problem.key, reason_params=problem.params)
        return None
    field = _first_difference(expected, reread)
    if field:
        problems.add(question.line, "interchange.error.export_not_faithful",
                     name=expected.name, field=field)
        return None
    return chunk


def _gift_limit(question: QuestionData) -> str | None:
    """The field GIFT cannot hold, for limits that would change the question type.

    "->" cannot be escaped in GIFT: in a short answer it would make the question
    read back as matching, and in a matching item it would split the pair early.
    """
    if question.qtype == "shortanswer":
        if any("->" in answer.text or "->" in answer.feedback for answer in question.answers):
            return "answers"
    if question.qtype == "match" and any("->" in sub.question for sub in question.subquestions):
        return "subquestions"
    return None


def _first_difference(expected: QuestionData, reread: list[QuestionData]) -> str | None:
    if len(reread) != 1:
        return "qtype"
    want = expected.to_json_dict()
    # GIFT holds no marks, penalties or files: those are not what the reading back checks
    got = replace(reread[0], category=expected.category, defaultgrade=expected.defaultgrade,
                  penalty=expected.penalty, images=expected.images).to_json_dict()
    for key in want:
        if want[key] != got.get(key):
            return key
    return None


def _clean(text: object) -> str:
    return php_trim(str(text).replace("\r", ""))


def canonical_question(question: QuestionData) -> QuestionData:
    """The question as GIFT can hold it: trimmed texts, 7-decimal fractions, a name."""
    numerical = question.qtype == "numerical"
    answers = [
        Answer(
            _clean(answer.text),
            round(float(answer.fraction), 7),
            _clean(answer.feedback),
            float(answer.tolerance or 0.0) if numerical else None,
        )
        for answer in question.answers
    ]
    if question.qtype == "truefalse":
        answers = _canonical_truefalse(answers)
    tags: list[str] = []
    for tag in map(_clean, question.tags):
        if tag and tag not in tags:
            tags.append(tag)
    questiontext = _clean(question.questiontext)
    return QuestionData(
        qtype=question.qtype,
        name=_clean(question.name) or default_question_name(questiontext),
        questiontext=questiontext,
        questiontextformat=question.questiontextformat,
        generalfeedback=_clean(question.generalfeedback),
        single=bool(question.single) if question.qtype == "multichoice" else None,
        answers=answers,
        subquestions=[SubQuestion(_clean(s.question), _clean(s.answer)) for s in question.subquestions],
        category=category_path(_clean(question.category)),
        tags=tags,
        idnumber=_clean(question.idnumber),
        line=question.line,
        defaultgrade=float(question.defaultgrade),
        penalty=round(float(question.penalty), 7),
        images=dict(question.images),
    )


def _canonical_truefalse(answers: list[Answer]) -> list[Answer]:
    """True first, then False, named "True"/"False" (any case accepted)."""
    by_name = {answer.text.lower(): answer for answer in answers}
    if len(answers) != 2 or set(by_name) != {"true", "false"}:
        return answers
    return [replace(by_name["true"], text="True"), replace(by_name["false"], text="False")]


def _write_text(text: str, textformat: str, default: str) -> str:
    """Escaped text, with a [format] prefix when needed to read back the same."""
    needs_prefix = textformat != default or _FORMAT_TAG_RE.match(text) is not None
    return (f"[{textformat}]" if needs_prefix else "") + escape(text)


def _write_head(question: QuestionData) -> str:
    lines = []
    meta = _write_meta(question)
    if meta:
        lines.append(meta)
    prefix_format = question.questiontextformat if question.questiontextformat in TEXT_FORMATS else "moodle"
    text = _write_text(question.questiontext, prefix_format, "moodle")
    lines.append(f"::{escape(question.name)}::{text}")
    return "\n".join(lines)


def _write_meta(question: QuestionData) -> str:
    """Moodle's `// [id:...] [tag:...]` line."""
    bits = []
    if question.idnumber:
        bits.append("[id:" + question.idnumber.replace("]", "\\]") + "]")
    bits.extend("[tag:" + tag.replace("]", "\\]") + "]" for tag in question.tags)
    return "// " + " ".join(bits) if bits else ""


def _write_general_feedback(question: QuestionData) -> str:
    if not question.generalfeedback:
        return ""
    fmt = question.questiontextformat
    return GENERAL_FEEDBACK + _write_text(question.generalfeedback, fmt, fmt)


def _write_feedback(feedback: str, question: QuestionData) -> str:
    fmt = question.questiontextformat
    return "#" + _write_text(feedback, fmt, fmt) if feedback else ""


def _write_answer_block(question: QuestionData, opening: str, lines: list[str]) -> str:
    body = [f"\t{line}" for line in lines]
    feedback = _write_general_feedback(question)
    if feedback:
        body.append(f"\t{feedback}")
    return _write_head(question) + opening + "\n" + "\n".join(body) + "\n}"


def _format_weight(fraction: float) -> str:
    text = f"{round(fraction * 100, 5):.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _format_tolerance(tolerance: float) -> str:
    """Shortest text that reads back as exactly this float ("35", "0.005")."""
    text = repr(tolerance)
    return text[:-2] if text.endswith(".0") else text


def _write_description(question: QuestionData) -> str:
    return _write_head(question)


def _write_essay(question: QuestionData) -> str:
    return _write_head(question) + "{" + _write_general_feedback(question) + "}"


def _write_truefalse(question: QuestionData) -> str | None:
    answers = question.answers
    if len(answers) != 2 or [a.text for a in answers] != ["True", "False"]:
        return None
    true, false = answers
    if sorted((true.fraction, false.fraction)) != [0.0, 1.0]:
        return None
    fmt = question.questiontextformat
    right, wrong = (true, false) if true.fraction == 1 else (false, true)
    block = "TRUE" if true.fraction == 1 else "FALSE"
    if wrong.feedback or right.feedback:
        block += "#" + (_write_text(wrong.feedback, fmt, fmt) if wrong.feedback else "")
    if right.feedback:
        block += "#" + _write_text(right.feedback, fmt, fmt)
    return _write_head(question) + "{" + block + _write_general_feedback(question) + "}"


def _write_multichoice(question: QuestionData) -> str:
    fmt = question.questiontextformat
    full = [i for i, answer in enumerate(question.answers) if answer.fraction == 1]
    equals = set(full) if question.single else set()
    if equals and len(equals) == len(question.answers):
        equals.discard(full[-1])  # GIFT needs a "~" to mean multiple choice
    lines = []
    for index, answer in enumerate(question.answers):
        text = _write_text(answer.text, fmt, fmt)
        if index in equals:
            # "=" takes no weight: a leading "%" is text, kept apart by a space.
            marker = "= " if answer.text.startswith("%") else "="
        elif answer.fraction == 0 and not answer.text.startswith("%"):
            marker = "~"
        else:
            marker = f"~%{_format_weight(answer.fraction)}%"
        lines.append(marker + text + _write_feedback(answer.feedback, question))
    return _write_answer_block(question, "{", lines)


def _write_shortanswer(question: QuestionData) -> str:
    fmt = question.questiontextformat
    lines = []
    for answer in question.answers:
        weight = "" if answer.fraction == 1 and not answer.text.startswith("%") else (
            f"%{_format_weight(answer.fraction)}%")
        text = _write_text(answer.text, fmt, fmt)
        lines.append("=" + weight + text + _write_feedback(answer.feedback, question))
    return _write_answer_block(question, "{", lines)


def _write_numerical(question: QuestionData) -> str:
    lines = []
    for answer in question.answers:
        feedback = _write_feedback(answer.feedback, question)
        if answer.text == OTHER_ANSWER:
            lines.append("~" + feedback)
            continue
        weight = "" if answer.fraction == 1 else f"%{_format_weight(answer.fraction)}%"
        tolerance = _format_tolerance(float(answer.tolerance or 0.0))
        lines.append(f"={weight}{escape(answer.text)}:{tolerance}{feedback}")
    return _write_answer_block(question, "{#", lines)


def _write_match(question: QuestionData) -> str:
    fmt = question.questiontextformat
    lines = [
        f"={_write_text(sub.question, fmt, fmt)} -> {escape(sub.answer)}"
        for sub in question.subquestions
    ]
    return _write_answer_block(question, "{", lines)


_WRITERS: dict[str, Callable[[QuestionData], str | None]] = {
    "description": _write_description,
    "essay": _write_essay,
    "truefalse": _write_truefalse,
    "multichoice": _write_multichoice,
    "shortanswer": _write_shortanswer,
    "numerical": _write_numerical,
    "match": _write_match,
}
