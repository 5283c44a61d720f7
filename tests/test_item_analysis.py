"""Item analysis: checked against hand calculations and a plain-Python
re-implementation of Moodle's formulas (statistics module, loops, sorted
lists), never against the numpy code under test."""
from __future__ import annotations

import math
import random
import statistics
from dataclasses import asdict, fields

import numpy as np
import pandas as pd
import pytest

from portal.quizzes.stats import ItemAnalysis, SlotStatistics, TestStatistics, item_analysis

# --------------------------------------------------------------------------
# Plain-Python reference (sample statistics, divide by s - 1)
# --------------------------------------------------------------------------


def ref_cov(a: list[float], b: list[float]) -> float:
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    return sum((x - ma) * (y - mb) for x, y in zip(a, b)) / (len(a) - 1)


def ref_slot(rows: list[list[float]], maxes: list[float], j: int) -> dict:
    col = [r[j] for r in rows]
    totals = [sum(r) for r in rows]
    rest = [t - x for t, x in zip(totals, col)]
    var_x = statistics.variance(col)
    var_r = statistics.variance(rest)
    cov_xr = ref_cov(col, rest)
    cov_max = ref_cov(sorted(col), sorted(rest))
    return {
        "facility": statistics.fmean(col) / maxes[j],
        "sd": statistics.stdev(col) / maxes[j],
        "discrimination_index": cov_xr / math.sqrt(var_x * var_r),
        "discriminative_efficiency": cov_xr / cov_max,
        "intended_weight": maxes[j] / sum(maxes),
        "cov_total": ref_cov(col, totals),
    }


def ref_effective_weights(rows, maxes) -> list[float | None]:
    covs = [ref_slot(rows, maxes, j)["cov_total"] for j in range(len(maxes))]
    denominator = sum(math.sqrt(c) for c in covs if c >= 0)
    return [None if c < 0 else math.sqrt(c) / denominator for c in covs]


def ref_test(rows: list[list[float]]) -> dict:
    totals = [sum(r) for r in rows]
    s, p = len(totals), len(rows[0])
    mean = sum(totals) / s
    m2 = sum((t - mean) ** 2 for t in totals) / s
    m3 = sum((t - mean) ** 3 for t in totals) / s
    m4 = sum((t - mean) ** 4 for t in totals) / s
    k2 = s * m2 / (s - 1)
    k3 = s * s * m3 / ((s - 1) * (s - 2))
    k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
    item_vars = sum(statistics.variance([r[j] for r in rows]) for j in range(p))
    alpha = p / (p - 1) * (1 - item_vars / k2)
    sd = statistics.stdev(totals)
    return {
        "mean": mean,
        "median": statistics.median(totals),
        "sd": sd,
        "skewness": k3 / k2**1.5,
        "kurtosis": k4 / k2**2,
        "cronbach_alpha": alpha,
        "error_ratio": math.sqrt(1 - alpha),
        "standard_error": math.sqrt(1 - alpha) * sd,
    }


def all_finite_or_none(result: ItemAnalysis) -> bool:
    values = [v for s in result.slots for v in asdict(s).values()]
    values += list(asdict(result.test).values())
    return all(
        v is None or isinstance(v, (bool, str)) or (isinstance(v, (int, float)) and math.isfinite(v))
        for v in values
    )


# --------------------------------------------------------------------------
# A tiny matrix, checked by hand
# --------------------------------------------------------------------------

# 5 attempts x 3 slots, max marks 1, 1, 2. Totals: 4, 2, 3, 1, 0.
TINY = [
    [1, 1, 2],
    [1, 0, 1],
    [0, 1, 2],
    [1, 0, 0],
    [0, 0, 0],
]
TINY_MAX = [1, 1, 2]


@pytest.fixture(scope="module")
def tiny() -> ItemAnalysis:
    return item_analysis(np.array(TINY, dtype=float), np.array(TINY_MAX, dtype=float), ["a", "b", "c"])


