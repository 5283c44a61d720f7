import time

import streamlit as st

from portal.formatting import format_datetime
from portal.qa import evaluations, scorecards
from portal.qa.calls import format_duration
from portal.quizzes.specs import RubricSpec
from portal.ui import rubric_builder, rubric_sheet, state
from portal.ui.forms import RecordForm
from portal.ui.text import plain
from portal.ui.url import id_in_url
from portal.ui.widgets import empty_state, page_header, run_action, service_call

CALL = "call"

t = state.translator()
actor = state.actor()
page_header(t, "nav.qa_evaluate", "qa.evaluation.caption")
rubric_builder.show_saved()


def render_drafts() -> None:
    """No call in the address: the analyst's unfinished evaluations, each a link back to its sheet."""
    with service_call(t) as session:
        drafts = evaluations.drafts_in_progress(session, actor)
    st.info(t("qa.evaluation.open_from_queue"), icon=":material/info:")
    if not drafts:
        empty_state(t, "qa.evaluation.no_drafts", icon=":material/task_alt:")
        return
    st.subheader(t("qa.evaluation.drafts"))
    for draft in drafts:
        st.page_link("pages/qa_evaluate.py", query_params={CALL: str(draft.call_id)}, icon=":material/edit_note:",
                     label=t("qa.evaluation.draft_link", call=draft.call_external_id, agent=draft.agent_name,
                             started=format_datetime(draft.started_at, t.language)))


def fact(label_key: str, value: str) -> str:
    return t("qa.evaluation.fact", label=t(label_key), value=f"**{value}**")


def render_call(call: evaluations.CallFacts) -> None:
    with st.container(border=True):
        st.markdown(f"**{t('qa.evaluation.call_title', call=plain(call.external_id))}**")
        cols = st.columns(3)
        cols[0].markdown(fact("qa.evaluation.agent", plain(call.agent_name)))
        direction = t(f"qa.evaluation.direction.{call.direction}") if call.direction in ("inbound", "outbound") \
            else plain(call.direction)
        cols[1].markdown(fact("qa.evaluation.queue", plain(call.queue)) + f" · {direction}")
        cols[2].markdown(fact("qa.evaluation.started", format_datetime(call.started_at, t.language)))
        cols = st.columns(3)
        cols[0].markdown(fact("qa.evaluation.duration", format_duration(call.duration_seconds)))
        satisfaction = "—" if call.satisfaction is None else f"{call.satisfaction:g}"
        cols[1].markdown(fact("qa.evaluation.satisfaction", satisfaction)
                         + (f" · :orange-badge[{t('qa.evaluation.complaint')}]" if call.complaint else ""))
        cols[2].markdown(fact("qa.evaluation.ticket", plain(call.ticket_ref) if call.ticket_ref else "—"))
        if call.recording_url:
            st.link_button(t("qa.evaluation.recording"), call.recording_url, icon=":material/headphones:")
        else:
            st.caption(t("qa.evaluation.no_recording"))


def render_start(call_id: int) -> None:
    """Choose the scorecard: nothing chosen for the analyst."""
    with service_call(t) as session:
        cards = [c for c in scorecards.list_scorecards(session, actor) if not c.archived]
    if not cards:
        empty_state(t, "qa.evaluation.no_scorecards")
        return
    titles = {c.code: c.title(t.language) for c in cards}
    code = st.selectbox(t("qa.evaluation.scorecard"), list(titles), index=None, format_func=titles.get,
                        placeholder=t("qa.evaluation.choose_scorecard"), key=f"qa_eval_card_{call_id}")
    if st.button(t("qa.evaluation.start"), type="primary", disabled=code is None, key=f"qa_eval_start_{call_id}"):
        if run_action(t, lambda s: evaluations.start_evaluation(s, actor, call_id, code).id):
            st.rerun()


def seconds_so_far(sheet: evaluations.EvaluationSheet) -> int:
    """Time on this sheet: what the draft kept from earlier visits plus this visit since the page opened."""
    clock_key = f"qa_eval_clock.{sheet.evaluation_id}"
    if clock_key not in st.session_state:
        st.session_state[clock_key] = (sheet.draft.seconds_spent, time.monotonic())
    base, opened = st.session_state[clock_key]
    return base + int(time.monotonic() - opened)


