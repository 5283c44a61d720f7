"""The onboarding programme as course files, and a loader that validates them.

Layout (see ``courses/README.md``)::

    courses/
      1-theory/
        stage.yaml               # the stage: key, order, title, requirements ...
        theory-house-rules.md    # one module: YAML front matter + two language sections
      2-product/ ...

``load_programme(root)`` never raises for a broken course file. Every problem
becomes a :class:`CourseFileError` naming the file and the field, with an i18n
``key`` and ``params`` (texts in ``portal/locales/<lang>/courses.json``), and
the rest of the programme still loads. A trainer editing Markdown should see
"title.zh-CN is missing in product-roaming.md", not a stack trace.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from pydantic_core import ErrorDetails

from portal.i18n import localized, translate

STAGE_KEYS: tuple[str, ...] = ("theory", "product", "systems_skills", "shadowing", "supervised_calls")
"""The five stages, in programme order. Other code relies on these keys."""

LANGUAGES: tuple[str, ...] = ("en", "zh-CN")
"""Every module body must have a section for each of these languages."""

DEFAULT_LANGUAGE = "en"
STAGE_FILE = "stage.yaml"
LOCALES_DIR = Path(__file__).parent / "locales"

StageKey = Literal["theory", "product", "systems_skills", "shadowing", "supervised_calls"]
SignoffRole = Literal["trainer", "mentor"]
NonEmptyText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ModuleId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
QuizId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")]

_STRICT = ConfigDict(strict=True, extra="forbid", frozen=True)


# --------------------------------------------------------------------------- models


class LocalizedText(BaseModel):
    """A short text in every supported language (YAML keys ``en`` and ``zh-CN``)."""

    model_config = ConfigDict(
        strict=True, extra="forbid", frozen=True, validate_by_name=True, validate_by_alias=True
    )

    en: NonEmptyText
    zh_cn: NonEmptyText = Field(alias="zh-CN")

    def get(self, lang: str) -> str:
        """The text in ``lang``, or English for a language we do not have."""
        return localized({"en": self.en, "zh-CN": self.zh_cn}, lang)


class StageRequirements(BaseModel):
    """What a new hire must reach before the stage can be signed off.

    Unknown keys are rejected so that a typo (``min_quiz_scor``) is reported
    instead of silently switching a requirement off.
    """

    model_config = _STRICT

    all_required_modules: bool = False
    min_quiz_score: int | None = Field(default=None, ge=0, le=100)
    min_shadowing_calls: int | None = Field(default=None, gt=0)
    min_reviewed_calls: int | None = Field(default=None, gt=0)
    last_n_passed: int | None = Field(default=None, gt=0)


class StageFile(BaseModel):
    """The contents of a ``stage.yaml`` file."""

    model_config = _STRICT

    key: StageKey
    order: int = Field(gt=0)
    title: LocalizedText
    description: LocalizedText
    duration_days: int = Field(gt=0)
    requirements: StageRequirements = Field(default_factory=StageRequirements)
    signoff_by: list[SignoffRole] = Field(min_length=1)


class ModuleFrontMatter(BaseModel):
    """The YAML front matter of a module file."""

    model_config = _STRICT

    id: ModuleId
    title: LocalizedText
    minutes: int = Field(gt=0)
    required: bool
    quiz: QuizId | None
    order: int = Field(gt=0)


class ModuleSpec(ModuleFrontMatter):
    """A loaded module: its front matter plus where it lives and what it says."""

    stage_key: StageKey
    path: Path
    body: dict[str, str]
    version: str
    """Short sha256 of the file bytes: lets progress records say which text was read."""


class StageSpec(StageFile):
    """A loaded stage with its modules in order."""

    path: Path
    modules: list[ModuleSpec] = Field(default_factory=list)

    @property
    def required_modules(self) -> list[ModuleSpec]:
        return [m for m in self.modules if m.required]

    @property
    def total_minutes(self) -> int:
        return sum(m.minutes for m in self.modules)


class CourseFileError(BaseModel):
    """One problem in one course file, ready to translate with ``key`` and ``params``."""

    model_config = ConfigDict(frozen=True)

    path: Path
    field: str
    key: str
    params: dict[str, str | int] = Field(default_factory=dict)
    message: str
    """The English text of ``key``; the UI should translate ``key`` itself."""

    def __str__(self) -> str:
        return f"{self.path} [{self.field}]: {self.message}"


class Programme(BaseModel):
    """The whole onboarding programme, plus everything that was wrong with its files."""

    model_config = ConfigDict(frozen=True)

    root: Path
    stages: list[StageSpec]
    errors: list[CourseFileError]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def modules(self) -> list[ModuleSpec]:
        """Every module, in programme order (stage by stage)."""
        return [m for s in self.stages for m in s.modules]

    def stage(self, key: str) -> StageSpec | None:
        return next((s for s in self.stages if s.key == key), None)

    def module(self, module_id: str) -> ModuleSpec | None:
        return next((m for m in self.modules if m.id == module_id), None)


def module_body(module: ModuleSpec, lang: str) -> str:
    """The Markdown body in ``lang``, falling back to English."""
    return module.body.get(lang) or module.body.get(DEFAULT_LANGUAGE, "")


# --------------------------------------------------------------------------- errors

ERROR_KEYS: frozenset[str] = frozenset(
    "courses.error." + name
    for name in (
        "root_missing",
        "stage_missing",
        "stage_file_missing",
        "stage_dir_name",
        "stage_dir_mismatch",
        "duplicate_stage",
        "unreadable",
        "bad_yaml",
        "not_a_mapping",
        "front_matter_missing",
        "missing_field",
        "unknown_field",
        "expected_text",
        "expected_integer",
        "expected_boolean",
        "expected_list",
        "expected_mapping",
        "empty_text",
        "must_be_greater",
        "must_be_at_least",
        "must_be_at_most",
        "invalid_choice",
        "bad_id",
        "invalid_value",
        "language_missing",
        "language_empty",
        "language_duplicate",
        "language_unknown",
        "language_marker_malformed",
        "text_before_language",
        "duplicate_id",
        "duplicate_order",
    )
)
"""Every i18n key the loader can emit; both locale catalogs must define them all."""


def _error(path: Path, field: str, name: str, /, **params: str | int) -> CourseFileError:
    key = f"courses.error.{name}"
    assert key in ERROR_KEYS, key
    return CourseFileError(path=path, field=field, key=key, params=params, message=translate(key, "en", **params))


_EXPECTED_TYPE = {
    "string_type": "expected_text",
    "int_type": "expected_integer",
    "bool_type": "expected_boolean",
    "list_type": "expected_list",
    "dict_type": "expected_mapping",
    "model_type": "expected_mapping",
    "model_attributes_type": "expected_mapping",
}
_LIMIT = {
    "greater_than": ("must_be_greater", "gt"),
    "greater_than_equal": ("must_be_at_least", "ge"),
    "less_than_equal": ("must_be_at_most", "le"),
}


def _validation_errors(path: Path, exc: ValidationError) -> list[CourseFileError]:
    """Turn pydantic's errors into course-file errors with translatable keys."""
    return [_one_validation_error(path, err) for err in exc.errors()]


