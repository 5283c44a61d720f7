"""Streamlit pieces for the wellbeing pages: the result, the resources, the charts."""
import pandas as pd
import streamlit as st

from portal.formatting import format_day_month, format_month
from portal.i18n import Translator
from portal.ui.widgets import empty_state
from portal.wellbeing import CheckInResult, Resource

BAND_COLORS = {"very_low": "#c0392b", "low": "#e6a23c", "ok": "#3a9d5d"}
SUPPRESSED_COLOR = "#d5d8dc"


def show_result(t: Translator, result: CheckInResult) -> None:
    """The person's own result in plain words: never stored with their name."""
    st.subheader(t("wellbeing.result.heading"))
    st.caption(t("wellbeing.result.not_diagnosis"))
    who5_col, pss4_col = st.columns(2)
    with who5_col, st.container(border=True):
        st.metric(t("wellbeing.result.who5_label"), t("wellbeing.result.out_of_100", value=result.who5.percentage))
        st.write(t(f"wellbeing.result.band.{result.who5.band}"))
        if result.who5.low_items and result.who5.band != "very_low":
            st.write(t("wellbeing.result.low_items"))
    with pss4_col, st.container(border=True):
        st.metric(t("wellbeing.result.pss4_label"), t("wellbeing.result.out_of_16", value=result.pss4.total))
        st.write(t("wellbeing.result.pss4_meaning"))
        if result.pss4_typical:
            low, high = result.pss4_typical
            st.write(t(f"wellbeing.result.pss4_{result.pss4_typical_scope}", low=low, high=high))
            position = "below" if result.pss4.total < low else "above" if result.pss4.total > high else "within"
            st.write(t(f"wellbeing.result.pss4_{position}"))


def show_resources(t: Translator, resources: list[Resource], *, prominent: bool = False) -> None:
    """Every resource, always; the confidential lines first and highlighted when `prominent`."""
    if not resources:
        empty_state(t, "empty.support_resources", icon=":material/health_and_safety:")
        return
    rest = resources
    if prominent:
        urgent = [r for r in resources if r.urgent]
        rest = [r for r in resources if not r.urgent]
        with st.container(border=True):
            st.markdown(f"#### :material/favorite: {t('wellbeing.result.support_heading')}")
            st.write(t("wellbeing.result.support_text"))
            for resource in urgent:
                _resource_card(t, resource, highlight=True)
    st.subheader(t("wellbeing.resources.heading"))
    st.caption(t("wellbeing.resources.intro"))
    columns = st.columns(2)
    for index, resource in enumerate(rest):
        with columns[index % 2]:
            _resource_card(t, resource)


def _resource_card(t: Translator, resource: Resource, *, highlight: bool = False) -> None:
    with st.container(border=True):
        title = f"**{resource.name}**" if not highlight else f"### {resource.name}"
        st.markdown(title)
        st.caption(t(f"wellbeing.kind.{resource.kind}"))
        if resource.description:
            st.write(resource.description)
        if resource.phone:
            phone = " / ".join(_phone_link(part.strip()) for part in resource.phone.split("/"))
            st.markdown(f":material/call: {t('wellbeing.resources.phone')}: {phone}")
        if resource.hours:
            st.markdown(f":material/schedule: {t('wellbeing.resources.hours')}: {resource.hours}")
        if resource.booking_url:
            st.link_button(t("wellbeing.resources.book"), resource.booking_url, icon=":material/open_in_new:")


def _phone_link(number: str) -> str:
    """A tappable tel: link for a real number; demo and extension numbers stay plain text."""
    digits = "".join(c for c in number if c.isdigit())
    if not digits or any(c.isalpha() for c in number):
        return f"**{number}**"
    return f"**[{number}](tel:{digits})**"


def period_label(period: str, start, language: str) -> str:
    """A week by the day it starts ("Nov 16" / "11月16日"), a month by name ("Nov 2026" / "2026年11月")."""
    return format_day_month(start, language) if "-W" in period else format_month(start, language)


def trend_charts(t: Translator, trend: pd.DataFrame, period_kind: str) -> None:
    """A trend line of the averages and a stacked bar of the bands; hidden periods in grey.

    Plain Vega-Lite specs rather than Altair objects: building and validating
    three layered Altair charts cost about a third of a second on every run.
    Hidden periods carry their label and the "not enough responses" note only.
    """
    rows = [{"label": period_label(row.period, row.period_start, t.language), "shown": bool(row.shown), "row": row}
            for row in trend.itertuples()]
    x = {"field": "label", "type": "nominal", "sort": [r["label"] for r in rows],
         "title": t(f"wellbeing.axis.{period_kind}"), "axis": {"labelAngle": 0}}
    note = t("wellbeing.team.suppressed")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('wellbeing.chart.who5')}**")
        st.vega_lite_chart(spec=_line(rows, x, "who5_mean_pct", 100, t, note, bands=(28, 50)), width="stretch")
    with right:
        st.markdown(f"**{t('wellbeing.chart.pss4')}**")
        st.vega_lite_chart(spec=_line(rows, x, "pss4_mean", 16, t, note), width="stretch")
    st.markdown(f"**{t('wellbeing.chart.bands')}**")
    st.vega_lite_chart(spec=_bands(rows, x, t, note), width="stretch")


