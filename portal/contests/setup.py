"""Setting up, correcting, deleting, starting and closing a contest (trainers).

A knowledge contest's rounds are exams of kind "contest": the exam engine keeps their clock, attempts and
answers; the contest's window is each round's open and close dates. When the contest starts, the learners of
each team taking part are written down (`ContestMember`): they are the people the share is counted over.
A scenario contest names its contestants (each with the scenario they play) and its judges.

A draft can be corrected (`open_draft`, then `update_contest` with the same rules as `create_contest`) or deleted
with everything made with it (`delete_contest`); once started it can be neither.
"""
import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, delete, func, select

from portal import audit
from portal.clock import center_day_start, center_time, local_date, utcnow
from portal.contests import rewards
from portal.errors import NotFound, ValidationFailed
from portal.i18n import localized_field
from portal.models import (Attempt, Contest, ContestJudge, ContestMember, ContestRound, ContestScenario,
                           ContestTeam, Exam, ExamCohort, ExamSlot, Rubric, Team, User, UserRole)
from portal.permissions import permission
from portal.roles import LEARNERS, Actor
from portal.submissions import checked_key, earlier_submission

KINDS = ("knowledge", "scenario")
MAX_ROUND_MINUTES = 180
MAX_ATTEMPTS = 10


def last_day(ends_at: datetime) -> date:
    """A contest's last day in the center's zone: its `ends_at` is the start of the day after (the form
    stores the day after the last day chosen), so the day before is shown, not the end instant's."""
    return local_date(ends_at - timedelta(seconds=1))


def ends_after(last: date) -> datetime:
    """`ends_at` for a contest whose last day is `last`: the start of the next day in the center's zone."""
    return center_day_start(last + timedelta(days=1))


@dataclass
class MixEntry:
    """`count` questions carrying every one of `tags` (a topic, and a difficulty tag when wanted)."""

    tags: list[str]
    count: int


@dataclass
class RoundSettings:
    time_limit_minutes: int
    mix: list[MixEntry]


@dataclass
class ScenarioBrief:
    title_en: str
    title_zh: str
    caller_en: str
    caller_zh: str
    problem_en: str
    problem_zh: str
    good_en: str
    good_zh: str


@dataclass
class ContestSettings:
    kind: str
    title_en: str
    title_zh: str
    starts_at: datetime
    ends_at: datetime
    team_ids: list[int]
    participation_share: float = 0.6
    attempts_per_round: int = 1
    rounds: list[RoundSettings] = field(default_factory=list)
    rubric_code: str | None = None
    scenarios: list[ScenarioBrief] = field(default_factory=list)
    judge_ids: list[int] = field(default_factory=list)
    contestants: dict[int, int] = field(default_factory=dict)  # user id -> scenario number (1-based)


def contest_title(contest, language: str | None) -> str:
    return localized_field(contest, "title", language)


def get_contest_or_none(session: Session, contest_id: int) -> Contest | None:
    return session.get(Contest, int(contest_id)) if str(contest_id).isdigit() else None


def get_contest(session: Session, contest_id: int) -> Contest:
    contest = get_contest_or_none(session, contest_id)
    if contest is None:
        raise NotFound("contests.error.no_such_contest", contest=contest_id)
    return contest


def contest_team_ids(session: Session, contest_id: int) -> list[int]:
    return sorted(session.exec(select(ContestTeam.team_id).where(ContestTeam.contest_id == contest_id)).all())


def contest_rounds(session: Session, contest_id: int) -> list[ContestRound]:
    return list(session.exec(select(ContestRound).where(ContestRound.contest_id == contest_id)
                             .order_by(ContestRound.number)).all())


def contest_scenarios(session: Session, contest_id: int) -> list[ContestScenario]:
    return list(session.exec(select(ContestScenario).where(ContestScenario.contest_id == contest_id)
                             .order_by(ContestScenario.number)).all())


def judge_ids(session: Session, contest_id: int) -> list[int]:
    return sorted(session.exec(select(ContestJudge.user_id).where(ContestJudge.contest_id == contest_id)).all())


def team_names(session: Session, team_ids) -> dict[int, str]:
    return dict(session.exec(select(Team.id, Team.name).where(Team.id.in_(list(team_ids)))).all())


