"""The rules of the onboarding programme as pure functions: no database, no Streamlit.

- **Requirements.** `evaluate_stage` takes a stage, the requirements in force
  and the facts about one new hire (modules done, quiz scores, shadowing
  count, ticket reviews) and says, check by check, what is met and what is not.
- **Ticket reviews.** A mentor marks each of the five checklist areas
  (`CHECKLIST`) as met (20 points), partly (10) or missed (0), as in the
  course module *The review checklist*. A call passes with at least
  `PASS_MARK` points and no *critical miss*. A critical miss is a missed
  area listed in `CRITICAL_AREAS`: **verification** (account details given
  before, or without, verifying the caller's identity). The course's other
  critical misses (loss not reported first, data disclosed, rudeness, a
  promise beyond one's authority, a missing ticket) are judged by the mentor,
  who marks such a call *needs rework* and names the miss in the comment.
- **Graduation from supervised calls** (defaults in `courses/5-supervised_calls/stage.yaml`):
  at least `min_reviewed_calls` reviewed calls, the last `last_n_passed`
  reviewed calls all passed with no critical miss, and no ticket still
  waiting for review (the mentor reviews every ticket).
- **Standing.** `stage_standing` gives a stage's status word and percent done from one rule, so that
  "not started" never shows work done and 90% always means "requirements met, sign-off to come".
- **Schedule.** Stages run one after another for `duration_days` working
  days (Monday to Friday; public holidays are not modelled) from the
  cohort's start date.
"""
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache, cached_property

from portal.courses import StageRequirements, StageSpec
from portal.i18n import translate
from portal.quizzes.specs import LocalizedText, RubricItem, RubricScore, RubricSection, RubricSpec

CALL_TYPES: tuple[str, ...] = ("billing_question", "complaint", "plan_change", "loss_report", "technical_fault",
                               "other")
CHECKLIST: tuple[str, ...] = ("greeting", "verification", "accuracy", "resolution", "closing")
CRITICAL_AREAS: frozenset[str] = frozenset({"verification"})
MET, PARTLY, MISSED = 2, 1, 0
MARKS: tuple[int, ...] = (MET, PARTLY, MISSED)
POINTS_PER_MARK = 10
PASS_MARK = 80
REQUIREMENTS_SHARE = 0.9
"""How much of a stage's progress its requirements make; the sign-off is the rest, so a stage
whose requirements are all met but which is not signed off shows 90%, not done."""


CHECK_NAMES: tuple[str, ...] = ("modules", "quiz", "quiz_not_taken", "quiz_unavailable", "quiz_unlinked", "shadowing",
                                 "reviewed", "last_n", "pending")


class CheckStatus(StrEnum):
    MET = "met"
    UNMET = "unmet"
    UNAVAILABLE = "unavailable"
    """Cannot be judged yet (no quiz results): shown, but does not block sign-off."""


class StageStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    AWAITING_SIGNOFF = "awaiting_signoff"
    PASSED = "passed"
    WITHDRAWN = "withdrawn"


class SignoffOutcome(StrEnum):
    PASSED = "passed"
    REPEAT = "repeat"
    """Asked to repeat: the stage reopens, with a reason."""
    WITHDRAWN = "withdrawn"
    """The new hire leaves the programme; the journey ends."""


class ReviewOutcome(StrEnum):
    PASSED = "passed"
    REWORK = "rework"


# --------------------------------------------------------------------------- ticket reviews


def _ticket_checklist() -> RubricSpec:
    """The checklist as a rubric of the one rubric engine: one section, an item per area worth MET points,
    a critical area missed only when marked MISSED (a partly met verification is not a critical miss)."""
    def text(key: str) -> LocalizedText:
        return LocalizedText(en=translate(key, "en"), zh_CN=translate(key, "zh-CN"))

    items = [RubricItem(id=area, text=text(f"onboarding.checklist.{area}"), max_points=MET,
                        critical=area in CRITICAL_AREAS, critical_below=PARTLY if area in CRITICAL_AREAS else None)
             for area in CHECKLIST]
    return RubricSpec(id="ticket-checklist", title=text("qa.rubric.ticket_checklist"), critical_miss="fail_exam",
                      sections=[RubricSection(id="checklist", title=text("qa.rubric.ticket_checklist"), weight=1,
                                              items=items)])


