"""The programme's rules as pure functions: requirements, ticket reviews, schedule, stalled."""
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.courses import StageRequirements, load_programme
from portal.onboarding.rules import (MET, MISSED, PARTLY, CheckStatus, RequirementCheck, ReviewFact, StageEvaluation,
                                     StageEvaluator, StageFacts, StageStanding, StageStatus, stage_standing,
                                     add_working_days, clean_streak, critical_misses, evaluate_stage, is_stalled, is_working_day,
                                     review_points, stage_schedule, working_days_between)

PROGRAMME = load_programme(Path(__file__).resolve().parent.parent / "courses")
THEORY, SHADOWING, SUPERVISED = (PROGRAMME.stage(k) for k in ("theory", "shadowing", "supervised_calls"))
MONDAY = date(2026, 10, 5)


def by_name(evaluation):
    return {check.name: check for check in evaluation.checks}


def reviews(pattern: str) -> tuple[ReviewFact, ...]:
    """P passed, R needs rework, C passed on paper but with a critical miss."""
    return tuple(ReviewFact(MONDAY, passed=letter != "R", critical_miss=letter == "C") for letter in pattern)


# --------------------------------------------------------------------------- requirements


def test_theory_needs_every_required_module_and_the_quiz_does_not_block_while_results_are_unavailable():
    required = [m.id for m in THEORY.required_modules]
    partly = evaluate_stage(THEORY, THEORY.requirements, StageFacts(modules_done=frozenset(required[:1])))
    assert not partly.met
    assert by_name(partly)["modules"].current == 1 and by_name(partly)["modules"].target == len(required)
    done = evaluate_stage(THEORY, THEORY.requirements, StageFacts(modules_done=frozenset(required)))
    assert done.met
    quiz = by_name(done)["quiz_unavailable"]
    assert quiz.status is CheckStatus.UNAVAILABLE and quiz.subject == "practice-theory" and quiz.target == 80
    assert done.progress == 1.0  # an unavailable check is shown but not measured


def test_a_quiz_score_once_known_is_judged_and_a_missing_one_blocks_once_results_are_wired():
    facts = dict(modules_done=frozenset(m.id for m in THEORY.modules))
    low = evaluate_stage(THEORY, THEORY.requirements, StageFacts(quiz_scores={"practice-theory": 72.5}, **facts))
    assert not low.met and by_name(low)["quiz"].current == 72.5
    high = evaluate_stage(THEORY, THEORY.requirements, StageFacts(quiz_scores={"practice-theory": 80}, **facts))
    assert high.met
    wired = evaluate_stage(THEORY, THEORY.requirements, StageFacts(**facts), quiz_results_wired=True)
    assert not wired.met and by_name(wired)["quiz_not_taken"].status is CheckStatus.UNMET


def test_a_quiz_score_required_on_a_stage_without_a_linked_quiz_is_reported_not_blocking():
    evaluation = evaluate_stage(SHADOWING, StageRequirements(min_quiz_score=70), StageFacts())
    assert evaluation.met and by_name(evaluation)["quiz_unlinked"].status is CheckStatus.UNAVAILABLE


def test_shadowing_counts_calls_against_the_minimum():
    assert not evaluate_stage(SHADOWING, SHADOWING.requirements, StageFacts(shadowing_calls=29)).met
    evaluation = evaluate_stage(SHADOWING, SHADOWING.requirements, StageFacts(shadowing_calls=30))
    assert evaluation.met and evaluation.progress == 1.0
    assert evaluate_stage(SHADOWING, SHADOWING.requirements, StageFacts(shadowing_calls=12)).progress == 0.4


@pytest.mark.parametrize("pattern,pending,met", [
    ("P" * 20, 0, True),
    ("R" * 10 + "P" * 10, 0, True),        # early reworks do not matter once the last 10 pass
    ("P" * 19, 0, False),                   # not enough reviewed calls
    ("P" * 19 + "R" + "P" * 9, 0, False),   # a rework among the last 10
    ("P" * 15 + "C" + "P" * 9, 0, False),   # a critical miss among the last 10
    ("P" * 25, 1, False),                   # a ticket still waiting for review
    ("C" + "P" * 20, 0, True),              # a critical miss long ago
])
def test_graduation_from_supervised_calls(pattern, pending, met):
    evaluation = evaluate_stage(SUPERVISED, SUPERVISED.requirements,
                                StageFacts(reviews=reviews(pattern), pending_reviews=pending))
    assert evaluation.met is met