# ----------------------------------------------------------------- creating


@permission("contests:organise")
def create_contest(session: Session, actor: Actor, settings: ContestSettings, *,
                   submission_key: str | None = None) -> Contest:
    """A new contest, in draft until started. The same form sent twice (its `submission_key`) creates one."""
    submission_key = checked_key(submission_key)
    if already := earlier_submission(session, Contest, submission_key, owner_id=actor.id, owner="created_by"):
        return already
    rubric_id = _validate(session, settings)
    contest = Contest(kind=settings.kind, created_by=actor.id, submission_key=submission_key,
                      **_contest_fields(settings, rubric_id))
    session.add(contest)
    session.flush()
    _add_teams(session, contest, settings)
    if settings.kind == "knowledge":
        for number, round_ in enumerate(settings.rounds, start=1):
            _add_round(session, contest, number, round_, actor)
    else:
        _add_scenarios(session, contest, settings)
    audit.record(session, actor_id=actor.id, action="contest.created", target=contest.title_en, contest=contest.id)
    return contest


def _contest_fields(s: ContestSettings, rubric_id: int | None) -> dict:
    """The contest's own columns as the set-up form gives them (created or edited alike)."""
    return dict(title_en=s.title_en, title_zh=s.title_zh, starts_at=s.starts_at, ends_at=s.ends_at,
                participation_share=float(s.participation_share), attempts_per_round=int(s.attempts_per_round),
                rubric_id=rubric_id)


def _add_teams(session: Session, contest: Contest, s: ContestSettings) -> None:
    for team_id in sorted(set(s.team_ids)):
        session.add(ContestTeam(contest_id=contest.id, team_id=team_id))


def _validate(session: Session, s: ContestSettings) -> int | None:
    s.title_en, s.title_zh = (s.title_en or "").strip(), (s.title_zh or "").strip()
    if s.kind not in KINDS:
        raise ValidationFailed("contests.error.bad_kind", kind=s.kind)
    if not s.title_en or not s.title_zh:
        raise ValidationFailed("contests.error.title_required")
    if not s.starts_at or not s.ends_at or s.starts_at >= s.ends_at:
        raise ValidationFailed("contests.error.ends_before_start")
    s.team_ids, s.judge_ids = sorted(set(s.team_ids)), sorted(set(s.judge_ids))
    teams = set(s.team_ids)
    if len(teams) < 2:
        raise ValidationFailed("contests.error.two_teams")
    if teams - set(session.exec(select(Team.id)).all()):
        raise ValidationFailed("contests.error.no_such_team")
    if not 0 < float(s.participation_share) <= 1:
        raise ValidationFailed("contests.error.bad_share")
    if s.kind == "knowledge":
        _validate_rounds(session, s)
        return None
    return _validate_scenarios(session, s)


def _validate_rounds(session: Session, s: ContestSettings) -> None:
    from portal.contests.rounds import contest_bank, draw_paper

    if not 1 <= int(s.attempts_per_round) <= MAX_ATTEMPTS:
        raise ValidationFailed("contests.error.bad_attempts", maximum=MAX_ATTEMPTS)
    if not s.rounds:
        raise ValidationFailed("contests.error.rounds_required")
    bank = contest_bank(session)
    for number, round_ in enumerate(s.rounds, start=1):
        if not 1 <= int(round_.time_limit_minutes or 0) <= MAX_ROUND_MINUTES:
            raise ValidationFailed("contests.error.bad_time_limit", round=number, maximum=MAX_ROUND_MINUTES)
        round_.mix = [MixEntry(tags=sorted({t.strip().lower() for t in e.tags if t and t.strip()}), count=int(e.count))
                      for e in round_.mix if int(e.count or 0) > 0]
        if not round_.mix or any(not e.tags for e in round_.mix):
            raise ValidationFailed("contests.error.mix_required", round=number)
        draw_paper(bank, round_.mix, seed="check", round_number=number)  # refuses a mix the pool cannot fill


