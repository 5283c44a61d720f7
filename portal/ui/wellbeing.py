"""Streamlit pieces for the wellbeing pages: the result, the resources, the trend as a table
(its charts are in `portal.ui.charts.wellbeing`)."""
import pandas as pd
import streamlit as st

from portal.formatting import format_day_month, format_month
from portal.i18n import Translator
from portal.ui.widgets import empty_state
from portal.wellbeing import CheckInResult, Resource

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