def test_the_last_n_check_reports_the_clean_streak():
    facts = StageFacts(reviews=reviews("P" * 12 + "R" + "PPP"))
    evaluation = evaluate_stage(SUPERVISED, SUPERVISED.requirements, facts)
    last_n = by_name(evaluation)["last_n"]
    assert (last_n.current, last_n.target, last_n.progress) == (3, 10, 0.3)
    assert clean_streak(reviews("PPCPP")) == 2 and clean_streak(()) == 0


def test_a_stage_without_requirements_is_met_and_needs_only_its_signoff():
    evaluation = evaluate_stage(THEORY, StageRequirements(), StageFacts())
    assert evaluation.met and evaluation.checks == ()


ANY_REQUIREMENTS = st.builds(
    StageRequirements, all_required_modules=st.booleans(),
    min_quiz_score=st.none() | st.integers(0, 100), min_shadowing_calls=st.none() | st.integers(1, 40),
    min_reviewed_calls=st.none() | st.integers(1, 5), last_n_passed=st.none() | st.integers(1, 3))


def any_facts(stage):
    """Few values per field, so that people often differ in one field only."""
    modules = [m.id for m in stage.modules][:2]
    quizzes = sorted({m.quiz for m in PROGRAMME.stages[0].modules + stage.modules if m.quiz})
    return st.builds(
        StageFacts, modules_done=st.frozensets(st.sampled_from(modules)),
        quiz_scores=st.dictionaries(st.sampled_from(quizzes), st.sampled_from([79.5, 80.0])),
        shadowing_calls=st.sampled_from([0, 30]), reviews=st.sampled_from(["", "P", "RP", "C"]).map(reviews),
        pending_reviews=st.sampled_from([0, 1]))


@given(st.sampled_from(PROGRAMME.stages).flatmap(lambda stage: st.tuples(
    st.just(stage), ANY_REQUIREMENTS, st.booleans(), st.lists(any_facts(stage), max_size=12))))
def test_the_stage_evaluator_shares_evaluations_only_between_equal_inputs(case):
    stage, requirements, wired, people = case
    evaluator = StageEvaluator(stage, requirements, quiz_results_wired=wired)
    for facts in people * 2:  # twice: the second round is answered from what was shared
        assert evaluator(facts) == evaluate_stage(stage, requirements, facts, quiz_results_wired=wired)


# --------------------------------------------------------------------------- ticket reviews


def test_points_and_critical_misses_follow_the_course_checklist():
    marks = dict(greeting=MET, verification=MET, accuracy=MET, resolution=PARTLY, closing=PARTLY)
    assert review_points(marks) == 80 and critical_misses(marks) == []
    assert critical_misses({**marks, "verification": MISSED}) == ["verification"]
    assert critical_misses({**marks, "accuracy": MISSED}) == []  # only verification is critical
    assert review_points({area: MISSED for area in marks}) == 0


# --------------------------------------------------------------------------- schedule and stalled


def test_stages_follow_each_other_in_working_days_from_the_cohort_start():
    schedule = stage_schedule(MONDAY, PROGRAMME.stages)
    assert schedule["theory"] == (date(2026, 10, 5), date(2026, 10, 7))             # Mon-Wed
    assert schedule["product"] == (date(2026, 10, 8), date(2026, 10, 13))           # Thu-Tue over a weekend
    assert schedule["systems_skills"] == (date(2026, 10, 14), date(2026, 10, 16))
    assert schedule["shadowing"] == (date(2026, 10, 19), date(2026, 10, 23))
    assert schedule["supervised_calls"] == (date(2026, 10, 26), date(2026, 10, 30))


def test_a_cohort_starting_on_a_weekend_starts_on_monday():
    assert stage_schedule(date(2026, 10, 3), PROGRAMME.stages)["theory"][0] == MONDAY


