"""The question bank: import, author, version, translate, list, export and serve questions.

A question is one `Question` row per language, linked across languages by
`idnumber`. Its content lives in `QuestionVersion`s: editing never changes a
version, it adds one. A version is a `draft` (never served), `published`
(the one learners get: `Question.current_version_id`) or `retired` (an
older published version, kept because attempts point at it).

Trainers and admins author, import and export; `permissions.SYSTEM` is the system
(CLI, seed loader). Serving (`serve_version`, `eligible_idnumbers`) needs no
actor: practice quizzes and exams call it for their takers.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import quote

import pandas as pd
from sqlalchemy import Row, func
from sqlmodel import Session, select

from portal import audit
from portal.errors import NotFound, ValidationFailed
from portal.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from portal.models import (
    Attempt,
    AttemptAnswer,
    Question,
    QuestionImage,
    QuestionTag,
    QuestionVersion,
    ReviewCard,
)
from portal.permissions import over_everyone, permission
from portal.quizzes.aiken import dump_aiken
from portal.quizzes.gift import canonical_question, dump_gift
from portal.quizzes.images import clean_image
from portal.quizzes.interchange import (
    DEFAULT_PENALTY,
    QTYPES,
    Answer,
    FormatProblem,
    QuestionData,
    QuestionFileError,
    SubQuestion,
    make_problem,
    problem_reason,  # noqa: F401 - bank.problem_reason / problem_text: how pages and tests name them
    problem_text,  # noqa: F401
)
from portal.quizzes.moodlexml import dump_moodlexml
from portal.roles import Actor

DRAFT, PUBLISHED, RETIRED = "draft", "published", "retired"
EXPORT_FORMATS = ("gift", "aiken", "moodlexml")
BANK = "questions:bank"
IMAGES = "questions:images"
BANK_COLUMNS = ["id", "idnumber", "language", "qtype", "category", "name", "tags", "version", "status",
                "has_draft", "versions", "translations", "archived", "updated_at"]


@dataclass(frozen=True)
class ImportResult:
    created: list[str] = field(default_factory=list)  # idnumbers of new questions
    updated: list[str] = field(default_factory=list)  # a new published version was added
    unchanged: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)


@dataclass(frozen=True)
class ExportResult:
    text: str
    count: int
    skipped: list[FormatProblem] = field(default_factory=list)  # questions the format cannot hold


@dataclass(frozen=True)
class QuestionDetail:
    question: Question
    tags: list[str]
    versions: list[QuestionVersion]  # newest first
    current: QuestionVersion | None  # the published one
    translations: dict[str, Question]  # other languages of the same idnumber

    @property
    def newest(self) -> QuestionVersion:
        return self.versions[0]

    def data(self, version: QuestionVersion | None = None) -> QuestionData:
        return question_data(self.question, version or self.newest, self.tags)




def _problem(line: int, key: str, **params) -> FormatProblem:
    return FormatProblem(line=line, key=key, params=params, message=translate(key, "en", **params))


# --- converting between the interchange model and the tables ---------------------------


def payload_of(data: QuestionData) -> dict:
    """What grading needs (`portal/quizzes/grading.py`): qtype, single, answers, subquestions;
    and Moodle's penalty when it is not the default (kept for Moodle XML)."""
    full = data.to_json_dict()
    return {key: full[key] for key in ("qtype", "single", "answers", "subquestions", "penalty") if key in full}


def question_data(question: Question, version: QuestionVersion, tags: Sequence[str],
                  images: dict[str, bytes] | None = None) -> QuestionData:
    payload = json.loads(version.payload or "{}")
    qtype = payload.get("qtype", question.qtype)
    return QuestionData(
        qtype=qtype,
        name=version.name,
        questiontext=version.questiontext,
        questiontextformat=version.questiontextformat,
        generalfeedback=version.generalfeedback,
        single=bool(payload.get("single", True)) if qtype == "multichoice" else None,
        answers=[Answer(str(a["text"]), float(a["fraction"]), a.get("feedback", ""),
                        float(a.get("tolerance") or 0.0) if qtype == "numerical" else None)
                 for a in payload.get("answers", [])],
        subquestions=[SubQuestion(s["question"], s["answer"]) for s in payload.get("subquestions", [])],
        category=question.category,
        tags=list(tags),
        idnumber=question.idnumber,
        defaultgrade=float(version.default_mark),
        penalty=float(payload.get("penalty", DEFAULT_PENALTY)),
        images=dict(images or {}),
    )