TICKET_CHECKLIST: RubricSpec = _ticket_checklist()
"""The supervised-call ticket checklist, scored by `RubricSpec.score` like QA scorecards and practical exams."""


@cache
def _checklist_score(marks: tuple[int, ...]) -> RubricScore:
    """The engine's score of one set of marks (in CHECKLIST order); 3^5 sets at most, so kept (boards score
    every reviewed call of every new hire)."""
    return TICKET_CHECKLIST.score(dict(zip(CHECKLIST, marks)))


def review_points(marks: Mapping[str, int]) -> int:
    """Points out of 100 (each area: met 20, partly 10, missed 0)."""
    return round(_checklist_score(tuple(marks[area] for area in CHECKLIST)).percent)


def critical_misses(marks: Mapping[str, int]) -> list[str]:
    return list(_checklist_score(tuple(marks[area] for area in CHECKLIST)).critical_missed)


@dataclass(frozen=True)
class ReviewFact:
    """One reviewed supervised call, as the graduation rule sees it."""

    call_date: date
    passed: bool
    critical_miss: bool

    @property
    def clean(self) -> bool:
        return self.passed and not self.critical_miss


# --------------------------------------------------------------------------- requirements


@dataclass(frozen=True)
class StageFacts:
    """What one new hire has done, as far as stage requirements care."""

    modules_done: frozenset[str] = frozenset()
    quiz_scores: Mapping[str, float] = field(default_factory=dict)
    shadowing_calls: int = 0
    reviews: Sequence[ReviewFact] = ()
    """Reviewed supervised calls, oldest first (by call date, then as logged)."""
    pending_reviews: int = 0


@dataclass(frozen=True)
class RequirementCheck:
    """One requirement of a stage; `name` (one of `CHECK_NAMES`) picks the text `onboarding.check.<name>`."""

    name: str
    status: CheckStatus
    current: int | float | None
    target: int | float | None
    subject: str = ""
    """For a quiz check: the quiz id."""
    progress: float | None = None
    """0..1 towards the target, or None when the check has no measure (counts nothing for progress)."""

    @property
    def blocking(self) -> bool:
        return self.status is CheckStatus.UNMET


@dataclass(frozen=True)
class StageEvaluation:
    checks: tuple[RequirementCheck, ...]

    @cached_property  # immutable, and shared by many journeys on a board (see StageEvaluator)
    def met(self) -> bool:
        return not any(check.blocking for check in self.checks)

    @property
    def unmet(self) -> list[RequirementCheck]:
        return [check for check in self.checks if check.blocking]

    @cached_property
    def progress(self) -> float:
        """Share of the way to meeting every measurable requirement (0 when there is nothing to measure)."""
        measured = [check.progress for check in self.checks if check.progress is not None]
        return sum(measured) / len(measured) if measured else (1.0 if self.checks and self.met else 0.0)


def _count_check(name: str, current: int, target: int) -> RequirementCheck:
    status = CheckStatus.MET if current >= target else CheckStatus.UNMET
    return RequirementCheck(name, status, current, target, progress=min(current / target, 1.0) if target else 1.0)


def linked_quizzes(stage: StageSpec) -> list[str]:
    """The quizzes the stage's modules link to, in module order, each once."""
    return list(dict.fromkeys(m.quiz for m in stage.modules if m.quiz))


