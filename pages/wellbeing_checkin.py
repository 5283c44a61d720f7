import streamlit as st

from portal import wellbeing
from portal.ui import state
from portal.ui.forms import RecordForm
from portal.ui.wellbeing import show_resources, show_result
from portal.ui.widgets import page_header, service_call

RESULT_KEY = "wellbeing_result"  # (user id, result): kept in this browser session's memory only

t = state.translator()
actor = state.actor()

page_header(t, "nav.checkin", "wellbeing.checkin.caption")
st.info(t("wellbeing.checkin.trust"), icon=":material/lock:")

with service_call(t) as session:
    done = wellbeing.has_checked_in(session, actor)
    resources = wellbeing.support_resources(session, actor, t.language)

owner, result = st.session_state.get(RESULT_KEY, (None, None))
if done and owner == actor.id and result is not None and result.week == wellbeing.current_week():
    st.success(t("wellbeing.checkin.thanks"), icon=":material/check_circle:")
    show_result(t, result)
    show_resources(t, resources, prominent=result.needs_support)
    st.stop()
if done:
    st.success(t("wellbeing.checkin.done_this_week"), icon=":material/check_circle:")
    show_resources(t, resources)
    st.stop()

st.caption(t("wellbeing.checkin.voluntary"))
form = RecordForm("wellbeing_checkin")
with st.form(form.key("form")):
    st.subheader(t("wellbeing.who5.heading"))
    st.caption(t("wellbeing.who5.instructions"))
    who5 = [st.radio(t(f"wellbeing.who5.item{i}"), [5, 4, 3, 2, 1, 0], index=None, horizontal=True,
                     format_func=lambda v: t(f"wellbeing.who5.answer{v}"), key=form.key(f"who5_{i}"))
            for i in range(1, 6)]
    st.divider()
    st.subheader(t("wellbeing.pss4.heading"))
    st.caption(t("wellbeing.pss4.instructions"))
    pss4 = [st.radio(t(f"wellbeing.pss4.item{i}"), [0, 1, 2, 3, 4], index=None, horizontal=True,
                     format_func=lambda v: t(f"wellbeing.pss4.answer{v}"), key=form.key(f"pss4_{i}"))
            for i in range(1, 5)]
    form.show_error("answers")
    st.divider()
    # No max_chars: the browser would silently refuse a longer paste. The limit is said here and checked on send.
    comment = st.text_area(t("wellbeing.checkin.comment"), help=t("wellbeing.checkin.comment_help"),
                           key=form.key("comment"))
    st.caption(t("wellbeing.checkin.comment_limit", maximum=wellbeing.CHECKIN_COMMENT_MAX))
    form.show_error("comment")
    submitted = st.form_submit_button(t("wellbeing.checkin.submit"), type="primary", icon=":material/send:")

if submitted:
    answers = wellbeing.CheckIn(who5=who5, pss4=pss4, comment=comment)
    if checked_in := form.submit(t, lambda s: wellbeing.check_in(s, actor, answers),
                                 fields_by_error={"wellbeing.error.comment_too_long": "comment",
                                                  "wellbeing.error.incomplete": "answers"}):
        st.session_state[RESULT_KEY] = (actor.id, checked_in.value)
        form.saved()
        st.rerun()

show_resources(t, resources)
