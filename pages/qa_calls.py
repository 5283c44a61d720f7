import pandas as pd
import streamlit as st

from portal.clock import local_today
from portal.formatting import zone_name
from portal.qa import calls
from portal.qa.calls import CallEntry
from portal.text_files import megabytes
from portal.ui import state
from portal.ui.forms import RecordForm
from portal.ui.onboarding import show_flash, succeed
from portal.ui.paging import page_index, pager
from portal.ui.qa_calls import calls_table, direction_label
from portal.ui.text import plain
from portal.ui.widgets import page_header, run_action, service_call

t = state.translator()
actor = state.actor()

ENTRY_FIELDS = {
    "qa.calls.error.call_id_required": "call_id", "qa.calls.error.call_id_too_long": "call_id",
    "qa.calls.error.changed": "call_id", "qa.calls.error.agent_required": "agent",
    "qa.calls.error.started_at_required": "started_at", "qa.calls.error.start_in_future": "started_at",
    "qa.calls.error.bad_duration": "duration", "qa.calls.error.duration_out_of_range": "duration",
    "qa.calls.error.duration_required": "duration", "qa.calls.error.queue_required": "queue",
    "qa.calls.error.queue_too_long": "queue", "qa.calls.error.direction_required": "direction",
    "qa.calls.error.bad_direction": "direction", "qa.calls.error.bad_satisfaction": "satisfaction",
    "qa.calls.error.bad_recording": "recording", "qa.calls.error.ticket_too_long": "ticket",
}
LAST_SAVED = "qa_calls.last_saved"
CALLS_PAGE_PARAM = "calls_page"  # the list tab's page, in the URL (the page has other tabs)
EXAMPLE = ("呼叫ID,坐席,开始时间,时长,队列,方向,满意度,投诉,录音,工单\n"
           "CL20261103001,agent,2026-11-03 09:15,5:45,话费查询,呼入,4,否,https://rec.example.cn/CL20261103001,GD-1001")


def render_import() -> None:
    st.caption(t("qa.calls.import.help", limit=megabytes(calls.MAX_CALLS_CSV_BYTES), zone=zone_name(t.language)))
    st.code(EXAMPLE, language="csv")
    upload = st.file_uploader(t("qa.calls.import.file"), type=["csv", "txt"], key="qa_calls_upload")
    if upload is None:
        st.info(t("qa.calls.import.waiting"), icon=":material/upload_file:")
        return
    data = upload.getvalue()
    with service_call(t) as session:
        preview = calls.preview_calls(session, actor, data)
    if preview.encoding:
        st.caption(t("file.read_as", encoding=preview.encoding))
    if preview.ignored_columns:
        st.caption(t("qa.calls.import.ignored", columns=plain(", ".join(preview.ignored_columns))))
    if preview.problems:
        render_problems(preview)
        return
    render_preview(preview)
    new = len(preview.new_rows)
    if not new:
        st.success(t("qa.calls.import.nothing_new"), icon=":material/check_circle:")
        return
    if st.button(t("qa.calls.import.commit", count=new), type="primary", key="qa_calls_commit") and \
            run_action(t, lambda s: calls.import_calls(s, actor, data, file_name=upload.name)):
        succeed(t, "qa.calls.import.done", count=new)


def render_problems(preview) -> None:
    st.error(t("qa.calls.import.problems", count=len(preview.problems)), icon=":material/error:")
    st.dataframe(pd.DataFrame([{t("qa.calls.import.row"): p.row, t("qa.calls.import.column"): p.column or "—",
                                t("qa.calls.import.problem"): t(p.key, **p.params)} for p in preview.problems]),
                 hide_index=True, width="stretch")


def render_preview(preview) -> None:
    st.subheader(t("qa.calls.import.preview", count=len(preview.rows)))
    new = len(preview.new_rows)
    st.caption(t("qa.calls.import.summary", new=new, already=len(preview.rows) - new))
    frame = pd.DataFrame([{
        "row": r.number, "status": t("qa.calls.import.status_already" if r.already_imported
                                     else "qa.calls.import.status_new"),
        "external_id": r.call.external_id, "agent": r.agent, "started_at": r.call.started_at,
        "duration_seconds": r.call.duration_seconds, "queue": r.call.queue, "direction": r.call.direction,
        "satisfaction": r.call.satisfaction, "complaint": r.call.complaint, "recording_url": r.call.recording_url,
        "ticket_ref": r.call.ticket_ref} for r in preview.rows])
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    calls_table(t, frame, first={"row": t("qa.calls.import.row"), "status": t("qa.calls.import.status")})


