"""Disputes (申诉处理): open disputes oldest first; uphold or change each disputed item with a reason."""
import pandas as pd
import streamlit as st

from portal.formatting import format_date
from portal.qa import disputes
from portal.ui import state
from portal.ui.item_forms import ItemRecordForm
from portal.ui.paging import page_index, pager
from portal.ui.qa_views import (
    choose_from_url,
    evaluation_header,
    history,
    items_table,
    show_table,
)
from portal.ui.text import plain
from portal.ui.widgets import empty_state, page_header, service_call

t = state.translator()
actor = state.actor()
DECIDED_PAGE = "decided_page"
DECISION_ERRORS = {"qa.dispute.error.decision_required": "decision", "qa.dispute.error.points_required": "points",
                   "qa.dispute.error.decision_reason_required": "why"}


def render_queue() -> int | None:
    """The open disputes as a table, oldest first; the one chosen (by its evaluation, kept in the address)."""
    with service_call(t) as session:
        rows = disputes.open_disputes(session, actor)
    if st.session_state.get("qa_disputes_flash"):
        st.success(st.session_state.pop("qa_disputes_flash"), icon=":material/check_circle:")
    if not rows:
        empty_state(t, "qa.dispute.queue_empty")
        return None
    frame = pd.DataFrame([{"raised_at": r.raised_at, "agent": r.agent_name, "call_started_at": r.call_started_at,
                           "round": r.round, "items": r.items, "evaluator": r.evaluator_name} for r in rows],
                         columns=["raised_at", "agent", "call_started_at", "round", "items", "evaluator"])
    show_table(t, frame, "open_disputes")
    by_evaluation = {r.evaluation_id: r for r in rows}
    labels = {r.evaluation_id: t("qa.dispute.option", agent=r.agent_name, round=r.round,
                                 when=format_date(r.raised_at, t.language)) for r in rows}
    chosen = choose_from_url(t, "evaluation", list(by_evaluation), labels, "qa.dispute.choose")
    return None if chosen is None else by_evaluation[chosen].id


def render_item_decision(form: ItemRecordForm, item: disputes.DisputedItem, line: disputes.ItemLine) -> dict:
    st.markdown(f"**{plain(item.text)}** · {t('qa.dispute.current_points')} "
                f"{t('qa.my.na') if line.points is None else f'{line.points:g} / {line.max_points:g}'}")
    st.markdown(t("qa.dispute.agent_reason") + " " + plain(item.reason))
    choice = st.radio(t("qa.dispute.decision"), list(disputes.DECISIONS), index=None, horizontal=True,
                      format_func=lambda d: t(f"qa.dispute.decision_{d}"), key=form.key(f"decision.{item.item_id}"))
    form.show_error(f"decision.{item.item_id}")
    left, right = st.columns([2, 1])
    points = left.number_input(t("qa.dispute.new_points", max=f"{line.max_points:g}"), min_value=0.0,
                               max_value=float(line.max_points), value=None, step=1.0,
                               key=form.key(f"points.{item.item_id}"))
    na = right.checkbox(t("qa.dispute.new_points_na"), key=form.key(f"na.{item.item_id}")) if line.allow_na else False
    form.show_error(f"points.{item.item_id}")
    why = st.text_area(t("qa.dispute.decision_reason"), key=form.key(f"why.{item.item_id}"),
                       max_chars=disputes.MAX_REASON, height=80)
    form.show_error(f"why.{item.item_id}")
    return {"decision": choice, "reason": why, "new_points": points, "new_points_na": na}


def render_decision_form(dispute_id: int) -> None:
    with service_call(t) as session:
        detail, round_ = disputes.dispute_detail(session, actor, dispute_id, t.language)
    with st.container(border=True):
        evaluation_header(t, detail)
        items_table(t, detail.items, key=f"items_{dispute_id}")
    st.subheader(t("qa.dispute.decide_round", round=round_.round))
    form = ItemRecordForm(f"qa_decide.{dispute_id}")
    lines = {line.item_id: line for line in detail.items}
    with st.form(form.key("form")):
        given = {}
        for item in round_.items:
            with st.container(border=True):
                given[item.item_id] = render_item_decision(form, item, lines[item.item_id])
        sent = st.form_submit_button(t("qa.dispute.save_decisions"), type="primary", icon=":material/gavel:")
    history(t, detail)
    if not sent:
        return
    decisions = {item_id: disputes.Decision(**values) for item_id, values in given.items()}
    if form.submit_items(t, lambda s: disputes.decide_dispute(s, actor, dispute_id, decisions), DECISION_ERRORS):
        form.saved()
        st.session_state["qa_disputes_flash"] = t("qa.dispute.decided")
        st.query_params.pop("evaluation", None)
        st.rerun()


def render_decided() -> None:
    """Disputes already decided, newest first, a page at a time; the one chosen shows its whole history."""
    with service_call(t) as session:
        shown = disputes.decided_disputes(session, actor, page=page_index(DECIDED_PAGE))
    if not shown.total:
        empty_state(t, "qa.dispute.decided_empty")
        return
    rows = shown.rows
    frame = pd.DataFrame([{"decided_at": r.decided_at, "agent": r.agent_name, "round": r.round, "items": r.items,
                           "changed": r.changed, "reviewer": r.reviewer_name} for r in rows],
                         columns=["decided_at", "agent", "round", "items", "changed", "reviewer"])
    show_table(t, frame, "decided_disputes")
    pager(t, shown, key="decided", page_param=DECIDED_PAGE)
    labels = {r.evaluation_id: t("qa.dispute.decided_option", agent=r.agent_name, round=r.round,
                                 when=format_date(r.decided_at, t.language)) for r in rows}
    chosen = choose_from_url(t, "decided", list(labels), labels, "qa.dispute.choose_decided")
    if chosen is not None:
        with service_call(t) as session:
            detail = disputes.evaluation_detail(session, actor, chosen, t.language)
        with st.container(border=True):
            evaluation_header(t, detail)
            items_table(t, detail.items, key=f"decided_items_{chosen}")
        history(t, detail)


page_header(t, "nav.qa_disputes", "qa.dispute.queue_caption")
open_tab, decided_tab = st.tabs([t("qa.dispute.tab_open"), t("qa.dispute.tab_decided")])
with open_tab:
    chosen_dispute = render_queue()
    if chosen_dispute is not None:
        render_decision_form(chosen_dispute)
with decided_tab:
    render_decided()
