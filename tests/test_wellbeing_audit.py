"""The disclosure audit: nothing hidden can be worked out from everything ever published (issue 13, point 2).

The attacker here is written independently of portal/wellbeing/audit.py: it
knows every figure any viewer was ever shown, which cells are empty, and
that a center is the sum of its groups and a group's month the sum of its
weeks. It runs the chaining attack (solve any total with one unknown part,
repeat) and a linear program per hidden cell for the range of its count.
Both must leave every hidden cell of at least one response with a count
range of at least k. Run on hundreds of random centers (pure, no database)
and on the issue's synthetic centers built through the public services with
the clock moved week by week.
"""
import math
import os
import random
import time
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from portal import wellbeing
from portal.models import TeamLead
from portal.roles import Role
from portal.wellbeing import CENTER, CheckIn, audit_batch
from portal.wellbeing.publication import decide_month, decide_week
from tests.utils.clock import set_center_day
from tests.utils.factories import make_team, make_user

K = 5
PROPERTY_EXAMPLES = int(os.environ.get("WELLBEING_AUDIT_EXAMPLES", "200"))  # random centers (pure, ~0.1 s each)
ATTACK_CENTERS = int(os.environ.get("WELLBEING_ATTACK_CENTERS", "1"))  # the issue's centers per database (~8 s each)


# --- the attacker ---------------------------------------------------------------------------------

def month_by_thursday(week: str) -> str:
    year, number = week.split("-W")
    return f"{date.fromisocalendar(int(year), int(number), 4):%Y-%m}"


def attacker_relations(groups, weeks, months):
    """Everything that adds up: the center over the groups, a month over its weeks (for every group)."""
    relations = [((CENTER, p), [(g, p) for g in groups]) for p in [*weeks, *months]]
    for group in [*groups, CENTER]:
        for month in months:
            relations.append(((group, month), [(group, w) for w in weeks if month_by_thursday(w) == month]))
    return relations


def chain(known: dict, unknown: set, relations) -> dict:
    """The chaining attack: a total minus its known parts gives its one unknown part (or the parts give the
    total); repeated until nothing more follows."""
    known, unknown = dict(known), set(unknown)
    progress = True
    while progress:
        progress = False
        for total, parts in relations:
            missing = [c for c in (total, *parts) if c in unknown]
            if len(missing) != 1:
                continue
            cell = missing[0]
            known[cell] = (sum(known[p] for p in parts if p != cell) if cell == total
                           else known[total] - sum(known[p] for p in parts if p != cell))
            unknown.discard(cell)
            progress = True
    return known


def count_ranges(known: dict, unknown: set, relations) -> dict:
    """For each unknown count, [min, max] by linear programming over the relations and non-negativity."""
    cells = sorted(unknown)
    index = {c: i for i, c in enumerate(cells)}
    rows, rhs = [], []
    for total, parts in relations:
        terms = [(total, 1.0)] + [(p, -1.0) for p in parts]
        if not any(c in index for c, _ in terms):
            continue
        row = np.zeros(len(cells))
        constant = 0.0
        for cell, sign in terms:
            if cell in index:
                row[index[cell]] += sign
            else:
                constant += sign * known[cell]
        rows.append(row)
        rhs.append(-constant)
    ranges = {}
    for cell in cells:
        bounds = []
        for sign in (1.0, -1.0):
            objective = np.zeros(len(cells))
            objective[index[cell]] = sign
            result = linprog(objective, A_eq=np.array(rows) if rows else None, b_eq=np.array(rhs) if rows else None,
                             bounds=[(0, None)] * len(cells), method="highs-ds", options={"presolve": False})
            assert result.status in (0, 3), result.message
            bounds.append(math.inf if result.status == 3 else sign * result.fun)
        ranges[cell] = (bounds[0], bounds[1])
    return ranges


def attack(truth: dict, seen: dict, groups, weeks, months) -> list[str]:
    """What the attacker learns about hidden cells with responses: a list of findings (empty: nothing)."""
    relations = attacker_relations(groups, weeks, months)
    cells = {c for total, parts in relations for c in (total, *parts)}
    known = {c: seen[c] for c in cells if c in seen}
    known.update({c: 0 for c in cells if truth.get(c, 0) == 0})  # the cautious assumption: empties are known
    unknown = cells - set(known)
    findings = []
    solved = chain(known, unknown, relations)
    findings += [f"{c} solved by chaining: {solved[c]}" for c in unknown if c in solved]
    for cell, (low, high) in count_ranges(known, unknown, relations).items():
        if high - low < K - 1e-6:
            findings.append(f"{cell} has {truth[cell]} responses; the attacker narrows it to [{low:.2f}, {high:.2f}]")
    return findings