def _validate_scenarios(session: Session, s: ContestSettings) -> int:
    rubric_id = session.exec(select(Rubric.id).where(Rubric.code == (s.rubric_code or ""))).first()
    if rubric_id is None:
        raise ValidationFailed("contests.error.rubric_required")
    if not s.scenarios:
        raise ValidationFailed("contests.error.scenarios_required")
    for number, brief in enumerate(s.scenarios, start=1):
        for name in ("title", "caller", "problem", "good"):
            for language in ("en", "zh"):
                value = (getattr(brief, f"{name}_{language}") or "").strip()
                if not value:
                    raise ValidationFailed("contests.error.brief_incomplete", scenario=number)
                setattr(brief, f"{name}_{language}", value)
    if len(set(s.judge_ids)) < 2:
        raise ValidationFailed("contests.error.two_judges")
    if not s.contestants:
        raise ValidationFailed("contests.error.contestants_required")
    if set(s.judge_ids) & set(s.contestants):
        raise ValidationFailed("contests.error.judge_contestant")
    if any(not 1 <= int(n) <= len(s.scenarios) for n in s.contestants.values()):
        raise ValidationFailed("contests.error.no_such_scenario")
    teams = dict(session.exec(select(User.id, User.team_id).where(User.id.in_(list(s.contestants)))).all())
    if any(teams.get(user_id) not in s.team_ids for user_id in s.contestants):
        raise ValidationFailed("contests.error.contestant_not_in_team")
    known = set(session.exec(select(User.id).where(User.id.in_(list(s.judge_ids)), User.active.is_(True))).all())
    if known != set(s.judge_ids):
        raise ValidationFailed("contests.error.no_such_judge")
    return rubric_id


def _round_exam_fields(contest: Contest, number: int, round_: RoundSettings) -> dict:
    """What a round's exam takes from its contest and its settings (set when created, and on every edit)."""
    return dict(title_en=f"{contest.title_en} · round {number}", title_zh=f"{contest.title_zh} · 第 {number} 轮",
                time_limit_minutes=int(round_.time_limit_minutes), attempts_allowed=contest.attempts_per_round,
                open_at=contest.starts_at, close_at=contest.ends_at)


def _round_mix_json(round_: RoundSettings) -> str:
    return json.dumps([{"tags": e.tags, "count": e.count} for e in round_.mix])


def _add_round(session: Session, contest: Contest, number: int, round_: RoundSettings, actor: Actor) -> None:
    exam = Exam(code=f"contest-{contest.id}-round-{number}", kind="contest", status="draft", pass_mark=0.0,
                grading="highest", shuffle_answers=True, review_marks="immediately", review_answers="after_close",
                created_by=actor.id, **_round_exam_fields(contest, number, round_))
    session.add(exam)
    session.flush()
    session.add(ContestRound(contest_id=contest.id, number=number, exam_id=exam.id, mix=_round_mix_json(round_)))


def _add_scenarios(session: Session, contest: Contest, s: ContestSettings) -> None:
    scenario_ids = []
    for number, brief in enumerate(s.scenarios, start=1):
        scenario = ContestScenario(contest_id=contest.id, number=number, **vars(brief))
        session.add(scenario)
        session.flush()
        scenario_ids.append(scenario.id)
    for user_id in sorted(set(s.judge_ids)):
        session.add(ContestJudge(contest_id=contest.id, user_id=user_id))
    teams = dict(session.exec(select(User.id, User.team_id).where(User.id.in_(list(s.contestants)))).all())
    for user_id, number in sorted(s.contestants.items()):
        session.add(ContestMember(contest_id=contest.id, user_id=user_id, team_id=teams[user_id],
                                  scenario_id=scenario_ids[int(number) - 1]))


# ----------------------------------------------------------------- correcting and deleting a draft


@dataclass(frozen=True)
class DraftContest:
    """A draft as saved, to fill the edit form; hand `version` back to `update_contest`."""

    contest_id: int
    settings: ContestSettings
    version: str


def _require_draft(contest: Contest) -> None:
    if contest.status != "draft":
        raise ValidationFailed("contests.error.not_a_draft")


BRIEF_FIELDS = tuple(ScenarioBrief.__dataclass_fields__)