def test_tiny_slot1_by_hand(tiny):
    q1 = tiny.slots[0]
    # x = 1,1,0,1,0: mean 0.6; squared deviations 3 x 0.16 + 2 x 0.36 = 1.2; var = 1.2/4 = 0.3
    assert q1.facility == pytest.approx(0.6)
    assert q1.sd == pytest.approx(math.sqrt(0.3))
    # rest = total - x = 3,1,3,0,0 (mean 1.4): sum of (x-0.6)(r-1.4) = -0.2 -> cov -0.05;
    # sum of (r-1.4)^2 = 9.2 -> var 2.3
    assert q1.discrimination_index == pytest.approx(-0.05 / math.sqrt(0.3 * 2.3))
    # sorted x = 0,0,1,1,1 and sorted rest = 0,0,1,3,3:
    # sum (x-0.6)(r-1.4) = 0.84+0.84-0.16+0.64+0.64 = 2.8 -> covmax 0.7
    assert q1.discriminative_efficiency == pytest.approx(-0.05 / 0.7)
    assert q1.intended_weight == pytest.approx(0.25)
    assert q1.negative_discrimination and q1.weak_discrimination
    assert q1.label == "a" and q1.slot == 1 and q1.attempts == 5


def test_tiny_slot3_by_hand(tiny):
    q3 = tiny.slots[2]
    # x = 2,1,2,0,0 of max 2: mean 1.0, facility 0.5; var = (1+0+1+1+1)/4 = 1; sd/max = 0.5
    assert q3.facility == pytest.approx(0.5)
    assert q3.sd == pytest.approx(0.5)
    assert q3.mean_mark == pytest.approx(1.0)
    # rest = 2,1,1,1,0 (mean 1.0): cov = (1*1 + 0 + 1*0 + -1*0 + -1*-1)/4 = 0.5;
    # var rest = (1+0+0+0+1)/4 = 0.5  ->  r = 0.5 / sqrt(1 * 0.5)
    assert q3.discrimination_index == pytest.approx(0.5 / math.sqrt(0.5))
    assert not q3.negative_discrimination and not q3.weak_discrimination


def test_tiny_matches_reference(tiny):
    effective = ref_effective_weights(TINY, TINY_MAX)
    for j, slot in enumerate(tiny.slots):
        ref = ref_slot(TINY, TINY_MAX, j)
        for name in ("facility", "sd", "discrimination_index", "discriminative_efficiency", "intended_weight"):
            assert getattr(slot, name) == pytest.approx(ref[name]), (j, name)
        assert slot.effective_weight == pytest.approx(effective[j])


def test_tiny_test_statistics(tiny):
    t = tiny.test
    ref = ref_test(TINY)
    # totals 4,2,3,1,0: mean 2, median 2, var = (4+0+1+1+4)/4 = 2.5
    assert t.count == 5 and t.slots == 3 and t.max_total == 4
    assert t.mean == pytest.approx(2.0)
    assert t.median == pytest.approx(2.0)
    assert t.sd == pytest.approx(math.sqrt(2.5))
    assert t.mean_fraction == pytest.approx(0.5)
    # item variances 0.3 + 0.3 + 1.0 = 1.6 -> alpha = 3/2 * (1 - 1.6/2.5) = 0.54
    assert t.cronbach_alpha == pytest.approx(0.54)
    assert t.error_ratio == pytest.approx(math.sqrt(0.46))
    assert t.standard_error == pytest.approx(math.sqrt(0.46) * math.sqrt(2.5))
    # symmetric totals around 2 -> skewness 0
    assert t.skewness == pytest.approx(0.0, abs=1e-12)
    for name, value in ref.items():
        assert getattr(t, name) == pytest.approx(value, abs=1e-12), name


def test_random_partial_credit_matches_reference():
    rng = random.Random(42)
    rows = []
    maxes = [1, 1, 2, 3, 1, 0.5]
    for _ in range(37):
        ability = rng.random()
        rows.append([round(m * min(1.0, max(0.0, ability + rng.uniform(-0.4, 0.4))) * 4) / 4 for m in maxes])
    result = item_analysis(np.array(rows), np.array(maxes))
    effective = ref_effective_weights(rows, maxes)
    for j, slot in enumerate(result.slots):
        ref = ref_slot(rows, maxes, j)
        for name in ("facility", "sd", "discrimination_index", "discriminative_efficiency", "intended_weight"):
            assert getattr(slot, name) == pytest.approx(ref[name], rel=1e-9), (j, name)
        if effective[j] is None:
            assert slot.effective_weight is None and slot.negative_covariance
        else:
            assert slot.effective_weight == pytest.approx(effective[j], rel=1e-9)
    for name, value in ref_test(rows).items():
        assert getattr(result.test, name) == pytest.approx(value, rel=1e-9), name
    # effective weights over non-negative slots add to 1
    assert sum(s.effective_weight or 0 for s in result.slots) == pytest.approx(1.0)


