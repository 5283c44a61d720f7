"""The monthly quality focus (质检重点): a few items QA wants every agent to get right this month.

A QA analyst or trainer (`qa:focus_publish`) writes the month's items (a title in English
and Chinese, the scorecard items it is about, the course modules and quiz tags that teach
it) and publishes the month. A published month is read-only: changing it afterwards is an
explicit republish, recorded in the audit log with what changed. Everyone who reads the QA
dashboard sees the published items and each one's pass rate by month; a trainer sees which
modules and practice quizzes to assign for each item.
"""
import json
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, select

from portal import audit, permissions
from portal.clock import utcnow
from portal.errors import NotFound, ValidationFailed
from portal.i18n import localized_field
from portal.models import Exam, QaFocusItem, QaScorecard, QuestionTag
from portal.qa import dashboards
from portal.qa.scoring import scorecard_spec
from portal.roles import Actor

PUBLISH = "qa:focus_publish"
READ = dashboards.ACTION  # the dashboard's readers (every writer among them) read the published items
TITLE_MAX = 200
LIST_MAX = 500  # the columns' length, comma-separated


@dataclass(frozen=True)
class FocusDraft:
    month: str  # YYYY-MM
    title_en: str
    title_zh: str
    scorecard_item_ids: tuple[str, ...] = ()
    module_codes: tuple[str, ...] = ()
    quiz_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class FocusItemView:
    id: int
    month: str
    title_en: str
    title_zh: str
    scorecard_item_ids: tuple[str, ...]
    module_codes: tuple[str, ...]
    quiz_tags: tuple[str, ...]
    published_at: datetime | None

    def title(self, language: str) -> str:
        return localized_field(self, "title", language)


@dataclass(frozen=True)
class Assignment:
    """What a trainer may assign for one focus item: course modules and practice quizzes (id, title en, title zh)."""

    focus: FocusItemView
    modules: tuple[tuple[str, str, str], ...] = ()
    quizzes: tuple[tuple[str, str, str, int], ...] = ()  # code, titles, questions carrying the tags
    missing_modules: tuple[str, ...] = field(default=())


def _split(value: str) -> tuple[str, ...]:
    return tuple(part for part in value.split(",") if part)


def _view(row: QaFocusItem) -> FocusItemView:
    return FocusItemView(row.id, row.month, row.title_en, row.title_zh, _split(row.scorecard_item_ids),
                         _split(row.module_codes), _split(row.quiz_tags), row.published_at)




def _check_month(month: str) -> str:
    try:
        dashboards.month_of(month)
    except ValidationFailed:
        raise ValidationFailed("qa.focus.error.month", month=str(month)) from None
    return month


@permissions.permission(READ)
def focus_items(session: Session, actor: Actor, month: str) -> list[FocusItemView]:
    """The month's focus items; drafts (not yet published) only for those who write them."""
    writer = permissions.allowed_at_all(actor, PUBLISH)
    query = select(QaFocusItem).where(QaFocusItem.month == _check_month(month)).order_by(QaFocusItem.id)
    if not writer:
        query = query.where(QaFocusItem.published_at.is_not(None))
    return [_view(row) for row in session.exec(query)]


def is_published(session: Session, month: str) -> bool:
    return session.exec(select(QaFocusItem.id).where(QaFocusItem.month == month,
                                                     QaFocusItem.published_at.is_not(None))).first() is not None


# --- choices for the form ----------------------------------------------------------------

@permissions.permission(PUBLISH)
def scorecard_items(session: Session, actor: Actor) -> pd.DataFrame:
    """Every item of the current scorecards (item_id, scorecard_en/zh, item_en/zh), for linking."""
    rows = session.exec(select(QaScorecard.current_version_id).where(QaScorecard.archived.is_(False),
                                                                     QaScorecard.current_version_id.is_not(None))
                        .order_by(QaScorecard.code)).all()
    found = {}
    for version_id in rows:
        spec = scorecard_spec(session, version_id)
        for _, item in spec.items():
            found.setdefault(item.id, (item.id, spec.title.en, spec.title.zh_CN, item.text.en, item.text.zh_CN))
    return pd.DataFrame(list(found.values()), columns=["item_id", "scorecard_en", "scorecard_zh", "item_en", "item_zh"])


def course_modules() -> dict[str, tuple[str, str]]:
    """Module code -> (title en, title zh) of the onboarding programme (portal/courses.py)."""
    from portal.onboarding.programme import current_programme

    return {m.id: (m.title.en, m.title.zh_cn) for m in current_programme().modules}


def quiz_tags(session: Session) -> list[str]:
    """Every tag the question bank uses, for linking."""
    return list(session.exec(select(QuestionTag.tag).distinct().order_by(QuestionTag.tag)))


# --- writing -----------------------------------------------------------------------------