def _content(session: Session, version_or_data) -> str:
    """What makes two versions the same question (tags and category are not versioned)."""
    if isinstance(version_or_data, QuestionData):
        data = version_or_data
        fields = [data.name, data.questiontext, data.questiontextformat, data.generalfeedback, payload_of(data),
                  float(data.defaultgrade),
                  {name: hashlib.sha256(raw).hexdigest() for name, raw in data.images.items()}]
    else:
        v = version_or_data
        fields = [v.name, v.questiontext, v.questiontextformat, v.generalfeedback, json.loads(v.payload or "{}"),
                  float(v.default_mark), _image_hashes(session, v.id)]
    return json.dumps(fields, sort_keys=True, ensure_ascii=False)


def auto_idnumber(data: QuestionData) -> str:
    """A stable idnumber for a question imported without one (e.g. from Aiken)."""
    digest = hashlib.sha1(f"{data.category}\n{data.name}\n{data.questiontext}".encode()).hexdigest()[:12]
    return f"Q-{digest}"


def validate_question(data: QuestionData) -> QuestionData:
    """The question in canonical form, or QuestionFileError listing what is wrong with it.

    A question must be writable as GIFT and read back unchanged: that is the
    same rule a question file follows, so the form and the files agree.
    """
    problems: list[FormatProblem] = []
    if data.qtype not in QTYPES:
        problems.append(_problem(data.line, "quizbank.error.unknown_qtype", qtype=data.qtype))
    if not data.questiontext.strip():
        problems.append(_problem(data.line, "quizbank.error.empty_questiontext"))
    if len(data.idnumber) > 100:
        problems.append(_problem(data.line, "quizbank.error.idnumber_too_long", idnumber=data.idnumber[:40]))
    if any(len(tag) > 60 for tag in data.tags):
        problems.append(_problem(data.line, "quizbank.error.tag_too_long"))
    problems.extend(_shape_problems(data))
    if not problems:
        try:
            dump_gift([data])
        except QuestionFileError as error:
            problems = error.problems
    if problems:
        raise QuestionFileError(problems, "quizbank.edit.invalid", with_lines=False)
    return canonical_question(data)


def _shape_problems(data: QuestionData) -> list[FormatProblem]:
    """Missing answers, said plainly (before GIFT's own reading of the question would say it less clearly)."""
    answers, pairs = len(data.answers), len([s for s in data.subquestions if s.question.strip()])
    if data.qtype == "multichoice" and answers < 2:
        return [make_problem(data.line, "interchange.error.too_few_answers", count=answers)]
    if data.qtype in ("shortanswer", "numerical") and answers == 0:
        return [make_problem(data.line, "interchange.error.no_answers")]
    if data.qtype == "match" and pairs < 2:
        return [make_problem(data.line, "interchange.error.match_too_few_pairs", count=pairs)]
    return []


# --- writing -------------------------------------------------------------------------


def _check_language(language: str) -> None:
    if language not in LANGUAGES:
        raise ValidationFailed("quizbank.error.unknown_language", language=language)


@permission(BANK)
def import_questions(session: Session, actor: Actor, questions: Sequence[QuestionData],
                     language: str = DEFAULT_LANGUAGE, *, file_name: str | None = None) -> ImportResult:
    """Save parsed questions, all or nothing.

    A new idnumber becomes a new question; a known one gets a new published
    version only when its content changed (tags and category are updated in
    place). Any problem raises QuestionFileError before anything is written (naming `file_name`).
    """
    _check_language(language)
    clean = _checked_for_import(questions, file_name)
    existing = {q.idnumber: q for q in session.exec(
        select(Question).where(Question.language == language,
                               Question.idnumber.in_([data.idnumber for data in clean]))).all()}
    created, updated, unchanged = [], [], []
    for data in clean:
        question = existing.get(data.idnumber)
        if question is None:
            _new_question(session, actor, data, language, publish=True)
            created.append(data.idnumber)
            continue
        changed_meta = _update_meta(session, question, data)
        current = session.get(QuestionVersion, question.current_version_id) if question.current_version_id else None
        if current is None or _content(session, current) != _content(session, data):
            _add_version(session, actor, question, data, publish=True)
            updated.append(data.idnumber)
        elif changed_meta:
            updated.append(data.idnumber)
        else:
            unchanged.append(data.idnumber)
    if created or updated:
        audit.record(session, actor_id=actor.id, action="questions.imported",
                     target=language, created=len(created), updated=len(updated))
    return ImportResult(created, updated, unchanged)


