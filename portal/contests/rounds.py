"""A knowledge contest's rounds: each person's paper drawn from the round's mix, on the exam engine.

Everyone gets the same mix (so many questions carrying these tags, so many carrying those) and, with a seed of
their own (contest, round, person, attempt number), different questions: neighbours cannot copy. The draw is
stored as the attempt's answers when the attempt starts, and the engine returns the attempt in progress on a
reload or a second click, so a person always sees the same set. Only questions the engine grades itself are
drawn (no essays: a round is scored when it is submitted).
"""
import json
import random
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from portal.clock import utcnow
from portal.contests.setup import (MixEntry, contest_rounds, get_contest, summaries, ContestSummary)
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import Attempt, Contest, ContestMember, ContestRound, Question
from portal.permissions import permission
from portal.quizzes import attempts
from portal.quizzes.exams import bank_entries
from portal.roles import Actor


def contest_bank(session: Session) -> dict[str, frozenset[str]]:
    """idnumber -> tags of the questions a round may draw: served, and graded by the engine (no essays)."""
    essays = set(session.exec(select(Question.idnumber).where(Question.qtype == "essay")).all())
    return {idnumber: tags for idnumber, tags in bank_entries(session).items() if idnumber not in essays}


def draw_paper(bank: dict[str, frozenset[str]], mix: list[MixEntry], *, seed: str, round_number: int = 1) -> list[str]:
    """The idnumbers of one paper: for each mix entry, `count` questions carrying all its tags (and not those of
    a narrower entry, so everyone's paper has exactly the mix), none twice.

    The same `seed` gives the same paper. Refuses a mix the bank cannot fill."""
    rng = random.Random(seed)
    chosen: list[str] = []
    for entry in mix:
        wanted = set(entry.tags)
        narrower = [set(e.tags) for e in mix if wanted < set(e.tags)]  # "billing" leaves "billing + hard" to its entry
        candidates = sorted(i for i, tags in bank.items()
                            if wanted <= tags and i not in chosen and not any(n <= tags for n in narrower))
        if len(candidates) < entry.count:
            raise ValidationFailed("contests.error.mix_too_big", round=round_number, tags=", ".join(entry.tags),
                                   wanted=entry.count, available=len(candidates))
        chosen.extend(rng.sample(candidates, entry.count))
    rng.shuffle(chosen)
    return chosen


def round_mix(round_: ContestRound) -> list[MixEntry]:
    return [MixEntry(tags=list(e["tags"]), count=int(e["count"])) for e in json.loads(round_.mix or "[]")]


def paper_seed(contest_id: int, round_number: int, user_id: int, attempt_number: int) -> str:
    return f"contest-{contest_id}-round-{round_number}-user-{user_id}-attempt-{attempt_number}"


def membership(session: Session, contest_id: int, user_id: int) -> ContestMember | None:
    return session.get(ContestMember, (contest_id, user_id))


def _require_contestant(session: Session, actor: Actor, contest: Contest) -> None:
    if membership(session, contest.id, actor.id) is None:
        raise PermissionDenied("contests.error.not_taking_part")


@permission("contests:take_part")
def start_round(session: Session, actor: Actor, contest_id: int, round_number: int, *,
                now: datetime | None = None) -> int:
    """Start the actor's attempt at a round (or return the one in progress): the attempt's id, to sit on the
    exam engine's page. Refused to anyone not written down in a team taking part, and outside the contest."""
    now = now or utcnow()
    contest = get_contest(session, contest_id)
    _require_contestant(session, actor, contest)
    if contest.kind != "knowledge":
        raise ValidationFailed("contests.error.not_knowledge")
    if contest.status != "running":
        raise ValidationFailed("contests.error.not_running")
    round_ = next((r for r in contest_rounds(session, contest.id) if r.number == int(round_number)), None)
    if round_ is None:
        raise ValidationFailed("contests.error.no_such_round", round=round_number)
    bank, mix = contest_bank(session), round_mix(round_)

    def draw(attempt_number: int) -> list[str]:
        return draw_paper(bank, mix, seed=paper_seed(contest.id, round_.number, actor.id, attempt_number),
                          round_number=round_.number)

    return attempts.start_drawn_attempt(session, actor, round_.exam_id, draw, now=now)


@dataclass(frozen=True)
class MyRound:
    number: int
    questions: int
    time_limit_minutes: int
    attempts_used: int
    attempts_allowed: int
    in_progress_id: int | None
    best_percent: float | None


@dataclass(frozen=True)
class MyContest:
    summary: ContestSummary
    rounds: list[MyRound]


@permission("contests:take_part")
def my_contests(session: Session, actor: Actor) -> list[MyContest]:
    """The contests the actor takes part in (running first, then closed), with their rounds as they stand:
    three queries however many contests and rounds."""
    from portal.models import Exam

    contests = list(session.exec(select(Contest).join(ContestMember, ContestMember.contest_id == Contest.id)
                                 .where(ContestMember.user_id == actor.id, Contest.status != "draft")
                                 .order_by(Contest.status.desc(), Contest.starts_at.desc())).all())
    rounds = session.exec(select(ContestRound, Exam.time_limit_minutes, Exam.attempts_allowed)
                          .join(Exam, Exam.id == ContestRound.exam_id)
                          .where(ContestRound.contest_id.in_([c.id for c in contests]))
                          .order_by(ContestRound.contest_id, ContestRound.number)).all()
    mine: dict[int, list[tuple[int, str, float | None]]] = {}
    for exam_id, attempt_id, status, percent in session.exec(
            select(Attempt.exam_id, Attempt.id, Attempt.status, Attempt.percent)
            .where(Attempt.user_id == actor.id, Attempt.exam_id.in_([r.exam_id for r, _, _ in rounds]))).all():
        mine.setdefault(exam_id, []).append((attempt_id, status, percent))
    by_contest: dict[int, list[MyRound]] = {}
    for round_, minutes, allowed in rounds:
        taken = mine.get(round_.exam_id, [])
        graded = [percent for _, status, percent in taken if status == "graded" and percent is not None]
        running = next((attempt_id for attempt_id, status, _ in taken if status == "in_progress"), None)
        by_contest.setdefault(round_.contest_id, []).append(MyRound(
            round_.number, sum(e.count for e in round_mix(round_)), minutes or 0, len(taken), allowed, running,
            max(graded) if graded else None))
    return [MyContest(summary, by_contest.get(contest.id, []))
            for summary, contest in zip(summaries(session, contests), contests)]