def _validate(session: Session, draft: FocusDraft) -> None:
    _check_month(draft.month)
    for field_, value in (("title_en", draft.title_en), ("title_zh", draft.title_zh)):
        if not value.strip():
            raise ValidationFailed(f"qa.focus.error.{field_}_required")
        if len(value.strip()) > TITLE_MAX:
            raise ValidationFailed("qa.focus.error.title_too_long", limit=TITLE_MAX)
    if not (draft.scorecard_item_ids or draft.module_codes or draft.quiz_tags):
        raise ValidationFailed("qa.focus.error.no_links")
    for values in (draft.scorecard_item_ids, draft.module_codes, draft.quiz_tags):
        if len(",".join(values)) > LIST_MAX:
            raise ValidationFailed("qa.focus.error.too_many_links")
    known_items = set(scorecard_items_ids(session))
    unknown = [i for i in draft.scorecard_item_ids if i not in known_items]
    if unknown:
        raise ValidationFailed("qa.focus.error.unknown_item", items=", ".join(unknown))
    modules = course_modules()
    unknown = [code for code in draft.module_codes if code not in modules]
    if unknown:
        raise ValidationFailed("qa.focus.error.unknown_module", modules=", ".join(unknown))
    tags = set(session.exec(select(QuestionTag.tag).where(QuestionTag.tag.in_(draft.quiz_tags)).distinct()))
    unknown = [tag for tag in draft.quiz_tags if tag not in tags]
    if unknown:
        raise ValidationFailed("qa.focus.error.unknown_tag", tags=", ".join(unknown))


def scorecard_items_ids(session: Session) -> list[str]:
    ids = []
    for version_id in session.exec(select(QaScorecard.current_version_id)
                                   .where(QaScorecard.current_version_id.is_not(None))):
        ids.extend(item.id for _, item in scorecard_spec(session, version_id).items())
    return ids


def _same_title(session: Session, draft: FocusDraft, other_than: int | None):
    query = select(QaFocusItem).where(QaFocusItem.month == draft.month,
                                      func.lower(QaFocusItem.title_en) == draft.title_en.strip().lower())
    if other_than is not None:
        query = query.where(QaFocusItem.id != other_than)
    return session.exec(query).first()


def _fill(row: QaFocusItem, draft: FocusDraft) -> None:
    row.title_en, row.title_zh = draft.title_en.strip(), draft.title_zh.strip()
    row.scorecard_item_ids = ",".join(dict.fromkeys(draft.scorecard_item_ids))
    row.module_codes = ",".join(dict.fromkeys(draft.module_codes))
    row.quiz_tags = ",".join(dict.fromkeys(draft.quiz_tags))


@permissions.permission(PUBLISH)
def save_item(session: Session, actor: Actor, draft: FocusDraft, item_id: int | None = None, *,
              republish: bool = False) -> int:
    """Add a focus item to a month (or change item `item_id`); returns its id.

    The same title twice in a month is one item: sending the form again (a double click, a
    reload) returns the item already saved when nothing differs, and is refused otherwise.
    A published month changes only with `republish` (audited with the old and new text).
    """
    _validate(session, draft)
    row = None
    if item_id is not None:
        row = session.get(QaFocusItem, item_id)
        if row is None or row.month != draft.month:
            raise NotFound()
    same = _same_title(session, draft, item_id)
    if same is not None:
        if row is None and _view(same) == _view(_preview(same, draft)):
            return same.id  # the same item sent again
        raise ValidationFailed("qa.focus.error.duplicate_title", title=draft.title_en.strip())
    published = is_published(session, draft.month)
    if published and not republish:
        raise ValidationFailed("qa.focus.error.published", month=draft.month)
    before = None if row is None else _record(_view(row))
    if row is None:
        row = QaFocusItem(month=draft.month, title_en="", title_zh="", created_by=actor.id)
    _fill(row, draft)
    if published:
        row.published_at = utcnow()
    session.add(row)
    session.flush()
    if published:
        audit.record(session, actor_id=actor.id, action="qa_focus.republished", target=draft.month,
                     item_id=row.id, before=before, after=_record(_view(row)))
    else:
        audit.record(session, actor_id=actor.id, action="qa_focus.saved", target=draft.month, item_id=row.id)
    return row.id


def _preview(row: QaFocusItem, draft: FocusDraft) -> QaFocusItem:
    copy = QaFocusItem(id=row.id, month=row.month, title_en="", title_zh="", published_at=row.published_at)
    _fill(copy, draft)
    return copy


def _record(view: FocusItemView) -> dict:
    return json.loads(json.dumps({"title_en": view.title_en, "title_zh": view.title_zh,
                                  "scorecard_item_ids": view.scorecard_item_ids, "module_codes": view.module_codes,
                                  "quiz_tags": view.quiz_tags}, ensure_ascii=False))


