from datetime import date

import pandas as pd
import streamlit as st

from portal.formatting import NOTHING, format_datetime, format_month
from portal.permissions import allowed_at_all
from portal.qa import queue, sampling
from portal.qa.calls import format_duration
from portal.qa.sampling import PlanSettings, PlanStatus
from portal.ui import state
from portal.ui.forms import RecordForm
from portal.ui.navigation import pages_for
from portal.ui.onboarding import show_flash
from portal.paging import slice_page
from portal.ui.paging import page_index, pager
from portal.ui.qa_calls import started_text
from portal.ui.text import plain
from portal.ui.widgets import page_header, service_call

t = state.translator()
actor = state.actor()

PLAN_FIELDS = {f"qa.sampling.error.{name}": name for name in
               ("per_agent", "extra_new_graduates", "extra_low_satisfaction", "extra_complaints", "bad_seed")}
PLAN_FIELDS["qa.sampling.error.threshold_required"] = "low_satisfaction_below"
PLAN_FIELDS["qa.sampling.error.already_drawn"] = "redraw"
#: Teams whose plan forms one page draws: each form holds six keyed inputs, and Streamlit's cost per run
#: grows with the square of a page's keyed widgets (100 teams' forms took 1-3 s; 10 take ~0.14 s).
PLANS_PER_PAGE = 10
PLANS_PAGE = "plans_page"
QUEUE_WIDTHS = [2.6, 1.5, 2.6, 1.7, 1.8, 2.0, 1.8]


def month_label(month: str) -> str:
    year, number = (int(p) for p in month.split("-"))
    return format_month(date(year, number, 1), t.language)


def render_plans() -> None:
    st.subheader(t("qa.sampling.heading"))
    st.caption(t("qa.sampling.explain"))
    month = st.selectbox(t("qa.sampling.month"), sampling.recent_months(), format_func=month_label,
                         key="qa_sampling_month")
    with service_call(t) as session:
        plans = sampling.month_plans(session, actor, month)
    shown = slice_page(plans, page_index(PLANS_PAGE), PLANS_PER_PAGE)
    for plan in shown.rows:
        with st.container(border=True):
            render_plan(plan)
    if shown.total > PLANS_PER_PAGE:
        pager(t, shown, key="qa_plans", page_param=PLANS_PAGE)


def render_plan(plan: PlanStatus) -> None:
    st.markdown(f"**{plain(plan.team)}**")
    if plan.drawn:
        st.caption(t("qa.sampling.drawn_status", when=format_datetime(plan.drawn_at, t.language), seed=plan.seed,
                     sampled=plan.sampled, evaluated=plan.evaluated))
    elif plan.calls:
        st.caption(t("qa.sampling.not_drawn", calls=plan.calls, agents=plan.agents))
    else:
        st.caption(t("qa.sampling.no_calls"))
        return
    form = RecordForm(f"qa_plan.{plan.team_id}.{plan.month}")
    form.show_saved()
    current = plan.settings
    label = t("qa.sampling.redraw") if plan.drawn else t("qa.sampling.draw")
    with st.expander(t("qa.sampling.settings"), expanded=not plan.drawn, icon=":material/tune:"), \
            st.form(form.key("form")):
        columns = st.columns(5)
        per_agent = columns[0].number_input(t("qa.sampling.field.per_agent"), 0, sampling.MAX_PER_AGENT,
                                            current.per_agent, key=form.key("per_agent"))
        graduates = columns[1].number_input(t("qa.sampling.field.extra_new_graduates"), 0, sampling.MAX_PER_AGENT,
                                            current.extra_new_graduates, key=form.key("extra_new_graduates"))
        complaints = columns[2].number_input(t("qa.sampling.field.extra_complaints"), 0, sampling.MAX_PER_AGENT,
                                             current.extra_complaints, key=form.key("extra_complaints"))
        low = columns[3].number_input(t("qa.sampling.field.extra_low_satisfaction"), 0, sampling.MAX_PER_AGENT,
                                      current.extra_low_satisfaction, key=form.key("extra_low_satisfaction"))
        below = columns[4].number_input(t("qa.sampling.field.low_satisfaction_below"), 0.0, 10.0,
                                        current.low_satisfaction_below, step=0.5,
                                        key=form.key("low_satisfaction_below"))
        with columns[4]:
            form.show_error("low_satisfaction_below")
        seed = st.number_input(t("qa.sampling.field.seed"), 0, sampling.MAX_SEED, None, step=1,
                               key=form.key("seed"))
        form.show_error("bad_seed")
        redraw = st.checkbox(t("qa.sampling.redraw_confirm"), key=form.key("redraw")) if plan.drawn else False
        form.show_error("redraw")
        for name in ("per_agent", "extra_new_graduates", "extra_low_satisfaction", "extra_complaints"):
            form.show_error(name)
        submitted = st.form_submit_button(label, type="primary", icon=":material/casino:")
    if not submitted:
        return
    settings = PlanSettings(int(per_agent), int(graduates), int(low), below, int(complaints))
    chosen_seed = None if seed is None else int(seed)
    if done := form.submit(t, lambda s: sampling.draw_sample(s, actor, plan.team_id, plan.month, settings,
                                                            seed=chosen_seed, redraw=redraw),
                           fields_by_error=PLAN_FIELDS):
        result = done.value
        form.saved(t("qa.sampling.drawn", team=plain(result.team), count=result.drawn, seed=result.seed))
        st.rerun()