def _one_validation_error(path: Path, err: ErrorDetails) -> CourseFileError:
    field = ".".join(str(part) for part in err["loc"]) or "(file)"
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "missing":
        return _error(path, field, "missing_field", field=field)
    if kind == "extra_forbidden":
        return _error(path, field, "unknown_field", field=field)
    if kind in _EXPECTED_TYPE:
        return _error(path, field, _EXPECTED_TYPE[kind], field=field)
    if kind in ("string_too_short", "too_short"):
        return _error(path, field, "empty_text", field=field)
    if kind in _LIMIT:
        name, limit_key = _LIMIT[kind]
        return _error(path, field, name, field=field, limit=ctx[limit_key])
    if kind == "literal_error":
        return _error(path, field, "invalid_choice", field=field, allowed=str(ctx.get("expected", "")))
    if kind == "string_pattern_mismatch":
        return _error(path, field, "bad_id", field=field, value=str(err.get("input")))
    return _error(path, field, "invalid_value", field=field, reason=err["msg"])


# --------------------------------------------------------------------------- parsing

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)^---[ \t]*$\n?", re.S | re.M)
_ANY_MARKER = re.compile(r"^[ \t]*<!--\s*lang\s*:?\s*(?P<lang>[^\s>]*)\s*-->[ \t]*$", re.M | re.I)
_EXACT_MARKER = re.compile(r"<!-- lang: (?P<lang>[A-Za-z]+(?:-[A-Za-z]+)?) -->")
_STAGE_DIR = re.compile(r"^(?P<order>\d+)-(?P<key>[a-z_]+)$")


