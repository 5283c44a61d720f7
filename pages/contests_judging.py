"""Judging scenario contests: my sheet for each contestant, blind to the other judges until I submit mine.

The contestant on screen is in the URL (`?contest=<id>&contestant=<id>`), so a reload and Back return to it.
"""
import streamlit as st

from portal.contests import judging, setup
from portal.ui import contest_views, rubric_sheet, state
from portal.ui.text import plain
from portal.ui.url import id_in_url, show_in_url
from portal.ui.widgets import empty_state, page_header, run_action, service_call

t = state.translator()
actor = state.actor()
page_header(t, "nav.contest_judging", "contests.judging.caption")
FLAG = "contest_sheet_flag"  # the sheet whose unmarked items are flagged after a refused submit


def open_sheet(contest_id: int | None, contestant_id: int | None) -> None:
    show_in_url(contest=contest_id, contestant=contestant_id)


def sheet_page(contest_id: int, contestant_id: int) -> None:
    with service_call(t) as session:
        sheet = judging.judge_sheet(session, actor, contest_id, contestant_id)
    st.button(t("contests.judging.back"), icon=":material/arrow_back:", on_click=open_sheet, args=(None, None))
    st.subheader(t("contests.judging.sheet_for", name=plain(sheet.contestant_name)))
    with st.container(border=True):
        contest_views.show_brief(t, sheet.scenario)
    if sheet.submitted:
        st.success(t("contests.judging.submitted", score=f"{sheet.percent:.1f}"), icon=":material/check_circle:")
        if sheet.others:
            st.markdown(t("contests.judging.others"))
            for name, score in sheet.others:
                st.markdown(f"- {plain(name)}: {score:.1f}")
        else:
            st.caption(t("contests.judging.others_waiting"))
        return
    st.caption(t("contests.judging.blind"))
    key = f"judge.{contest_id}.{contestant_id}"
    marks, comments = rubric_sheet.marking_rows(t, sheet.rubric, sheet.marks, sheet.comments, key=key,
                                                flag_unmarked=st.session_state.get(FLAG) == key)
    total = sum(1 for _ in sheet.rubric.items())
    st.metric(t("contests.judging.marked"), f"{len(marks)} / {total}")
    if not sheet.contest_open:
        st.warning(t("contests.judging.closed"), icon=":material/lock:")
        return
    typed = {item: text.strip() for item, text in comments.items() if text and text.strip()}
    if marks != sheet.marks or typed != sheet.comments:  # saved as the judge goes: a reload loses nothing
        run_action(t, lambda s: judging.save_sheet(s, actor, contest_id, contestant_id, marks, comments, submit=False))
    if st.button(t("contests.judging.submit"), type="primary", icon=":material/send:", key=f"{key}.submit"):
        if run_action(t, lambda s: judging.save_sheet(s, actor, contest_id, contestant_id, marks, comments,
                                                      submit=True)):
            st.session_state.pop(FLAG, None)
            st.rerun()
        else:
            st.session_state[FLAG] = key


def queue() -> None:
    with service_call(t) as session:
        judged = judging.judging_queue(session, actor, language=t.language)
    if not judged:
        empty_state(t, "contests.judging.empty", icon=":material/gavel:")
        return
    for contest, contestants in judged:
        with st.container(border=True):
            st.markdown(f"**{plain(setup.contest_title(contest, t.language))}** · "
                        f"{t('contests.status.' + contest.status)}")
            for person in contestants:
                left, right = st.columns([3, 1], vertical_alignment="center")
                left.markdown(f"{plain(person.name)} · {t('contests.scenario.number', n=person.scenario_number)} "
                              f"{plain(person.scenario_title)} · {t('contests.judging.state.' + person.my_status)}")
                right.button(t("contests.judging.open"), key=f"open_{contest.id}_{person.user_id}",
                             on_click=open_sheet, args=(contest.id, person.user_id))


contest_id, contestant_id = id_in_url("contest"), id_in_url("contestant")
if contest_id is not None and contestant_id is not None:
    sheet_page(contest_id, contestant_id)
else:
    queue()
