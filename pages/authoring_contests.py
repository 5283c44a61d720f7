"""Contests (trainers): set up a knowledge contest between teams or a scenario contest, correct or delete it while
it is a draft, start it, close it, and follow it: the board, and for a scenario contest each judge's score, the
median and the spread."""
from datetime import timedelta

import pandas as pd
import streamlit as st

from portal.clock import center_day_start, local_date, local_today
from portal.contests import board as boards, judging, setup
from portal.contests.setup import ContestSettings, MixEntry, RoundSettings, ScenarioBrief
from portal.ui import contest_views, state
from portal.ui.forms import STATE_PREFIX, RecordForm
from portal.ui.text import plain
from portal.ui.url import as_id, show_in_url
from portal.ui.widgets import empty_state, page_header, run_action, service_call

MAX_ROUNDS, MIX_ROWS, MAX_SCENARIOS = 3, 3, 3
PARAM = "contest"
PICK = "contest_pick"
CREATED = "contest_created"  # the contest this session created last
CLOSING = "contest_closing"  # the contest whose closing is being confirmed
EDIT = "edit"  # in the URL: the draft being corrected (a reload or Back returns to its form)
OPENED = "contest_drafts_opened"  # contest id -> the draft as its editor opened it (its version goes with the save)
DELETING = "contest_deleting"  # the draft whose deletion is being confirmed

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
    named = as_id(wanted)
    st.session_state[PICK] = named if named in ids else ids[0]
    titles = {c.contest_id: f"{c.title(t.language)} · {t('contests.status.' + c.status)}" for c in contests}
    return st.selectbox(t("contests.organise.pick"), ids, format_func=titles.get, key=PICK,
                        on_change=lambda: show_in_url(**{PARAM: st.session_state[PICK], EDIT: None}))


def organiser_view(contest_id: int) -> None:
    summary = next(c for c in contests if c.contest_id == contest_id)
    contest_views.heading(t, summary)
    if summary.status == "draft":
        draft_view(summary)
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


def draft_view(summary: setup.ContestSummary) -> None:
    """A draft: start it, correct it (the set-up form, filled) or delete it."""
    contest_id = summary.contest_id
    if st.query_params.get(EDIT) == str(contest_id):
        edit_draft(contest_id)
        return
    st.info(t("contests.organise.draft_note"), icon=":material/edit_note:")
    start, edit, remove = st.columns(3)
    if start.button(t("contests.organise.start"), type="primary", icon=":material/play_arrow:", key="start_contest"):
        if run_action(t, lambda s: setup.start_contest(s, actor, contest_id), "contests.organise.started"):
            st.rerun()
    edit.button(t("contests.edit.open"), icon=":material/edit:", key="edit_contest", on_click=show_in_url,
                kwargs={PARAM: contest_id, EDIT: contest_id})
    remove.button(t("contests.delete.open"), icon=":material/delete:", key="delete_contest",
                  on_click=st.session_state.__setitem__, args=(DELETING, contest_id))
    if st.session_state.get(DELETING) == contest_id:
        confirm_delete(summary)


def edit_form_name(contest_id: int) -> str:
    return f"contest_edit_{contest_id}"


def edit_draft(contest_id: int) -> None:
    """The set-up form filled with the draft as saved when the editor opened it."""
    opened = st.session_state.setdefault(OPENED, {})
    if contest_id not in opened:
        with service_call(t) as session:
            opened[contest_id] = setup.open_draft(session, actor, contest_id)
    draft = opened[contest_id]
    st.info(t("contests.edit.note"), icon=":material/edit:")
    (knowledge_form if draft.settings.kind == "knowledge" else scenario_form)(draft)
    st.button(t("contests.edit.cancel"), icon=":material/close:", key="cancel_edit", on_click=close_editor,
              args=(contest_id,))


def close_editor(contest_id: int) -> None:
    """Back to the contest; the next edit opens the draft as saved then, in a fresh form."""
    st.session_state.get(OPENED, {}).pop(contest_id, None)
    st.session_state.pop(STATE_PREFIX + edit_form_name(contest_id), None)
    show_in_url(**{EDIT: None})


def edited(contest_id: int) -> None:
    close_editor(contest_id)
    st.toast(t("contests.edit.saved"), icon=":material/check_circle:")
    st.rerun()


@st.dialog(t("contests.delete.title"), on_dismiss=lambda: st.session_state.pop(DELETING, None))
def confirm_delete(summary: setup.ContestSummary) -> None:
    st.markdown(t("contests.delete.note", title=plain(summary.title(t.language))))
    left, right = st.columns(2)
    if right.button(t("contests.delete.keep"), key="keep_draft"):
        st.session_state.pop(DELETING, None)
        st.rerun()
    if left.button(t("contests.delete.now"), type="primary", key="delete_now", icon=":material/delete:"):
        if run_action(t, lambda s: setup.delete_contest(s, actor, summary.contest_id), "contests.delete.done"):
            deleted(summary.contest_id)


