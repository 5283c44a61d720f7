import streamlit as st

from portal.certificates import records
from portal.clock import local_today
from portal.ui import state
from portal.ui.recognition import certificate_facts, certificate_title
from portal.ui.text import plain
from portal.ui.widgets import page_header, service_call

t = state.translator()
actor = state.actor()


def render_lookup() -> None:
    """Look a verification code up: whose certificate it is, for what, and whether it still holds."""
    with st.form("certificate_lookup"):
        code = st.text_input(t("certificates.verify.code"), placeholder="AA-XXXX-XXXX", key="certificate_code")
        looked = st.form_submit_button(t("certificates.verify.look_up"), type="primary", icon=":material/search:")
    if not looked:
        return
    if not code.strip():
        st.error(t("certificates.verify.code_required"), icon=":material/error:")
        return
    with service_call(t) as session:
        found = records.verify(session, actor, code)
    if found is None:
        st.error(t("certificates.verify.not_found", code=plain(code.strip())), icon=":material/error:")
        return
    today = local_today()
    show = st.warning if found.expired(today) else st.success
    show(t("certificates.verify.found", person=plain(found.person), username=plain(found.username),
           title=plain(certificate_title(found, t.language))), icon=":material/verified:")
    st.caption(certificate_facts(t, found, today))


page_header(t, "certificates.verify.title", "certificates.verify.caption")
render_lookup()