def test_skewness_kurtosis_agree_with_pandas():
    # pandas' Series.skew()/kurt() use the same bias-corrected k-statistics (G1, G2).
    rng = np.random.default_rng(3)
    marks = (rng.random((50, 8)) < np.linspace(0.2, 0.9, 8)).astype(float)
    result = item_analysis(marks, np.ones(8))
    totals = pd.Series(marks.sum(axis=1))
    assert result.test.skewness == pytest.approx(totals.skew())
    assert result.test.kurtosis == pytest.approx(totals.kurt())


# --------------------------------------------------------------------------
# Cronbach's alpha
# --------------------------------------------------------------------------


def test_alpha_worked_example():
    # Worked example (4 respondents x 3 items) used in several how-to guides:
    # items 4,3,5,2 / 5,4,5,3 / 4,3,5,2; totals 13,10,15,7.
    # Item variances 5/3 + 2.75/3 + 5/3 = 4.25; total variance 36.75/3 = 12.25;
    # alpha = 3/2 * (1 - 4.25/12.25) = 48/49 = 0.9796.
    marks = np.array([[4, 5, 4], [3, 4, 3], [5, 5, 5], [2, 3, 2]], dtype=float)
    result = item_analysis(marks, np.array([5, 5, 5.0]))
    assert result.test.cronbach_alpha == pytest.approx(48 / 49)
    assert result.test.error_ratio == pytest.approx(math.sqrt(1 / 49))


def test_alpha_identical_items_is_one_and_uncorrelated_items_is_zero():
    same = np.array([[1, 1], [0, 0], [1, 1], [0, 0]], dtype=float)
    assert item_analysis(same, np.ones(2)).test.cronbach_alpha == pytest.approx(1.0)
    assert item_analysis(same, np.ones(2)).test.error_ratio == pytest.approx(0.0, abs=1e-7)
    # covariance 0 between the two items -> total variance = sum of item variances
    independent = np.array([[1, 1], [1, 0], [0, 1], [0, 0]], dtype=float)
    assert item_analysis(independent, np.ones(2)).test.cronbach_alpha == pytest.approx(0.0, abs=1e-12)


# --------------------------------------------------------------------------
# Flags
# --------------------------------------------------------------------------


def test_flags():
    # 10 attempts ordered from strongest to weakest; slots 4-6 rank them.
    easy = [1] * 10  # facility 1.0, zero variance
    nearly_easy = [1] * 9 + [0]  # facility 0.9: not "too easy" (> 0.9 needed)
    hard = [1] + [0] * 9  # facility 0.1
    good = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    good2 = [1, 1, 1, 1, 0, 1, 0, 0, 0, 0]
    good3 = [1, 1, 1, 0, 1, 1, 1, 0, 0, 0]
    reverse = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]
    marks = np.array([easy, nearly_easy, hard, good, good2, good3, reverse], dtype=float).T
    result = item_analysis(marks, np.ones(7))
    s = result.slots
    assert s[0].too_easy and not s[0].too_hard
    assert s[0].discrimination_index is None  # zero variance: undefined, not flagged
    assert not s[0].weak_discrimination and not s[0].negative_discrimination
    assert s[0].sd == 0.0
    assert not s[1].too_easy
    assert s[2].too_hard and not s[2].too_easy
    assert s[3].discrimination_index > 0.2 and not s[3].weak_discrimination
    assert s[6].negative_discrimination and s[6].weak_discrimination
    assert s[6].discrimination_index < 0


# --------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------


def test_no_attempts():
    result = item_analysis(np.zeros((0, 3)), np.ones(3))
    assert result.test.count == 0
    assert result.test.mean is None and result.test.median is None and result.test.sd is None
    assert all(s.facility is None and s.discrimination_index is None for s in result.slots)
    assert all(s.intended_weight == pytest.approx(1 / 3) for s in result.slots)
    assert all_finite_or_none(result)


def test_one_attempt():
    result = item_analysis(np.array([[1.0, 0.0, 2.0]]), np.array([1.0, 1.0, 2.0]))
    t = result.test
    assert t.count == 1 and t.mean == 3.0 and t.median == 3.0
    assert t.sd is None and t.skewness is None and t.kurtosis is None and t.cronbach_alpha is None
    assert result.slots[0].facility == 1.0 and result.slots[0].too_easy
    assert result.slots[0].sd is None and result.slots[0].discrimination_index is None
    assert result.slots[0].effective_weight is None
    assert all_finite_or_none(result)