def evaluate_stage(stage: StageSpec, requirements: StageRequirements, facts: StageFacts, *,
                   quiz_results_wired: bool = False) -> StageEvaluation:
    """Check every requirement in force for `stage` against `facts`.

    `min_quiz_score` applies to each quiz linked from the stage's modules.
    While the quizzes area does not report results (`quiz_results_wired`
    False), a quiz without a score is UNAVAILABLE and does not block; once
    wired, a missing score means the quiz was not taken and is UNMET.
    What it reads of `facts` is listed in `StageEvaluator.inputs`: keep the two in step.
    """
    checks: list[RequirementCheck] = []
    if requirements.all_required_modules:
        required = [m.id for m in stage.required_modules]
        checks.append(_count_check("modules", sum(m in facts.modules_done for m in required), len(required)))
    if requirements.min_quiz_score is not None:
        checks.extend(_quiz_checks(stage, requirements.min_quiz_score, facts.quiz_scores, quiz_results_wired))
    if requirements.min_shadowing_calls is not None:
        checks.append(_count_check("shadowing", facts.shadowing_calls, requirements.min_shadowing_calls))
    if requirements.min_reviewed_calls is not None:
        checks.append(_count_check("reviewed", len(facts.reviews), requirements.min_reviewed_calls))
    if requirements.last_n_passed is not None:
        checks.append(_last_n_check(facts.reviews, requirements.last_n_passed))
    if requirements.min_reviewed_calls is not None or requirements.last_n_passed is not None:
        checks.append(_pending_check(len(facts.reviews), facts.pending_reviews))
    return StageEvaluation(tuple(checks))


def _pending_check(reviewed: int, pending: int) -> RequirementCheck:
    """No ticket waiting for review. Measured only while some wait (the share of tickets reviewed):
    with nothing logged yet it would otherwise count as progress made."""
    if not pending:
        return RequirementCheck("pending", CheckStatus.MET, 0, 0)
    return RequirementCheck("pending", CheckStatus.UNMET, pending, 0, progress=reviewed / (reviewed + pending))


class StageEvaluator:
    """`evaluate_stage` of one stage for many people (a board over a whole center has thousands).

    The stage's module and quiz lists are worked out once, and people whose facts agree on what
    the stage checks share one (immutable) evaluation: most people have, say, no supervised call yet.
    """

    def __init__(self, stage: StageSpec, requirements: StageRequirements, *, quiz_results_wired: bool = False):
        self.stage, self.requirements, self.quiz_results_wired = stage, requirements, quiz_results_wired
        self.required = tuple(m.id for m in stage.required_modules) if requirements.all_required_modules else None
        self.quizzes = tuple(linked_quizzes(stage)) if requirements.min_quiz_score is not None else None
        self.calls = requirements.min_reviewed_calls is not None or requirements.last_n_passed is not None
        self._evaluations: dict[tuple, StageEvaluation] = {}

    def inputs(self, facts: StageFacts) -> tuple:
        """What `evaluate_stage` reads of `facts` for this stage and these requirements."""
        return (None if self.required is None else tuple(m in facts.modules_done for m in self.required),
                None if self.quizzes is None else tuple(facts.quiz_scores.get(q) for q in self.quizzes),
                None if self.requirements.min_shadowing_calls is None else facts.shadowing_calls,
                (tuple(facts.reviews), facts.pending_reviews) if self.calls else None)

    def __call__(self, facts: StageFacts) -> StageEvaluation:
        key = self.inputs(facts)
        evaluation = self._evaluations.get(key)
        if evaluation is None:
            evaluation = self._evaluations[key] = evaluate_stage(self.stage, self.requirements, facts,
                                                                 quiz_results_wired=self.quiz_results_wired)
        return evaluation


def _quiz_checks(stage: StageSpec, minimum: int, scores: Mapping[str, float],
                 wired: bool) -> list[RequirementCheck]:
    quizzes = linked_quizzes(stage)
    if not quizzes:
        return [RequirementCheck("quiz_unlinked", CheckStatus.UNAVAILABLE, None, minimum)]
    checks = []
    for quiz in quizzes:
        score = scores.get(quiz)
        if score is None:
            status = CheckStatus.UNMET if wired else CheckStatus.UNAVAILABLE
            checks.append(RequirementCheck("quiz_not_taken" if wired else "quiz_unavailable", status, None, minimum,
                                           subject=quiz, progress=0.0 if wired else None))
        else:
            status = CheckStatus.MET if score >= minimum else CheckStatus.UNMET
            checks.append(RequirementCheck("quiz", status, score, minimum, subject=quiz,
                                           progress=min(score / minimum, 1.0) if minimum else 1.0))
    return checks