def _checked_for_import(questions: Sequence[QuestionData], file_name: str | None) -> list[QuestionData]:
    """The questions in canonical form, each with an idnumber; any problem (with its line) rejects them all."""
    problems: list[FormatProblem] = []
    clean: list[QuestionData] = []
    seen: dict[str, int] = {}
    for data in questions:
        try:
            canonical = validate_question(data)
        except QuestionFileError as error:
            problems.extend(error.problems)
            continue
        canonical = replace(canonical, idnumber=canonical.idnumber or auto_idnumber(canonical), line=data.line)
        if canonical.idnumber in seen:
            problems.append(_problem(data.line, "quizbank.error.duplicate_idnumber", idnumber=canonical.idnumber,
                                     first=seen[canonical.idnumber]))
            continue
        seen[canonical.idnumber] = data.line
        clean.append(canonical)
    if problems:
        raise QuestionFileError(problems, "quizbank.import.rejected" if file_name else None, file=file_name)
    return clean


def _new_question(session: Session, actor: Actor, data: QuestionData, language: str,
                  publish: bool) -> QuestionVersion:
    question = Question(idnumber=data.idnumber, language=language, qtype=data.qtype, category=data.category,
                        created_by=actor.id)
    session.add(question)
    session.flush()
    _set_tags(session, question, data.tags)
    return _add_version(session, actor, question, data, publish)


def _update_meta(session: Session, question: Question, data: QuestionData) -> bool:
    changed = question.category != data.category or question.qtype != data.qtype
    question.category = data.category
    question.qtype = data.qtype
    session.add(question)
    return _set_tags(session, question, data.tags) or changed


def _set_tags(session: Session, question: Question, tags: Iterable[str]) -> bool:
    wanted = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
    rows = session.exec(select(QuestionTag).where(QuestionTag.question_id == question.id)).all()
    if sorted(r.tag for r in rows) == sorted(wanted):
        return False
    for row in rows:
        session.delete(row)
    session.flush()
    for tag in wanted:
        session.add(QuestionTag(question_id=question.id, tag=tag))
    session.flush()
    return True


def _add_version(session: Session, actor: Actor, question: Question, data: QuestionData,
                 publish: bool) -> QuestionVersion:
    number = (session.exec(select(func.max(QuestionVersion.version))
                           .where(QuestionVersion.question_id == question.id)).one() or 0) + 1
    version = QuestionVersion(question_id=question.id, version=number, status=DRAFT, name=data.name,
                              questiontext=data.questiontext, questiontextformat=data.questiontextformat,
                              generalfeedback=data.generalfeedback,
                              payload=json.dumps(payload_of(data), ensure_ascii=False),
                              default_mark=float(data.defaultgrade), created_by=actor.id)
    session.add(version)
    session.flush()
    _save_images(session, version, data.images)
    if publish:
        _publish(session, question, version)
    return version


# --- images ----------------------------------------------------------------------------------


def _save_images(session: Session, version: QuestionVersion, images: dict[str, bytes]) -> None:
    """Keep a version's images, cleaned (again: a service caller may hand in anything)."""
    for name, raw in sorted(images.items()):
        image = clean_image(name, raw)
        session.add(QuestionImage(question_version_id=version.id, name=image.name, mime_type=image.mime_type,
                                  sha256=image.sha256, size=len(image.data), width=image.width,
                                  height=image.height, data=image.data))
    session.flush()


def _image_hashes(session: Session, version_id: int | None) -> dict[str, str]:
    return dict(session.exec(select(QuestionImage.name, QuestionImage.sha256)
                             .where(QuestionImage.question_version_id == version_id)).all())


def _images_of(session: Session, version_id: int | None) -> dict[str, bytes]:
    return dict(session.exec(select(QuestionImage.name, QuestionImage.data)
                             .where(QuestionImage.question_version_id == version_id)).all())


