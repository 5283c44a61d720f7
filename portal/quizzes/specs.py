"""Quiz definitions: practice quizzes, exams and practical-exam rubrics.

Files under the quiz root (``quizzes/`` in the repository)::

    practice.yaml        practice: [ {id, title, tags, count, ...}, ... ]
    exams.yaml           exams:    [ {id, kind, title, ..., questions | pool | rubric}, ... ]
    rubrics/<id>.yaml    one rubric per file
    en/*.gift, zh-CN/*.gift   the question bank (read by portal.quizzes.gift;
                              :func:`question_index` only reads its
                              ``// [id:...]`` and ``// [tag:...]`` markers)

:func:`load_quiz_specs` never raises for bad content: each problem becomes a
:class:`SpecFileError` naming the file and the field, and every entry that
is valid still loads. ``SpecFileError.key`` is an i18n key from
``portal/locales/<lang>/quizspecs.json``; ``params`` fill its ``{}``
placeholders (``str.format``).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from portal.i18n import translate as i18n_translate

LANGUAGES = ("en", "zh-CN")
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"

PRACTICE_FILE = "practice.yaml"
EXAMS_FILE = "exams.yaml"
RUBRICS_DIR = "rubrics"

SPEC_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
QUESTION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
TAG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_:.-]*$"

SpecId = Annotated[str, Field(pattern=SPEC_ID_PATTERN)]
QuestionId = Annotated[str, Field(pattern=QUESTION_ID_PATTERN)]
Tag = Annotated[str, Field(pattern=TAG_PATTERN)]
Number = Annotated[float, Field(strict=True)]
When = Literal["immediately", "after_close", "never"]


# --------------------------------------------------------------------------
# i18n of error messages
# --------------------------------------------------------------------------


def translate(key: str, lang: str = "en", **params: Any) -> str:
    """Text for ``key`` in ``lang``: the portal's one translation layer."""
    return i18n_translate(key, lang, **params)


