from datetime import timedelta

import pandas as pd
import streamlit as st

from portal import coaching
from portal.clock import today
from portal.coaching_pdf import deferred_session_pdf
from portal.errors import PortalError
from portal.formatting import format_date, format_datetime
from portal.i18n import localized_field
from portal.ui import state
from portal.ui.coaching_views import effect_text, evaluation_label, session_body, table
from portal.ui.forms import RecordForm
from portal.ui.recognition import render_profile_links
from portal.ui.text import plain
from portal.ui.url import id_in_url
from portal.ui.widgets import empty_state, page_header, run_action, service_call

ACTION_ROWS = 3
EDIT_KEY = "coaching_edit_id"

t = state.translator()
actor = state.actor()
page_header(t, "nav.coaching", "coaching.caption")


def render_sessions(agent_id: int, agent_names: dict, sessions, histories) -> None:
    """The agent's sessions: a table, then each session to read, download or edit."""
    st.subheader(t("coaching.sessions_of", name=plain(agent_names[agent_id])))
    overview = pd.DataFrame([{"held_on": v.held_on, "focus_area": coaching.focus_label(t, v.focus_area),
                              "coach": v.author_name, "version": v.version,
                              "acknowledged": t("coaching.yes") if v.acknowledged else
                              (t("coaching.ack_overdue_short") if v.ack_overdue else t("coaching.no")),
                              "open_items": sum(1 for i in v.action_items if not i.done),
                              "effect": effect_text(t, v)} for v in sessions],
                            columns=["held_on", "focus_area", "coach", "version", "acknowledged", "open_items",
                                     "effect"])
    table(t, overview, "coaching-sessions", "sessions_table", empty_key="empty.coaching")
    for view in sessions:
        render_session(view, histories)


def render_session(view, histories) -> None:
    label = f"{format_date(view.held_on, t.language)} · {coaching.focus_label(t, view.focus_area)}"
    if view.ack_overdue:
        label += " · " + t("coaching.ack_overdue_short")
    with st.expander(label, icon=":material/record_voice_over:"):
        session_body(t, view, show_private=True)
        left, right = st.columns(2)
        try:
            left.download_button(t("coaching.download_pdf"), deferred_session_pdf(view, t),
                                 file_name=f"coaching-{view.id}-v{view.version}.pdf", mime="application/pdf",
                                 key=f"pdf_{view.id}", icon=":material/picture_as_pdf:")
        except PortalError as exc:
            left.error(t.error(exc))
        if view.can_edit and right.button(t("coaching.edit"), key=f"edit_{view.id}", icon=":material/edit:"):
            st.session_state[EDIT_KEY] = view.id
            st.rerun()
        if view.can_edit and view.version > 1:
            history = histories[view.id]
            st.caption(t("coaching.history", count=len(history)))
            for old in history:
                st.markdown(t("coaching.history_line", version=old["version"],
                              when=format_datetime(old["acknowledged_at"], t.language),
                              comment=plain(old["ack_comment"]) or "—"))
                st.text(old["shared_notes"])


def render_editor_heading(sessions, templates):
    """Which session is being edited (None: a new one) and the template a new one starts from."""
    editing = next((v for v in sessions if v.id == st.session_state.get(EDIT_KEY) and v.can_edit), None)
    st.divider()
    if editing:
        st.subheader(t("coaching.edit_title", date=format_date(editing.held_on, t.language)))
        if editing.acknowledged:
            st.info(t("coaching.edit_reacknowledge"), icon=":material/history:")
        if st.button(t("coaching.cancel_edit"), key="cancel_edit"):
            st.session_state.pop(EDIT_KEY, None)
            st.rerun()
        return editing, None
    st.subheader(t("coaching.write_title"))
    template_names = {tpl.id: tpl.name for tpl in templates}
    template_id = st.selectbox(t("coaching.start_from_template"), [0, *template_names], key="coach_template",
                               format_func=lambda i: template_names.get(i, t("coaching.no_template")))
    return None, next((tpl for tpl in templates if tpl.id == template_id), None)


