"""QA scorecards: named once, a new version on every edit, archived rather than deleted.

A scorecard's content is a rubric of the one rubric engine (`portal.quizzes.specs.RubricSpec`,
with N/A per item and the rubric's `critical_miss`), stored as JSON in `QaScorecardVersion.spec`.
An evaluation keeps the version it was scored with, so editing a scorecard never changes a
score already given. Files use the schema of `quizzes/rubrics/*.yaml` (one scorecard per file,
`<code>.yaml`, under `qa/scorecards/`); `validate_rubric` checks files and the builder alike and
names the field of each problem.
"""
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, func, select

from portal import audit, permissions
from portal.errors import NotFound, ValidationFailed
from portal.i18n import localized_field
from portal.models import QaScorecard, QaScorecardVersion, User
from portal.quizzes.specs import (
    SPEC_ID_PATTERN,
    RubricSpec,
    SpecFileError,
    validate_rubric,
)
from portal.roles import Actor

SCORECARDS_DIR = Path(__file__).resolve().parents[2] / "qa" / "scorecards"
AUTHOR = "qa:scorecards_author"
READ = "qa:evaluations_read"
"""Who may read scorecards: whoever writes, scores with, calibrates on or reads evaluations of them
(the roles of `qa:evaluations_read` include those of the other three: a test keeps it so)."""
READERS = (AUTHOR, "qa:evaluate", "qa:calibrate", READ)


@dataclass(frozen=True)
class ScorecardSummary:
    code: str
    title_en: str
    title_zh: str
    version: int
    version_id: int
    items: int
    archived: bool
    updated_at: datetime

    def title(self, language: str) -> str:
        return localized_field(self, "title", language)


@dataclass(frozen=True)
class ScorecardVersionInfo:
    version_id: int
    version: int
    author: str
    created_at: datetime
    spec: RubricSpec


# ----------------------------------------------------------------------------- files


def spec_from_yaml(text: str, path: Path | str = "") -> tuple[RubricSpec | None, list[SpecFileError]]:
    """A scorecard from its YAML text, or None and its problems by field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [SpecFileError(path, "", "quizspecs.error.yaml_syntax",
                                    {"line": mark.line + 1 if mark else 0,
                                     "problem": getattr(exc, "problem", None) or str(exc)})]
    if not isinstance(data, dict):
        return None, [SpecFileError(path, "", "quizspecs.error.expected_mapping", {"value": str(data)[:60]})]
    if "id" not in data and path:
        data = {"id": Path(path).stem, **data}
    return validate_rubric(data, path)


def spec_to_yaml(spec: RubricSpec) -> str:
    """The scorecard as a file (the rubric schema; defaults left out, Chinese kept readable)."""
    data = spec.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data.setdefault("critical_miss", spec.critical_miss)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def load_scorecard_files(directory: Path = SCORECARDS_DIR) -> tuple[dict[str, RubricSpec], list[SpecFileError]]:
    """Every `*.yaml` scorecard of `directory`; each bad file's problems instead of it."""
    specs: dict[str, RubricSpec] = {}
    errors: list[SpecFileError] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        spec, problems = spec_from_yaml(path.read_text(encoding="utf-8"), path)
        if spec is not None and spec.id != path.stem:
            problems = [SpecFileError(path, "id", "quizspecs.error.rubric_id_mismatch",
                                      {"id": spec.id, "file": path.stem})]
        if problems:
            errors.extend(problems)
        else:
            specs[spec.id] = spec
    return specs, errors


@permissions.permission(AUTHOR)
def sync_scorecard_files(session: Session, actor: Actor, directory: Path = SCORECARDS_DIR) -> int:
    """Load the files: a scorecard not yet in the database is created, one whose file differs from its
    current version gets a new version, an unchanged one is left alone. How many versions were made.

    Edits made in the builder are versions too, so a sync never loses them: the history keeps both.
    """
    specs, errors = load_scorecard_files(directory)
    if errors:
        raise ValidationFailed("qa.scorecards.error.bad_files", problems="; ".join(map(str, errors)))
    made = 0
    for spec in specs.values():
        before = _current_version_id(session, spec.id)
        if save_scorecard(session, actor, spec).id != before:
            made += 1
    return made


# ----------------------------------------------------------------------------- database