def _saved_settings(session: Session, contest: Contest) -> ContestSettings:
    """The settings a contest stands at, in the shape the set-up form sends them."""
    from portal.contests.rounds import round_mix

    common = dict(kind=contest.kind, title_en=contest.title_en, title_zh=contest.title_zh,
                  starts_at=contest.starts_at, ends_at=contest.ends_at, team_ids=contest_team_ids(session, contest.id),
                  participation_share=contest.participation_share, attempts_per_round=contest.attempts_per_round)
    if contest.kind == "knowledge":
        limits = dict(session.exec(select(ContestRound.number, Exam.time_limit_minutes)
                                   .join(Exam, Exam.id == ContestRound.exam_id)
                                   .where(ContestRound.contest_id == contest.id)).all())
        return ContestSettings(**common, rounds=[RoundSettings(limits[r.number], round_mix(r))
                                                 for r in contest_rounds(session, contest.id)])
    scenarios = contest_scenarios(session, contest.id)
    numbers = {scenario.id: scenario.number for scenario in scenarios}
    playing = session.exec(select(ContestMember.user_id, ContestMember.scenario_id)
                           .where(ContestMember.contest_id == contest.id)).all()
    rubric = session.get(Rubric, contest.rubric_id) if contest.rubric_id else None
    return ContestSettings(**common, rubric_code=rubric.code if rubric else None,
                           scenarios=[ScenarioBrief(**{name: getattr(s, name) for name in BRIEF_FIELDS})
                                      for s in scenarios],
                           judge_ids=judge_ids(session, contest.id),
                           contestants={user_id: numbers[scenario_id] for user_id, scenario_id in sorted(playing)})