def keep_draft(sheet, marks, comments, overall, seconds) -> None:
    """Save what changed since the stored draft, so a reload loses nothing."""
    typed = {k: v.strip() for k, v in comments.items() if v.strip()}
    if (marks, typed, overall.strip()) != (sheet.draft.points, sheet.draft.comments, sheet.draft.overall_comment):
        run_action(t, lambda s: evaluations.save_draft(s, actor, sheet.evaluation_id, marks, comments, overall,
                                                       seconds))


def render_progress(spec: RubricSpec, marks) -> None:
    total = sum(1 for _ in spec.items())
    unmarked = spec.unscored_items(marks)
    preview = None if unmarked else spec.score(RubricSpec.engine_points(marks))
    cols = st.columns(3)
    cols[0].metric(t("qa.evaluation.marked"), f"{total - len(unmarked)} / {total}")
    cols[1].metric(t("qa.evaluation.score"), "—" if preview is None else f"{preview.percent:.1f}%")
    cols[2].metric(t("qa.evaluation.critical_missed"), "—" if preview is None else len(preview.critical_missed))
    if preview is not None and preview.failed_by_critical:
        st.error(t("qa.evaluation.failed_by_critical"), icon=":material/priority_high:")


def render_sheet(sheet: evaluations.EvaluationSheet) -> None:
    spec = sheet.spec
    key = f"qa_eval.{sheet.evaluation_id}"
    flag_key = f"{key}.flag"
    st.markdown(f"**{plain(spec.title.get(t.language))}** · v{sheet.version}")
    st.caption(rubric_sheet.critical_rule(t, spec) + " " + t("qa.evaluation.draft_kept"))
    flagged = bool(st.session_state.get(flag_key))
    marks, comments = rubric_sheet.marking_rows(t, spec, sheet.draft.points, sheet.draft.comments, key=key,
                                                flag_unmarked=flagged)
    overall = st.text_area(t("qa.evaluation.overall_comment"), sheet.draft.overall_comment, key=f"{key}.overall")
    seconds = seconds_so_far(sheet)
    keep_draft(sheet, marks, comments, overall, seconds)
    render_progress(spec, marks)
    unmarked = spec.unscored_items(marks)
    if unmarked and flagged:
        st.error(t("qa.evaluation.unmarked_summary", count=len(unmarked), numbers=", ".join(str(n) for n, _ in unmarked)),
                 icon=":material/error:")
    form = RecordForm(f"qa_eval_{sheet.evaluation_id}")
    if st.button(t("qa.evaluation.submit"), type="primary", key=form.key("submit"), icon=":material/send:"):
        if unmarked:  # the service refuses it too; here each unmarked item is flagged beside itself
            st.session_state[flag_key] = True
            st.rerun()
        if run_action(t, lambda s: evaluations.submit_evaluation(s, actor, sheet.evaluation_id, marks, comments,
                                                                 overall, seconds, form.submission_key).id):
            form.saved()
            st.session_state.pop(flag_key, None)
            rubric_builder.remember_saved(t("qa.evaluation.submitted"))
            st.rerun()


def render_result(evaluation_id: int) -> None:
    with service_call(t) as session:
        detail = evaluations.evaluation_detail(session, actor, evaluation_id)
    summary = detail.summary
    st.markdown(f"**{plain(summary.scorecard_title(t.language))}** · v{summary.version}")
    cols = st.columns(3)
    cols[0].metric(t("qa.evaluation.score"), f"{summary.percent:.1f}%")
    cols[1].metric(t("qa.evaluation.critical_missed"), len(summary.critical_missed))
    cols[2].metric(t("qa.evaluation.submitted_at"), format_datetime(summary.submitted_at, t.language))
    if summary.failed_by_critical:
        st.error(t("qa.evaluation.failed_by_critical"), icon=":material/priority_high:")
    for item in detail.items:
        given = t("qa.rubric.na") if item.not_applicable else f"{item.points:g} / {item.item.max_points:g}"
        line = f"**{item.number}.** {plain(item.item.text.get(t.language))} — **{given}**"
        st.markdown(line + (f"  \n{plain(item.comment)}" if item.comment else ""))
    if detail.overall_comment:
        st.markdown(f"**{t('qa.evaluation.overall_comment')}**  \n{plain(detail.overall_comment)}")


call_id = id_in_url(CALL)
if call_id is None:
    render_drafts()
    st.stop()
with service_call(t) as session:
    call = evaluations.call_for_evaluation(session, actor, call_id)
    sheet = evaluations.evaluation_for_call(session, actor, call_id)
render_call(call)
if sheet is None:
    render_start(call_id)
elif sheet.status == "submitted":
    render_result(sheet.evaluation_id)
else:
    render_sheet(sheet)
