"""My contests: the rounds to take (sat on the exam page, which keeps the clock and the answers) and the board."""
import streamlit as st

from portal.contests import board as boards, rounds
from portal.ui import contest_views, state
from portal.ui.widgets import empty_state, page_header, run_action, service_call

EXAM_PAGE = "pages/training_exams.py"

t = state.translator()
actor = state.actor()
page_header(t, "nav.my_contests", "contests.my.caption")


def take(contest_id: int, number: int) -> None:
    """Start the round (or, after a reload or a second click, find the attempt already started) and sit it."""
    if started := run_action(t, lambda s: rounds.start_round(s, actor, contest_id, number)):
        st.switch_page(EXAM_PAGE, query_params={"attempt": str(started.value)})


def show_rounds(mine: rounds.MyContest) -> None:
    for item in mine.rounds:
        with st.container(border=True):
            left, right = st.columns([3, 1], vertical_alignment="center")
            left.markdown(t("contests.my.round", n=item.number, questions=t("contests.my.questions", count=item.questions),
                            limit=t("exams.minutes", n=item.time_limit_minutes)))
            best = "—" if item.best_percent is None else f"{item.best_percent:.1f}%"
            left.caption(t("contests.my.round_facts", used=item.attempts_used, allowed=item.attempts_allowed, best=best))
            if mine.summary.status != "running":
                continue
            if not item.in_progress_id and item.attempts_used >= item.attempts_allowed:
                right.caption(t("contests.my.no_attempts_left"))
                continue
            label = t("contests.my.continue" if item.in_progress_id else "contests.my.start")
            if right.button(label, key=f"round_{mine.summary.contest_id}_{item.number}", type="primary",
                            icon=":material/play_arrow:"):
                with left:
                    take(mine.summary.contest_id, item.number)  # a refusal is shown beside the round


with service_call(t) as session:
    contests = rounds.my_contests(session, actor)
if not contests:
    empty_state(t, "contests.my.empty", icon=":material/emoji_events:")
    st.stop()
for mine in contests:
    with st.container(border=True):
        contest_views.heading(t, mine.summary)
        show_rounds(mine)
        with st.expander(t("contests.board.title"), expanded=mine.summary.status == "closed"):
            with service_call(t) as session:
                board = boards.board(session, actor, mine.summary.contest_id)
            contest_views.show_board(t, board, viewer_id=actor.id)
