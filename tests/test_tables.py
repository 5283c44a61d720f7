"""Tables never show the word None: a gap reads "—", the rest as the column would have shown it."""
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import streamlit as st

from portal.i18n import Translator
from portal.ui.tables import filled


def test_gaps_read_a_dash_and_numbers_keep_their_format():
    frame = pd.DataFrame({"name": ["Li Na", None], "trend": [-2.345, np.nan], "score": [80.0, 90.0],
                          "when": [datetime(2026, 12, 22, 22, 0, tzinfo=UTC), None]})
    shown, config = filled(Translator("en"), frame, {"trend": st.column_config.NumberColumn("Trend", format="%.1f"),
                                                     "name": "Name"})
    assert shown["name"].tolist() == ["Li Na", "—"]
    assert shown["trend"].tolist() == ["-2.3", "—"]
    assert config["trend"]["label"] == "Trend" and config["trend"]["alignment"] == "right"
    assert config["name"]["label"] == "Name"
    assert shown["when"].tolist()[1] == "—" and "Dec 23, 2026" in shown["when"].tolist()[0]  # the center's day
    assert shown["score"].tolist() == [80.0, 90.0] and "score" not in config, "a column without gaps is untouched"


def test_chinese_dates_in_a_filled_column():
    frame = pd.DataFrame({"when": [datetime(2026, 12, 22, 22, 0, tzinfo=UTC), None]})
    shown, _ = filled(Translator("zh-CN"), frame)
    assert shown["when"].tolist()[0].startswith("2026年12月23日")