def _chart(layers: list[dict], height: int) -> dict:
    return {"config": {"view": {"continuousWidth": 300, "continuousHeight": 300}}, "layer": layers, "height": height}


def _nominal(field: str, title: str) -> dict:
    return {"field": field, "type": "nominal", "title": title}


def _suppressed_layer(rows: list[dict], x: dict, top: float, note: str) -> dict:
    hidden = [{"label": r["label"], "note": note, "top": top, "middle": top / 2} for r in rows if not r["shown"]]
    bar = {"mark": {"type": "bar", "color": SUPPRESSED_COLOR, "opacity": 0.6},
           "encoding": {"x": x, "y": {"field": "top", "type": "quantitative"}, "tooltip": [_nominal("note", "")]}}
    text = {"mark": {"type": "text", "angle": 270, "fontSize": 11, "color": "#566573"},
            "encoding": {"x": x, "y": {"field": "middle", "type": "quantitative"},
                         "text": {"field": "note", "type": "nominal"}}}
    return {"data": {"values": hidden}, "layer": [bar, text]}


def _line(rows: list[dict], x: dict, column: str, top: float, t: Translator, note: str, bands: tuple = ()) -> dict:
    title = t("wellbeing.field.who5") if column == "who5_mean_pct" else t("wellbeing.field.pss4")
    y = {"field": column, "type": "quantitative", "scale": {"domain": [0, top]}, "title": title}
    # One line per run of shown periods: the line breaks at hidden ones, so it never implies a value there.
    shown, run = [], 0
    for r in rows:
        if not r["shown"]:
            run += 1
            continue
        shown.append({"label": r["label"], column: float(getattr(r["row"], column)),
                      "responses": int(r["row"].responses), "run": run})
    tooltip = [_nominal("label", t("wellbeing.field.period")),
               {"field": column, "type": "quantitative", "title": title},
               {"field": "responses", "type": "quantitative", "title": t("wellbeing.field.responses")}]
    layers = [_suppressed_layer(rows, x, top, note),
              {"data": {"values": shown}, "mark": {"type": "line", "strokeWidth": 3},
               "encoding": {"x": x, "y": y, "detail": {"field": "run", "type": "nominal"}}},
              {"data": {"values": shown}, "mark": {"type": "point", "filled": True, "size": 60},
               "encoding": {"x": x, "y": y, "tooltip": tooltip}}]
    for value in bands:
        layers.append({"data": {"values": [{"y": value}]}, "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#999"},
                       "encoding": {"y": {"field": "y", "type": "quantitative"}}})
    return _chart(layers, 260)


def _bands(rows: list[dict], x: dict, t: Translator, note: str) -> dict:
    labels = {band: t(f"wellbeing.band.{band}") for band in BAND_COLORS}
    long = [{"label": r["label"], "responses": int(r["row"].responses), "band": band,
             "share": float(getattr(r["row"], f"{band}_share")), "band_label": labels[band], "order": order}
            for order, band in enumerate(BAND_COLORS) for r in rows if r["shown"]]
    bars = {"data": {"values": long}, "mark": {"type": "bar"}, "encoding": {
        "x": x,
        "y": {"field": "share", "type": "quantitative", "stack": "zero", "axis": {"format": "%"},
              "title": t("wellbeing.field.share"), "scale": {"domain": [0, 1]}},
        "color": {"field": "band_label", "type": "nominal", "title": t("wellbeing.field.band"),
                  "scale": {"domain": list(labels.values()), "range": list(BAND_COLORS.values())},
                  "legend": {"orient": "bottom"}},
        "order": {"field": "order", "type": "quantitative"},
        "tooltip": [_nominal("label", t("wellbeing.field.period")), _nominal("band_label", t("wellbeing.field.band")),
                    {"field": "share", "type": "quantitative", "format": ".0%", "title": t("wellbeing.field.share")}]}}
    return _chart([_suppressed_layer(rows, x, 1, note), bars], 280)


def trend_table(t: Translator, trend: pd.DataFrame) -> pd.DataFrame:
    """The trend as text for a table: hidden periods say so, with no numbers at all."""
    suppressed = t("wellbeing.team.suppressed")
    rows = []
    for row in trend.itertuples():
        label = period_label(row.period, row.period_start, t.language)
        if not row.shown:
            rows.append({"period": label, "responses": suppressed, "who5": "", "pss4": "", "very_low": "",
                         "support": ""})
            continue
        rows.append({"period": label, "responses": str(int(row.responses)), "who5": f"{row.who5_mean_pct:.0f}",
                     "pss4": f"{row.pss4_mean:.1f}", "very_low": f"{row.very_low_share:.0%}",
                     "support": f"{row.support_share:.0%}"})
    return pd.DataFrame(rows[::-1])
