import pandas as pd
import streamlit as st

from portal import wellbeing
from portal.roles import Role
from portal.ui import state
from portal.ui.forms import RecordForm
from portal.ui.text import plain
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
if flash := st.session_state.pop("resources_flash", None):
    st.success(flash, icon=":material/check_circle:")
with service_call(t) as session:
    everything = wellbeing.all_resources(session, actor, t.language)


def render_table(resources) -> None:
    st.dataframe(pd.DataFrame([{
        "name": r.name, "kind": t(f"wellbeing.kind.{r.kind}"), "phone": r.phone, "hours": r.hours,
        "booking_url": r.booking_url, "sort_order": r.sort_order, "active": r.active} for r in resources]),
        hide_index=True, width="stretch",
        column_config={**{k: t(f"wellbeing.field.{k}") for k in ("name", "kind", "phone", "hours", "sort_order",
                                                                   "active")},
                       "booking_url": st.column_config.LinkColumn(t("wellbeing.field.booking_url"))})


def bilingual(label_key: str, current: str, current_zh: str, key: str, *, area: bool = False) -> tuple[str, str]:
    """One text in English and Chinese, side by side."""
    english, chinese = st.columns(2)
    widget = "text_area" if area else "text_input"
    return (getattr(english, widget)(f"{t(label_key)} · English", value=current, key=f"{key}_en"),
            getattr(chinese, widget)(f"{t(label_key)} · 中文", value=current_zh, key=f"{key}_zh"))


def resource_form(key: str, current: wellbeing.ResourceInput | None) -> wellbeing.ResourceInput | None:
    blank = current or wellbeing.ResourceInput(kind=wellbeing.RESOURCE_KINDS[0], name="")
    with st.form(key):
        kind = st.selectbox(t("wellbeing.field.kind"), wellbeing.RESOURCE_KINDS,
                            index=wellbeing.RESOURCE_KINDS.index(blank.kind),
                            format_func=lambda k: t(f"wellbeing.kind.{k}"))
        name, name_zh = bilingual("wellbeing.field.name", blank.name, blank.name_zh, f"{key}_name")
        description, description_zh = bilingual("wellbeing.field.description", blank.description,
                                                blank.description_zh, f"{key}_description", area=True)
        hours, hours_zh = bilingual("wellbeing.field.hours", blank.hours, blank.hours_zh, f"{key}_hours")
        phone_col, url_col = st.columns(2)
        phone = phone_col.text_input(t("wellbeing.field.phone"), value=blank.phone)
        url = url_col.text_input(t("wellbeing.field.booking_url"), value=blank.booking_url)
        order_col, active_col = st.columns(2)
        order = order_col.number_input(t("wellbeing.field.sort_order"), value=blank.sort_order, step=1)
        active = active_col.checkbox(t("wellbeing.field.active"), value=blank.active)
        if st.form_submit_button(t("wellbeing.admin.save"), type="primary"):
            return wellbeing.ResourceInput(kind=kind, name=name, name_zh=name_zh, description=description,
                                           description_zh=description_zh, phone=phone, hours=hours,
                                           hours_zh=hours_zh, booking_url=url, sort_order=int(order), active=active)
    return None


@st.dialog(t("wellbeing.admin.delete_title"))
def confirm_delete(resource) -> None:
    st.warning(t("wellbeing.admin.delete_body", name=plain(resource.name)), icon=":material/delete:")
    keep, delete = st.columns(2)
    if keep.button(t("wellbeing.admin.keep"), key="keep_resource"):
        st.rerun()
    if delete.button(t("wellbeing.admin.delete"), type="primary", key="delete_resource"):
        if run_action(t, lambda s: wellbeing.delete_resource(s, actor, resource.id)):
            st.session_state["resources_flash"] = t("wellbeing.admin.deleted")
            st.rerun()


def render_edit(resources) -> None:
    by_id = {r.id: r for r in resources}
    chosen = st.selectbox(t("wellbeing.admin.choose"), list(by_id), format_func=lambda i: by_id[i].name
                          + ("" if by_id[i].active else f" ({t('wellbeing.admin.inactive')})"))
    data = resource_form(f"resource_edit_{chosen}", by_id[chosen].texts)
    if data and run_action(t, lambda s: wellbeing.save_resource(s, actor, data, chosen), "action.saved"):
        st.rerun()
    if st.button(t("wellbeing.admin.delete"), key=f"ask_delete_{chosen}", icon=":material/delete:"):
        confirm_delete(by_id[chosen])


if everything:
    render_table(everything)
add_tab, edit_tab = st.tabs([t("wellbeing.admin.add"), t("wellbeing.admin.edit")])
with add_tab:
    adding = RecordForm("resource_add")  # a refusal keeps what was typed; a save starts an empty form
    adding.show_saved()
    data = resource_form(adding.key("form"), None)
    if data and adding.submit(t, lambda s: wellbeing.save_resource(s, actor, data)):
        adding.saved(t("wellbeing.admin.added", name=plain(data.name)))
        st.rerun()
with edit_tab:
    if everything:
        render_edit(everything)
