"""Streamlit pieces for the wellbeing pages: the result, the resources, the charts."""
import altair as alt
import pandas as pd
import streamlit as st

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


def period_label(period: str, start) -> str:
    return f"{start:%m-%d}" if "-W" in period else period


def trend_charts(t: Translator, trend: pd.DataFrame, period_kind: str) -> None:
    """A trend line of the averages and a stacked bar of the bands; hidden periods in grey."""
    data = trend.assign(label=[period_label(p, s) for p, s in zip(trend["period"], trend["period_start"])],
                        note=[None if shown else t("wellbeing.team.suppressed") for shown in trend["shown"]])
    order = list(data["label"])
    x = alt.X("label:N", sort=order, title=t(f"wellbeing.axis.{period_kind}"), axis=alt.Axis(labelAngle=0))
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('wellbeing.chart.who5')}**")
        st.altair_chart(_line(data, x, "who5_mean_pct", 100, t, bands=(28, 50)), width="stretch")
    with right:
        st.markdown(f"**{t('wellbeing.chart.pss4')}**")
        st.altair_chart(_line(data, x, "pss4_mean", 16, t), width="stretch")
    st.markdown(f"**{t('wellbeing.chart.bands')}**")
    st.altair_chart(_bands(data, x, t), width="stretch")


def _suppressed_layer(data: pd.DataFrame, x, top: float):
    hidden = data[~data["shown"]].assign(top=top, middle=top / 2)
    base = alt.Chart(hidden).encode(x=x)
    bar = base.mark_bar(color=SUPPRESSED_COLOR, opacity=0.6).encode(y="top:Q", tooltip=[alt.Tooltip("note:N", title="")])
    text = base.mark_text(angle=270, fontSize=11, color="#566573").encode(y="middle:Q", text="note:N")
    return bar + text


def _line(data: pd.DataFrame, x, column: str, top: float, t: Translator, bands: tuple = ()):
    shown = data[data["shown"]]
    title = t("wellbeing.field.who5") if column == "who5_mean_pct" else t("wellbeing.field.pss4")
    y = alt.Y(f"{column}:Q", scale=alt.Scale(domain=[0, top]), title=title)
    tooltip = [alt.Tooltip("label:N", title=t("wellbeing.field.period")), alt.Tooltip(f"{column}:Q", title=title),
               alt.Tooltip("responses:Q", title=t("wellbeing.field.responses"))]
    # One line per run of shown periods: the line breaks at hidden ones, so it never implies a value there.
    runs = (~data["shown"]).cumsum()
    line = alt.Chart(shown.assign(run=runs[data["shown"]])).mark_line(strokeWidth=3).encode(
        x=x, y=y, detail="run:N")
    points = alt.Chart(shown).mark_point(filled=True, size=60).encode(x=x, y=y, tooltip=tooltip)
    layers = [_suppressed_layer(data, x, top), line, points]
    for value in bands:
        rule = pd.DataFrame({"y": [value]})
        layers.append(alt.Chart(rule).mark_rule(strokeDash=[4, 4], color="#999").encode(y="y:Q"))
    return alt.layer(*layers).properties(height=260)


def _bands(data: pd.DataFrame, x, t: Translator):
    shown = data[data["shown"]]
    long = shown.melt(id_vars=["label", "responses"], value_vars=["very_low_share", "low_share", "ok_share"],
                      var_name="band", value_name="share")
    long["band"] = long["band"].str.replace("_share", "", regex=False)
    long["band_label"] = [t(f"wellbeing.band.{b}") for b in long["band"]]
    long["order"] = long["band"].map({"very_low": 0, "low": 1, "ok": 2})
    labels = [t(f"wellbeing.band.{b}") for b in BAND_COLORS]
    bars = alt.Chart(long).mark_bar().encode(
        x=x, y=alt.Y("share:Q", stack="zero", axis=alt.Axis(format="%"), title=t("wellbeing.field.share"),
                     scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("band_label:N", title=t("wellbeing.field.band"),
                        scale=alt.Scale(domain=labels, range=list(BAND_COLORS.values())),
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("label:N", title=t("wellbeing.field.period")),
                 alt.Tooltip("band_label:N", title=t("wellbeing.field.band")),
                 alt.Tooltip("share:Q", format=".0%", title=t("wellbeing.field.share"))])
    return alt.layer(_suppressed_layer(data, x, 1), bars).properties(height=280)


def trend_table(t: Translator, trend: pd.DataFrame) -> pd.DataFrame:
    """The trend as text for a table: hidden periods say so, with no numbers at all."""
    suppressed = t("wellbeing.team.suppressed")
    rows = []
    for row in trend.itertuples():
        label = period_label(row.period, row.period_start)
        if not row.shown:
            rows.append({"period": label, "responses": suppressed, "who5": "", "pss4": "", "very_low": "",
                         "support": ""})
            continue
        rows.append({"period": label, "responses": str(int(row.responses)), "who5": f"{row.who5_mean_pct:.0f}",
                     "pss4": f"{row.pss4_mean:.1f}", "very_low": f"{row.very_low_share:.0%}",
                     "support": f"{row.support_share:.0%}"})
    return pd.DataFrame(rows[::-1])