def deleted(contest_id: int) -> None:
    """Nothing left pointing at the deleted draft: the dialog, the address, the contest this session created."""
    st.session_state.pop(DELETING, None)
    if st.session_state.get(CREATED) == contest_id:
        st.session_state.pop(CREATED)
    show_in_url(**{PARAM: None})
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


def with_saved(options: list, saved) -> list:
    """The choices offered, and what a draft saved that they no longer offer (kept, not silently dropped)."""
    return list(options) + [value for value in saved if value not in options]


def common_fields(form: RecordForm, saved: ContestSettings | None) -> dict:
    """Titles, period and teams: the fields both kinds of contest share (filled with a draft's `saved` settings)."""
    left, right = st.columns(2)
    title_en = left.text_input(t("contests.field.title_en"), saved.title_en if saved else "", key=form.key("title_en"))
    title_zh = right.text_input(t("contests.field.title_zh"), saved.title_zh if saved else "", key=form.key("title_zh"))
    form.show_error("title")
    left, right = st.columns(2)
    start = left.date_input(t("contests.field.starts_on"),
                            value=local_date(saved.starts_at) if saved else local_today(),
                            format="YYYY-MM-DD", key=form.key("start"))
    end = right.date_input(t("contests.field.ends_on"),
                           value=setup.last_day(saved.ends_at) if saved else local_today() + timedelta(days=7),
                           format="YYYY-MM-DD", key=form.key("end"))
    form.show_error("period")
    saved_teams = saved.team_ids if saved else []
    chosen_teams = st.multiselect(t("contests.field.teams"), with_saved(list(teams), saved_teams), default=saved_teams,
                                  format_func=lambda team_id: teams.get(team_id, str(team_id)), key=form.key("teams"),
                                  placeholder=t("contests.field.teams_placeholder"))
    form.show_error("teams")
    return dict(title_en=title_en, title_zh=title_zh, starts_at=center_day_start(start),
                ends_at=setup.ends_after(end), team_ids=chosen_teams)


COMMON_ERRORS = {"contests.error.title_required": "title", "contests.error.ends_before_start": "period",
                 "contests.error.two_teams": "teams"}


def knowledge_form(draft: setup.DraftContest | None = None) -> None:
    """A new knowledge contest or, given a `draft`, that draft's correction (the same form, filled)."""
    form = RecordForm(edit_form_name(draft.contest_id) if draft else "contest_knowledge")
    saved = draft.settings if draft else None
    form.show_saved()
    saved_rounds = saved.rounds if saved else []
    count = st.number_input(t("contests.field.rounds"), 1, max(MAX_ROUNDS, len(saved_rounds)), len(saved_rounds) or 1,
                            key=form.key("count") if draft else "knowledge_rounds")
    with st.form(form.key("form")):
        fields = common_fields(form, saved)
        left, right = st.columns(2)
        share = left.slider(t("contests.field.share"), 10, 100, share_percent(saved), step=5, format="%d%%",
                            key=form.key("share"), help=t("contests.field.share_help"))
        tries = right.number_input(t("contests.field.attempts"), 1, setup.MAX_ATTEMPTS,
                                   saved.attempts_per_round if saved else 1, key=form.key("attempts"))
        rounds = [round_fields(form, number, saved_rounds[number - 1] if number <= len(saved_rounds) else None)
                  for number in range(1, int(count) + 1)]
        form.show_error("rounds")
        sent = submit_button(draft)
    if not sent:
        return
    settings = ContestSettings(kind="knowledge", participation_share=share / 100, attempts_per_round=int(tries),
                               rounds=rounds, **fields)
    save(form, draft, settings, {**COMMON_ERRORS, "contests.error.mix_required": "rounds",
                                 "contests.error.mix_too_big": "rounds", "contests.error.bad_time_limit": "rounds"})


def share_percent(saved: ContestSettings | None) -> int:
    """The share a team needs, as the slider shows it (10% to 100%)."""
    return min(100, max(10, round(saved.participation_share * 100))) if saved else 60


def round_fields(form: RecordForm, number: int, saved: RoundSettings | None) -> RoundSettings:
    """One round: its time limit and its mix of tags (filled with a draft's `saved` round)."""
    st.markdown(f"**{t('contests.field.round', n=number)}**")
    minutes = st.number_input(t("contests.field.minutes"), 1, setup.MAX_ROUND_MINUTES,
                              saved.time_limit_minutes if saved else 15, key=form.key(f"r{number}.minutes"))
    saved_mix = saved.mix if saved else []
    mix = []
    for row in range(1, max(MIX_ROWS, len(saved_mix)) + 1):
        entry = saved_mix[row - 1] if row <= len(saved_mix) else MixEntry([], 0)
        tags_col, count_col = st.columns([3, 1])
        tags = tags_col.multiselect(t("contests.field.mix_tags", n=row), with_saved(choices["tags"], entry.tags),
                                    default=entry.tags, key=form.key(f"r{number}.tags{row}"),
                                    placeholder=t("contests.field.mix_tags_placeholder"))
        how_many = count_col.number_input(t("contests.field.mix_count"), 0, max(50, entry.count), entry.count,
                                          key=form.key(f"r{number}.count{row}"))
        if tags or how_many:
            mix.append(MixEntry(list(tags), int(how_many)))
    form.show_error(f"round{number}")
    return RoundSettings(int(minutes), mix)