@permissions.permission(PUBLISH)
def delete_item(session: Session, actor: Actor, item_id: int) -> None:
    """Remove a draft item (a published month's items stay: they are what agents were told)."""
    row = session.get(QaFocusItem, item_id)
    if row is None:
        raise NotFound()
    if is_published(session, row.month):
        raise ValidationFailed("qa.focus.error.published", month=row.month)
    session.delete(row)
    audit.record(session, actor_id=actor.id, action="qa_focus.deleted", target=row.month, item_id=item_id,
                 title=row.title_en)


@permissions.permission(PUBLISH)
def publish_month(session: Session, actor: Actor, month: str) -> int:
    """Publish the month's items; returns how many. Publishing again changes nothing."""
    rows = session.exec(select(QaFocusItem).where(QaFocusItem.month == _check_month(month))).all()
    if not rows:
        raise ValidationFailed("qa.focus.error.nothing_to_publish", month=month)
    drafts = [row for row in rows if row.published_at is None]
    if not drafts:
        return len(rows)
    now = utcnow()
    for row in drafts:
        row.published_at = now
        session.add(row)
    audit.record(session, actor_id=actor.id, action="qa_focus.published", target=month, items=len(rows))
    return len(rows)


# --- reading: pass rates and what to assign ---------------------------------------------------

@permissions.permission(READ)
def pass_rates(session: Session, actor: Actor, team_id: int, months: list[str]) -> pd.DataFrame:
    """Per published focus item of `months` and per month: linked items scored, passed, and the pass rate.

    A focus kept for several months (same title and items) shows once, as of its newest month.

    From the dashboard's grouped item outcomes (scope and cost as there): an item passes when it gets
    its maximum; N/A is left out.
    """
    outcomes = dashboards.item_outcomes(session, actor, team_id, months)
    rows = session.exec(select(QaFocusItem).where(QaFocusItem.month.in_(months),
                                                  QaFocusItem.published_at.is_not(None))
                        .order_by(QaFocusItem.month, QaFocusItem.id)).all()
    columns = ["focus_month", "focus_en", "focus_zh", "month", "scored", "passed", "pass_rate"]
    newest = {(row.title_en.lower(), row.scorecard_item_ids): row for row in rows}  # a focus kept month after month
    out = []
    for row in newest.values():
        linked = outcomes[outcomes["item_id"].isin(_split(row.scorecard_item_ids))]
        by_month = linked.groupby("month")[["scored", "failed"]].sum()
        for month in sorted(months):
            scored = int(by_month["scored"].get(month, 0))
            passed = scored - int(by_month["failed"].get(month, 0))
            out.append((row.month, row.title_en, row.title_zh, month, scored, passed,
                        round(passed / scored, 4) if scored else None))
    return pd.DataFrame(out, columns=columns).astype({"pass_rate": float})


@permissions.permission(PUBLISH)
def assignments(session: Session, actor: Actor, month: str) -> list[Assignment]:
    """For each of the month's focus items: the linked course modules (titles from the programme) and the
    practice quizzes that draw questions carrying its quiz tags (with how many such questions)."""
    modules = course_modules()
    found = []
    for item in focus_items(session, actor, month):
        linked = tuple((code, *modules[code]) for code in item.module_codes if code in modules)
        missing = tuple(code for code in item.module_codes if code not in modules)
        found.append(Assignment(item, linked, _quizzes_for_tags(session, item.quiz_tags), missing))
    return found


def _quizzes_for_tags(session: Session, tags: tuple[str, ...]) -> tuple[tuple[str, str, str, int], ...]:
    """Practice quizzes whose pool (any of its tags) draws at least one question carrying one of `tags`."""
    if not tags:
        return ()
    tagged = select(QuestionTag.question_id).where(QuestionTag.tag.in_(tags))
    pool_tags = dict(session.exec(select(QuestionTag.tag, func.count(QuestionTag.question_id.distinct()))
                                  .where(QuestionTag.question_id.in_(tagged)).group_by(QuestionTag.tag)).all())
    quizzes = []
    for code, title_en, title_zh, pool in session.exec(select(Exam.code, Exam.title_en, Exam.title_zh, Exam.pool_tags)
                                                       .where(Exam.kind == "practice", Exam.status != "archived")
                                                       .order_by(Exam.code)):
        drawn = set(json.loads(pool or "[]")) & set(pool_tags)
        if drawn:
            questions = session.exec(select(func.count(QuestionTag.question_id.distinct()))
                                     .where(QuestionTag.question_id.in_(tagged),
                                            QuestionTag.question_id.in_(select(QuestionTag.question_id)
                                                                        .where(QuestionTag.tag.in_(drawn))))).one()
            quizzes.append((code, title_en, title_zh, int(questions)))
    return tuple(quizzes)
