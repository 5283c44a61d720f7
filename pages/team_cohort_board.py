"""Cohort board: one cohort (the newest) and a page of 50 new hires by default (issue 15); the filters
and the page in the address, so a reload or Back shows the same board."""
import streamlit as st

from portal import onboarding, users
from portal.clock import local_today
from portal.db import read_scope
from portal.settings import get_settings
from portal.ui import state
from portal.ui.onboarding import board_csv, board_display, journey_picker, show_flash, signoff_panel
from portal.ui.paging import ALL, PAGE_SIZE, UrlFilters, int_or_all, or_none, page_offset, pager
from portal.ui.recognition import render_out_of_date
from portal.ui.widgets import empty_state, page_header, service_call

t = state.translator()
actor = state.actor()
STALLED_DAYS = range(1, 31)


def render_filters(cohort_names: dict[int, str], team_names: dict[int, str]) -> tuple[dict, UrlFilters]:
    """Cohort (the newest first, by default), team, stalled after, only flagged: each in the URL."""
    filters = UrlFilters()
    pick_cohort, pick_team, pick_days, pick_flagged = st.columns([3, 3, 2, 2], vertical_alignment="bottom")
    cohort_id = pick_cohort.selectbox(
        t("field.cohort"), [*cohort_names, ALL],
        format_func=lambda i: cohort_names.get(i, t("onboarding.board.all_cohorts")),
        **filters.bind("board_cohort", "cohort", default=next(iter(cohort_names), ALL), parse=int_or_all,
                       allowed=[*cohort_names, ALL]))
    team_id = pick_team.selectbox(t("field.team"), [ALL, *team_names],
                                  format_func=lambda i: team_names.get(i, t("onboarding.board.all_teams")),
                                  **filters.bind("board_team", "team", default=ALL, parse=int,
                                                 allowed=list(team_names)))
    stalled_days = pick_days.number_input(
        t("onboarding.board.stalled_days"), min_value=1, max_value=30, step=1,
        help=t("onboarding.board.stalled_days_help"),
        **filters.bind("board_stalled_days", "stalled", default=get_settings().onboarding_stalled_days, parse=int,
                       allowed=STALLED_DAYS))
    only_flagged = pick_flagged.toggle(t("onboarding.board.only_flagged"),
                                       **filters.bind("board_only_flagged", "flagged", default=False,
                                                      parse=lambda raw: raw == "1"))
    filters.keep()
    return {"cohort_id": or_none(cohort_id), "team_id": or_none(team_id), "stalled_days": int(stalled_days),
            "only_flagged": only_flagged}, filters


def load_page(wanted: dict, page: int) -> tuple[onboarding.BoardPage, int]:
    with service_call(t) as session:
        shown = onboarding.board_page(session, actor, **wanted, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        if not shown.journeys and shown.total:  # a link to a page past the end: the last page
            page, offset = page_offset(page, shown.total)
            shown = onboarding.board_page(session, actor, **wanted, offset=offset, limit=PAGE_SIZE)
    return shown, page


def render_counts(shown: onboarding.BoardPage, only_flagged: bool) -> None:
    counted = onboarding.board_frame(shown.counted)
    counts = st.columns(5)
    counts[0].metric(t("onboarding.board.new_hires"), f"{shown.total:,}")
    counts[1].metric(t("onboarding.flag.behind_schedule"), int(counted["behind_schedule"].sum()))
    counts[2].metric(t("onboarding.flag.stalled"), int(counted["stalled"].sum()))
    counts[3].metric(t("onboarding.flag.asked_to_repeat"), int(counted["asked_to_repeat"].sum()))
    counts[4].metric(t("onboarding.journey.graduated"), int((counted["status"] == "graduated").sum()))
    if not only_flagged and len(shown.counted) < shown.total:
        st.caption(t("onboarding.board.counts_on_page", count=len(shown.counted)))


def render_table(shown: onboarding.BoardPage, wanted: dict, page: int) -> None:
    st.dataframe(board_display(t, onboarding.board_frame(shown.journeys), local_today()), hide_index=True,
                 width="stretch", key="board_table")
    pager(t, page, shown.total, len(shown.journeys), key="board_pager")
    file_name = f"cohort-board-{local_today().isoformat()}.csv"
    st.download_button(t("onboarding.board.export"), lambda: whole_board_csv(wanted), file_name=file_name,
                       mime="text/csv", icon=":material/download:", on_click="ignore",
                       help=t("onboarding.board.export_help"))


def whole_board_csv(wanted: dict) -> bytes:
    """Every new hire the filters match, not only the page: built when the file is asked for."""
    with read_scope() as session:
        journeys = onboarding.visible_journeys(session, actor, cohort_id=wanted["cohort_id"],
                                               team_id=wanted["team_id"], stalled_days=wanted["stalled_days"])
    if wanted["only_flagged"]:
        journeys = [j for j in journeys if onboarding.is_flagged(j)]
    return board_csv(t, onboarding.board_frame(journeys))


page_header(t, "nav.cohort_board", "onboarding.board.caption")
show_flash()
with service_call(t) as session:
    cohorts = users.list_cohorts(session)  # the newest start date first
    teams = onboarding.board_teams(session, actor)
wanted, filters = render_filters({c.id: c.name for c in cohorts}, teams)
shown, page = load_page(wanted, filters.page())
if not shown.journeys:
    empty_state(t, "onboarding.board.none_flagged" if wanted["only_flagged"] else "onboarding.board.none_match"
                if wanted["cohort_id"] or wanted["team_id"] else "empty.cohort_board")
    st.stop()

render_counts(shown, wanted["only_flagged"])
render_table(shown, wanted, page)

ready = onboarding.awaiting_signoff(actor, shown.journeys)
if ready:
    st.subheader(t("onboarding.board.your_signoffs", count=len(ready)))
    for journey, stage in ready:
        signoff_panel(t, actor, journey, stage)

st.subheader(t("onboarding.board.details"))
journey_picker(t, actor, shown.journeys, ready, label_key="onboarding.board.pick", key="board_pick")

render_out_of_date(t, actor)  # who must read a changed module again (recertification)
