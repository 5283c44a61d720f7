"""Contests (trainers): set up a knowledge contest between teams or a scenario contest, start it, close it,
and follow it: the board, and for a scenario contest each judge's score, the median and the spread."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from portal.clock import center_day_start, local_today
from portal.contests import board as boards, judging, setup
from portal.contests.setup import ContestSettings, MixEntry, RoundSettings, ScenarioBrief
from portal.ui import contest_views, state
from portal.ui.forms import RecordForm
from portal.ui.url import show_in_url
from portal.ui.widgets import empty_state, page_header, run_action, service_call

MAX_ROUNDS, MIX_ROWS, MAX_SCENARIOS = 3, 3, 3
PARAM = "contest"
PICK = "contest_pick"
CREATED = "contest_created"  # the contest this session created last
CLOSING = "contest_closing"  # the contest whose closing is being confirmed

t = state.translator()
actor = state.actor()
page_header(t, "nav.contests", "contests.organise.caption")
with service_call(t) as session:
    contests = setup.list_contests(session, actor)
    choices = setup.setup_choices(session, actor)
teams, people = choices["teams"], choices["people"]
names = {user_id: name for user_id, name, _ in people}


def pick_contest() -> int | None:
    if not contests:
        empty_state(t, "contests.organise.empty", icon=":material/emoji_events:")
        return None
    ids = [c.contest_id for c in contests]
    wanted = st.query_params.get(PARAM) or str(st.session_state.get(CREATED, ""))  # a double click's second run
    # the URL says which contest (a reload, Back, a contest just created); the picker writes it there
    st.session_state[PICK] = int(wanted) if wanted and wanted.isdigit() and int(wanted) in ids else ids[0]
    titles = {c.contest_id: f"{c.title(t.language)} · {t('contests.status.' + c.status)}" for c in contests}
    return st.selectbox(t("contests.organise.pick"), ids, format_func=titles.get, key=PICK,
                        on_change=lambda: show_in_url(**{PARAM: st.session_state[PICK]}))


def organiser_view(contest_id: int) -> None:
    summary = next(c for c in contests if c.contest_id == contest_id)
    contest_views.heading(t, summary)
    if summary.status == "draft":
        st.info(t("contests.organise.draft_note"), icon=":material/edit_note:")
        if st.button(t("contests.organise.start"), type="primary", icon=":material/play_arrow:", key="start_contest"):
            if run_action(t, lambda s: setup.start_contest(s, actor, contest_id), "contests.organise.started"):
                st.rerun()
        return
    if summary.status == "running":
        st.button(t("contests.organise.close"), icon=":material/flag:", key="close_contest",
                  on_click=st.session_state.__setitem__, args=(CLOSING, contest_id))
        if st.session_state.get(CLOSING) == contest_id:
            confirm_close(contest_id)
    with service_call(t) as session:
        board = boards.board(session, actor, contest_id)
        results = judging.scenario_results(session, actor, contest_id) if summary.kind == "scenario" else None
    contest_views.show_board(t, board, viewer_id=actor.id)
    if results is not None:
        show_spread(results)


@st.dialog(t("contests.organise.close_title"), on_dismiss=lambda: st.session_state.pop(CLOSING, None))
def confirm_close(contest_id: int) -> None:
    st.markdown(t("contests.organise.close_note"))
    left, right = st.columns(2)
    if right.button(t("contests.organise.keep_running"), key="keep_running"):
        st.session_state.pop(CLOSING, None)
        st.rerun()
    if left.button(t("contests.organise.close_now"), type="primary", key="close_now", icon=":material/flag:"):
        if run_action(t, lambda s: setup.close_contest(s, actor, contest_id), "contests.organise.closed"):
            st.session_state.pop(CLOSING, None)
            st.rerun()


def show_spread(results: list[judging.ScenarioResult]) -> None:
    st.markdown(f"#### {t('contests.organise.judges_title')}")
    st.caption(t("contests.organise.judges_caption"))
    rows = []
    for row in results:
        rows.append({
            t("contests.board.person"): row.name,
            t("contests.organise.scenario"): row.scenario_number,
            t("contests.organise.judge_scores"): (t("contests.organise.hidden_until_yours") if row.hidden else
                                                  ", ".join(f"{name} {score:.1f}" for name, score in row.judges)),
            t("contests.organise.waiting"): row.waiting_for,
            t("contests.organise.median"): "—" if row.median is None else f"{row.median:.1f}",
            t("contests.organise.spread"): "—" if row.spread is None else f"{row.spread:.1f}",
        })
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def common_fields(form: RecordForm) -> dict:
    """Titles, period and teams: the fields both kinds of contest share."""
    left, right = st.columns(2)
    title_en = left.text_input(t("contests.field.title_en"), key=form.key("title_en"))
    title_zh = right.text_input(t("contests.field.title_zh"), key=form.key("title_zh"))
    form.show_error("title")
    left, right = st.columns(2)
    start = left.date_input(t("contests.field.starts_on"), value=local_today(), format="YYYY-MM-DD",
                            key=form.key("start"))
    end = right.date_input(t("contests.field.ends_on"), value=local_today() + timedelta(days=7), format="YYYY-MM-DD",
                           key=form.key("end"))
    form.show_error("period")
    chosen_teams = st.multiselect(t("contests.field.teams"), list(teams), format_func=teams.get, key=form.key("teams"),
                                  placeholder=t("contests.field.teams_placeholder"))
    form.show_error("teams")
    return dict(title_en=title_en, title_zh=title_zh, starts_at=center_day_start(start),
                ends_at=center_day_start(end + timedelta(days=1)), team_ids=chosen_teams)


COMMON_ERRORS = {"contests.error.title_required": "title", "contests.error.ends_before_start": "period",
                 "contests.error.two_teams": "teams"}


def knowledge_form() -> None:
    form = RecordForm("contest_knowledge")
    form.show_saved()
    count = st.number_input(t("contests.field.rounds"), 1, MAX_ROUNDS, 1, key="knowledge_rounds")
    with st.form(form.key("form")):
        fields = common_fields(form)
        left, right = st.columns(2)
        share = left.slider(t("contests.field.share"), 10, 100, 60, step=5, format="%d%%", key=form.key("share"),
                            help=t("contests.field.share_help"))
        tries = right.number_input(t("contests.field.attempts"), 1, setup.MAX_ATTEMPTS, 1, key=form.key("attempts"))
        rounds = []
        for number in range(1, int(count) + 1):
            st.markdown(f"**{t('contests.field.round', n=number)}**")
            minutes = st.number_input(t("contests.field.minutes"), 1, setup.MAX_ROUND_MINUTES, 15,
                                      key=form.key(f"r{number}.minutes"))
            mix = []
            for row in range(1, MIX_ROWS + 1):
                tags_col, count_col = st.columns([3, 1])
                tags = tags_col.multiselect(t("contests.field.mix_tags", n=row), choices["tags"],
                                            key=form.key(f"r{number}.tags{row}"),
                                            placeholder=t("contests.field.mix_tags_placeholder"))
                how_many = count_col.number_input(t("contests.field.mix_count"), 0, 50, 0,
                                                  key=form.key(f"r{number}.count{row}"))
                if tags or how_many:
                    mix.append(MixEntry(list(tags), int(how_many)))
            form.show_error(f"round{number}")
            rounds.append(RoundSettings(int(minutes), mix))
        form.show_error("rounds")
        sent = st.form_submit_button(t("contests.organise.create"), type="primary", icon=":material/add:")
    if not sent:
        return
    settings = ContestSettings(kind="knowledge", participation_share=share / 100, attempts_per_round=int(tries),
                               rounds=rounds, **fields)
    errors = {**COMMON_ERRORS, "contests.error.mix_required": "rounds", "contests.error.mix_too_big": "rounds",
              "contests.error.bad_time_limit": "rounds"}
    if done := form.submit(t, lambda s: setup.create_contest(s, actor, settings, submission_key=form.submission_key),
                           fields_by_error=errors):
        created(form, done.value.id)


def created(form: RecordForm, contest_id: int) -> None:
    """A fresh form, and the new contest shown in the first tab (by the address, and in the session should a
    second click's run arrive with the old address)."""
    form.saved(t("contests.organise.created"))
    st.session_state[CREATED] = contest_id
    show_in_url(**{PARAM: contest_id})
    st.rerun()


def brief_fields(form: RecordForm, number: int) -> ScenarioBrief:
    values = {}
    for part in ("title", "caller", "problem", "good"):
        left, right = st.columns(2)
        widget = st.text_input if part == "title" else st.text_area
        with left:
            values[f"{part}_en"] = widget(t(f"contests.field.{part}_en"), key=form.key(f"s{number}.{part}_en"))
        with right:
            values[f"{part}_zh"] = widget(t(f"contests.field.{part}_zh"), key=form.key(f"s{number}.{part}_zh"))
    return ScenarioBrief(**values)


def scenario_form() -> None:
    form = RecordForm("contest_scenario")
    form.show_saved()
    count = st.number_input(t("contests.field.scenarios"), 1, MAX_SCENARIOS, 1, key="scenario_count")
    with st.form(form.key("form")):
        fields = common_fields(form)
        rubric = st.selectbox(t("contests.field.rubric"), choices["rubrics"], index=None, key=form.key("rubric"),
                              placeholder=t("contests.field.rubric_placeholder"))
        form.show_error("rubric")
        judges = st.multiselect(t("contests.field.judges"), list(names), format_func=names.get, key=form.key("judges"),
                                placeholder=t("contests.field.judges_placeholder"))
        form.show_error("judges")
        briefs, contestants = [], {}
        learners = [user_id for user_id, _, team_id in people if team_id is not None]
        for number in range(1, int(count) + 1):
            st.markdown(f"**{t('contests.scenario.number', n=number)}**")
            briefs.append(brief_fields(form, number))
            for user_id in st.multiselect(t("contests.field.contestants"), learners, format_func=names.get,
                                          key=form.key(f"s{number}.contestants"),
                                          placeholder=t("contests.field.contestants_placeholder")):
                contestants[user_id] = number
        form.show_error("scenarios")
        sent = st.form_submit_button(t("contests.organise.create"), type="primary", icon=":material/add:")
    if not sent:
        return
    settings = ContestSettings(kind="scenario", rubric_code=rubric, scenarios=briefs, judge_ids=list(judges),
                               contestants=contestants, **fields)
    errors = {**COMMON_ERRORS, "contests.error.rubric_required": "rubric", "contests.error.two_judges": "judges",
              "contests.error.no_such_judge": "judges", "contests.error.judge_contestant": "judges",
              "contests.error.brief_incomplete": "scenarios", "contests.error.contestants_required": "scenarios",
              "contests.error.contestant_not_in_team": "scenarios"}
    if done := form.submit(t, lambda s: setup.create_contest(s, actor, settings, submission_key=form.submission_key),
                           fields_by_error=errors):
        created(form, done.value.id)


follow, knowledge_tab, scenario_tab = st.tabs([t("contests.organise.tab_follow"), t("contests.organise.tab_knowledge"),
                                              t("contests.organise.tab_scenario")])
with follow:
    if (picked := pick_contest()) is not None:
        organiser_view(picked)
with knowledge_tab:
    knowledge_form()
with scenario_tab:
    scenario_form()
