import pandas as pd
import streamlit as st

from portal import onboarding
from portal.ui import state
from portal.ui.onboarding import day, flag_labels, journey_picker, review_form, show_flash, signoff_panel
from portal.ui.recognition import render_profile_links
from portal.ui.widgets import empty_state, page_header, service_call

t = state.translator()
actor = state.actor()
lang = t.language

page_header(t, "nav.my_mentees", "onboarding.mentees.caption")
show_flash()
with service_call(t) as session:
    journeys = onboarding.mentee_journeys(session, actor)
    queue = onboarding.review_queue(session, actor)

if not journeys:
    empty_state(t, "empty.my_mentees")
    st.stop()

st.dataframe(pd.DataFrame([{
    t("field.display_name"): j.display_name,
    t("onboarding.board.current_stage"):
        j.current.title.get(lang) if j.current else t(f"onboarding.journey.{j.status}"),
    t("onboarding.board.status"): t(f"onboarding.status.{j.current.status}") if j.current else "",
    t("onboarding.board.shadowing_calls"): j.shadowing_calls,
    t("onboarding.board.reviewed_calls"): j.reviewed_calls,
    t("onboarding.board.pending_reviews"): j.pending_reviews,
    t("onboarding.board.flags"): ", ".join(flag_labels(t, j)),
    t("onboarding.board.last_activity"): day(t, j.last_activity),
} for j in journeys]), hide_index=True, width="stretch")
render_profile_links(t, actor, {j.user_id: j.display_name for j in journeys})

st.subheader(t("onboarding.mentees.queue", count=len(queue)))
if not queue:
    st.info(t("onboarding.mentees.queue_empty"), icon=":material/done_all:")
for i, ticket in enumerate(queue):
    label = f"{day(t, ticket.call_date)} · {ticket.new_hire} · {ticket.ticket_ref}"
    with st.expander(label, expanded=i == 0, icon=":material/rate_review:"):
        review_form(t, actor, ticket)

st.subheader(t("onboarding.mentees.signoffs"))
ready = onboarding.awaiting_signoff(actor, journeys)
if not ready:
    st.info(t("onboarding.mentees.no_signoffs"), icon=":material/hourglass_empty:")
for journey, stage in ready:
    signoff_panel(t, actor, journey, stage)

st.subheader(t("onboarding.mentees.details"))
journey_picker(t, actor, journeys, ready, label_key="onboarding.mentees.pick", key="mentee_pick")
