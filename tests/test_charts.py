"""Every chart comes from portal/ui/charts: translated titles, the viewer's dates, words when empty."""
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from portal.i18n import Translator
from portal.ui import charts

ROOT = Path(__file__).resolve().parents[1]
CHART_CODE = re.compile(r"^\s*(import altair|from altair\b)|\.(altair_chart|vega_lite_chart)\(", re.M)


def test_no_module_outside_portal_ui_charts_builds_or_draws_a_chart():
    paths = [*(ROOT / "portal").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "streamlit_app.py"]
    offenders = [f"{path.relative_to(ROOT)}: {match.group(0).strip()}" for path in paths
                 if "charts" not in path.relative_to(ROOT).parts[:3]
                 for match in CHART_CODE.finditer(path.read_text(encoding="utf-8"))]
    assert not offenders, "chart code outside portal/ui/charts:\n" + "\n".join(offenders)


def _empty_charts(language: str) -> None:
    import pandas as pd

    from portal.coaching import CoachingSettings
    from portal.i18n import Translator
    from portal.ui import charts

    t = Translator(language)
    nothing = pd.DataFrame({"agent": [], "percent": [], "pass_mark": [], "submitted_on": []})
    charts.score_trend(t, nothing, pd.DataFrame({"taken_on": [], "mean": []}), CoachingSettings(), set())
    charts.score_distribution(t, pd.DataFrame({"band": [], "band_from": [], "results": []}), CoachingSettings())
    charts.proficiency_curve(t, pd.DataFrame({"day": [], "share": [], "group": []}), "Cohort")
    charts.question_counts(t, pd.Series([], dtype=int), "Tags")
    charts.difficulty_vs_discrimination(t, pd.DataFrame({"facility": [], "discrimination_index": []}))
    charts.practice_scores(t, pd.DataFrame({"submitted_at": [], "quiz": [], "number": [], "percent": []}))


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_an_empty_chart_says_so_in_words(language):
    at = AppTest.from_function(_empty_charts, args=(language,), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    t = Translator(language)
    assert [i.value for i in at.info] == [t("empty.team_dashboard"), t("analytics.no_results"),
                                          t("analytics.no_proficiency_yet"), t("empty.chart"), t("empty.chart"),
                                          t("quizbank.practice.no_history")]
    assert not at.get("arrow_vega_lite_chart")


def test_chart_titles_are_in_the_viewers_language():
    slots = pd.DataFrame({"facility": [0.5], "discrimination_index": [None], "flag_text": ["OK"], "label": ["q1"]})
    spec = charts.difficulty_vs_discrimination_chart(Translator("zh-CN"), slots).to_dict()
    titles = [layer["encoding"].get("x", {}).get("title") for layer in spec["layer"]]
    assert Translator("zh-CN")("exams.analysis.facility") in titles
    bars = charts.question_counts_chart(Translator("zh-CN"), pd.Series({"essay": 2}), "题型").to_dict()
    assert bars["encoding"]["x"]["title"] == Translator("zh-CN")("quizbank.bank.count")
    history = pd.DataFrame({"submitted_at": pd.to_datetime(["2026-12-22 22:00"], utc=True), "quiz": ["Q"],
                            "number": [1], "percent": [50.0]})
    practice = charts.practice_scores_chart(Translator("zh-CN"), history).to_dict()
    assert practice["encoding"]["x"]["axis"]["format"] == "%-m月%-d日"