def render_carried_items(agent_id: int, editing) -> None:
    with service_call(t) as session:
        carried = coaching.previous_open_items(session, actor, agent_id, editing.id if editing else None)
    if carried:
        st.warning(t("coaching.previous_open_items", count=len(carried)) + "\n\n" +
                   "\n".join(f"- {plain(i.description)} ({plain(i.owner_name)}, {format_date(i.due_on, t.language)})"
                             for i in carried),
                   icon=":material/assignment_late:")


def render_session_form(agent_id: int, agent_names: dict, attempts, evaluations, settings, editing, template) -> None:
    """Write a session (or edit `editing`): notes, linked results, follow-up and up to three action items."""
    record = None if editing else RecordForm(f"coaching-{agent_id}")  # a new session is recorded once
    form_id = f"{agent_id}-{editing.id if editing else record.submission_key}-{template.id if template else 0}"
    focus_options = list(settings.focus_areas)
    initial_focus = editing.focus_area if editing else (template.focus_area if template else None)
    owner_names = {agent_id: agent_names[agent_id], actor.id: actor.display_name}
    attempt_labels = {int(r.attempt_id): f"{localized_field(r, 'title', t.language)} · "
                      f"{format_date(r.submitted_at, t.language)} · {r.percent:.0f}%"
                      for r in attempts.itertuples() if r.percent is not None}
    open_items = [i for i in editing.action_items if not i.done] if editing else []
    item_texts = [i.description for i in open_items] or (list(template.action_items) if template else [])

    with st.form(f"coaching_form_{form_id}"):
        left, right = st.columns(2)
        held_on = left.date_input(t("coaching.col.held_on"), value=editing.held_on if editing else today(),
                                  key=f"held_{form_id}")
        focus = right.selectbox(t("coaching.col.focus_area"), focus_options,
                                index=focus_options.index(initial_focus) if initial_focus in focus_options else None,
                                format_func=lambda a: coaching.focus_label(t, a),
                                placeholder=t("coaching.choose_focus"), key=f"focus_{form_id}")
        shared = st.text_area(t("coaching.shared_notes"), help=t("coaching.shared_help"), key=f"shared_{form_id}",
                              value=editing.shared_notes if editing else (template.shared_notes if template else ""))
        private = st.text_area(t("coaching.private_notes"), help=t("coaching.private_help"),
                               key=f"private_{form_id}", value=(editing.private_notes or "") if editing else "")
        linked_now = [link.ref_id for link in editing.links
                      if link.ref_id in attempt_labels and link.kind != "qa_evaluation"] if editing else []
        links = st.multiselect(t("coaching.links"), list(attempt_labels), default=linked_now,
                               format_func=attempt_labels.get, key=f"links_{form_id}",
                               placeholder=t("coaching.choose_attempts"), select_all=False)
        qa_labels = {int(r.evaluation_id): evaluation_label(
            t, localized_field(r, "title", t.language), r.percent, r.submitted_at, r.critical_missed)
            for r in evaluations.itertuples()}
        qa_links = st.multiselect(t("qa.coaching.links"), list(qa_labels), format_func=qa_labels.get,
                                  default=[link.ref_id for link in editing.links if link.ref_id in qa_labels
                                           and link.kind == "qa_evaluation"] if editing else [],
                                  key=f"qa_links_{form_id}", placeholder=t("qa.coaching.choose_evaluations"))
        follow_up = st.date_input(t("coaching.col.follow_up_on"), value=editing.follow_up_on if editing else None,
                                  key=f"follow_{form_id}")
        st.markdown(f"**{t('coaching.action_items')}**")
        item_inputs = [action_item_row(row, form_id, open_items, item_texts, owner_names)
                       for row in range(ACTION_ROWS)]
        submitted = st.form_submit_button(t("coaching.save_session"), type="primary", icon=":material/save:")

    if submitted:
        draft = coaching.SessionDraft(
            agent_id=agent_id, held_on=held_on, focus_area=focus or "", shared_notes=shared, private_notes=private,
            follow_up_on=follow_up,
            links=coaching.attempt_links(attempts, links) + coaching.evaluation_links(qa_links),
            action_items=tuple(coaching.ActionItemInput(text, owner, due) for text, owner, due in item_inputs
                               if text.strip()))
        if editing:
            ok = run_action(t, lambda s: coaching.update_session(s, actor, editing.id, draft), "coaching.saved")
        else:
            ok = run_action(t, lambda s: coaching.write_session(s, actor, draft, submission_key=record.submission_key),
                            "coaching.saved")
        if ok:
            if record:
                record.saved()  # the next session starts from an empty form with a new key
            st.session_state.pop(EDIT_KEY, None)
            st.session_state["coaching_flash"] = t("coaching.saved")
            st.rerun()
    if st.session_state.get("coaching_flash"):
        st.success(st.session_state.pop("coaching_flash"), icon=":material/check_circle:")


