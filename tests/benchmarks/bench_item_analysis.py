"""Time item_analysis on 20,000 attempts x 20 slots (prints, does not assert).

Run: python tests/benchmarks/bench_item_analysis.py
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from portal.quizzes.stats import item_analysis  # noqa: E402


def simulated_marks(attempts: int, slots: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Rasch-like data: ability vs difficulty, some 2-mark slots, partial credit."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(0.0, 1.0, size=(attempts, 1))
    difficulty = rng.normal(0.0, 1.0, size=(1, slots))
    prob = 1.0 / (1.0 + np.exp(-(ability - difficulty)))
    max_marks = np.where(np.arange(slots) % 5 == 0, 2.0, 1.0)
    correct = rng.random((attempts, slots)) < prob
    marks = correct * max_marks
    return marks, max_marks


def main() -> None:
    marks, max_marks = simulated_marks(20_000, 20)
    item_analysis(marks, max_marks)  # warm-up
    runs = 20
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = item_analysis(marks, max_marks)
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"item_analysis 20,000 x 20: best {times[0] * 1000:.1f} ms, "
          f"median {times[runs // 2] * 1000:.1f} ms over {runs} runs")
    t = result.test
    print(f"mean {t.mean:.2f}/{t.max_total:.0f}, alpha {t.cronbach_alpha:.3f}, "
          f"SE {t.standard_error:.2f}")


if __name__ == "__main__":
    main()
