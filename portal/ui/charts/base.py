"""What every chart shares: dates in the viewer's language, drawing, the empty state."""
import copy

import altair as alt
import pandas as pd
import streamlit as st

from portal.formatting import chart_date_formats, chart_time_locale
from portal.i18n import Translator
from portal.ui.widgets import empty_state

EMPTY_KEY = "empty.chart"


def in_language(chart, language: str):
    """`chart` writing month and day names in `language` (Vega's time-format locale, from CLDR)."""
    return chart.configure(locale={"time": chart_time_locale(language)})


def day_axis(field: str, title: str, language: str) -> alt.X:
    """A time x axis labelled with days as the viewer writes them ("Nov 15" / "11月15日")."""
    return alt.X(field, title=title, axis=alt.Axis(format=chart_date_formats(language)[0]))


def day_tooltip(field: str, title: str, language: str) -> alt.Tooltip:
    return alt.Tooltip(field, title=title, format=chart_date_formats(language)[1])


def to_spec(chart) -> dict:
    """The Vega-Lite spec of this Altair chart, through Altair's public API (Streamlit themes it when drawn)."""
    return chart.to_dict()


def with_data(spec: dict, **datasets: pd.DataFrame) -> dict:
    """A cached spec that names its data (`alt.NamedData`), with this run's frames attached."""
    out = copy.deepcopy(spec)
    out["datasets"] = {**out.get("datasets", {}), **datasets}
    return out


def nothing_to_draw(t: Translator, data, empty_key: str | None, icon: str = ":material/bar_chart:") -> bool:
    """True (after saying so in words) when `data` is empty: a blank chart tells a screen reader nothing."""
    if len(data):
        return False
    empty_state(t, empty_key or EMPTY_KEY, icon=icon)
    return True


def draw(spec: dict, where=st) -> None:
    where.vega_lite_chart(spec=spec, width="stretch")


def draw_altair(chart, where=st) -> None:
    where.altair_chart(chart, width="stretch")
