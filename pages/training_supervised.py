import streamlit as st

from portal import onboarding
from portal.clock import local_today
from portal.onboarding.rules import CALL_TYPES, CHECKLIST, CRITICAL_AREAS, PASS_MARK, StageStatus
from portal.ui import state
from portal.ui.forms import RecordForm
from portal.ui.onboarding import (call_type_label, percent, requirement_list, show_flash, stage_dates, succeed,
                                  supervised_table)
from portal.ui.widgets import page_header, service_call

t = state.translator()
actor = state.actor()

page_header(t, "nav.supervised_calls", "onboarding.supervised.caption")
show_flash()
with service_call(t) as session:
    journey = onboarding.journey(session, actor, actor.id)
    calls = onboarding.supervised_calls(session, actor, actor.id)

stage = journey.stage("supervised_calls")
if stage is not None:
    requirements = stage.requirements
    reviewed, pending = journey.reviewed_calls, journey.pending_reviews
    a, b, c = st.columns(3)
    a.metric(t("onboarding.supervised.reviewed"),
             f"{reviewed} / {requirements.min_reviewed_calls}" if requirements.min_reviewed_calls else reviewed)
    last_n = next((ch for ch in stage.evaluation.checks if ch.name == "last_n"), None)
    b.metric(t("onboarding.supervised.streak"), f"{last_n.current} / {last_n.target}" if last_n else "—")
    c.metric(t("onboarding.supervised.pending"), pending)
    st.progress(stage.progress, text=t("onboarding.stage.progress", percent=percent(stage.progress)))
    st.caption(stage_dates(t, stage))
    if stage.status is StageStatus.PASSED:
        st.success(t("onboarding.supervised.passed"), icon=":material/verified:")
    with st.expander(t("onboarding.supervised.rule_title")):
        st.markdown(t("onboarding.supervised.rule", pass_mark=PASS_MARK,
                      areas=", ".join(t(f"onboarding.checklist.{a}") for a in CHECKLIST),
                      critical=", ".join(t(f"onboarding.checklist.{a}") for a in CHECKLIST if a in CRITICAL_AREAS)))
        requirement_list(t, stage.evaluation)

today = local_today()
form = RecordForm("supervised_call")
with st.form(form.key("form")):
    when, kind, ticket = st.columns(3)
    call_date = when.date_input(t("onboarding.field.call_date"), value=today, max_value=today, format="YYYY-MM-DD",
                                key=form.key("date"))
    call_type = kind.selectbox(t("onboarding.field.call_type"), CALL_TYPES, format_func=call_type_label(t),
                               key=form.key("type"))
    ticket_ref = ticket.text_input(t("onboarding.field.ticket_ref"), key=form.key("ticket"),
                                   placeholder="2611-0042")
    with ticket:
        form.show_error("ticket")
    summary = st.text_area(t("onboarding.field.summary"), key=form.key("summary"),
                           placeholder=t("onboarding.field.summary_hint"))
    form.show_error("summary")
    submitted = st.form_submit_button(t("onboarding.supervised.submit"), type="primary", icon=":material/add:")
if submitted and form.submit(t, lambda s: onboarding.record_supervised_call(
        s, actor, call_date=call_date, call_type=call_type, ticket_ref=ticket_ref, summary=summary,
        submission_key=form.submission_key),
        fields_by_error={"onboarding.error.ticket_required": "ticket", "onboarding.error.ticket_too_long": "ticket",
                         "onboarding.error.duplicate_ticket": "ticket",
                         "onboarding.error.summary_required": "summary"}):
    form.saved()
    succeed(t, "onboarding.supervised.saved", ticket=ticket_ref.strip())

st.subheader(t("onboarding.supervised.list", count=len(calls)))
if calls.empty:
    st.info(t("onboarding.supervised.empty"), icon=":material/support_agent:")
else:
    supervised_table(t, calls)
