"""Item analysis for quiz attempts, following Moodle's quiz statistics.

Sources (Moodle, GPL; formulas re-implemented here, no code copied):

* docs: https://docs.moodle.org/dev/Quiz_statistics_calculations
* question/classes/statistics/questions/calculator.php
  (``secondary_steps_walker``, ``secondary_question_walker``, effective weight
  at the end of ``calculate``)
* mod/quiz/report/statistics/classes/calculator.php (test statistics:
  median, SD, skewness, kurtosis, CIC, error ratio, standard error)
* mod/quiz/report/statistics/statistics_table.php (how values are shown:
  SD is divided by the slot's max mark; facility, weights, discrimination
  index and efficiency are shown as percentages)

Notation: ``x[s, p]`` is the mark of attempt ``s`` on slot ``p``,
``T[s] = sum_p x[s, p]`` the attempt total and ``R[s, p] = T[s] - x[s, p]``
the mark on the *rest* of the test. ``S`` is the number of attempts, ``P``
the number of slots. Variances and covariances are sample ones (divide by
``S - 1``), as in Moodle.

Units. Every ratio is returned as a **fraction**, not as Moodle's
percentage: facility 0.85 is shown by Moodle as "85.00%", discrimination
index 0.31 as "31.00%", and so on. Marks (mean, median, SD, standard error
of the test) are in marks; the ``*_fraction`` fields divide them by the
maximum total. Anything undefined (too few attempts, zero variance, zero
max mark) is ``None``; no value is ever NaN or infinite.

Per slot:

* facility           = mean(x_p) / max_p
* sd                 = sd(x_p) / max_p                 (sample SD, s-1)
* discrimination     = cov(x_p, R_p) / sqrt(var(x_p) var(R_p))
  (Pearson correlation of the item with the rest of the test)
* discriminative_efficiency = cov(x_p, R_p) / covmax(x_p, R_p), where
  covmax is the covariance of x_p sorted ascending with R_p sorted
  ascending: the largest covariance those two sets of values could reach.
* intended_weight    = max_p / sum(max)
* effective_weight   = sqrt(cov(x_p, T)) / sum_q sqrt(cov(x_q, T)), the sum
  running over slots with cov(x_q, T) >= 0; ``None`` for a slot whose
  covariance with the total is negative (Moodle shows "negative
  covariance") or when the sum is 0.

Test:

* mean, median (mean of the two middle totals when S is even), sd (s-1)
* skewness = k3 / k2^(3/2), kurtosis = k4 / k2^2 with
  m_r = sum((T - mean)^r) / S, k2 = S m2 / (S-1),
  k3 = S^2 m3 / ((S-1)(S-2)),
  k4 = S^2 ((S+1) m4 - 3 (S-1) m2^2) / ((S-1)(S-2)(S-3));
  skewness needs S > 2, kurtosis S > 3, both need k2 > 0.
* cronbach_alpha (Moodle's "coefficient of internal consistency")
  = P/(P-1) * (1 - sum_p var(x_p) / var(T)); needs P > 1, S > 1, var(T) > 0.
  (Moodle nests this inside its ``S > 2`` skewness branch; the formula is
  defined for S = 2 and we compute it there too.)
* error_ratio = sqrt(1 - alpha)   (Moodle: 100 * sqrt(1 - CIC/100))
* standard_error = error_ratio * sd   (in marks)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np
import pandas as pd

TOO_EASY_FACILITY = 0.9
TOO_HARD_FACILITY = 0.2
WEAK_DISCRIMINATION = 0.2

# Relative tolerance under which a variance counts as zero (float noise
# from the mean of a constant column is ~1e-17 of the squared scale).
_ZERO_VAR_RTOL = 1e-12


@dataclass(frozen=True)
class SlotStatistics:
    """Statistics of one slot (question position) of the quiz."""

    slot: int  # 1-based position, as in Moodle
    label: str
    max_mark: float
    attempts: int
    mean_mark: float | None
    facility: float | None  # mean mark / max mark, 0..1
    sd: float | None  # SD of mark / max mark (sample, s-1)
    discrimination_index: float | None  # correlation with rest of test, -1..1
    discriminative_efficiency: float | None  # cov / max possible cov, fraction
    intended_weight: float | None  # max mark / sum of max marks, fraction
    effective_weight: float | None  # fraction; None if negative covariance
    negative_covariance: bool  # cov(item, total) < 0 (Moodle's "negcovar")
    too_easy: bool
    too_hard: bool
    weak_discrimination: bool
    negative_discrimination: bool


@dataclass(frozen=True)
class TestStatistics:
    """Statistics of the attempt totals."""

    __test__ = False  # not a pytest test class

    count: int
    slots: int
    max_total: float
    mean: float | None
    median: float | None
    sd: float | None
    mean_fraction: float | None
    median_fraction: float | None
    sd_fraction: float | None
    skewness: float | None
    kurtosis: float | None
    cronbach_alpha: float | None  # Moodle's CIC / 100
    error_ratio: float | None  # Moodle's ER / 100
    standard_error: float | None  # marks


@dataclass(frozen=True)
class ItemAnalysis:
    slots: list[SlotStatistics]
    test: TestStatistics

    def slots_frame(self) -> pd.DataFrame:
        """One row per slot, columns as in :class:`SlotStatistics`.

        Numeric columns keep a float dtype; an undefined value (``None`` on
        the dataclass) becomes pandas' missing value and an empty CSV cell.
        """
        columns = [f.name for f in fields(SlotStatistics)]
        frame = pd.DataFrame([asdict(s) for s in self.slots], columns=columns)
        optional = [f.name for f in fields(SlotStatistics) if "None" in str(f.type)]
        frame[optional] = frame[optional].astype(float)  # a column of only None would stay object
        return frame

    def test_frame(self) -> pd.DataFrame:
        """Long format: columns ``statistic`` and ``value``, one row per
        field of :class:`TestStatistics`; undefined values stay ``None``."""
        data = asdict(self.test)
        return pd.DataFrame(
            {"statistic": list(data), "value": pd.Series(list(data.values()), dtype=object)}
        )


def _opt(value: float | np.floating | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if np.isfinite(value) else None


def item_analysis(
    marks: np.ndarray,
    max_marks: np.ndarray,
    slot_labels: list[str] | None = None,
) -> ItemAnalysis:
    """Compute Moodle-style item and test statistics.

    ``marks`` is attempts x slots (unanswered = 0, NaN refused), ``max_marks``
    one maximum per slot (>= 0; a slot with max 0 has no facility/SD).
    """
    x, mx, labels = _checked_inputs(marks, max_marks, slot_labels)
    moments = _slot_moments(x, mx)
    slots = [_slot_row(j, labels[j], float(mx[j]), x.shape[0], moments) for j in range(x.shape[1])]
    return ItemAnalysis(slots=slots, test=_test_statistics(x.sum(axis=1), moments.var_x, x.shape[1], float(mx.sum())))


def _checked_inputs(marks, max_marks, slot_labels) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The marks matrix, the max marks and the slot labels, or ValueError saying what is wrong."""
    x = np.asarray(marks, dtype=float)
    if x.ndim != 2:
        raise ValueError("marks must be a 2-D array (attempts x slots)")
    p = x.shape[1]
    mx = np.asarray(max_marks, dtype=float).reshape(-1)
    if mx.shape != (p,):
        raise ValueError(f"max_marks has {mx.size} values for {p} slots")
    if not np.all(np.isfinite(x)):
        raise ValueError("marks must be finite (record an unanswered question as 0)")
    if not np.all(np.isfinite(mx)) or np.any(mx < 0):
        raise ValueError("max_marks must be finite and >= 0")
    if slot_labels is None:
        return x, mx, [f"Q{i + 1}" for i in range(p)]
    labels = [str(label) for label in slot_labels]
    if len(labels) != p:
        raise ValueError(f"{len(labels)} slot labels for {p} slots")
    return x, mx, labels