def _scorecard(session: Session, code: str) -> QaScorecard:
    card = session.exec(select(QaScorecard).where(QaScorecard.code == code)).first()
    if card is None:
        raise NotFound("qa.scorecards.error.not_found", code=code)
    return card


def _current_version_id(session: Session, code: str) -> int | None:
    return session.exec(select(QaScorecard.current_version_id).where(QaScorecard.code == code)).first()


@permissions.permission(AUTHOR)
def save_scorecard(session: Session, actor: Actor, spec: RubricSpec, *,
                   based_on_version_id: int | None = None, new: bool = False) -> QaScorecardVersion:
    """Create the scorecard `spec.id`, or give it a new version; an unchanged spec makes no version.

    `new` (the builder's "new scorecard"): a code already taken is refused, not given a version.

    `based_on_version_id` is the version the editor started from: when someone saved a newer
    one in between, the save is refused rather than silently overwriting their change.
    """
    spec, problems = validate_rubric(spec.model_dump(by_alias=True))
    if problems:
        raise ValidationFailed("qa.scorecards.error.invalid", problems="; ".join(f"{p.field}: {p.message}"
                                                                                 for p in problems))
    card = session.exec(select(QaScorecard).where(QaScorecard.code == spec.id)).first()
    if card is None:
        card = QaScorecard(code=spec.id, created_by=actor.id)
        session.add(card)
        session.flush()
    elif new:
        raise ValidationFailed("qa.rubric.error.code_taken", code=spec.id)
    elif based_on_version_id is not None and card.current_version_id != based_on_version_id:
        raise ValidationFailed("qa.scorecards.error.stale", code=spec.id)
    current = session.get(QaScorecardVersion, card.current_version_id) if card.current_version_id else None
    if current is not None and RubricSpec.model_validate_json(current.spec) == spec:
        return current
    number = (session.exec(select(func.max(QaScorecardVersion.version))
                           .where(QaScorecardVersion.scorecard_id == card.id)).one() or 0) + 1
    version = QaScorecardVersion(scorecard_id=card.id, version=number, created_by=actor.id,
                                 spec=spec.model_dump_json(by_alias=True))
    session.add(version)
    session.flush()
    card.current_version_id = version.id
    session.add(card)
    audit.record(session, actor_id=actor.id, action="qa_scorecard.saved", target=spec.id, version=number)
    return version


@permissions.permission(READ)
def list_scorecards(session: Session, actor: Actor, *, include_archived: bool = False) -> list[ScorecardSummary]:
    """The scorecards with their current version, by code."""
    query = (select(QaScorecard, QaScorecardVersion)
             .join(QaScorecardVersion, QaScorecardVersion.id == QaScorecard.current_version_id)
             .order_by(QaScorecard.code))
    if not include_archived:
        query = query.where(QaScorecard.archived.is_(False))
    out = []
    for card, version in session.exec(query).all():
        spec = RubricSpec.model_validate_json(version.spec)
        out.append(ScorecardSummary(card.code, spec.title.en, spec.title.zh_CN, version.version, version.id,
                                    sum(1 for _ in spec.items()), card.archived, version.created_at))
    return out


@permissions.permission(READ)
def current_spec(session: Session, actor: Actor, code: str) -> tuple[int, RubricSpec]:
    """(version id, rubric) of the scorecard's current version."""
    card = _scorecard(session, code)
    version = session.get(QaScorecardVersion, card.current_version_id)
    return version.id, RubricSpec.model_validate_json(version.spec)


@permissions.permission(READ)
def version_history(session: Session, actor: Actor, code: str) -> list[ScorecardVersionInfo]:
    """Every version of the scorecard, newest first, with who saved it."""
    card = _scorecard(session, code)
    rows = session.exec(select(QaScorecardVersion, User.display_name)
                        .join(User, User.id == QaScorecardVersion.created_by, isouter=True)
                        .where(QaScorecardVersion.scorecard_id == card.id)
                        .order_by(QaScorecardVersion.version.desc())).all()
    return [ScorecardVersionInfo(v.id, v.version, name or "", v.created_at, RubricSpec.model_validate_json(v.spec))
            for v, name in rows]


@permissions.permission(AUTHOR)
def set_archived(session: Session, actor: Actor, code: str, archived: bool = True) -> QaScorecard:
    """Archive (no new evaluations on it; evaluations already given keep it) or bring it back."""
    card = _scorecard(session, code)
    if card.archived != archived:
        card.archived = archived
        session.add(card)
        audit.record(session, actor_id=actor.id, action="qa_scorecard.archived" if archived
                     else "qa_scorecard.restored", target=code)
    return card