def _read(path: Path) -> tuple[bytes, str] | CourseFileError:
    """The raw bytes (for the version) and the text with a BOM and Windows line endings removed."""
    try:
        raw = path.read_bytes()
        return raw, raw.decode("utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError) as exc:
        return _error(path, "(file)", "unreadable", reason=str(exc))


def _parse_yaml_mapping(path: Path, text: str, field: str, line_offset: int = 0) -> dict | CourseFileError:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 + line_offset if mark is not None else 0
        reason = getattr(exc, "problem", None) or str(exc)
        return _error(path, field, "bad_yaml", line=line, reason=str(reason))
    if not isinstance(data, dict):
        return _error(path, field, "not_a_mapping")
    return data


def split_languages(path: Path, body: str) -> tuple[dict[str, str], list[CourseFileError]]:
    """Split a module body at its ``<!-- lang: xx -->`` marker lines.

    Returns the sections found and the problems seen; the module is usable
    only if there are no problems.
    """
    errors: list[CourseFileError] = []
    markers = list(_ANY_MARKER.finditer(body))
    sections: dict[str, str] = {}
    if markers and body[: markers[0].start()].strip():
        errors.append(_error(path, "body", "text_before_language"))
    for i, marker in enumerate(markers):
        end = markers[i + 1].start() if i + 1 < len(markers) else len(body)
        errors.extend(_check_marker(path, marker, sections))
        lang = marker.group("lang")
        if lang in LANGUAGES and lang not in sections:
            sections[lang] = body[marker.end() : end].strip()
    for lang in LANGUAGES:
        if lang not in sections and not any(e.params.get("lang") == lang for e in errors):
            errors.append(_error(path, f"body.{lang}", "language_missing", lang=lang))
        elif lang in sections and not sections[lang]:
            errors.append(_error(path, f"body.{lang}", "language_empty", lang=lang))
    return sections, errors


def _check_marker(path: Path, marker: re.Match[str], seen: dict[str, str]) -> list[CourseFileError]:
    line = marker.group(0).strip()
    lang = marker.group("lang")
    if _EXACT_MARKER.fullmatch(line) is None:
        return [_error(path, "body", "language_marker_malformed", marker=line, lang=lang)]
    if lang not in LANGUAGES:
        return [_error(path, f"body.{lang}", "language_unknown", lang=lang)]
    if lang in seen:
        return [_error(path, f"body.{lang}", "language_duplicate", lang=lang)]
    return []


def load_module(path: Path, stage_key: str) -> ModuleSpec | list[CourseFileError]:
    """Load one module file, or return everything wrong with it."""
    read = _read(path)
    if isinstance(read, CourseFileError):
        return [read]
    raw, text = read
    match = _FRONT_MATTER.match(text)
    if match is None:
        return [_error(path, "front_matter", "front_matter_missing")]
    meta = _parse_yaml_mapping(path, match.group("yaml"), "front_matter", line_offset=1)
    if isinstance(meta, CourseFileError):
        return [meta]
    errors: list[CourseFileError] = []
    try:
        front = ModuleFrontMatter.model_validate(meta)
    except ValidationError as exc:
        errors.extend(_validation_errors(path, exc))
    body, body_errors = split_languages(path, text[match.end() :])
    errors.extend(body_errors)
    if errors:
        return errors
    version = hashlib.sha256(raw).hexdigest()[:12]
    return ModuleSpec(**dict(front), stage_key=stage_key, path=path, body=body, version=version)


def load_stage_file(path: Path) -> StageFile | list[CourseFileError]:
    """Load one ``stage.yaml``, or return everything wrong with it."""
    read = _read(path)
    if isinstance(read, CourseFileError):
        return [read]
    data = _parse_yaml_mapping(path, read[1], "(file)")
    if isinstance(data, CourseFileError):
        return [data]
    try:
        return StageFile.model_validate(data)
    except ValidationError as exc:
        return _validation_errors(path, exc)


# --------------------------------------------------------------------------- programme


def load_programme(root: Path) -> Programme:
    """Load every stage and module under ``root``; collect errors instead of raising."""
    root = Path(root)
    if not root.is_dir():
        return Programme(root=root, stages=[], errors=[_error(root, "(file)", "root_missing", root=str(root))])
    errors: list[CourseFileError] = []
    stages: dict[str, StageSpec] = {}
    for stage_dir in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        stage = _load_stage_dir(stage_dir, errors)
        if stage is None:
            continue
        if stage.key in stages:
            other = stages[stage.key].path
            errors.append(_error(stage.path, "key", "duplicate_stage", key=stage.key, other=str(other)))
            continue
        stages[stage.key] = stage
    ordered, duplicate_errors = _without_duplicate_ids(sorted(stages.values(), key=_programme_order))
    errors.extend(duplicate_errors)
    errors.extend(_error(root, "key", "stage_missing", key=key) for key in STAGE_KEYS if key not in stages)
    return Programme(root=root, stages=ordered, errors=errors)


def _programme_order(stage: StageFile) -> tuple[int, int]:
    return stage.order, STAGE_KEYS.index(stage.key)


def _load_stage_dir(stage_dir: Path, errors: list[CourseFileError]) -> StageSpec | None:
    stage_path = stage_dir / STAGE_FILE
    if not stage_path.is_file():
        errors.append(_error(stage_path, "(file)", "stage_file_missing"))
        return None
    loaded = load_stage_file(stage_path)
    if isinstance(loaded, list):
        errors.extend(loaded)
        return None
    errors.extend(_check_dir_name(stage_dir, loaded))
    modules: list[ModuleSpec] = []
    for module_path in sorted(stage_dir.glob("*.md")):
        result = load_module(module_path, loaded.key)
        if isinstance(result, list):
            errors.extend(result)
        else:
            modules.append(result)
    errors.extend(_check_unique_orders(modules))
    modules.sort(key=lambda m: (m.order, m.id))
    return StageSpec(**dict(loaded), path=stage_path, modules=modules)


def _check_dir_name(stage_dir: Path, stage: StageFile) -> list[CourseFileError]:
    """The directory name ``<order>-<key>`` is for humans; stage.yaml wins, but say so."""
    path = stage_dir / STAGE_FILE
    match = _STAGE_DIR.match(stage_dir.name)
    if match is None:
        return [_error(path, "key", "stage_dir_name", dir=stage_dir.name)]
    if match["key"] != stage.key or int(match["order"]) != stage.order:
        return [_error(path, "key", "stage_dir_mismatch", dir=stage_dir.name, key=stage.key, order=stage.order)]
    return []


def _check_unique_orders(modules: list[ModuleSpec]) -> list[CourseFileError]:
    """Two modules with the same ``order`` are both kept (then sorted by id), but reported."""
    errors: list[CourseFileError] = []
    first_by_order: dict[int, ModuleSpec] = {}
    for module in modules:
        first = first_by_order.setdefault(module.order, module)
        if first is not module:
            errors.append(
                _error(module.path, "order", "duplicate_order", order=module.order, other=str(first.path))
            )
    return errors


def _without_duplicate_ids(stages: list[StageSpec]) -> tuple[list[StageSpec], list[CourseFileError]]:
    """Drop modules whose id is already taken; ``stages`` must be in programme order.

    Module ids are global because progress records point at them, so the first
    file in programme order keeps the id and later files are skipped.
    """
    errors: list[CourseFileError] = []
    first_by_id: dict[str, ModuleSpec] = {}
    result: list[StageSpec] = []
    for stage in stages:
        kept: list[ModuleSpec] = []
        for module in stage.modules:
            first = first_by_id.setdefault(module.id, module)
            if first is module:
                kept.append(module)
            else:
                errors.append(_error(module.path, "id", "duplicate_id", id=module.id, other=str(first.path)))
        result.append(stage if len(kept) == len(stage.modules) else stage.model_copy(update={"modules": kept}))
    return result, errors
