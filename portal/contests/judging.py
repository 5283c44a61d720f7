"""Scenario contests: a panel of named judges marks each contestant on the contest's rubric, blind.

A judge's sheet starts blank and may be saved as a draft; once submitted it is final. A judge never sees another
judge's marks for a contestant until they have submitted their own sheet for that contestant; an organiser sees
every judge's score and the spread between them (highest minus lowest), except, when the organiser judges too,
for the contestants they have not marked yet. A contestant's score is the median of the submitted sheets.
"""
import json
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlmodel import Session, select

from portal import audit
from portal.clock import utcnow
from portal.contests.board import PersonResult
from portal.contests.setup import get_contest, judge_ids
from portal.errors import NotFound, PermissionDenied, ValidationFailed
from portal.i18n import localized_field
from portal.models import Contest, ContestJudge, ContestMark, ContestMember, ContestScenario, Rubric, User
from portal.permissions import permission
from portal.quizzes.specs import NA, RubricSpec
from portal.roles import Actor


def contest_rubric(session: Session, contest: Contest) -> RubricSpec:
    rubric = session.get(Rubric, contest.rubric_id) if contest.rubric_id else None
    if rubric is None:
        raise ValidationFailed("contests.error.rubric_required")
    return RubricSpec.model_validate(json.loads(rubric.spec))


def _submitted(session: Session, contest_id: int) -> list[ContestMark]:
    return list(session.exec(select(ContestMark).where(ContestMark.contest_id == contest_id,
                                                       ContestMark.submitted_at.is_not(None))).all())


def spread(scores: list[float]) -> float | None:
    return max(scores) - min(scores) if scores else None


def scenario_people(session: Session, contest: Contest) -> list[PersonResult]:
    """Each contestant's median of the submitted sheets (rounds_taken = sheets submitted; 0: not scored yet)."""
    scores: dict[int, list[float]] = {}
    for mark in _submitted(session, contest.id):
        scores.setdefault(mark.contestant_id, []).append(mark.percent)
    members = session.exec(select(ContestMember.user_id, ContestMember.team_id)
                           .where(ContestMember.contest_id == contest.id)).all()
    return [PersonResult(user_id, team_id, median(scores[user_id]) if user_id in scores else 0.0, 0.0,
                         len(scores.get(user_id, []))) for user_id, team_id in members]


def _require_judge(session: Session, actor: Actor, contest: Contest) -> None:
    if contest.kind != "scenario" or actor.id not in judge_ids(session, contest.id):
        raise PermissionDenied("contests.error.not_a_judge")


@dataclass(frozen=True)
class Contestant:
    user_id: int
    name: str
    scenario_number: int
    scenario_title: str
    my_status: str  # blank | draft | submitted


@permission("contests:judge")
def judging_queue(session: Session, actor: Actor, language: str | None = None) -> list[tuple[Contest, list[Contestant]]]:
    """The scenario contests the actor judges (running first) with their contestants and the actor's sheet state."""
    contests = session.exec(select(Contest).where(Contest.kind == "scenario", Contest.status != "draft",
                                                  Contest.id.in_(select(ContestJudge.contest_id)
                                                                 .where(ContestJudge.user_id == actor.id)))
                            .order_by(Contest.status.desc(), Contest.starts_at.desc())).all()
    out = []
    for contest in contests:
        mine = {m.contestant_id: ("submitted" if m.submitted_at else "draft") for m in session.exec(
            select(ContestMark).where(ContestMark.contest_id == contest.id, ContestMark.judge_id == actor.id)).all()}
        rows = session.exec(select(ContestMember.user_id, User.display_name, ContestScenario)
                            .join(User, User.id == ContestMember.user_id)
                            .join(ContestScenario, ContestScenario.id == ContestMember.scenario_id)
                            .where(ContestMember.contest_id == contest.id)
                            .order_by(ContestScenario.number, User.display_name)).all()
        out.append((contest, [Contestant(user_id, name, scenario.number, localized_field(scenario, "title", language),
                                         mine.get(user_id, "blank")) for user_id, name, scenario in rows]))
    return out



@dataclass(frozen=True)
class Sheet:
    contest_id: int
    contestant_id: int
    contestant_name: str
    scenario: ContestScenario
    rubric: RubricSpec
    marks: dict  # the judge's own: item id -> points (absent: not marked)
    comments: dict
    submitted: bool
    percent: float | None
    others: list[tuple[str, float]]  # other judges' submitted scores: only once this judge has submitted
    contest_open: bool


def _member(session: Session, contest: Contest, contestant_id: int) -> ContestMember:
    member = session.get(ContestMember, (contest.id, contestant_id))
    if member is None or member.scenario_id is None:
        raise NotFound("contests.error.no_such_contestant", contestant=contestant_id)
    return member


def _mark(session: Session, contest_id: int, contestant_id: int, judge_id: int) -> ContestMark | None:
    return session.exec(select(ContestMark).where(ContestMark.contest_id == contest_id,
                                                  ContestMark.contestant_id == contestant_id,
                                                  ContestMark.judge_id == judge_id)).first()


