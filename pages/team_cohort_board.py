import streamlit as st

from portal import onboarding, users
from portal.clock import local_today
from portal.settings import get_settings
from portal.ui import state
from portal.ui.onboarding import board_csv, board_display, journey_picker, show_flash, signoff_panel
from portal.ui.widgets import empty_state, page_header, service_call

t = state.translator()
actor = state.actor()

page_header(t, "nav.cohort_board", "onboarding.board.caption")
show_flash()
with service_call(t) as session:
    cohorts = users.list_cohorts(session)
    teams = users.list_teams(session)

cohort_names = {c.id: c.name for c in cohorts}
team_names = {tm.id: tm.name for tm in teams}
pick_cohort, pick_team, pick_days, pick_flagged = st.columns([3, 3, 2, 2], vertical_alignment="bottom")
cohort_id = pick_cohort.selectbox(t("field.cohort"), [*cohort_names, None], key="board_cohort",
                                  format_func=lambda i: cohort_names.get(i, t("onboarding.board.all_cohorts")))
team_id = pick_team.selectbox(t("field.team"), [None, *team_names], key="board_team",
                              format_func=lambda i: team_names.get(i, t("onboarding.board.all_teams")))
stalled_days = pick_days.number_input(t("onboarding.board.stalled_days"), min_value=1, max_value=30, step=1,
                                      value=get_settings().onboarding_stalled_days, key="board_stalled_days",
                                      help=t("onboarding.board.stalled_days_help"))
only_flagged = pick_flagged.toggle(t("onboarding.board.only_flagged"), key="board_only_flagged")

with service_call(t) as session:
    journeys = onboarding.visible_journeys(session, actor, cohort_id=cohort_id, team_id=team_id,
                                           stalled_days=int(stalled_days))
if not journeys:
    empty_state(t, "empty.cohort_board")
    st.stop()

frame = onboarding.board_frame(journeys)
counts = st.columns(5)
counts[0].metric(t("onboarding.board.new_hires"), len(frame))
counts[1].metric(t("onboarding.flag.behind_schedule"), int(frame["behind_schedule"].sum()))
counts[2].metric(t("onboarding.flag.stalled"), int(frame["stalled"].sum()))
counts[3].metric(t("onboarding.flag.asked_to_repeat"), int(frame["asked_to_repeat"].sum()))
counts[4].metric(t("onboarding.journey.graduated"), int((frame["status"] == "graduated").sum()))

shown = frame[frame[["behind_schedule", "stalled", "asked_to_repeat"]].any(axis=1)] if only_flagged else frame
st.dataframe(board_display(t, shown, local_today()), hide_index=True, width="stretch", key="board_table")
file_name = f"cohort-board-{local_today().isoformat()}.csv"
st.download_button(t("onboarding.board.export"), lambda: board_csv(t, frame), file_name=file_name, mime="text/csv",
                   icon=":material/download:", on_click="ignore")

ready = onboarding.awaiting_signoff(actor, journeys)
if ready:
    st.subheader(t("onboarding.board.your_signoffs", count=len(ready)))
    for journey, stage in ready:
        signoff_panel(t, actor, journey, stage)

st.subheader(t("onboarding.board.details"))
journey_picker(t, actor, journeys, ready, label_key="onboarding.board.pick", key="board_pick")
