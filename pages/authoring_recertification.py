import pandas as pd
import streamlit as st

from portal.certificates import recert
from portal.ui import state
from portal.ui.recognition import render_out_of_date
from portal.ui.widgets import page_header, run_action, service_call

t = state.translator()
actor = state.actor()


def mode_label(mode: str) -> str:
    return t(f"certificates.recert.mode.{mode}")


def render_policies() -> None:
    """Per module: must its readers read it again when it changes, and within how many days."""
    with service_call(t) as session:
        rows = recert.module_policies(session, actor)
    st.dataframe(pd.DataFrame([{
        t("certificates.recert.col.module"): module.title.get(t.language), t("certificates.recert.col.version"): module.version,
        t("certificates.recert.col.mode"): mode_label(policy.mode), t("certificates.recert.col.days"): policy.due_days,
    } for module, policy in rows]), hide_index=True, width="stretch")
    modules = {module.id: (module, policy) for module, policy in rows}
    chosen = st.selectbox(t("certificates.recert.col.module"), list(modules), index=None,
                          format_func=lambda m: modules[m][0].title.get(t.language),
                          placeholder=t("recognition.thank.choose"), key="recert_module")
    if chosen is None:
        return
    policy = modules[chosen][1]
    with st.form(f"recert_policy_{chosen}"):
        mode = st.radio(t("certificates.recert.col.mode"), recert.MODES, index=recert.MODES.index(policy.mode),
                        format_func=mode_label, horizontal=True)
        days = st.number_input(t("certificates.recert.col.days"), min_value=1, max_value=recert.MAX_DUE_DAYS,
                               value=policy.due_days, step=1)
        saved = st.form_submit_button(t("certificates.recert.save"), type="primary", icon=":material/save:")
    if saved and run_action(t, lambda s: recert.set_policy(s, actor, chosen, mode, int(days)),
                            "certificates.recert.saved"):
        st.rerun()


page_header(t, "certificates.recert.title", "certificates.recert.caption")
render_policies()
render_out_of_date(t, actor)
