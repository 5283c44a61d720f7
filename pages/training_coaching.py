import streamlit as st

from portal import coaching
from portal.coaching_pdf import deferred_session_pdf
from portal.errors import PortalError
from portal.formatting import format_date
from portal.ui import state
from portal.ui.coaching_views import items_frame, session_body
from portal.ui.widgets import empty_state, page_header, run_action, service_call
from portal import exports

t = state.translator()
actor = state.actor()
page_header(t, "nav.my_coaching", "coaching.my_caption")

with service_call(t) as session:
    sessions = coaching.my_sessions(session, actor)
    items = coaching.my_open_items(session, actor)

if st.session_state.get("my_coaching_flash"):
    st.success(st.session_state.pop("my_coaching_flash"), icon=":material/check_circle:")

st.subheader(t("coaching.my_open_items"))
if items:
    st.dataframe(exports.with_headers(items_frame(t, items), t), hide_index=True, width="stretch")
    mine = {i.id: i.description for i in items if i.owner_id == actor.id}
    if mine:
        with st.form("item_done"):
            chosen = st.selectbox(t("coaching.mark_done_which"), list(mine), format_func=mine.get)
            if st.form_submit_button(t("coaching.mark_done"), icon=":material/task_alt:"):
                if run_action(t, lambda s: coaching.set_item_done(s, actor, chosen), "coaching.saved"):
                    st.rerun()
else:
    st.caption(t("coaching.no_open_items"))

st.subheader(t("coaching.my_sessions"))
if not sessions:
    empty_state(t, "empty.my_coaching")
    st.stop()

waiting = [v for v in sessions if not v.acknowledged]
if waiting:
    st.warning(t("coaching.please_acknowledge", count=len(waiting)), icon=":material/mark_email_unread:")

linked = st.query_params.get("session")  # a link from Home or an e-mail opens that session first
sessions = sorted(sessions, key=lambda v: str(v.id) != linked)
for view in sessions:
    with st.container(border=True):
        st.markdown(f"#### {format_date(view.held_on, t.language)} · {coaching.focus_label(t, view.focus_area)}")
        session_body(t, view, show_private=False)
        try:
            st.download_button(t("coaching.download_pdf"), deferred_session_pdf(view, t),
                               file_name=f"coaching-{view.id}.pdf", mime="application/pdf", key=f"my_pdf_{view.id}",
                               icon=":material/picture_as_pdf:")
        except PortalError as exc:
            st.error(t.error(exc))
        if not view.acknowledged:
            comment = st.text_area(t("coaching.ack_comment"), key=f"ack_comment_{view.id}")
            if st.button(t("coaching.acknowledge"), key=f"ack_{view.id}", type="primary",
                         icon=":material/done_all:"):
                if run_action(t, lambda s, sid=view.id: coaching.acknowledge(s, actor, sid, comment)):
                    st.session_state["my_coaching_flash"] = t("coaching.acknowledged")
                    st.rerun()