def render_queue() -> None:
    with service_call(t) as session:
        teams = dict(queue.queue_teams(session, actor))
    left, right = st.columns(2)
    team_id = left.selectbox(t("qa.queue.team"), [None, *teams], key="qa_queue_team",
                             format_func=lambda i: t("qa.queue.all_teams") if i is None else teams[i])
    month = right.selectbox(t("qa.queue.month"), [None, *sampling.recent_months()], key="qa_queue_month",
                            format_func=lambda m: t("qa.queue.recent_months") if m is None else month_label(m))
    with service_call(t) as session:
        waiting = queue.analyst_queue(session, actor, team_id=team_id, month=month, page=page_index())
    st.subheader(t("qa.queue.heading", count=waiting.total))
    if waiting.rows.empty:
        st.info(t("qa.queue.empty"), icon=":material/task_alt:")
        return
    can_open = any(page.path == queue.EVALUATE_PAGE for page in pages_for(actor))
    if not can_open:
        st.caption(t("qa.queue.evaluate_unavailable"))
    header = st.columns(QUEUE_WIDTHS)
    for column, key in zip(header, ("qa.calls.column.agent", "qa.calls.column.queue", "qa.queue.start_duration",
                                    "qa.calls.column.satisfaction", "qa.queue.reason", "qa.calls.column.recording",
                                    "qa.queue.evaluate"), strict=True):
        column.markdown(f"**{t(key)}**")
    for row in waiting.rows.itertuples():
        render_queue_row(row, can_open)
    pager(t, waiting, key="qa_queue")


def render_queue_row(row, can_open: bool) -> None:
    cells = st.columns(QUEUE_WIDTHS, vertical_alignment="center")
    cells[0].markdown(f"{plain(row.agent)}  \n:small[{plain(row.team)} · {plain(row.external_id)}]")
    cells[1].markdown(plain(row.queue))
    cells[2].markdown(f"{plain(started_text(t, row.started_at))}  \n:small[{format_duration(row.duration_seconds)}]")
    satisfaction = NOTHING if pd.isna(row.satisfaction) else f"{row.satisfaction:g}"
    complaint = f" · {t('qa.calls.column.complaint')}" if row.complaint and row.reason != "complaint" else ""
    cells[3].markdown(plain(satisfaction))
    cells[4].markdown(t(f"qa.sampling.reason.{row.reason}") + complaint)
    if isinstance(row.recording_url, str) and row.recording_url:  # a missing one is NaN in the frame
        cells[5].link_button(t("qa.calls.recording.open"), row.recording_url, icon=":material/headphones:")
    else:
        cells[5].markdown(NOTHING)
    page, params = queue.evaluate_link(row.call_id)
    if can_open:
        cells[6].page_link(page, label=t("qa.queue.evaluate"), query_params=params, icon=":material/rate_review:")
    else:
        cells[6].button(t("qa.queue.evaluate"), key=f"qa_queue_evaluate.{row.call_id}", disabled=True)


page_header(t, "nav.qa_queue", "qa.queue.caption")
show_flash()
render_plans()
st.divider()
if allowed_at_all(actor, "qa:evaluate"):  # the page is the sampler's; the queue the evaluator's
    render_queue()
