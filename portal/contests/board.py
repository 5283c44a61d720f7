"""The fair team score and the boards.

The rule, as the board shows it in words: a person's score is the mean, over the contest's rounds, of their
best attempt at each round (a round not taken counts 0); a team's score is the mean of the scores of its
members who took part, and the team is ranked only when at least the contest's share of its members took
part, so a team cannot win by sending its two best people; equal scores are ordered by the total time taken
(less first). Boards are per contest, never summed across contests. A contestant sees the teams, the top 10
and their own place; a lead also sees the members of the teams they lead; organisers see everyone.

A scenario contest ranks contestants by the median of their judges' scores, and teams by the mean of their
contestants' (every contestant was named by the organiser, so there is no share to meet).
"""
from dataclasses import dataclass, field

from sqlmodel import Session, func, select

from portal.contests.setup import contest_team_ids, get_contest, team_names
from portal.errors import PermissionDenied
from portal.models import Attempt, Contest, ContestMember, ContestRound, User
from portal.permissions import Scope, permission, scopes, teams_within
from portal.roles import Actor

TOP = 10
PLACES = 4  # decimals compared: 81.25 and 81.2500001 are a tie


@dataclass(slots=True)
class PersonResult:
    user_id: int
    team_id: int
    score: float  # 0..100
    seconds: float  # total time of the attempts counted
    rounds_taken: int
    name: str = ""
    rank: int = 0


@dataclass(slots=True)
class TeamResult:
    team_id: int
    members: int
    took_part: int
    counted: bool  # the share was met
    score: float | None  # mean of the participants' scores; None when nobody took part
    seconds: float
    name: str = ""
    rank: int | None = None  # None when not counted


@dataclass(frozen=True)
class Board:
    contest_id: int
    kind: str
    share: float
    teams: list[TeamResult]
    top: list[PersonResult]
    extra: list[PersonResult] = field(default_factory=list)  # the viewer's own row, a lead's team members
    participants: int = 0
    full: bool = False  # every person is listed (organisers)


def person_results(members: list[tuple[int, int]], totals: dict[int, tuple[float, float, int]],
                   rounds: int) -> list[PersonResult]:
    """Each member's score and time from the sums over their best attempt per round
    (`totals[user] = (sum of best percents, sum of their seconds, rounds taken)`)."""
    out = []
    for user_id, team_id in members:
        percent, seconds, taken = totals.get(user_id, (0.0, 0.0, 0))
        out.append(PersonResult(user_id, team_id, percent / rounds if rounds else 0.0, seconds, taken))
    return out


def rank_people(people: list[PersonResult]) -> list[PersonResult]:
    """Those who took part, best first, ties by less time; equal score and time share a rank."""
    ordered = sorted((p for p in people if p.rounds_taken), key=lambda p: (-round(p.score, PLACES), p.seconds, p.user_id))
    return _with_ranks(ordered, lambda p: (round(p.score, PLACES), p.seconds))


def team_results(people: list[PersonResult], members_per_team: dict[int, int], share: float) -> list[TeamResult]:
    """The fair team score; teams ranked first, best first (ties by total time), then those not counted."""
    took_part: dict[int, list[PersonResult]] = {}
    for person in people:
        if person.rounds_taken:
            took_part.setdefault(person.team_id, []).append(person)
    out = []
    for team_id, members in members_per_team.items():
        took = took_part.get(team_id, [])
        counted = bool(members) and bool(took) and len(took) >= share * members - 1e-9
        out.append(TeamResult(team_id, members, len(took), counted, sum(p.score for p in took) / len(took) if took else None,
                              sum(p.seconds for p in took)))
    ranked = sorted((t for t in out if t.counted), key=lambda t: (-round(t.score, PLACES), t.seconds, t.team_id))
    rest = sorted((t for t in out if not t.counted), key=lambda t: (-t.took_part / max(1, t.members), t.team_id))
    return _with_ranks(ranked, lambda t: (round(t.score, PLACES), t.seconds)) + rest


def _with_ranks(ordered: list, key) -> list:
    """`ordered` with each row's rank set (in place: a board has thousands of rows); equal keys share a rank."""
    previous, rank = None, 0
    for position, row in enumerate(ordered, start=1):
        if key(row) != previous:
            rank, previous = position, key(row)
        row.rank = rank
    return ordered


# ----------------------------------------------------------------- reading the database


def _members(session: Session, contest_id: int) -> list[tuple[int, int]]:
    return list(session.exec(select(ContestMember.user_id, ContestMember.team_id)
                             .where(ContestMember.contest_id == contest_id).order_by(ContestMember.user_id)).all())