@dataclass(frozen=True)
class _SlotMoments:
    """Per-slot arrays (NaN where undefined) that the slot rows and the test statistics read."""

    mean_x: np.ndarray
    facility: np.ndarray
    var_x: np.ndarray
    sd_frac: np.ndarray
    disc: np.ndarray
    efficiency: np.ndarray
    eff_weight: np.ndarray
    negcov: np.ndarray
    intended: np.ndarray


def _slot_moments(x: np.ndarray, mx: np.ndarray) -> _SlotMoments:
    n, p = x.shape
    max_total = float(mx.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_x = x.mean(axis=0) if n else np.full(p, np.nan)
        facility = np.where(mx > 0, mean_x / np.where(mx > 0, mx, 1.0), np.nan)
        spread = _spread(x, mx, mean_x) if n > 1 else _no_spread(p)
        intended = mx / max_total if max_total > 0 else np.full(p, np.nan)
    return _SlotMoments(mean_x=mean_x, facility=facility, intended=intended, **spread)


def _no_spread(p: int) -> dict[str, np.ndarray]:
    """One attempt or none: nothing that needs a variance is defined."""
    nan = np.full(p, np.nan)
    return {"var_x": nan, "sd_frac": nan, "disc": nan, "efficiency": nan, "eff_weight": nan,
            "negcov": np.zeros(p, dtype=bool)}


def _spread(x: np.ndarray, mx: np.ndarray, mean_x: np.ndarray) -> dict[str, np.ndarray]:
    """Variances, discrimination, efficiency and effective weight of each slot (two attempts or more)."""
    dof = x.shape[0] - 1
    total = x.sum(axis=1)
    max_total = float(mx.sum())
    xc = x - mean_x
    tc = total - total.mean()
    rest = total[:, None] - x
    rc = tc[:, None] - xc  # rest of the test, centred
    var_x = np.einsum("ij,ij->j", xc, xc) / dof
    var_r = np.einsum("ij,ij->j", rc, rc) / dof
    cov_xr = np.einsum("ij,ij->j", xc, rc) / dof
    cov_xt = (tc @ xc) / dof
    # Largest covariance attainable by these two sets of values: pair them both in ascending order.
    cov_max = np.einsum("ij,ij->j", np.sort(x, axis=0) - mean_x,
                        np.sort(rest, axis=0) - (total.mean() - mean_x)) / dof
    zero_x = _is_zero_variance(var_x, np.maximum(mx, np.abs(x).max(axis=0)))
    zero_r = _is_zero_variance(var_r, np.maximum(max_total, np.abs(rest).max(axis=0)))
    var_x = np.where(zero_x, 0.0, var_x)
    var_r = np.where(zero_r, 0.0, var_r)
    disc = np.clip(np.where(zero_x | zero_r, np.nan, cov_xr / np.sqrt(var_x * var_r)), -1.0, 1.0)
    # cov_max > 0 whenever neither variance is zero (rearrangement
    # inequality), and cov_max >= |cov_xr|, so the ratio is in [-1, 1].
    eff_ok = ~(zero_x | zero_r) & (cov_max > 0)
    efficiency = np.clip(np.where(eff_ok, cov_xr / np.where(eff_ok, cov_max, 1.0), np.nan), -1.0, 1.0)
    eff_weight, negcov = _effective_weight(np.where(zero_x, 0.0, cov_xt))
    return {"var_x": var_x, "sd_frac": np.where(mx > 0, np.sqrt(var_x) / np.where(mx > 0, mx, 1.0), np.nan),
            "disc": disc, "efficiency": efficiency, "eff_weight": eff_weight, "negcov": negcov}


def _is_zero_variance(variance: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """A variance that is float noise against the square of the values' scale."""
    return variance <= _ZERO_VAR_RTOL * np.maximum(scale ** 2, 1e-300)


def _effective_weight(cov_xt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Moodle's effective weight: sqrt of each slot's covariance with the total, normalised over the
    slots whose covariance is not negative; and which slots have a negative one."""
    negcov = cov_xt < 0
    root = np.sqrt(np.where(negcov, 0.0, cov_xt))
    root_sum = float(root.sum())
    if root_sum > 0:
        return np.where(negcov, np.nan, root / root_sum), negcov
    return np.full(cov_xt.shape, np.nan), negcov


def _slot_row(j: int, label: str, max_mark: float, attempts: int, m: _SlotMoments) -> SlotStatistics:
    fac = _opt(m.facility[j])
    di = _opt(m.disc[j])
    return SlotStatistics(
        slot=j + 1,
        label=label,
        max_mark=max_mark,
        attempts=attempts,
        mean_mark=_opt(m.mean_x[j]),
        facility=fac,
        sd=_opt(m.sd_frac[j]),
        discrimination_index=di,
        discriminative_efficiency=_opt(m.efficiency[j]),
        intended_weight=_opt(m.intended[j]),
        effective_weight=_opt(m.eff_weight[j]),
        negative_covariance=bool(m.negcov[j]),
        too_easy=fac is not None and fac > TOO_EASY_FACILITY,
        too_hard=fac is not None and fac < TOO_HARD_FACILITY,
        weak_discrimination=di is not None and di < WEAK_DISCRIMINATION,
        negative_discrimination=di is not None and di < 0,
    )


def _test_statistics(total: np.ndarray, var_x: np.ndarray, p: int, max_total: float) -> TestStatistics:
    s = int(total.size)
    mean = float(total.mean()) if s else None
    median = float(np.median(total)) if s else None
    sd = skew = kurt = alpha = err_ratio = std_err = None
    if s > 1:
        sd, skew, kurt, k2 = _spread_of_totals(total, mean, max_total)
        if k2 > 0 and p > 1:
            alpha = (p / (p - 1)) * (1.0 - float(np.sum(var_x)) / k2)
            err_ratio = float(np.sqrt(max(0.0, 1.0 - alpha)))
            std_err = err_ratio * sd

    def frac(v: float | None) -> float | None:
        return None if v is None or max_total <= 0 else v / max_total

    return TestStatistics(
        count=s,
        slots=p,
        max_total=max_total,
        mean=_opt(mean),
        median=_opt(median),
        sd=_opt(sd),
        mean_fraction=_opt(frac(mean)),
        median_fraction=_opt(frac(median)),
        sd_fraction=_opt(frac(sd)),
        skewness=_opt(skew),
        kurtosis=_opt(kurt),
        cronbach_alpha=_opt(alpha),
        error_ratio=_opt(err_ratio),
        standard_error=_opt(std_err),
    )


def _spread_of_totals(total: np.ndarray, mean: float, max_total: float) -> tuple[float, float | None, float | None, float]:
    """(sd, skewness, kurtosis, k2) of two totals or more; skewness needs 3, kurtosis 4, both k2 > 0."""
    s = int(total.size)
    dev = total - mean
    d2 = dev * dev
    power2 = float(d2.sum())
    power3 = float((d2 * dev).sum())
    power4 = float((d2 * d2).sum())
    scale = max(max_total, float(np.abs(total).max())) ** 2
    if power2 / (s - 1) <= _ZERO_VAR_RTOL * max(scale, 1e-300):
        power2 = power3 = power4 = 0.0
    sd = float(np.sqrt(power2 / (s - 1)))
    m2, m3, m4 = power2 / s, power3 / s, power4 / s
    k2 = s * m2 / (s - 1)
    skew = kurt = None
    if k2 > 0 and s > 2:
        skew = (s * s * m3 / ((s - 1) * (s - 2))) / k2**1.5
    if k2 > 0 and s > 3:
        k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
        kurt = k4 / (k2 * k2)
    return sd, skew, kurt, k2