def render_entry() -> None:
    st.caption(t("qa.calls.entry.caption"))
    with service_call(t) as session:
        agents = calls.agents_for_entry(session, actor)
    names = {agent_id: f"{name} ({username})" for agent_id, username, name in agents}
    form = RecordForm("qa_call")
    if last_saved := st.session_state.get(LAST_SAVED):  # stays until the next call is sent (a second click
        st.success(last_saved, icon=":material/check_circle:")  # of a double click reruns the page)
    with st.form(form.key("form")):
        left, right = st.columns(2)
        call_id = left.text_input(t("qa.calls.column.call_id"), key=form.key("call_id"), max_chars=80)
        with left:
            form.show_error("call_id")
        agent_id = right.selectbox(t("qa.calls.column.agent"), list(names), index=None, format_func=names.get,
                                   placeholder=t("qa.calls.field.agent_placeholder"), key=form.key("agent"))
        with right:
            form.show_error("agent")
        day_column, time_column, duration_column = st.columns(3)
        day = day_column.date_input(t("qa.calls.field.date"), value=None, max_value=local_today(),
                                    format="YYYY-MM-DD", key=form.key("day"))
        start = time_column.time_input(t("qa.calls.field.time", zone=zone_name(t.language)), value=None, step=60,
                                       key=form.key("time"))
        with day_column:
            form.show_error("started_at")
        duration = duration_column.text_input(t("qa.calls.column.duration"), key=form.key("duration"),
                                              placeholder=t("qa.calls.field.duration_hint"))
        with duration_column:
            form.show_error("duration")
        left, right = st.columns(2)
        queue = left.text_input(t("qa.calls.column.queue"), key=form.key("queue"), max_chars=80,
                                placeholder=t("qa.calls.field.queue_hint"))
        with left:
            form.show_error("queue")
        direction = right.radio(t("qa.calls.column.direction"), ["inbound", "outbound"], index=None, horizontal=True,
                                format_func=lambda d: direction_label(t, d), key=form.key("direction"))
        with right:
            form.show_error("direction")
        left, right = st.columns(2)
        satisfaction = left.number_input(t("qa.calls.column.satisfaction"), min_value=0.0,
                                         max_value=float(calls.MAX_SATISFACTION), value=None, step=1.0,
                                         help=t("qa.calls.field.satisfaction_hint"), key=form.key("satisfaction"))
        with left:
            form.show_error("satisfaction")
        complaint = right.checkbox(t("qa.calls.column.complaint"), key=form.key("complaint"))
        left, right = st.columns(2)
        recording = left.text_input(t("qa.calls.column.recording"), key=form.key("recording"), max_chars=500,
                                    placeholder=t("qa.calls.field.recording_hint"))
        with left:
            form.show_error("recording")
        ticket = right.text_input(t("qa.calls.column.ticket"), key=form.key("ticket"), max_chars=80)
        with right:
            form.show_error("ticket")
        submitted = st.form_submit_button(t("qa.calls.entry.submit"), type="primary", icon=":material/add_call:")
    if not submitted:
        return
    st.session_state.pop(LAST_SAVED, None)
    entry = CallEntry(external_id=call_id, agent_id=agent_id, day=day, start=start, duration=duration, queue=queue,
                      direction=direction or "", satisfaction=satisfaction, complaint=complaint,
                      recording_url=recording, ticket_ref=ticket)
    if done := form.submit(t, lambda s: calls.record_call(s, actor, entry), fields_by_error=ENTRY_FIELDS):
        key = "qa.calls.entry.saved" if done.value.created else "qa.calls.entry.already"
        st.session_state[LAST_SAVED] = t(key, call_id=plain(call_id.strip()))
        form.saved()
        st.rerun()


def render_list() -> None:
    with service_call(t) as session:
        teams = calls.teams_for_calls(session, actor)
    names = dict(teams)
    team_id = st.selectbox(t("qa.calls.list.team"), [None, *names], key="qa_calls_team",
                           format_func=lambda i: t("qa.calls.list.all_teams") if i is None else names[i])
    with service_call(t) as session:
        listed = calls.recent_calls(session, actor, page=page_index(CALLS_PAGE_PARAM), team_id=team_id)
    st.subheader(t("qa.calls.list.heading", count=listed.total))
    if listed.rows.empty:
        st.info(t("qa.calls.list.empty"), icon=":material/call_log:")
        return
    calls_table(t, listed.rows)
    pager(t, listed, key="qa_calls_list", page_param=CALLS_PAGE_PARAM)


page_header(t, "nav.qa_calls", "qa.calls.caption")
show_flash()
import_tab, entry_tab, list_tab = st.tabs([t("qa.calls.tab.import"), t("qa.calls.tab.entry"),
                                          t("qa.calls.tab.list")])
with import_tab:
    render_import()
with entry_tab:
    render_entry()
with list_tab:
    render_list()
