"""My quality (我的质检): the agent's evaluations; acknowledge each, dispute chosen items within the window."""
import streamlit as st

from portal.formatting import format_date
from portal.qa import disputes
from portal.ui import state
from portal.ui.item_forms import ItemRecordForm
from portal.ui.qa_views import (
    choose_from_url,
    evaluation_header,
    evaluations_table,
    history,
    items_table,
)
from portal.ui.text import plain
from portal.ui.widgets import empty_state, page_header, run_action, service_call

t = state.translator()
actor = state.actor()


def render_list() -> int | None:
    with service_call(t) as session:
        rows = disputes.my_evaluations(session, actor)
    if not rows:
        empty_state(t, "qa.my.empty")
        st.stop()
    waiting = sum(1 for r in rows if r.summary.acknowledged_at is None)
    if waiting:
        st.warning(t("qa.my.please_acknowledge", count=waiting), icon=":material/mark_email_unread:")
    evaluations_table(t, rows, key="my_quality_list")
    return choose_from_url(t, "evaluation", [r.summary.evaluation_id for r in rows],
                           {r.summary.evaluation_id: _label(r) for r in rows}, "qa.my.choose")


def _label(row: disputes.AgentEvaluation) -> str:
    s = row.summary
    return t("qa.my.option", when=format_date(s.call_started_at, t.language), scorecard=s.scorecard_title(t.language),
             percent=f"{s.percent:.0f}")


def render_acknowledge(detail: disputes.EvaluationDetail) -> None:
    summary = detail.summary
    if summary.acknowledged_at is not None:
        return
    clicked = st.button(t("qa.my.acknowledge"), key=f"ack_{summary.evaluation_id}", type="primary",
                        icon=":material/done_all:")
    if clicked and run_action(t, lambda s: disputes.acknowledge(s, actor, summary.evaluation_id),
                              "qa.my.acknowledged"):
        st.rerun()


def render_dispute_form(detail: disputes.EvaluationDetail) -> None:
    """Tick the items you dispute and say why, beside each; sent once."""
    summary = detail.summary
    form = ItemRecordForm(f"qa_dispute.{summary.evaluation_id}")
    form.show_saved()
    if not detail.disputable:
        return
    st.subheader(t("qa.dispute.title_round", round=len(detail.rounds) + 1))
    st.caption(t("qa.dispute.window", until=format_date(detail.dispute_until, t.language, length="full")))
    lines = {line.item_id: line for line in detail.items}
    chosen: dict[str, bool] = {}
    reasons: dict[str, str] = {}
    with st.form(form.key("form"), border=True):
        for item_id in detail.disputable:
            line = lines[item_id]
            chosen[item_id] = st.checkbox(t("qa.dispute.dispute_item", item=plain(line.text)),
                                          key=form.key(f"pick.{item_id}"))
            reasons[item_id] = st.text_area(t("qa.dispute.reason"), key=form.key(f"reason.{item_id}"),
                                            max_chars=disputes.MAX_REASON, height=80)
            form.show_error(f"reason.{item_id}")
        sent = st.form_submit_button(t("qa.dispute.send"), type="primary", icon=":material/gavel:")
    if not sent:
        return
    picked = {i: reasons[i] for i in detail.disputable if chosen[i] or reasons[i].strip()}
    done = form.submit_items(t, lambda s: disputes.raise_dispute(s, actor, summary.evaluation_id, picked,
                                                                 form.submission_key),
                             {"qa.dispute.error.reason_required": "reason"})
    if done:
        form.saved(t("qa.dispute.sent"))
        st.rerun()


def render_evaluation(evaluation_id: int) -> None:
    with service_call(t) as session:
        detail = disputes.evaluation_detail(session, actor, evaluation_id, t.language)
    with st.container(border=True):
        evaluation_header(t, detail)
        render_acknowledge(detail)
        items_table(t, detail.items, key=f"items_{evaluation_id}")
    render_dispute_form(detail)
    if detail.dispute_refusal and not detail.in_dispute:
        st.caption(t(detail.dispute_refusal, until=format_date(detail.dispute_until, t.language, length="full")))
    history(t, detail)


page_header(t, "nav.my_quality", "qa.my.caption")
chosen_id = render_list()
if chosen_id is not None:
    render_evaluation(chosen_id)
