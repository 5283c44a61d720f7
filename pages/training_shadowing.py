import streamlit as st

from portal import onboarding
from portal.clock import local_today
from portal.onboarding.rules import CALL_TYPES, StageStatus
from portal.ui import state
from portal.ui.forms import RecordForm
from portal.ui.onboarding import call_type_label, shadowing_table, show_flash, stage_dates, succeed
from portal.ui.widgets import page_header, service_call

t = state.translator()
actor = state.actor()

page_header(t, "nav.shadowing_log", "onboarding.shadowing.caption")
show_flash()
with service_call(t) as session:
    journey = onboarding.journey(session, actor, actor.id)
    log = onboarding.shadowing_log(session, actor, actor.id)

stage = journey.stage("shadowing")
target = stage.requirements.min_shadowing_calls if stage else None
count = journey.shadowing_calls
if target:
    st.progress(min(count / target, 1.0), text=t("onboarding.shadowing.progress", count=count, target=target))
else:
    st.metric(t("onboarding.shadowing.logged"), count)
if stage is not None:
    st.caption(stage_dates(t, stage))
    if stage.status is StageStatus.PASSED:
        st.success(t("onboarding.shadowing.passed"), icon=":material/verified:")
    elif target and count >= target:
        st.info(t("onboarding.shadowing.target_reached"), icon=":material/flag:")

today = local_today()
form = RecordForm("shadowing_call")
with st.form(form.key("form")):
    when, kind = st.columns(2)
    call_date = when.date_input(t("onboarding.field.call_date"), value=today, max_value=today, format="YYYY-MM-DD",
                                key=form.key("date"))
    call_type = kind.selectbox(t("onboarding.field.call_type"), CALL_TYPES, format_func=call_type_label(t),
                               key=form.key("type"))
    did_well = st.text_area(t("onboarding.field.did_well"), key=form.key("did_well"),
                            placeholder=t("onboarding.field.did_well_hint"))
    form.show_error("did_well")
    learned = st.text_area(t("onboarding.field.learned"), key=form.key("learned"),
                           placeholder=t("onboarding.field.learned_hint"))
    form.show_error("learned")
    questions = st.text_area(t("onboarding.field.questions"), key=form.key("questions"),
                             placeholder=t("onboarding.field.questions_hint"))
    submitted = st.form_submit_button(t("onboarding.shadowing.submit"), type="primary", icon=":material/add:")
if submitted and form.submit(t, lambda s: onboarding.record_shadowing_call(
        s, actor, call_date=call_date, call_type=call_type, did_well=did_well, learned=learned, questions=questions,
        submission_key=form.submission_key),
        fields_by_error={"onboarding.error.did_well_required": "did_well",
                         "onboarding.error.learned_required": "learned"}):
    form.saved()
    succeed(t, "onboarding.shadowing.saved", count=count + 1)

st.subheader(t("onboarding.shadowing.log", count=len(log)))
if log.empty:
    st.info(t("onboarding.shadowing.empty"), icon=":material/headset_mic:")
else:
    shadowing_table(t, log)