def submit_button(draft: setup.DraftContest | None) -> bool:
    if draft:
        return st.form_submit_button(t("contests.edit.save"), type="primary", icon=":material/save:")
    return st.form_submit_button(t("contests.organise.create"), type="primary", icon=":material/add:")


def save(form: RecordForm, draft: setup.DraftContest | None, settings: ContestSettings, errors: dict) -> None:
    """Create the contest, or save the corrected draft (refused if it changed or started since it was opened);
    a refusal about a field is shown beside it, what was typed kept."""
    def create(session):
        return setup.create_contest(session, actor, settings, submission_key=form.submission_key)

    def update(session):
        return setup.update_contest(session, actor, draft.contest_id, settings, version=draft.version)

    if done := form.submit(t, update if draft else create, fields_by_error=errors):
        if draft:
            edited(draft.contest_id)
        else:
            created(form, done.value.id)


def created(form: RecordForm, contest_id: int) -> None:
    """A fresh form, and the new contest shown in the first tab (by the address, and in the session should a
    second click's run arrive with the old address)."""
    form.saved(t("contests.organise.created"))
    st.session_state[CREATED] = contest_id
    show_in_url(**{PARAM: contest_id})
    st.rerun()


def brief_fields(form: RecordForm, number: int, saved: ScenarioBrief | None) -> ScenarioBrief:
    values = {}
    for part in ("title", "caller", "problem", "good"):
        left, right = st.columns(2)
        widget = st.text_input if part == "title" else st.text_area
        for column, language in ((left, "en"), (right, "zh")):
            name = f"{part}_{language}"
            with column:
                values[name] = widget(t(f"contests.field.{name}"), getattr(saved, name) if saved else "",
                                      key=form.key(f"s{number}.{name}"))
    return ScenarioBrief(**values)


def scenario_form(draft: setup.DraftContest | None = None) -> None:
    """A new scenario contest or, given a `draft`, that draft's correction (the same form, filled)."""
    form = RecordForm(edit_form_name(draft.contest_id) if draft else "contest_scenario")
    saved = draft.settings if draft else None
    form.show_saved()
    saved_briefs = saved.scenarios if saved else []
    count = st.number_input(t("contests.field.scenarios"), 1, max(MAX_SCENARIOS, len(saved_briefs)),
                            len(saved_briefs) or 1, key=form.key("count") if draft else "scenario_count")
    with st.form(form.key("form")):
        fields = common_fields(form, saved)
        rubrics = with_saved(choices["rubrics"], [saved.rubric_code] if saved and saved.rubric_code else [])
        rubric = st.selectbox(t("contests.field.rubric"), rubrics,
                              index=rubrics.index(saved.rubric_code) if saved and saved.rubric_code else None,
                              key=form.key("rubric"), placeholder=t("contests.field.rubric_placeholder"))
        form.show_error("rubric")
        saved_judges = saved.judge_ids if saved else []
        judges = st.multiselect(t("contests.field.judges"), with_saved(list(names), saved_judges), default=saved_judges,
                                format_func=person_name, key=form.key("judges"),
                                placeholder=t("contests.field.judges_placeholder"))
        form.show_error("judges")
        briefs, contestants = [], {}
        learners = [user_id for user_id, _, team_id in people if team_id is not None]
        for number in range(1, int(count) + 1):
            st.markdown(f"**{t('contests.scenario.number', n=number)}**")
            briefs.append(brief_fields(form, number, saved_briefs[number - 1] if number <= len(saved_briefs) else None))
            playing = [user_id for user_id, n in (saved.contestants if saved else {}).items() if n == number]
            for user_id in st.multiselect(t("contests.field.contestants"), with_saved(learners, playing),
                                          default=playing, format_func=person_name,
                                          key=form.key(f"s{number}.contestants"),
                                          placeholder=t("contests.field.contestants_placeholder")):
                contestants[user_id] = number
        form.show_error("scenarios")
        sent = submit_button(draft)
    if not sent:
        return
    settings = ContestSettings(kind="scenario", rubric_code=rubric, scenarios=briefs, judge_ids=list(judges),
                               contestants=contestants, **fields)
    save(form, draft, settings, {
        **COMMON_ERRORS, "contests.error.rubric_required": "rubric", "contests.error.two_judges": "judges",
        "contests.error.no_such_judge": "judges", "contests.error.judge_contestant": "judges",
        "contests.error.brief_incomplete": "scenarios", "contests.error.contestants_required": "scenarios",
        "contests.error.contestant_not_in_team": "scenarios"})


def person_name(user_id: int) -> str:
    return names.get(user_id, str(user_id))


follow, knowledge_tab, scenario_tab = st.tabs([t("contests.organise.tab_follow"), t("contests.organise.tab_knowledge"),
                                              t("contests.organise.tab_scenario")])
with follow:
    if (picked := pick_contest()) is not None:
        organiser_view(picked)
with knowledge_tab:
    knowledge_form()
with scenario_tab:
    scenario_form()