def _with_inherited_images(session: Session, data: QuestionData, version_id: int | None) -> QuestionData:
    """An edit made in the form carries no files: it keeps those of `version_id` that its texts still show."""
    if data.images or version_id is None:
        return data
    shown = " ".join([data.questiontext, data.generalfeedback, *(a.text for a in data.answers),
                      *(a.feedback for a in data.answers), *(s.question for s in data.subquestions)])
    kept = {name: raw for name, raw in _images_of(session, version_id).items()
            if f"@@PLUGINFILE@@/{name}" in shown or f"@@PLUGINFILE@@/{quote(name)}" in shown}
    return replace(data, images=kept)


def _may_see_version(session: Session, actor: Actor, version_id: int) -> bool:
    """Learners see the images of versions served to them: in one of their attempts, or due in their reviews."""
    in_attempt = session.exec(select(AttemptAnswer.id).join(Attempt, Attempt.id == AttemptAnswer.attempt_id)
                              .where(AttemptAnswer.question_version_id == version_id,
                                     Attempt.user_id == actor.id).limit(1)).first()
    if in_attempt is not None:
        return True
    reviewed = session.exec(select(Question.id).join(ReviewCard, ReviewCard.idnumber == Question.idnumber)
                            .where(Question.current_version_id == version_id, ReviewCard.user_id == actor.id,
                                   Question.archived == False).limit(1)).first()  # noqa: E712
    return reviewed is not None


@permission(IMAGES)
def question_images(session: Session, actor: Actor, version_id: int) -> dict[str, QuestionImage]:
    """The images of a question version by name, for people allowed to see that question.

    The question bank's people (trainers, admins) see every version; a learner only a version
    served to them. Anyone else gets NotFound, the same answer as for a version that does not
    exist, so ids cannot be probed.
    """
    if not over_everyone(actor, IMAGES) and not _may_see_version(session, actor, version_id):
        raise NotFound("moodlexml.image.not_found")
    rows = session.exec(select(QuestionImage).where(QuestionImage.question_version_id == version_id)).all()
    return {row.name: row for row in rows}


def _publish(session: Session, question: Question, version: QuestionVersion) -> None:
    if question.current_version_id and question.current_version_id != version.id:
        previous = session.get(QuestionVersion, question.current_version_id)
        if previous is not None and previous.status == PUBLISHED:
            previous.status = RETIRED
            session.add(previous)
    version.status = PUBLISHED
    question.current_version_id = version.id
    session.add_all([version, question])
    session.flush()


@permission(BANK)
def create_question(session: Session, actor: Actor, data: QuestionData,
                    language: str = DEFAULT_LANGUAGE, *, publish: bool = True) -> QuestionVersion:
    """A new question (version 1), published or kept as a draft."""
    _check_language(language)
    data = validate_question(data)
    if not data.idnumber:
        raise ValidationFailed("quizbank.error.idnumber_required")
    if _find(session, data.idnumber, language) is not None:
        raise ValidationFailed("quizbank.error.idnumber_taken", idnumber=data.idnumber, language=language)
    version = _new_question(session, actor, data, language, publish)
    audit.record(session, actor_id=actor.id, action="question.created",
                 target=f"{data.idnumber}/{language}", status=version.status)
    return version


@permission(BANK)
def create_translation(session: Session, actor: Actor, question_id: int, language: str,
                       data: QuestionData, *, publish: bool = True) -> QuestionVersion:
    """The same question (same idnumber) in another language."""
    source = _get(session, question_id)
    if language == source.language:
        raise ValidationFailed("quizbank.error.same_language")
    data = _with_inherited_images(session, data, source.current_version_id or _newest_version_id(session, source))
    return create_question(session, actor, replace(data, idnumber=source.idnumber), language, publish=publish)


def _newest_version_id(session: Session, question: Question) -> int | None:
    return session.exec(select(QuestionVersion.id).where(QuestionVersion.question_id == question.id)
                        .order_by(QuestionVersion.version.desc()).limit(1)).first()