def action_item_row(row: int, form_id: str, open_items, item_texts, owner_names: dict):
    existing = open_items[row] if row < len(open_items) else None
    c1, c2, c3 = st.columns([3, 2, 2])
    text = c1.text_input(t("coaching.col.description"), key=f"item_text_{row}_{form_id}",
                         value=item_texts[row] if row < len(item_texts) else "")
    owner = c2.selectbox(t("coaching.col.owner"), list(owner_names), format_func=owner_names.get,
                         index=list(owner_names).index(existing.owner_id)
                         if existing and existing.owner_id in owner_names else 0,
                         key=f"item_owner_{row}_{form_id}")
    due = c3.date_input(t("coaching.col.due_on"),
                        value=existing.due_on if existing else today() + timedelta(days=7),
                        key=f"item_due_{row}_{form_id}")
    return text, owner, due


def render_templates(templates, settings) -> None:
    focus_options = list(settings.focus_areas)
    with st.expander(t("coaching.templates"), icon=":material/content_copy:"):
        if templates:
            st.dataframe(pd.DataFrame([{t("coaching.col.name"): tpl.name,
                                        t("coaching.col.focus_area"): coaching.focus_label(t, tpl.focus_area),
                                        t("coaching.col.action_items"): len(tpl.action_items)} for tpl in templates]),
                         hide_index=True, width="stretch")
        with st.form("new_template", clear_on_submit=True):
            name = st.text_input(t("coaching.col.name"))
            tpl_focus = st.selectbox(t("coaching.col.focus_area"), focus_options, index=None,
                                     format_func=lambda a: coaching.focus_label(t, a),
                                     placeholder=t("coaching.choose_focus"))
            tpl_notes = st.text_area(t("coaching.shared_notes"), key="tpl_notes")
            tpl_items = st.text_area(t("coaching.template_items"), key="tpl_items")
            if st.form_submit_button(t("coaching.create_template")):
                if run_action(t, lambda s: coaching.create_template(s, actor, name, tpl_focus or "", tpl_notes,
                                                                    tpl_items.splitlines()), "coaching.saved"):
                    st.rerun()


with service_call(t) as session:
    agents = coaching.coachable_agents(session, actor)
    settings = coaching.load_settings(session)
    templates = coaching.list_templates(session, actor)
if not agents:
    empty_state(t, "coaching.no_agents")
    st.stop()
agent_names = {u.id: u.display_name for u in agents}
linked = id_in_url("agent")  # a link from Home: once per link, then the picker is the person's
if linked in agent_names and st.session_state.get("coach_agent_link") != linked:
    st.session_state["coach_agent"], st.session_state["coach_agent_link"] = linked, linked
agent_id = st.selectbox(t("coaching.agent"), list(agent_names), format_func=agent_names.get, key="coach_agent")
render_profile_links(t, actor, {agent_id: agent_names[agent_id]})
with service_call(t) as session:
    sessions = coaching.list_sessions(session, actor, agent_id)
    attempts = coaching.agent_attempts(session, actor, agent_id)
    evaluations = coaching.agent_evaluations(session, actor, agent_id)
    histories = coaching.revisions_of(session, actor, [v.id for v in sessions if v.can_edit and v.version > 1])

render_sessions(agent_id, agent_names, sessions, histories)
editing, template = render_editor_heading(sessions, templates)
render_carried_items(agent_id, editing)
render_session_form(agent_id, agent_names, attempts, evaluations, settings, editing, template)
render_templates(templates, settings)