def test_stalled_counts_full_working_days_without_activity():
    friday = date(2026, 10, 9)
    assert not is_stalled(friday, None, date(2026, 10, 12), 3)       # the weekend does not count
    assert is_stalled(MONDAY, None, date(2026, 10, 9), 3)            # Tue, Wed, Thu without activity
    assert not is_stalled(MONDAY, None, date(2026, 10, 8), 3)
    assert is_stalled(None, MONDAY, date(2026, 10, 9), 3)            # nothing at all since the start
    assert not is_stalled(None, None, date(2026, 10, 9), 3)


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(min_value=1, max_value=60))
def test_working_day_arithmetic_agrees_with_itself(start, n):
    end = add_working_days(start, n)
    assert is_working_day(end) and end >= start
    first = add_working_days(start, 1)
    assert working_days_between(first - timedelta(days=1), end + timedelta(days=1)) == n


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(min_value=-10, max_value=800))
def test_working_days_between_counts_like_a_calendar(earlier, span):
    later = earlier + timedelta(days=span)
    days = [earlier + timedelta(days=i) for i in range(1, span)]
    assert working_days_between(earlier, later) == sum(is_working_day(d) for d in days)


# --------------------------------------------------------------------------- a stage's standing (status and percent)


def test_a_later_stage_with_modules_read_is_in_progress_not_not_started():
    """The report: "3. Systems and skills — Not started — 30% done"."""
    systems = PROGRAMME.stage("systems_skills")
    read = frozenset(m.id for m in systems.required_modules[:1])
    evaluation = evaluate_stage(systems, systems.requirements, StageFacts(modules_done=read))
    standing = stage_standing(evaluation, signed_off=False, withdrawn=False, current=False)
    assert standing.progress > 0 and standing.status is StageStatus.IN_PROGRESS


def test_shadowing_calls_logged_ahead_make_the_shadowing_stage_in_progress():
    """The report: "4. Shadowing — Not started — 9% done" after three logged calls."""
    evaluation = evaluate_stage(SHADOWING, SHADOWING.requirements, StageFacts(shadowing_calls=3))
    standing = stage_standing(evaluation, signed_off=False, withdrawn=False, current=False)
    assert standing.status is StageStatus.IN_PROGRESS and round(standing.progress * 100) == 9
    untouched = stage_standing(evaluate_stage(SHADOWING, SHADOWING.requirements, StageFacts()), signed_off=False,
                               withdrawn=False, current=False)
    assert untouched == StageStanding(StageStatus.NOT_STARTED, 0.0)


def test_tickets_waiting_for_review_keep_the_percent_below_requirements_met():
    evaluation = evaluate_stage(SUPERVISED, SUPERVISED.requirements,
                                StageFacts(reviews=reviews("P" * 12), pending_reviews=2))
    assert not evaluation.met
    standing = stage_standing(evaluation, signed_off=False, withdrawn=False, current=True)
    assert standing.status is StageStatus.IN_PROGRESS and round(standing.progress * 100) < 90
    nothing = evaluate_stage(SUPERVISED, SUPERVISED.requirements, StageFacts())
    assert nothing.progress == 0.0  # no ticket waiting is not progress made


@given(met_checks=st.lists(st.tuples(st.sampled_from(list(CheckStatus)), st.none() | st.floats(0, 1)), max_size=5),
       signed_off=st.booleans(), withdrawn=st.booleans(), current=st.booleans())
def test_the_status_word_and_the_percent_never_contradict(met_checks, signed_off, withdrawn, current):
    evaluation = StageEvaluation(tuple(RequirementCheck(f"c{i}", status, None, None, progress=progress)
                                       for i, (status, progress) in enumerate(met_checks)))
    standing = stage_standing(evaluation, signed_off=signed_off, withdrawn=withdrawn, current=current)
    percent = round(standing.progress * 100)
    assert (standing.status is StageStatus.PASSED) == (percent == 100)
    if standing.status is StageStatus.NOT_STARTED:
        assert standing.progress == 0
    if standing.status is StageStatus.AWAITING_SIGNOFF:
        assert evaluation.met and current and percent == 90
    if percent >= 90 and standing.status is not StageStatus.PASSED:
        assert evaluation.met
    assert standing.can_be_signed_off == (standing.status is StageStatus.AWAITING_SIGNOFF)
