import streamlit as st

from portal import learning_record
from portal.ui import state
from portal.ui.learning_record import pick_person, render_record
from portal.ui.widgets import empty_state, page_header, service_call

t = state.translator()
actor = state.actor()
page_header(t, "record.nav", "record.caption")

with service_call(t) as session:
    people = learning_record.record_people(session, actor)
user_id = pick_person(t, people, actor.id)
if user_id is None:
    empty_state(t, "record.choose_someone" if people else "record.nobody", icon=":material/person_search:")
    st.stop()

with service_call(t) as session:
    record = learning_record.learning_record(session, actor, user_id)
render_record(t, record)
