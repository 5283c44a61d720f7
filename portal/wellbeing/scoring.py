"""Scoring the two instruments: the one `score()` function, bands and support signals."""
from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass

# WHO-5 Well-Being Index (WHO Regional Office for Europe, 1998 version;
# Psychiatric Research Unit, Mental Health Centre North Zealand). Five items,
# 0 "at no time" .. 5 "all of the time", over the last two weeks; raw 0-25,
# percentage = raw x 4. Topp et al., Psychother Psychosom 2015;84:167-176.
# PSS-4: Cohen, Kamarck & Mermelstein 1983; Cohen & Williamson 1988. Four
# items, 0 "never" .. 4 "very often", over the last month; items 2 and 3 are
# positively worded and reverse-scored. Wording: portal/locales/*/wellbeing.json.

INSTRUMENTS = {"who5": (5, 5), "pss4": (4, 4)}  # instrument -> (items, highest answer)
PSS4_REVERSED = (2, 3)
BANDS = ("very_low", "low", "ok")
CHECKIN_COMMENT_MAX = 500


@dataclass(frozen=True)
class Score:
    instrument: str
    total: int
    maximum: int
    percentage: int | None = None  # WHO-5 only
    band: str | None = None  # WHO-5 only: very_low, low, ok; PSS-4 has no official cut-offs
    low_items: tuple[int, ...] = ()  # WHO-5 items (1-based) answered 0 or 1

    @property
    def needs_support(self) -> bool:
        """WHO-5 very low, or any single WHO-5 item at 0 or 1: offer support more prominently."""
        return self.band == "very_low" or bool(self.low_items)


WHO5_VERY_LOW_MAX = 28  # percentage at or below: very low (raw 7 or less)
WHO5_LOW_MAX = 50  # percentage at or below: low (raw 12 or less; the WHO-5 cut-off is raw 13)
WHO5_LOW_ITEM_MAX = 1  # a single WHO-5 item answered at or below this is a support signal


def who5_band(percentage: float) -> str:
    if percentage <= WHO5_VERY_LOW_MAX:
        return "very_low"
    if percentage <= WHO5_LOW_MAX:
        return "low"
    return "ok"


def score(instrument: str, answers: Sequence[int]) -> Score:
    """The one scoring function. Raises ValueError for a wrong count or an answer out of range."""
    if instrument not in INSTRUMENTS:
        raise ValueError(f"unknown instrument {instrument!r}")
    count, highest = INSTRUMENTS[instrument]
    answers = list(answers)
    if len(answers) != count:
        raise ValueError(f"{instrument} needs {count} answers, got {len(answers)}")
    for answer in answers:
        if isinstance(answer, bool) or not isinstance(answer, numbers.Integral) or not 0 <= answer <= highest:
            raise ValueError(f"{instrument} answers are whole numbers 0..{highest}, got {answer!r}")
    answers = [int(a) for a in answers]
    if instrument == "who5":
        raw = sum(answers)
        return Score("who5", raw, 25, percentage=raw * 4, band=who5_band(raw * 4),
                     low_items=tuple(i for i, a in enumerate(answers, 1) if a <= WHO5_LOW_ITEM_MAX))
    total = sum(highest - a if i in PSS4_REVERSED else a for i, a in enumerate(answers, 1))
    return Score("pss4", total, 16)