@permission(BANK)
def save_version(session: Session, actor: Actor, question_id: int, data: QuestionData, *,
                 publish: bool) -> QuestionVersion:
    """An edit: always a new version. `publish=False` keeps it as a draft (never served)."""
    question = _get(session, question_id)
    data = replace(validate_question(data), idnumber=question.idnumber)
    data = _with_inherited_images(session, data, _newest_version_id(session, question))
    _update_meta(session, question, data)
    version = _add_version(session, actor, question, data, publish)
    audit.record(session, actor_id=actor.id, action="question.edited",
                 target=f"{question.idnumber}/{question.language}", version=version.version, status=version.status)
    return version


@permission(BANK)
def publish_version(session: Session, actor: Actor, version_id: int) -> QuestionVersion:
    """Make a draft (or an older version) the one learners get."""
    version = session.get(QuestionVersion, version_id)
    if version is None:
        raise NotFound("quizbank.error.no_such_version")
    question = _get(session, version.question_id)
    _publish(session, question, version)
    audit.record(session, actor_id=actor.id, action="question.published",
                 target=f"{question.idnumber}/{question.language}", version=version.version)
    return version


@permission(BANK)
def archive_question(session: Session, actor: Actor, question_id: int, archived: bool = True) -> Question:
    """Archived questions are hidden from the bank and never served; their versions stay."""
    question = _get(session, question_id)
    question.archived = archived
    session.add(question)
    audit.record(session, actor_id=actor.id,
                 action="question.archived" if archived else "question.restored",
                 target=f"{question.idnumber}/{question.language}")
    return question


# --- reading -------------------------------------------------------------------------


def _find(session: Session, idnumber: str, language: str) -> Question | None:
    return session.exec(select(Question).where(Question.idnumber == idnumber,
                                               Question.language == language)).first()


def _get(session: Session, question_id: int) -> Question:
    question = session.get(Question, question_id)
    if question is None:
        raise NotFound("quizbank.error.no_such_question")
    return question


def _tags(session: Session, question_id: int) -> list[str]:
    return list(session.exec(select(QuestionTag.tag).where(QuestionTag.question_id == question_id)
                             .order_by(QuestionTag.tag)).all())


@permission(BANK)
def get_question(session: Session, actor: Actor, question_id: int) -> QuestionDetail:
    question = _get(session, question_id)
    versions = list(session.exec(select(QuestionVersion).where(QuestionVersion.question_id == question.id)
                                 .order_by(QuestionVersion.version.desc())).all())
    current = next((v for v in versions if v.id == question.current_version_id), None)
    others = session.exec(select(Question).where(Question.idnumber == question.idnumber,
                                                 Question.language != question.language)).all()
    return QuestionDetail(question, _tags(session, question.id), versions, current,
                          {q.language: q for q in others})


@permission(BANK)
def find_question_id(session: Session, actor: Actor, idnumber: str, language: str) -> int | None:
    question = _find(session, idnumber, language)
    return question.id if question else None


@permission(BANK)
def version_history(session: Session, actor: Actor, question_id: int) -> pd.DataFrame:
    detail = get_question(session, actor, question_id)
    rows = [{"version_id": v.id, "version": v.version, "status": v.status, "name": v.name,
             "created_at": v.created_at} for v in detail.versions]
    return pd.DataFrame(rows, columns=["version_id", "version", "status", "name", "created_at"])


@permission(BANK)
def list_questions(session: Session, actor: Actor, *, search: str = "", tags: Sequence[str] = (),
                   category: str = "", qtype: str = "", language: str = "",
                   include_archived: bool = False) -> pd.DataFrame:
    """The bank as a table (one row per question and language), filtered.

    `search` looks in idnumber, name and question text of the newest
    version; `tags` keeps questions carrying any of them; `category` keeps
    that category and the ones below it.
    """
    filters = _bank_filters(category, qtype, language, include_archived)
    # plain columns, not ORM objects: a bank has hundreds of questions, and versions carry big text and JSON
    questions = session.exec(select(Question.id, Question.idnumber, Question.language, Question.qtype,
                                    Question.category, Question.current_version_id, Question.archived,
                                    Question.created_at)
                             .where(*filters).order_by(Question.idnumber, Question.language)).all()
    if not questions:
        return pd.DataFrame(columns=BANK_COLUMNS)
    listed = select(Question.id).where(*filters)  # a subquery, not hundreds of bound ids
    tag_map = _tags_of(session, listed)
    wanted_tags = {t.strip() for t in tags if t.strip()}
    needle = search.strip().casefold()
    versions = _versions_of(session, listed, with_text=bool(needle))
    languages = _languages_by_idnumber(session)
    rows = []
    for question in questions:
        question_tags = tag_map.get(question.id, [])
        if wanted_tags and not wanted_tags & set(question_tags):
            continue
        history = versions.get(question.id, [])
        if needle and not _found_in(needle, question, _shown_version(question, history)):
            continue
        rows.append(_bank_row(question, history, question_tags, languages))
    return pd.DataFrame(rows, columns=BANK_COLUMNS)