def clean_streak(reviews: Sequence[ReviewFact]) -> int:
    """How many of the most recent reviewed calls in a row passed with no critical miss."""
    streak = 0
    for review in reversed(reviews):
        if not review.clean:
            break
        streak += 1
    return streak


def _last_n_check(reviews: Sequence[ReviewFact], n: int) -> RequirementCheck:
    streak = min(clean_streak(reviews), n)
    return RequirementCheck("last_n", CheckStatus.MET if streak >= n else CheckStatus.UNMET, streak, n,
                            progress=streak / n)


# --------------------------------------------------------------------------- a stage's standing


@dataclass(frozen=True)
class StageStanding:
    """What a stage screen shows: the status word and the percent done, from one rule so they agree."""

    status: StageStatus
    progress: float
    """0..1; requirements make `REQUIREMENTS_SHARE` of it and the sign-off the rest."""

    @property
    def can_be_signed_off(self) -> bool:
        return self.status is StageStatus.AWAITING_SIGNOFF


UNMET_CEILING = 0.99
"""The most the requirements' part can show while one of them is still unmet (so 90% always means
"requirements met, sign-off to come")."""


def stage_standing(evaluation: StageEvaluation, *, signed_off: bool, withdrawn: bool,
                   current: bool) -> StageStanding:
    """The one status rule for a stage of one journey.

    - *passed*: the latest decision signed it off; 100%.
    - *withdrawn*: the journey ended before it passed.
    - *awaiting sign-off*: it is the current stage (the first not passed) and every requirement is met; 90%.
    - *in progress*: the current stage, or a later one with something already done towards it.
    - *not started*: a later stage with nothing done towards it; 0%.

    So "not started" never shows a percent above 0, a percent of 90 is always "awaiting sign-off" (or
    requirements met early on a later stage, which cannot be signed off before the ones before it).
    """
    if signed_off:
        return StageStanding(StageStatus.PASSED, 1.0)
    done = evaluation.progress if evaluation.met else min(evaluation.progress, UNMET_CEILING)
    progress = REQUIREMENTS_SHARE * done
    if withdrawn:
        return StageStanding(StageStatus.WITHDRAWN, progress)
    if current and evaluation.met:  # met, even with nothing to measure: all of the requirements' part
        return StageStanding(StageStatus.AWAITING_SIGNOFF, REQUIREMENTS_SHARE)
    if current:
        return StageStanding(StageStatus.IN_PROGRESS, progress)
    return StageStanding(StageStatus.IN_PROGRESS if progress > 0 else StageStatus.NOT_STARTED, progress)


# --------------------------------------------------------------------------- schedule


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def next_working_day(day: date) -> date:
    """`day` itself if it is a working day, else the next one."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_working_days(day: date, n: int) -> date:
    """The n-th working day counting `day` as the first (n >= 1)."""
    day = next_working_day(day)
    for _ in range(n - 1):
        day = next_working_day(day + timedelta(days=1))
    return day


def working_days_between(earlier: date, later: date) -> int:
    """Working days strictly after `earlier` and strictly before `later`.

    Counted by whole weeks, not day by day: the board asks this for every new hire, some idle for years.
    """
    first = earlier + timedelta(days=1)
    span = (later - first).days
    if span <= 0:
        return 0
    weeks, rest = divmod(span, 7)
    return weeks * 5 + sum(is_working_day(first + timedelta(days=i)) for i in range(rest))


def stage_schedule(start: date, stages: Iterable[StageSpec]) -> dict[str, tuple[date, date]]:
    """Planned (first day, due date) of each stage, back to back in working days from `start`."""
    schedule = {}
    day = next_working_day(start)
    for stage in stages:
        due = add_working_days(day, stage.duration_days)
        schedule[stage.key] = (day, due)
        day = next_working_day(due + timedelta(days=1))
    return schedule


def is_stalled(last_activity: date | None, since: date | None, today: date, stalled_days: int) -> bool:
    """No activity for `stalled_days` full working days (before today) since the last one, or since `since`."""
    reference = last_activity or since
    if reference is None or reference >= today:
        return False
    return working_days_between(reference, today) >= stalled_days