# ----------------------------------------------------------------------------- the builder's form

ITEM_COLUMNS = ("id", "text_en", "text_zh", "max_points", "critical", "critical_below", "allow_na")
"""The builder edits each section's items as rows of these fields."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")[:60]


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str)
                                                                                and not value.strip())


def _number(value):
    return None if _blank(value) else value


def _unique(wanted: str, fallback: str, taken: set[str]) -> str:
    base = wanted if wanted and re.match(SPEC_ID_PATTERN, wanted) else (wanted or fallback)
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def rubric_from_form(header: Mapping[str, Any], sections: list[Mapping[str, Any]]
                     ) -> tuple[RubricSpec | None, list[SpecFileError]]:
    """The rubric the builder's fields describe, or None and each problem by field.

    `header`: id, title_en, title_zh, description_en, description_zh, critical_miss; each of
    `sections`: id, title_en, title_zh, weight and `items`, rows with the fields of
    `ITEM_COLUMNS`. Blank rows are skipped; a blank section or item id is made from the
    English text (or "section-N" / "item-N"), so authors need not invent ids.
    """
    section_ids: set[str] = set()
    item_ids: set[str] = set()
    data_sections = []
    for s, section in enumerate(sections, start=1):
        items = []
        rows = [row for row in section.get("items", []) if not all(_blank(row.get(c)) for c in ITEM_COLUMNS
                                                                     if c not in ("critical", "allow_na"))]
        for i, row in enumerate(rows, start=1):
            item = {"id": _unique((row.get("id") or "").strip() if not _blank(row.get("id"))
                                  else _slug(row.get("text_en") or ""), f"item-{len(item_ids) + 1}", item_ids),
                    "text": {"en": row.get("text_en") or "", "zh-CN": row.get("text_zh") or ""},
                    "max_points": _number(row.get("max_points")),
                    "critical": bool(row.get("critical") or False), "allow_na": bool(row.get("allow_na") or False)}
            if item["max_points"] is None:
                del item["max_points"]
            below = _number(row.get("critical_below"))
            if below is not None:
                item["critical_below"] = below
            items.append(item)
        data_sections.append({
            "id": _unique((section.get("id") or "").strip() or _slug(section.get("title_en") or ""),
                          f"section-{s}", section_ids),
            "title": {"en": section.get("title_en") or "", "zh-CN": section.get("title_zh") or ""},
            **({"weight": _number(section.get("weight"))} if _number(section.get("weight")) is not None else {}),
            "items": items})
    data: dict[str, Any] = {
        "id": (header.get("id") or "").strip() or _slug(header.get("title_en") or ""),
        "title": {"en": header.get("title_en") or "", "zh-CN": header.get("title_zh") or ""},
        "critical_miss": header.get("critical_miss") or "fail_exam",
        "sections": data_sections}
    if not _blank(header.get("description_en")) or not _blank(header.get("description_zh")):
        data["description"] = {"en": header.get("description_en") or "", "zh-CN": header.get("description_zh") or ""}
    return validate_rubric(data)


def form_from_rubric(spec: RubricSpec | None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The builder's fields for `spec` (None: a new, one-section rubric with no items)."""
    if spec is None:
        return ({"id": "", "title_en": "", "title_zh": "", "description_en": "", "description_zh": "",
                 "critical_miss": "fail_exam"},
                [{"id": "", "title_en": "", "title_zh": "", "weight": 1.0, "items": []}])
    header = {"id": spec.id, "title_en": spec.title.en, "title_zh": spec.title.zh_CN,
              "description_en": spec.description.en if spec.description else "",
              "description_zh": spec.description.zh_CN if spec.description else "",
              "critical_miss": spec.critical_miss}
    sections = [{"id": section.id, "title_en": section.title.en, "title_zh": section.title.zh_CN,
                 "weight": float(section.weight),
                 "items": [{"id": item.id, "text_en": item.text.en, "text_zh": item.text.zh_CN,
                            "max_points": float(item.max_points), "critical": item.critical,
                            "critical_below": item.critical_below, "allow_na": item.allow_na}
                           for item in section.items]}
                for section in spec.sections]
    return header, sections