def _tags_of(session: Session, listed) -> dict[int, list[str]]:
    tag_map: dict[int, list[str]] = {}
    for question_id, tag in session.exec(select(QuestionTag.question_id, QuestionTag.tag)
                                         .where(QuestionTag.question_id.in_(listed)).order_by(QuestionTag.tag)):
        tag_map.setdefault(question_id, []).append(tag)
    return tag_map


def _versions_of(session: Session, listed, *, with_text: bool) -> dict[int, list[Row]]:
    """Each listed question's versions, newest first; with their text only for a search (the big column)."""
    columns = [QuestionVersion.id, QuestionVersion.question_id, QuestionVersion.version, QuestionVersion.status,
               QuestionVersion.name, QuestionVersion.created_at]
    if with_text:
        columns.append(QuestionVersion.questiontext)
    versions: dict[int, list[Row]] = {}
    for version in session.exec(select(*columns).where(QuestionVersion.question_id.in_(listed))
                                .order_by(QuestionVersion.version.desc())):
        versions.setdefault(version.question_id, []).append(version)
    return versions


def _languages_by_idnumber(session: Session) -> dict[str, list[str]]:
    languages: dict[str, list[str]] = {}
    for idnumber, lang in session.exec(select(Question.idnumber, Question.language)):
        languages.setdefault(idnumber, []).append(lang)
    return languages


def _found_in(needle: str, question: Row, shown: Row | None) -> bool:
    """The search looks in the idnumber, and the name and text of the version shown."""
    return any(needle in (text or "").casefold() for text in
               (question.idnumber, shown.name if shown else "", shown.questiontext if shown else ""))


def _current_version(question: Row, history: list[Row]) -> Row | None:
    return next((v for v in history if v.id == question.current_version_id), None)


def _shown_version(question: Row, history: list[Row]) -> Row | None:
    """The version a line of the bank shows: the published one, else the newest draft."""
    return _current_version(question, history) or (history[0] if history else None)


def _bank_row(question: Row, history: list[Row], question_tags: list[str], languages: dict[str, list[str]]) -> dict:
    """One line of the bank table (`history`: the question's versions, newest first)."""
    newest = history[0] if history else None
    current = _current_version(question, history)
    shown = current or newest
    return {
        "id": question.id, "idnumber": question.idnumber, "language": question.language,
        "qtype": question.qtype, "category": question.category, "name": shown.name if shown else "",
        "tags": ", ".join(question_tags), "version": current.version if current else None,
        "status": PUBLISHED if current else DRAFT,
        "has_draft": bool(newest and newest.status == DRAFT),
        "versions": len(history),
        "translations": ", ".join(sorted(lang for lang in languages.get(question.idnumber, [])
                                         if lang != question.language)),
        "archived": question.archived, "updated_at": newest.created_at if newest else question.created_at,
    }


def _bank_filters(category: str, qtype: str, language: str, include_archived: bool) -> list:
    filters = [] if include_archived else [Question.archived == False]  # noqa: E712
    if qtype:
        filters.append(Question.qtype == qtype)
    if language:
        filters.append(Question.language == language)
    if category:
        filters.append((Question.category == category) | Question.category.startswith(category + "/"))
    return filters


def facet_counts(bank: pd.DataFrame) -> dict[str, pd.Series]:
    """How many questions per type, language, top-level category and tag (for the filters)."""
    if bank.empty:
        return {"qtype": pd.Series(dtype=int), "language": pd.Series(dtype=int),
                "category": pd.Series(dtype=int), "tag": pd.Series(dtype=int)}
    tags = bank["tags"].str.split(", ").explode()
    return {
        "qtype": bank["qtype"].value_counts(),
        "language": bank["language"].value_counts(),
        "category": bank["category"].str.split("/").str[0].replace("", "-").value_counts(),
        "tag": tags[tags != ""].value_counts(),
    }