class SpecFileError(Exception):
    """One problem in one quiz definition file.

    ``path`` is the file, ``field`` a dotted path inside it such as
    ``exams[1].pass_mark`` ("" for the whole file), ``key``/``params`` the
    i18n message and ``message`` its English text.
    """

    def __init__(self, path: Path | str, field: str, key: str, params: Mapping[str, Any] | None = None,
                 message: str | None = None):
        self.path = Path(path)
        self.field = field
        self.key = key
        self.params = dict(params or {})
        self.message = message if message is not None else translate(key, "en", **self.params)
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}" + (f": {self.field}" if self.field else "")
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"SpecFileError({str(self.path)!r}, {self.field!r}, {self.key!r}, {self.params!r})"

    def text(self, lang: str) -> str:
        return translate(self.key, lang, **self.params)


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LocalizedText(_Model):
    en: str
    zh_CN: str = Field(alias="zh-CN")

    @field_validator("en", "zh_CN", mode="before")
    @classmethod
    def _not_blank(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                raise PydanticCustomError("quizspecs.error.empty_text", "empty text")
        return value

    def get(self, lang: str) -> str:
        return self.zh_CN if lang == "zh-CN" else self.en


class ReviewOptions(_Model):
    """When the candidate may see marks and the right answers."""

    show_marks: When = "immediately"
    show_answers: When = "after_close"


class PoolSpec(_Model):
    """Draw ``count`` questions at random from the questions carrying the tags."""

    tags: list[Tag] = Field(min_length=1)
    match: Literal["any", "all"] = "any"
    exclude_tags: list[Tag] = Field(default_factory=list)
    count: StrictInt = Field(ge=1)


class PracticeSpec(_Model):
    id: SpecId
    title: LocalizedText
    description: LocalizedText | None = None
    tags: list[Tag] = Field(min_length=1)  # any-of
    exclude_tags: list[Tag] = Field(default_factory=list)
    count: StrictInt = Field(ge=1)
    shuffle_answers: StrictBool = True


class ExamSpec(_Model):
    id: SpecId
    kind: Literal["written", "practical"]
    title: LocalizedText
    description: LocalizedText
    time_limit_minutes: StrictInt | None = Field(default=None, ge=1)
    pass_mark: Number = Field(ge=0, le=100)
    attempts_allowed: StrictInt = Field(default=1, ge=0)  # 0 = unlimited, as in Moodle
    grading: Literal["highest", "last", "first", "average"] = "highest"
    shuffle_answers: StrictBool = True
    questions: list[QuestionId] | None = Field(default=None, min_length=1)
    pool: PoolSpec | None = None
    review: ReviewOptions = Field(default_factory=ReviewOptions)
    rubric: SpecId | None = None


class RubricItem(_Model):
    id: SpecId
    text: LocalizedText
    max_points: Number = Field(gt=0)
    critical: StrictBool = False
    allow_na: StrictBool = False  # may be marked N/A (left out of the denominator)
    critical_below: Number | None = Field(default=None, gt=0)
    """A critical item counts as missed when it scores below this; None: below its maximum."""


class RubricSection(_Model):
    id: SpecId
    title: LocalizedText
    weight: Number = Field(gt=0)
    items: list[RubricItem] = Field(min_length=1)


@dataclass(frozen=True)
class RubricScore:
    percent: float  # 0..100, after critical_miss: zero_section
    sections: dict[str, float]  # section id -> fraction 0..1
    critical_missed: list[str]  # item ids
    failed_by_critical: bool  # critical_miss == fail_exam and a critical item was missed

    def passed(self, pass_mark: float) -> bool:
        return not self.failed_by_critical and self.percent >= pass_mark


class RubricSpec(_Model):
    """A marking sheet for a practical exam.

    Section weights are relative: the score is
    ``100 * sum(weight * points / max_points) / sum(weight)`` over sections.
    A critical item counts as missed when it gets less than its maximum.
    ``critical_miss`` says what a miss does: ``fail_exam`` fails the exam
    whatever the score; ``zero_section`` scores that section 0.
    """

    id: SpecId
    title: LocalizedText
    description: LocalizedText | None = None
    critical_miss: Literal["fail_exam", "zero_section"] = "fail_exam"
    sections: list[RubricSection] = Field(min_length=1)

    def items(self) -> Iterable[tuple[RubricSection, RubricItem]]:
        for section in self.sections:
            for item in section.items:
                yield section, item

    def max_points(self) -> float:
        return sum(item.max_points for _, item in self.items())

    def score(self, points: Mapping[str, float | None]) -> RubricScore:
        """Score awarded ``points`` (item id -> points; a missing item scores 0).

        ``None`` marks an item N/A (only where ``allow_na``): it leaves its section's
        denominator, and a section whose items are all N/A leaves the weighting. A
        critical item marked N/A is not missed. Everything N/A scores 100.
        """
        known = {item.id for _, item in self.items()}
        unknown = set(points) - known
        if unknown:
            raise ValueError(f"unknown rubric items: {sorted(unknown)}")
        missed: list[str] = []
        fractions: dict[str, float] = {}
        for section in self.sections:
            got = possible = 0.0
            section_missed = False
            for item in section.items:
                value = points.get(item.id, 0.0)
                if value is None:
                    if not item.allow_na:
                        raise ValueError(f"{item.id}: may not be marked N/A")
                    continue
                value = float(value)
                if not 0 <= value <= item.max_points:
                    raise ValueError(f"{item.id}: {value} not in 0..{item.max_points}")
                got += value
                possible += item.max_points
                if item.critical and value < (item.critical_below or item.max_points):
                    missed.append(item.id)
                    section_missed = True
            if not possible:
                continue  # every item N/A
            fraction = got / possible
            if section_missed and self.critical_miss == "zero_section":
                fraction = 0.0
            fractions[section.id] = fraction
        weighted = [s for s in self.sections if s.id in fractions]
        total_weight = sum(s.weight for s in weighted)
        percent = 100 * sum(s.weight * fractions[s.id] for s in weighted) / total_weight if total_weight else 100.0
        return RubricScore(
            percent=percent,
            sections=fractions,
            critical_missed=missed,
            failed_by_critical=bool(missed) and self.critical_miss == "fail_exam",
        )

    def unscored_items(self, points: Mapping[str, float | str | None]) -> list[tuple[int, RubricItem]]:
        """(number on the sheet, item) of every item with no mark yet: a sheet is saved only when complete.

        Nothing is scored by default: an item nobody scored is neither full marks nor 0 nor N/A.
        A mark is points or :data:`NA` (chosen on purpose); a missing key or None is no mark.
        """
        return [(number, item) for number, (_, item) in enumerate(self.items(), start=1)
                if points.get(item.id) is None]

    def not_applicable_refused(self, points: Mapping[str, float | str | None]) -> list[tuple[int, RubricItem]]:
        """(number, item) of every item marked :data:`NA` that does not allow N/A."""
        return [(number, item) for number, (_, item) in enumerate(self.items(), start=1)
                if points.get(item.id) == NA and not item.allow_na]

    @staticmethod
    def engine_points(points: Mapping[str, float | str | None]) -> dict[str, float | None]:
        """A complete sheet's marks as :meth:`score` takes them (:data:`NA` becomes None)."""
        return {item_id: None if value == NA else float(value) for item_id, value in points.items()}


NA = "na"
"""A sheet's mark for "not applicable", chosen on purpose (see :meth:`RubricSpec.unscored_items`)."""


@dataclass
class QuizSpecs:
    practice: dict[str, PracticeSpec] = field(default_factory=dict)
    exams: dict[str, ExamSpec] = field(default_factory=dict)
    rubrics: dict[str, RubricSpec] = field(default_factory=dict)
    errors: list[SpecFileError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --------------------------------------------------------------------------
# Pydantic errors -> SpecFileError
# --------------------------------------------------------------------------

_TYPE_KEYS = {
    "int": "quizspecs.error.expected_integer",
    "float": "quizspecs.error.expected_number",
    "bool": "quizspecs.error.expected_bool",
    "string": "quizspecs.error.expected_text",
    "list": "quizspecs.error.expected_list",
    "model": "quizspecs.error.expected_mapping",
    "dict": "quizspecs.error.expected_mapping",
}
_BOUND_KEYS = {
    "greater_than_equal": ("quizspecs.error.min_value", "ge"),
    "less_than_equal": ("quizspecs.error.max_value", "le"),
    "greater_than": ("quizspecs.error.must_exceed", "gt"),
    "less_than": ("quizspecs.error.must_be_below", "lt"),
}


def _join(parts: Iterable[str | int]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def _convert(path: Path, prefix: list[str | int], exc: ValidationError) -> list[SpecFileError]:
    errors = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-"))]
        # Union members (e.g. "int" / "none" of StrictInt | None) appear in loc.
        loc = [p for p in loc if p not in ("constrained-int", "constrained-float")]
        kind = err["type"]
        ctx = err.get("ctx") or {}
        name = _join(prefix + loc)
        value = err.get("input")
        if kind.startswith("quizspecs."):
            key, params = kind, {k: v for k, v in ctx.items()}
        elif kind == "missing":
            last = loc[-1] if loc else ""
            key = "quizspecs.error.missing_language" if last in LANGUAGES else "quizspecs.error.missing_field"
            params = {"name": last}
        elif kind == "extra_forbidden":
            key, params = "quizspecs.error.unknown_field", {"name": loc[-1] if loc else ""}
        elif kind in ("literal_error", "enum"):
            key, params = "quizspecs.error.invalid_choice", {"value": _short(value), "expected": ctx.get("expected", "")}
        elif kind in _BOUND_KEYS:
            key, bound = _BOUND_KEYS[kind]
            params = {"value": _short(value), "limit": ctx.get(bound)}
        elif kind in ("too_short", "string_too_short"):
            key, params = "quizspecs.error.empty_value", {}
        elif kind == "string_pattern_mismatch":
            key, params = "quizspecs.error.bad_identifier", {"value": _short(value)}
        elif kind.split("_")[0] in _TYPE_KEYS and kind.endswith(("_type", "_parsing")):
            key, params = _TYPE_KEYS[kind.split("_")[0]], {"value": _short(value)}
        else:
            key, params = "quizspecs.error.invalid", {"detail": err.get("msg", kind)}
        errors.append(SpecFileError(path, name, key, params))
    # Drop duplicates that unions produce (int | None report the same spot twice).
    seen, unique = set(), []
    for e in errors:
        if (e.field, e.key) not in seen:
            seen.add((e.field, e.key))
            unique.append(e)
    return unique


# --------------------------------------------------------------------------
# Semantic checks (beyond field types)
# --------------------------------------------------------------------------


def _exam_problems(exam: ExamSpec) -> list[tuple[str, str, dict]]:
    problems: list[tuple[str, str, dict]] = []
    if exam.kind == "written":
        if exam.questions is not None and exam.pool is not None:
            problems.append(("questions", "quizspecs.error.questions_and_pool", {}))
        elif exam.questions is None and exam.pool is None:
            problems.append(("questions", "quizspecs.error.written_needs_questions", {}))
        if exam.rubric is not None:
            problems.append(("rubric", "quizspecs.error.rubric_on_written", {}))
    else:
        if exam.rubric is None:
            problems.append(("rubric", "quizspecs.error.practical_needs_rubric", {}))
        for name in ("questions", "pool"):
            if getattr(exam, name) is not None:
                problems.append((name, "quizspecs.error.questions_on_practical", {"name": name}))
    if exam.questions:
        seen: set[str] = set()
        for i, qid in enumerate(exam.questions):
            if qid in seen:
                problems.append((f"questions[{i}]", "quizspecs.error.duplicate_question", {"id": qid}))
            seen.add(qid)
    return problems


def _rubric_problems(rubric: RubricSpec) -> list[tuple[str, str, dict]]:
    problems: list[tuple[str, str, dict]] = []
    section_ids: set[str] = set()
    item_ids: set[str] = set()
    for s, section in enumerate(rubric.sections):
        if section.id in section_ids:
            problems.append((f"sections[{s}].id", "quizspecs.error.duplicate_id", {"id": section.id}))
        section_ids.add(section.id)
        for i, item in enumerate(section.items):
            if item.id in item_ids:
                problems.append((f"sections[{s}].items[{i}].id", "quizspecs.error.duplicate_id", {"id": item.id}))
            item_ids.add(item.id)
            if item.critical_below is not None and not item.critical:
                problems.append((f"sections[{s}].items[{i}].critical_below", "qa.rubric.error.critical_below_needs_critical", {}))
            elif item.critical_below is not None and item.critical_below > item.max_points:
                problems.append((f"sections[{s}].items[{i}].critical_below", "quizspecs.error.max_value",
                                 {"value": f"{item.critical_below:g}", "limit": f"{item.max_points:g}"}))
    return problems


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------


def _read_yaml(path: Path, errors: list[SpecFileError]) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        errors.append(SpecFileError(path, "", "quizspecs.error.file_missing", {}))
        return None
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(SpecFileError(path, "", "quizspecs.error.file_unreadable", {"detail": str(exc)}))
        return None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(exc, "problem", None) or str(exc)
        errors.append(SpecFileError(path, "", "quizspecs.error.yaml_syntax", {"line": line, "problem": problem}))
        return None


def _entries(path: Path, data: Any, section: str, errors: list[SpecFileError]) -> list[Any]:
    if data is None:
        errors.append(SpecFileError(path, section, "quizspecs.error.missing_field", {"name": section}))
        return []
    if not isinstance(data, dict):
        errors.append(SpecFileError(path, "", "quizspecs.error.expected_mapping", {"value": _short(data)}))
        return []
    for extra in sorted(set(data) - {section}, key=str):
        errors.append(SpecFileError(path, str(extra), "quizspecs.error.unknown_field", {"name": extra}))
    if section not in data:
        errors.append(SpecFileError(path, section, "quizspecs.error.missing_field", {"name": section}))
        return []
    entries = data[section]
    if not isinstance(entries, list):
        errors.append(SpecFileError(path, section, "quizspecs.error.expected_list", {"value": _short(entries)}))
        return []
    return entries


def _load_list(path: Path, section: str, model: type[_Model], errors: list[SpecFileError],
               checks=None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    data = _read_yaml(path, errors)
    if data is None and errors and errors[-1].path == path:
        return out
    for index, raw in enumerate(_entries(path, data, section, errors)):
        prefix: list[str | int] = [section, index]
        try:
            spec = model.model_validate(raw)
        except ValidationError as exc:
            errors.extend(_convert(path, prefix, exc))
            continue
        problems = checks(spec) if checks else []
        if problems:
            errors.extend(SpecFileError(path, _join(prefix) + "." + f, k, p) for f, k, p in problems)
            continue
        if spec.id in out:
            errors.append(SpecFileError(path, _join(prefix + ["id"]), "quizspecs.error.duplicate_id", {"id": spec.id}))
            continue
        out[spec.id] = spec
    return out


def validate_rubric(data: Any, path: Path | str = "") -> tuple[RubricSpec | None, list[SpecFileError]]:
    """A rubric from its YAML/JSON data, or None and every problem, each naming its field.

    One check for rubric files, scorecard files and the rubric builder.
    """
    try:
        rubric = RubricSpec.model_validate(data)
    except ValidationError as exc:
        return None, _convert(Path(path), [], exc)
    problems = _rubric_problems(rubric)
    if problems:
        return None, [SpecFileError(path, f, k, p) for f, k, p in problems]
    return rubric, []


def _load_rubrics(directory: Path, errors: list[SpecFileError]) -> dict[str, RubricSpec]:
    rubrics: dict[str, RubricSpec] = {}
    if not directory.is_dir():
        return rubrics
    for path in sorted(directory.glob("*.y*ml")):
        if path.suffix not in (".yaml", ".yml"):
            continue
        data = _read_yaml(path, errors)
        if data is None:
            if not (errors and errors[-1].path == path):
                errors.append(SpecFileError(path, "", "quizspecs.error.expected_mapping", {"value": "null"}))
            continue
        if isinstance(data, dict) and "id" not in data:
            data = {"id": path.stem, **data}
        rubric, problems = validate_rubric(data, path)
        if rubric is not None and rubric.id != path.stem:
            problems.append(SpecFileError(path, "id", "quizspecs.error.rubric_id_mismatch",
                                          {"id": rubric.id, "file": path.stem}))
        if problems:
            errors.extend(problems)
            continue
        rubrics[rubric.id] = rubric
    return rubrics


def load_quiz_specs(root: Path) -> QuizSpecs:
    """Read practice.yaml, exams.yaml and rubrics/*.yaml under ``root``."""
    root = Path(root)
    errors: list[SpecFileError] = []
    rubrics = _load_rubrics(root / RUBRICS_DIR, errors)
    practice = _load_list(root / PRACTICE_FILE, "practice", PracticeSpec, errors)
    exams_path = root / EXAMS_FILE
    exams = _load_list(exams_path, "exams", ExamSpec, errors, _exam_problems)
    # An exam whose rubric does not exist cannot be run: report and drop it.
    raw_index = _raw_indexes(exams_path, "exams")
    for exam_id, exam in list(exams.items()):
        if exam.rubric is not None and exam.rubric not in rubrics:
            index = raw_index.get(exam_id, 0)
            errors.append(SpecFileError(exams_path, f"exams[{index}].rubric", "quizspecs.error.unknown_rubric",
                                        {"id": exam.rubric}))
            del exams[exam_id]
    return QuizSpecs(practice=practice, exams=exams, rubrics=rubrics, errors=errors)


def _raw_indexes(path: Path, section: str) -> dict[str, int]:
    """Position of each id in the file's list (to name fields in later checks)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        entries = data.get(section) or []
    except Exception:  # noqa: BLE001 - problems were reported while loading
        return {}
    out: dict[str, int] = {}
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            out.setdefault(entry["id"], i)
    return out


# --------------------------------------------------------------------------
# The question bank, as far as the specs need it
# --------------------------------------------------------------------------

_ID_RE = re.compile(r"^\s*//\s*\[id:([^\]]+)\]")
_TAG_RE = re.compile(r"^\s*//\s*\[tag:([^\]]+)\]")
_BLANK_SPLIT = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class BankEntry:
    id: str
    tags: frozenset[str]  # lower-case
    file: Path


def scan_gift_markers(text: str, file: Path | str = "") -> list[BankEntry]:
    """The ``// [id:...]`` / ``// [tag:...]`` markers of each question.

    Like Moodle's importer, questions are blocks separated by blank lines;
    a block of comments only, or a ``$CATEGORY:`` block, is not a question.
    A question without an id is skipped.
    """
    entries = []
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    for block in _BLANK_SPLIT.split(text):
        lines = [ln for ln in block.split("\n") if ln.strip()]
        body = [ln for ln in lines if not ln.lstrip().startswith("//")]
        if not body or all(ln.lstrip().startswith("$CATEGORY") for ln in body):
            continue
        qid, tags = None, set()
        for ln in lines:
            if m := _ID_RE.match(ln):
                qid = m.group(1).strip()
            elif m := _TAG_RE.match(ln):
                tags.add(m.group(1).strip().lower())
        if qid:
            entries.append(BankEntry(qid, frozenset(tags), Path(file)))
    return entries


def question_index(root: Path, lang: str) -> dict[str, BankEntry]:
    """idnumber -> entry for every question in ``root/<lang>/*.gift``."""
    index: dict[str, BankEntry] = {}
    for path in sorted((Path(root) / lang).glob("*.gift")):
        for entry in scan_gift_markers(path.read_text(encoding="utf-8"), path):
            index.setdefault(entry.id, entry)
    return index


def pool_matches(entry_tags: frozenset[str], tags: Iterable[str], match: str = "any",
                 exclude_tags: Iterable[str] = ()) -> bool:
    wanted = {t.lower() for t in tags}
    if {t.lower() for t in exclude_tags} & entry_tags:
        return False
    return wanted <= entry_tags if match == "all" else bool(wanted & entry_tags)


def check_against_bank(specs: QuizSpecs, bank: Mapping[str, BankEntry], root: Path) -> list[SpecFileError]:
    """Fixed exam questions must exist; pools and practice quizzes must have
    at least ``count`` matching questions."""
    root = Path(root)
    errors: list[SpecFileError] = []
    exams_path, practice_path = root / EXAMS_FILE, root / PRACTICE_FILE
    exam_pos = _raw_indexes(exams_path, "exams")
    practice_pos = _raw_indexes(practice_path, "practice")
    for exam in specs.exams.values():
        i = exam_pos.get(exam.id, 0)
        for j, qid in enumerate(exam.questions or []):
            if qid not in bank:
                errors.append(SpecFileError(exams_path, f"exams[{i}].questions[{j}]",
                                            "quizspecs.error.unknown_question", {"id": qid}))
        if exam.pool is not None:
            available = sum(pool_matches(e.tags, exam.pool.tags, exam.pool.match, exam.pool.exclude_tags)
                            for e in bank.values())
            if available < exam.pool.count:
                errors.append(SpecFileError(exams_path, f"exams[{i}].pool.count", "quizspecs.error.pool_too_small",
                                            {"count": exam.pool.count, "available": available}))
    for quiz in specs.practice.values():
        available = sum(pool_matches(e.tags, quiz.tags, "any", quiz.exclude_tags) for e in bank.values())
        if available < quiz.count:
            errors.append(SpecFileError(practice_path, f"practice[{practice_pos.get(quiz.id, 0)}].count",
                                        "quizspecs.error.pool_too_small",
                                        {"count": quiz.count, "available": available}))
    return errors