def test_two_and_three_attempts():
    two = item_analysis(np.array([[1.0, 1.0], [0.0, 0.0]]), np.ones(2))
    assert two.test.sd == pytest.approx(math.sqrt(2))
    assert two.test.median == pytest.approx(1.0)
    assert two.test.skewness is None and two.test.kurtosis is None
    assert two.test.cronbach_alpha == pytest.approx(1.0)
    three = item_analysis(np.array([[1.0, 1.0], [0.0, 0.0], [1.0, 0.0]]), np.ones(2))
    assert three.test.skewness is not None and three.test.kurtosis is None


def test_zero_variance_everywhere():
    marks = np.full((6, 4), 0.5)
    result = item_analysis(marks, np.ones(4))
    t = result.test
    assert t.sd == 0.0
    assert t.skewness is None and t.kurtosis is None
    assert t.cronbach_alpha is None and t.error_ratio is None and t.standard_error is None
    for s in result.slots:
        assert s.facility == pytest.approx(0.5)
        assert s.sd == 0.0
        assert s.discrimination_index is None and s.discriminative_efficiency is None
        assert s.effective_weight is None
    assert all_finite_or_none(result)


def test_float_noise_constant_column_counts_as_zero_variance():
    # mean of 0.1 repeated is not exactly 0.1 in floating point
    marks = np.column_stack([np.full(7, 0.1), np.arange(7) % 2, np.arange(7) % 3])
    result = item_analysis(marks, np.array([1.0, 1.0, 2.0]))
    assert result.slots[0].discrimination_index is None
    assert result.slots[0].sd == 0.0
    assert all_finite_or_none(result)


def test_zero_max_mark_slot():
    marks = np.array([[0.0, 1.0], [0.0, 0.0], [0.0, 1.0]])
    result = item_analysis(marks, np.array([0.0, 1.0]))
    assert result.slots[0].facility is None and result.slots[0].sd is None
    assert result.slots[0].intended_weight == 0.0
    assert all_finite_or_none(result)


def test_all_zero_max_marks():
    result = item_analysis(np.zeros((3, 2)), np.zeros(2))
    assert result.test.mean_fraction is None
    assert all(s.intended_weight is None for s in result.slots)
    assert all_finite_or_none(result)


def test_single_slot():
    result = item_analysis(np.array([[1.0], [0.0], [1.0]]), np.ones(1))
    assert result.test.cronbach_alpha is None  # needs at least 2 slots
    assert result.slots[0].discrimination_index is None  # rest of test is constant 0
    assert result.slots[0].effective_weight == pytest.approx(1.0)


@pytest.mark.parametrize(
    "marks, max_marks",
    [
        (np.array([[1.0, np.nan]]), np.ones(2)),
        (np.array([[1.0, np.inf]]), np.ones(2)),
        (np.ones((2, 3)), np.ones(2)),
        (np.ones(3), np.ones(3)),
        (np.ones((2, 2)), np.array([1.0, -1.0])),
    ],
)
def test_bad_input_raises(marks, max_marks):
    with pytest.raises(ValueError):
        item_analysis(marks, max_marks)


def test_label_count_must_match():
    with pytest.raises(ValueError):
        item_analysis(np.ones((2, 2)), np.ones(2), ["only one"])


# --------------------------------------------------------------------------
# Frames
# --------------------------------------------------------------------------


def test_frames(tiny):
    slots = tiny.slots_frame()
    assert list(slots.columns) == [f.name for f in fields(SlotStatistics)]
    assert len(slots) == 3
    assert list(slots["label"]) == ["a", "b", "c"]
    assert slots["facility"].tolist() == pytest.approx([0.6, 0.4, 0.5])
    assert slots["facility"].dtype == float
    test = tiny.test_frame()
    assert list(test.columns) == ["statistic", "value"]
    assert list(test["statistic"]) == [f.name for f in fields(TestStatistics)]
    assert test.set_index("statistic").loc["mean", "value"] == pytest.approx(2.0)


def test_frames_with_undefined_values_write_csv():
    result = item_analysis(np.zeros((1, 2)), np.ones(2))
    csv = result.slots_frame().to_csv(index=False)
    assert "nan" not in csv.lower() and "inf" not in csv.lower()
    test_csv = result.test_frame().to_csv(index=False)
    assert "nan" not in test_csv.lower()


def test_large_input_is_finite():
    rng = np.random.default_rng(0)
    marks = (rng.random((20_000, 20)) < rng.random(20)).astype(float)
    result = item_analysis(marks, np.ones(20))
    assert result.test.count == 20_000
    assert all_finite_or_none(result)