# --- the audit on its own ---------------------------------------------------------------------------

def sums(n, who5_pct=60, pss4=8):
    return (n, who5_pct * n, pss4 * n, 0, 0, 0)


def test_one_small_group_takes_the_smallest_partner_with_it():
    cells = {("a", "W"): sums(4), ("b", "W"): sums(5), ("c", "W"): sums(9), ("d", "W"): sums(10),
             (CENTER, "W"): sums(28)}
    relations = [((CENTER, "W"), [("a", "W"), ("b", "W"), ("c", "W"), ("d", "W")])]
    result = audit_batch(cells, relations, {}, cells, K)
    assert result.shown == {("c", "W"), ("d", "W"), (CENTER, "W")} and not result.unprotected


def test_two_small_groups_that_together_reach_k_protect_each_other():
    cells = {("a", "W"): sums(4), ("b", "W"): sums(3), ("c", "W"): sums(9), (CENTER, "W"): sums(16)}
    relations = [((CENTER, "W"), [("a", "W"), ("b", "W"), ("c", "W")])]
    assert audit_batch(cells, relations, {}, cells, K).shown == {("c", "W"), (CENTER, "W")}
    cells[("a", "W")], cells[("b", "W")], cells[(CENTER, "W")] = sums(3), sums(1), sums(13)  # 3 + 1 < 5
    assert audit_batch(cells, relations, {}, cells, K).shown == {(CENTER, "W")}


def test_a_month_that_would_give_away_a_hidden_week_is_hidden_with_a_partner():
    """The chaining of issue 13: team A's month minus its shown weeks is its hidden week."""
    weeks = ["2026-W40", "2026-W41", "2026-W42", "2026-W43", "2026-W44"]
    counts = {"a": [3, 8, 8, 8, 8], "b": [3, 9, 9, 9, 9], "c": [9, 9, 9, 9, 9]}
    week_sums = [(w, team, n, 60 * n, 8 * n, 0, 0, 0) for team, ns in enumerate(counts.values(), 1)
                 for w, n in zip(weeks, ns)]
    published = {}
    for week in weeks:
        published.update(decide_week(week, week_sums, K).shown)
    assert ("team:1", "2026-W40") not in published and ("team:2", "2026-W40") not in published
    month = decide_month("2026-10", week_sums, published, K)
    assert not month.unprotected
    shown = set(month.shown)
    assert ("team:1", "2026-10") not in shown or ("team:2", "2026-10") not in shown
    seen = {key: s[0] for key, s in {**published, **month.shown}.items()}
    assert attack(truth_of(week_sums), seen, ["team:1", "team:2", "team:3"], weeks, ["2026-10"]) == []


# --- hundreds of random centers ---------------------------------------------------------------------

def random_center(rng: random.Random, teams: int, weeks: int, take_up: float, start: date):
    """Per-team-and-week sums as the database gives them, and the true counts of every cell."""
    monday = start - timedelta(days=start.weekday())
    week_list = [wellbeing.iso_week(monday + timedelta(days=7 * i)) for i in range(weeks)]
    sizes = [rng.randint(1, 12) for _ in range(teams)]
    week_sums = []
    for week in week_list:
        for team, size in enumerate(sizes, 1):
            answers = [rng.randint(0, 25) * 4 for _ in range(size) if rng.random() < take_up]
            if answers:
                low = [a for a in answers if a <= 28]
                week_sums.append((week, team, len(answers), sum(answers), sum(rng.randint(0, 16) for _ in answers),
                                  len(low), sum(28 < a <= 50 for a in answers), len(low)))
    return week_list, week_sums


def publish_as_time_passes(week_list, week_sums):
    """What `publish_closed_periods` does, week by week: each week's batch, then its month's after its last week."""
    published, unprotected = {}, []
    for week in week_list:
        decision = decide_week(week, week_sums, K)
        published.update(decision.shown)
        unprotected += decision.unprotected
        month = wellbeing.month_of_week(week)
        if wellbeing.last_week_of_month(month) == week:
            decision = decide_month(month, week_sums, published, K)
            published.update(decision.shown)
            unprotected += decision.unprotected
    return published, unprotected


