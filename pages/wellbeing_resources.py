import pandas as pd
import streamlit as st

from portal import wellbeing
from portal.i18n import LANGUAGE_NAMES, LANGUAGES
from portal.roles import Role
from portal.ui import state
from portal.ui.wellbeing import show_resources
from portal.ui.widgets import page_header, run_action, service_call

t = state.translator()
actor = state.actor()

page_header(t, "nav.support_resources")
with service_call(t) as session:
    resources = wellbeing.support_resources(session, actor, t.language)
show_resources(t, resources, prominent=True)

if not actor.has(Role.ADMIN):
    st.stop()

st.divider()
st.header(t("wellbeing.admin.heading"))
st.caption(t("wellbeing.admin.caption"))
with service_call(t) as session:
    everything = wellbeing.all_resources(session, actor)
languages = [None, *LANGUAGES]


def language_name(value):
    return LANGUAGE_NAMES[value] if value else t("wellbeing.admin.every_language")


if everything:
    st.dataframe(pd.DataFrame([{
        "name": r.name, "kind": t(f"wellbeing.kind.{r.kind}"), "phone": r.phone, "hours": r.hours,
        "language": language_name(r.language), "sort_order": r.sort_order, "active": r.active} for r in everything]),
        hide_index=True, width="stretch",
        column_config={k: t(f"wellbeing.field.{k}") for k in
                       ("name", "kind", "phone", "hours", "language", "sort_order", "active")})


def resource_form(key: str, current: wellbeing.Resource | None) -> wellbeing.ResourceInput | None:
    with st.form(key, clear_on_submit=current is None):
        kind = st.selectbox(t("wellbeing.field.kind"), wellbeing.RESOURCE_KINDS,
                            index=wellbeing.RESOURCE_KINDS.index(current.kind) if current else 0,
                            format_func=lambda k: t(f"wellbeing.kind.{k}"))
        name = st.text_input(t("wellbeing.field.name"), value=current.name if current else "")
        description = st.text_area(t("wellbeing.field.description"), value=current.description if current else "")
        phone_col, hours_col = st.columns(2)
        phone = phone_col.text_input(t("wellbeing.field.phone"), value=current.phone if current else "")
        hours = hours_col.text_input(t("wellbeing.field.hours"), value=current.hours if current else "")
        url = st.text_input(t("wellbeing.field.booking_url"), value=current.booking_url if current else "")
        lang_col, order_col, active_col = st.columns(3)
        language = lang_col.selectbox(t("wellbeing.field.language"), languages, format_func=language_name,
                                      index=languages.index(current.language) if current else 0)
        order = order_col.number_input(t("wellbeing.field.sort_order"), value=current.sort_order if current else 0,
                                       step=1)
        active = active_col.checkbox(t("wellbeing.field.active"), value=current.active if current else True)
        if st.form_submit_button(t("wellbeing.admin.save"), type="primary"):
            return wellbeing.ResourceInput(kind=kind, name=name, description=description, phone=phone, hours=hours,
                                           booking_url=url, language=language, sort_order=int(order), active=active)
    return None


add_tab, edit_tab = st.tabs([t("wellbeing.admin.add"), t("wellbeing.admin.edit")])
with add_tab:
    data = resource_form("resource_add", None)
    if data and run_action(t, lambda s: wellbeing.save_resource(s, actor, data), "action.saved"):
        st.rerun()
with edit_tab:
    if everything:
        by_id = {r.id: r for r in everything}
        chosen = st.selectbox(t("wellbeing.admin.choose"), list(by_id), format_func=lambda i: by_id[i].name
                              + ("" if by_id[i].active else f" ({t('wellbeing.admin.inactive')})"))
        data = resource_form(f"resource_edit_{chosen}", by_id[chosen])
        if data and run_action(t, lambda s: wellbeing.save_resource(s, actor, data, chosen), "action.saved"):
            st.rerun()