def _best_attempts(session: Session, contest_id: int) -> tuple[int, dict[int, tuple[float, float, int]]]:
    """How many rounds, and per person the sums over their best graded attempt at each round (best percent,
    then less time): (percent, seconds, rounds taken). One query, summed in the database."""
    rounds = session.exec(select(func.count()).where(ContestRound.contest_id == contest_id)).one()
    seconds = _elapsed_seconds(session.get_bind().dialect.name, Attempt.started_at, Attempt.submitted_at)
    attempts = (select(Attempt.user_id, Attempt.percent, seconds.label("seconds"),
                       func.row_number().over(partition_by=(Attempt.user_id, Attempt.exam_id),
                                              order_by=(Attempt.percent.desc(), seconds)).label("best"))
                .join(ContestRound, ContestRound.exam_id == Attempt.exam_id)
                .where(ContestRound.contest_id == contest_id, Attempt.status == "graded").subquery())
    rows = session.exec(select(attempts.c.user_id, func.sum(attempts.c.percent), func.sum(attempts.c.seconds),
                               func.count()).where(attempts.c.best == 1).group_by(attempts.c.user_id)).all()
    return rounds, {user_id: (float(percent or 0.0), float(elapsed or 0.0), taken)
                    for user_id, percent, elapsed, taken in rows}


def _elapsed_seconds(dialect: str, start, end):
    """SQL for the seconds between two stored times (reading them as datetimes costs more than the board)."""
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start)


def standings(session: Session, contest: Contest) -> tuple[list[TeamResult], list[PersonResult]]:
    """Teams (ranked, then not counted) and people (ranked), with names."""
    if contest.kind == "scenario":
        from portal.contests.judging import scenario_people

        people = scenario_people(session, contest)
        members_per_team = {team_id: 0 for team_id in contest_team_ids(session, contest.id)}
        for person in people:
            members_per_team[person.team_id] = members_per_team.get(person.team_id, 0) + 1
        teams = team_results(people, members_per_team, share=0.0)
        ranked = rank_people(people)
    else:
        members = _members(session, contest.id)
        rounds, totals = _best_attempts(session, contest.id)
        people = person_results(members, totals, rounds)
        members_per_team = {team_id: 0 for team_id in contest_team_ids(session, contest.id)}
        for _, team_id in members:
            members_per_team[team_id] = members_per_team.get(team_id, 0) + 1
        teams = team_results(people, members_per_team, contest.participation_share)
        ranked = rank_people(people)
    names = team_names(session, [t.team_id for t in teams])
    for team in teams:
        team.name = names.get(team.team_id, "")
    return teams, ranked


def _named(session: Session, people: list[PersonResult]) -> list[PersonResult]:
    ids = [p.user_id for p in people]
    names = dict(session.exec(select(User.id, User.display_name).where(User.id.in_(ids))).all()) if ids else {}
    for person in people:
        person.name = names.get(person.user_id, "")
    return people


@permission("contests:board")
def board(session: Session, actor: Actor, contest_id: int) -> Board:
    """The contest's board as the actor may see it (see the module's docstring).

    Refused to a learner not taking part and to a lead none of whose teams take part."""
    contest = get_contest(session, contest_id)
    teams, ranked = standings(session, contest)
    held = scopes(actor, "contests:board")
    full = Scope.EVERYONE in held
    led = set(teams_within(session, actor, "contests:board") or []) & set(contest_team_ids(session, contest.id))
    mine = Scope.OWN in held and session.get(ContestMember, (contest.id, actor.id)) is not None
    if not (full or led or mine):
        raise PermissionDenied("contests.error.not_your_board")
    top = ranked if full else ranked[:TOP]
    shown = {p.user_id for p in top}
    extra = [p for p in ranked if p.user_id not in shown and (p.user_id == actor.id or p.team_id in led)]
    return Board(contest.id, contest.kind, contest.participation_share, teams, _named(session, top),
                 _named(session, extra), participants=len(ranked), full=full)


def winners(session: Session, contest: Contest) -> list[int]:
    """Who won: the members of the first-ranked team(s) who took part, and the first-ranked person(s)."""
    teams, ranked = standings(session, contest)
    winning_teams = {t.team_id for t in teams if t.rank == 1}
    people = {p.user_id for p in ranked if p.team_id in winning_teams} | {p.user_id for p in ranked if p.rank == 1}
    return sorted(people)


@permission("contests:team_board")
def team_contests(session: Session, actor: Actor):
    """The contests (not drafts) a team the actor leads takes part in, newest first: for the lead's page."""
    from portal.contests.setup import summaries
    from portal.models import ContestTeam

    led = teams_within(session, actor, "contests:team_board")
    query = select(Contest).where(Contest.status != "draft").order_by(Contest.starts_at.desc())
    if led is not None:
        query = query.where(Contest.id.in_(select(ContestTeam.contest_id).where(ContestTeam.team_id.in_(led))))
    return summaries(session, list(session.exec(query).all()))