def truth_of(week_sums) -> dict:
    return {key: s[0] for key, s in wellbeing.aggregates.cell_sums(week_sums).items()}


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), teams=st.integers(2, 3), weeks=st.integers(2, 6),
       take_up=st.floats(0.2, 0.9), start=st.dates(date(2024, 1, 1), date(2027, 12, 31)))
def test_no_hidden_cell_of_a_random_center_can_be_worked_out(seed, teams, weeks, take_up, start):
    week_list, week_sums = random_center(random.Random(seed), teams, weeks, take_up, start)
    published, unprotected = publish_as_time_passes(week_list, week_sums)
    assert unprotected == []
    months = sorted({wellbeing.month_of_week(w) for w in week_list
                     if wellbeing.last_week_of_month(wellbeing.month_of_week(w)) in week_list})
    groups = [f"team:{t}" for t in range(1, teams + 1)]
    seen = {key: s[0] for key, s in published.items()}
    assert attack(truth_of(week_sums), seen, groups, week_list, months) == []
    assert all(s[0] >= K for s in published.values())


# --- the issue's synthetic centers, built through the services ----------------------------------------

def build_center_through_the_services(session, monkeypatch, rng, first_monday):
    """6 teams of 5-12 people, 60% weekly take-up over 12 weeks; an admin reads every view every Sunday evening
    and keeps what was shown (and checks that nothing shown ever changed)."""
    admin = make_user(session, f"admin{rng.random():.6f}", Role.ADMIN)
    teams = [make_team(session, f"Team {i} {rng.random():.6f}") for i in range(6)]
    people = {team.id: [make_user(session, f"p{team.id}-{i}", Role.AGENT, team_id=team.id)
                        for i in range(rng.randint(5, 12))] for team in teams}
    lead = make_user(session, f"lead{rng.random():.6f}", Role.LEAD)
    session.add(TeamLead(team_id=teams[0].id, user_id=lead.id))
    session.commit()
    seen, truth = {}, {}
    groups = [g.key for g in wellbeing.wellbeing_groups(session, admin) if g.key not in (CENTER, wellbeing.NO_TEAM)]
    weeks = []
    for index in range(12):
        monday = first_monday + timedelta(days=7 * index)
        set_center_day(monkeypatch, monday + timedelta(days=rng.randint(0, 4)))
        week = wellbeing.current_week()
        weeks.append(week)
        for team in teams:
            for person in people[team.id]:
                if rng.random() < 0.6:
                    wellbeing.check_in(session, person, CheckIn([rng.randint(0, 5) for _ in range(5)],
                                                                [rng.randint(0, 4) for _ in range(4)]))
                    session.commit()
                    for key in ((wellbeing.team_key(team.id), week), (CENTER, week),
                                (wellbeing.team_key(team.id), wellbeing.month_of_week(week)),
                                (CENTER, wellbeing.month_of_week(week))):
                        truth[key] = truth.get(key, 0) + 1
        set_center_day(monkeypatch, monday + timedelta(days=7))  # the Monday after: the week has closed
        for group in [*groups, CENTER]:
            for kind in wellbeing.PERIOD_KINDS:
                for row in wellbeing.wellbeing_trend(session, admin, group, kind).itertuples():
                    if row.shown:
                        figures = (int(row.responses), row.who5_mean_pct, row.pss4_mean, row.very_low_share)
                        assert seen.setdefault((group, row.period), figures) == figures, "a shown cell changed"
    months = sorted({wellbeing.month_of_week(w) for w in weeks if wellbeing.last_week_of_month(
        wellbeing.month_of_week(w)) in weeks})
    return groups, weeks, months, truth, {key: figures[0] for key, figures in seen.items()}


@pytest.mark.parametrize("center_seed", range(1, ATTACK_CENTERS + 1))
def test_the_issues_synthetic_centers_reveal_no_hidden_cell(session, monkeypatch, center_seed):
    started = time.perf_counter()
    rng = random.Random(center_seed)
    first_monday = date(2026, 3, 2) + timedelta(days=7 * rng.randint(0, 20))
    groups, weeks, months, truth, seen = build_center_through_the_services(session, monkeypatch, rng, first_monday)
    hidden_small = [key for key, n in truth.items() if 0 < n < K and key not in seen]
    assert hidden_small, "the synthetic center should have small cells to protect"
    assert attack(truth, seen, groups, weeks, months) == []
    print(f"center {center_seed}: {sum(truth[(CENTER, w)] for w in weeks if (CENTER, w) in truth)} check-ins, "
          f"{len(seen)} cells shown, {len(hidden_small)} small cells hidden, {time.perf_counter() - started:.1f} s")
