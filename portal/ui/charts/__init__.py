"""Every chart in the portal. Pages call these functions; no other module builds a chart.

Each drawing function is named for what it draws (`score_trend`, `difficulty_vs_discrimination`,
...), takes the translator first, writes its axis titles in the viewer's language and its dates on
the center's clock, and says in words when there is nothing to draw (a blank chart tells a screen
reader nothing). The `*_spec` / `*_chart` builders beside them return the chart itself, for tests.
"""
from portal.ui.charts.base import day_axis, in_language
from portal.ui.charts.quizzes import (FLAG_COLOURS, difficulty_vs_discrimination, difficulty_vs_discrimination_chart,
                                      practice_scores, practice_scores_chart, question_counts, question_counts_chart)
from portal.ui.charts.team import (proficiency_curve, proficiency_curve_spec, proficiency_curve_spec_inline,
                                   score_distribution, score_distribution_spec, score_distribution_spec_inline,
                                   score_trend, score_trend_spec, score_trend_spec_inline)
from portal.ui.charts.wellbeing import wellbeing_trend

__all__ = ["FLAG_COLOURS", "day_axis", "difficulty_vs_discrimination", "difficulty_vs_discrimination_chart",
           "in_language", "practice_scores", "practice_scores_chart", "proficiency_curve", "proficiency_curve_spec",
           "proficiency_curve_spec_inline", "question_counts", "question_counts_chart", "score_distribution",
           "score_distribution_spec", "score_distribution_spec_inline", "score_trend", "score_trend_spec",
           "score_trend_spec_inline", "wellbeing_trend"]