def all_tags(session: Session) -> list[str]:
    return list(session.exec(select(QuestionTag.tag).distinct().order_by(QuestionTag.tag)).all())


def all_categories(session: Session) -> list[str]:
    return list(session.exec(select(Question.category).distinct().order_by(Question.category)).all())


# --- export --------------------------------------------------------------------------


@permission(BANK)
def export_questions(session: Session, actor: Actor, fmt: str = "gift", *, tag: str | None = None,
                     language: str = DEFAULT_LANGUAGE) -> ExportResult:
    """The published questions of `language` (carrying `tag`, if given) as a GIFT, Aiken or Moodle XML file.

    Questions the format cannot hold (Aiken takes only single-answer
    multiple choice and true/false) are left out and listed in `skipped`.
    """
    if fmt not in EXPORT_FORMATS:
        raise ValidationFailed("quizbank.error.unknown_format", format=fmt)
    _check_language(language)
    query = (select(Question, QuestionVersion)
             .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
             .where(Question.language == language, Question.archived == False)  # noqa: E712
             .order_by(Question.category, Question.idnumber))
    if tag:
        query = query.where(Question.id.in_(select(QuestionTag.question_id).where(QuestionTag.tag == tag)))
    questions = [replace(question_data(q, v, _tags(session, q.id), _images_of(session, v.id) if fmt == "moodlexml"
                                       else None), line=n)
                 for n, (q, v) in enumerate(session.exec(query).all(), start=1)]
    dump = {"gift": dump_gift, "aiken": dump_aiken, "moodlexml": dump_moodlexml}[fmt]
    skipped: list[FormatProblem] = []
    while True:
        try:
            return ExportResult(dump(questions), len(questions), skipped)
        except QuestionFileError as error:
            bad = {p.line for p in error.problems}
            skipped.extend(error.problems)
            questions = [q for q in questions if q.line not in bad]


# --- serving -------------------------------------------------------------------------


def serve_version(session: Session, idnumber: str, language: str) -> QuestionVersion | None:
    """The published version a learner gets: in `language`, else in English; None if neither.

    Drafts, retired versions and archived questions are never served.
    """
    for lang in dict.fromkeys([language, DEFAULT_LANGUAGE]):
        row = session.exec(select(QuestionVersion)
                           .join(Question, Question.current_version_id == QuestionVersion.id)
                           .where(Question.idnumber == idnumber, Question.language == lang,
                                  Question.archived == False,  # noqa: E712
                                  QuestionVersion.status == PUBLISHED)).first()
        if row is not None:
            return row
    return None


def idnumber_tags(session: Session) -> dict[str, set[str]]:
    """Tags per idnumber, over all languages of the question."""
    tags: dict[str, set[str]] = {}
    for idnumber, tag in session.exec(select(Question.idnumber, QuestionTag.tag)
                                      .join(QuestionTag, QuestionTag.question_id == Question.id)).all():
        tags.setdefault(idnumber, set()).add(tag)
    return tags


def eligible_idnumbers(session: Session, tags: Sequence[str], *, match: str = "any",
                       exclude_tags: Sequence[str] = (), exclude_qtypes: Sequence[str] = ()) -> list[str]:
    """Idnumbers that can be served (a published, unarchived version) and fit the tag filter."""
    servable = session.exec(select(Question.idnumber, Question.qtype)
                            .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
                            .where(Question.archived == False,  # noqa: E712
                                   QuestionVersion.status == PUBLISHED)).all()
    by_tag = idnumber_tags(session)
    wanted, unwanted = set(tags), set(exclude_tags)
    chosen = set()
    for idnumber, qtype in servable:
        have = by_tag.get(idnumber, set())
        if qtype in exclude_qtypes or have & unwanted:
            continue
        if (match == "all" and wanted <= have) or (match != "all" and wanted & have):
            chosen.add(idnumber)
    return sorted(chosen)


def has_tag(session: Session, idnumber: str, tag: str) -> bool:
    return session.exec(select(QuestionTag.tag).join(Question, Question.id == QuestionTag.question_id)
                        .where(Question.idnumber == idnumber, QuestionTag.tag == tag)).first() is not None

