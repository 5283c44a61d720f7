"""The wellbeing team page's charts: the two averages over time and the bands, hidden periods in grey."""
import pandas as pd
import streamlit as st

from portal.i18n import Translator
from portal.ui.charts.base import draw, nothing_to_draw
from portal.ui.wellbeing import period_label

BAND_COLORS = {"very_low": "#c0392b", "low": "#e6a23c", "ok": "#3a9d5d"}
SUPPRESSED_COLOR = "#d5d8dc"


def wellbeing_trend(t: Translator, trend: pd.DataFrame, period_kind: str, *,
                    empty_key: str = "wellbeing.team.no_data") -> None:
    """A trend line of the averages and a stacked bar of the bands; hidden periods in grey.

    Plain Vega-Lite specs rather than Altair objects: building and validating
    three layered Altair charts cost about a third of a second on every run.
    Hidden periods carry their label and the "not enough responses" note only.
    """
    if nothing_to_draw(t, trend[trend["shown"]], empty_key, icon=":material/visibility_off:"):
        return
    rows = [{"label": period_label(row.period, row.period_start, t.language), "shown": bool(row.shown), "row": row}
            for row in trend.itertuples()]
    x = {"field": "label", "type": "nominal", "sort": [r["label"] for r in rows],
         "title": t(f"wellbeing.axis.{period_kind}"), "axis": {"labelAngle": 0}}
    note = t("wellbeing.team.suppressed")
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('wellbeing.chart.who5')}**")
        draw(_line(rows, x, "who5_mean_pct", 100, t, note, bands=(28, 50)))
    with right:
        st.markdown(f"**{t('wellbeing.chart.pss4')}**")
        draw(_line(rows, x, "pss4_mean", 16, t, note))
    st.markdown(f"**{t('wellbeing.chart.bands')}**")
    draw(_bands(rows, x, t, note))


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
