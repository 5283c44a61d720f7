"""Contests of the teams I lead: each contest's board (teams, the top 10, my teams' members)."""
import streamlit as st

from portal.contests import board as boards
from portal.ui import contest_views, state
from portal.ui.widgets import empty_state, page_header, service_call

t = state.translator()
actor = state.actor()
page_header(t, "nav.team_contests", "contests.team.caption")
with service_call(t) as session:
    contests = boards.team_contests(session, actor)
if not contests:
    empty_state(t, "contests.team.empty", icon=":material/emoji_events:")
    st.stop()
for summary in contests:
    with st.container(border=True):
        contest_views.heading(t, summary)
        with service_call(t) as session:
            board = boards.board(session, actor, summary.contest_id)
        contest_views.show_board(t, board, viewer_id=actor.id)