@permission("contests:judge")
def judge_sheet(session: Session, actor: Actor, contest_id: int, contestant_id: int) -> Sheet:
    """The actor's own sheet for a contestant (blank until they mark it); the other judges' scores only once
    the actor has submitted theirs."""
    contest = get_contest(session, contest_id)
    _require_judge(session, actor, contest)
    member = _member(session, contest, contestant_id)
    own = _mark(session, contest.id, contestant_id, actor.id)
    submitted = own is not None and own.submitted_at is not None
    others = []
    if submitted:
        others = [(name, mark.percent) for mark, name in session.exec(
            select(ContestMark, User.display_name).join(User, User.id == ContestMark.judge_id)
            .where(ContestMark.contest_id == contest.id, ContestMark.contestant_id == contestant_id,
                   ContestMark.judge_id != actor.id, ContestMark.submitted_at.is_not(None))
            .order_by(User.display_name)).all()]
    return Sheet(contest.id, contestant_id, session.get(User, contestant_id).display_name,
                 session.get(ContestScenario, member.scenario_id), contest_rubric(session, contest),
                 json.loads(own.marks) if own else {}, json.loads(own.comments) if own else {}, submitted,
                 own.percent if submitted else None, others, contest.status == "running")


@permission("contests:judge")
def save_sheet(session: Session, actor: Actor, contest_id: int, contestant_id: int, marks: dict, comments: dict, *,
               submit: bool, now: datetime | None = None) -> ContestMark:
    """Save the actor's sheet as a draft, or submit it (every item marked; then final). Submitting a sheet
    already submitted with the same marks (a double click) changes nothing; different marks are refused."""
    contest = get_contest(session, contest_id)
    _require_judge(session, actor, contest)
    _member(session, contest, contestant_id)
    if contest.status != "running":
        raise ValidationFailed("contests.error.not_running")
    spec = contest_rubric(session, contest)
    marks = {k: v for k, v in (marks or {}).items() if v is not None}
    if any(v == NA for v in marks.values()):
        raise ValidationFailed("contests.error.no_na")
    own = _mark(session, contest.id, contestant_id, actor.id)
    if own is not None and own.submitted_at is not None:
        if submit and json.loads(own.marks) == marks:
            return own
        raise ValidationFailed("contests.error.sheet_final")
    try:
        result = spec.score({k: float(v) for k, v in marks.items()}) if submit else None
    except ValueError:
        raise ValidationFailed("contests.error.bad_marks") from None
    if submit and (missing := spec.unscored_items(marks)):
        raise ValidationFailed("contests.error.sheet_incomplete", items=", ".join(str(n) for n, _ in missing))
    own = own or ContestMark(contest_id=contest.id, contestant_id=contestant_id, judge_id=actor.id)
    own.marks = json.dumps(marks)
    own.comments = json.dumps({k: v.strip() for k, v in (comments or {}).items() if v and v.strip()},
                              ensure_ascii=False)
    own.updated_at = now or utcnow()
    if submit:
        own.percent, own.submitted_at = round(result.percent, 4), now or utcnow()
    session.add(own)
    session.flush()
    if submit:
        audit.record(session, actor_id=actor.id, action="contest.sheet_submitted", target=contest.title_en,
                     contest=contest.id, contestant=contestant_id)
    return own


@dataclass(frozen=True)
class ScenarioResult:
    user_id: int
    name: str
    team_id: int
    scenario_number: int
    judges: list[tuple[str, float]]  # submitted scores, by judge name
    waiting_for: int  # judges yet to submit
    median: float | None
    spread: float | None
    hidden: bool  # the organiser judges this contestant and has not submitted yet


@permission("contests:organise")
def scenario_results(session: Session, actor: Actor, contest_id: int) -> list[ScenarioResult]:
    """Every contestant with each judge's score, the median and the spread between judges (organisers)."""
    contest = get_contest(session, contest_id)
    if contest.kind != "scenario":
        raise ValidationFailed("contests.error.not_scenario")
    judges = judge_ids(session, contest.id)
    names = dict(session.exec(select(User.id, User.display_name).where(User.id.in_(judges))).all())
    marks: dict[int, list[ContestMark]] = {}
    for mark in _submitted(session, contest.id):
        marks.setdefault(mark.contestant_id, []).append(mark)
    rows = session.exec(select(ContestMember, User.display_name, ContestScenario.number)
                        .join(User, User.id == ContestMember.user_id)
                        .join(ContestScenario, ContestScenario.id == ContestMember.scenario_id)
                        .where(ContestMember.contest_id == contest.id)
                        .order_by(ContestScenario.number, User.display_name)).all()
    out = []
    for member, name, number in rows:
        sheets = marks.get(member.user_id, [])
        hidden = actor.id in judges and not any(m.judge_id == actor.id for m in sheets)
        scores = [m.percent for m in sheets]
        out.append(ScenarioResult(
            member.user_id, name, member.team_id, number,
            [] if hidden else sorted((names.get(m.judge_id, ""), m.percent) for m in sheets),
            len(judges) - len(sheets), None if hidden or not scores else median(scores),
            None if hidden else spread(scores), hidden))
    return out