def settings_version(settings: ContestSettings) -> str:
    """A fingerprint of what a draft stands at: any save in between gives another (as `save_rubric`'s `based_on`,
    without a column to keep)."""
    text = json.dumps(asdict(settings), sort_keys=True, default=_stable_text, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _stable_text(value) -> str:
    """A time as the same UTC text however it was read (SQLite hands some back naive, a form in the center's zone)."""
    if isinstance(value, datetime):
        return center_time(value).astimezone(UTC).isoformat()
    return str(value)


def _locked_draft(session: Session, contest_id: int) -> Contest | None:
    """The draft, its row locked until the transaction ends (two editors, or an edit and a start, go one after
    the other); None when there is no such contest (any more); refused once started."""
    contest = get_contest_or_none(session, contest_id)
    if contest is not None:
        contest = session.get(Contest, contest.id, with_for_update=True, populate_existing=True)
    if contest is not None:
        _require_draft(contest)
    return contest


@permission("contests:organise")
def open_draft(session: Session, actor: Actor, contest_id: int) -> DraftContest:
    """A draft's settings to edit, with the version the edit must be based on. A started contest is refused."""
    contest = get_contest(session, contest_id)
    _require_draft(contest)
    settings = _saved_settings(session, contest)
    return DraftContest(contest.id, settings, settings_version(settings))


@permission("contests:organise")
def update_contest(session: Session, actor: Actor, contest_id: int, settings: ContestSettings, *,
                   version: str) -> Contest:
    """Save a corrected draft with the rules of `create_contest`: the contest, its teams, and its rounds (their
    exams) or its scenarios, panel and contestants, in the caller's one transaction.

    Refused when the contest has started or closed, and when it was saved differently since the editor opened it
    (`version`, from `open_draft`): the editor reloads rather than overwriting someone else's change. Settings
    the draft already stands at change nothing (a second click's run comes with the first one's version)."""
    contest = _locked_draft(session, contest_id) or get_contest(session, contest_id)  # the latter: NotFound
    if settings.kind != contest.kind:
        raise ValidationFailed("contests.error.bad_kind", kind=settings.kind)
    rubric_id = _validate(session, settings)
    standing = settings_version(_saved_settings(session, contest))
    if standing == settings_version(settings):
        return contest  # nothing to change: sent untouched, or sent again by a second click
    if standing != version:
        raise ValidationFailed("contests.error.changed_since_opened")
    for name, value in _contest_fields(settings, rubric_id).items():
        setattr(contest, name, value)
    session.add(contest)
    session.exec(delete(ContestTeam).where(ContestTeam.contest_id == contest.id))
    _add_teams(session, contest, settings)
    if contest.kind == "knowledge":
        _replace_rounds(session, contest, settings, actor)
    else:
        _delete_scenarios(session, contest.id)
        _add_scenarios(session, contest, settings)
    session.flush()
    audit.record(session, actor_id=actor.id, action="contest.edited", target=contest.title_en, contest=contest.id)
    return contest


def _replace_rounds(session: Session, contest: Contest, s: ContestSettings, actor: Actor) -> None:
    """Rounds kept are updated in place (their exams too), new ones added, those no longer wanted deleted."""
    kept = {round_.number: round_ for round_ in contest_rounds(session, contest.id)}
    for number, wanted in enumerate(s.rounds, start=1):
        if number not in kept:
            _add_round(session, contest, number, wanted, actor)
            continue
        round_, exam = kept[number], session.get(Exam, kept[number].exam_id)
        for name, value in _round_exam_fields(contest, number, wanted).items():
            setattr(exam, name, value)
        round_.mix = _round_mix_json(wanted)
        session.add_all([exam, round_])
    _delete_rounds(session, contest.id, after=len(s.rounds))


def _delete_rounds(session: Session, contest_id: int, *, after: int = 0) -> None:
    """A draft's rounds numbered above `after`, with their exams (a draft's exams have no attempts yet)."""
    exam_ids = list(session.exec(select(ContestRound.exam_id).where(ContestRound.contest_id == contest_id,
                                                                    ContestRound.number > after)).all())
    if not exam_ids:
        return
    if session.exec(select(Attempt.id).where(Attempt.exam_id.in_(exam_ids))).first() is not None:
        raise ValidationFailed("contests.error.not_a_draft")  # a round someone sat is never deleted
    session.exec(delete(ContestRound).where(ContestRound.contest_id == contest_id, ContestRound.number > after))
    session.exec(delete(ExamSlot).where(ExamSlot.exam_id.in_(exam_ids)))
    session.exec(delete(ExamCohort).where(ExamCohort.exam_id.in_(exam_ids)))
    session.exec(delete(Exam).where(Exam.id.in_(exam_ids)))


def _delete_scenarios(session: Session, contest_id: int) -> None:
    """A scenario draft's contestants, judges and briefs (no sheet is marked before the contest starts)."""
    session.exec(delete(ContestMember).where(ContestMember.contest_id == contest_id))
    session.exec(delete(ContestJudge).where(ContestJudge.contest_id == contest_id))
    session.exec(delete(ContestScenario).where(ContestScenario.contest_id == contest_id))


@permission("contests:organise")
def delete_contest(session: Session, actor: Actor, contest_id: int) -> bool:
    """Delete a draft with everything made with it: its teams, its rounds and their exams, or its scenarios,
    panel and contestants. True when deleted; a contest already gone (a second click) changes nothing: False.
    A started or closed contest is refused."""
    contest = _locked_draft(session, contest_id)
    if contest is None:
        return False
    audit.record(session, actor_id=actor.id, action="contest.deleted", target=contest.title_en, contest=contest.id,
                 kind=contest.kind, title_zh=contest.title_zh)
    _delete_rounds(session, contest.id)
    _delete_scenarios(session, contest.id)
    session.exec(delete(ContestTeam).where(ContestTeam.contest_id == contest.id))
    session.delete(contest)
    session.flush()
    return True


# ----------------------------------------------------------------- running and closing


def team_learners(session: Session, team_ids) -> list[tuple[int, int]]:
    """(user id, team id) of the active learners of the teams: who a knowledge contest counts."""
    return list(session.exec(
        select(User.id, User.team_id).join(UserRole, UserRole.user_id == User.id)
        .where(User.team_id.in_(list(team_ids)), User.active.is_(True),
               UserRole.role.in_([r.value for r in LEARNERS])).distinct().order_by(User.id)).all())


@permission("contests:organise")
def start_contest(session: Session, actor: Actor, contest_id: int) -> Contest:
    """Open a draft contest: its rounds are published and the people of its teams written down.
    Starting one already running changes nothing (a double click)."""
    contest = get_contest(session, contest_id)
    if contest.status == "running":
        return contest
    if contest.status != "draft":
        raise ValidationFailed("contests.error.already_closed")
    if contest.kind == "knowledge":
        for user_id, team_id in team_learners(session, contest_team_ids(session, contest.id)):
            session.add(ContestMember(contest_id=contest.id, user_id=user_id, team_id=team_id))
        for round_ in contest_rounds(session, contest.id):
            exam = session.get(Exam, round_.exam_id)
            exam.status = "published"
            session.add(exam)
    contest.status = "running"
    session.add(contest)
    session.flush()
    audit.record(session, actor_id=actor.id, action="contest.started", target=contest.title_en, contest=contest.id)
    return contest


@permission("contests:organise")
def close_contest(session: Session, actor: Actor, contest_id: int, *, now: datetime | None = None) -> Contest:
    """Close a running contest: attempts still open are graded with the answers saved so far, the rounds shut,
    and the winners rewarded (`rewards.reward_winners`). Closing one already closed changes nothing."""
    from portal.contests.board import winners
    from portal.quizzes.attempts import grade_attempt

    now = now or utcnow()
    contest = get_contest(session, contest_id)
    if contest.status == "closed":
        return contest
    if contest.status != "running":
        raise ValidationFailed("contests.error.not_running")
    for round_ in contest_rounds(session, contest.id):
        exam = session.get(Exam, round_.exam_id)
        for attempt in session.exec(select(Attempt).where(Attempt.exam_id == exam.id,
                                                          Attempt.status == "in_progress")).all():
            grade_attempt(session, attempt, exam, submitted_at=min(now, attempt.deadline_at or now))
        exam.close_at = min(exam.close_at or now, now)
        session.add(exam)
    contest.status, contest.closed_at = "closed", now
    session.add(contest)
    session.flush()
    rewards.reward_winners(session, contest, winners(session, contest))
    audit.record(session, actor_id=actor.id, action="contest.closed", target=contest.title_en, contest=contest.id)
    return contest


@dataclass(frozen=True)
class ContestSummary:
    contest_id: int
    kind: str
    title_en: str
    title_zh: str
    status: str
    starts_at: datetime
    ends_at: datetime
    teams: list[str]
    members: int

    def title(self, language: str | None) -> str:
        return contest_title(self, language)


def summaries(session: Session, contests: list[Contest]) -> list[ContestSummary]:
    ids = [c.id for c in contests]
    teams: dict[int, list[str]] = {}
    for contest_id, name in session.exec(select(ContestTeam.contest_id, Team.name)
                                         .join(Team, Team.id == ContestTeam.team_id)
                                         .where(ContestTeam.contest_id.in_(ids)).order_by(Team.name)).all():
        teams.setdefault(contest_id, []).append(name)
    members = dict(session.exec(select(ContestMember.contest_id, func.count()).where(ContestMember.contest_id.in_(ids))
                                .group_by(ContestMember.contest_id)).all())
    return [ContestSummary(c.id, c.kind, c.title_en, c.title_zh, c.status, c.starts_at, c.ends_at,
                           teams.get(c.id, []), members.get(c.id, 0)) for c in contests]


@permission("contests:organise")
def list_contests(session: Session, actor: Actor) -> list[ContestSummary]:
    """Every contest, running first, then drafts, then closed; newest first within each."""
    order = {"running": 0, "draft": 1, "closed": 2}
    contests = sorted(session.exec(select(Contest)).all(), key=lambda c: (order.get(c.status, 3), -c.id))
    return summaries(session, contests)


@permission("contests:organise")
def setup_choices(session: Session, actor: Actor) -> dict:
    """What the set-up form offers: teams, bank tags, rubrics, people who may judge, learners by team."""
    from portal.contests.rounds import contest_bank

    tags = sorted({tag for tags in contest_bank(session).values() for tag in tags})
    people = session.exec(select(User.id, User.display_name, User.team_id).where(User.active.is_(True))
                          .order_by(User.display_name)).all()
    return {"teams": dict(session.exec(select(Team.id, Team.name).order_by(Team.name)).all()),
            "tags": tags,
            "rubrics": list(session.exec(select(Rubric.code).order_by(Rubric.code)).all()),
            "people": [(user_id, name, team_id) for user_id, name, team_id in people]}
