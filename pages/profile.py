import streamlit as st

from portal.certificates import recert
from portal.clock import local_today
from portal.courses import module_body
from portal.formatting import format_date
from portal.permissions import allowed_at_all
from portal.recognition import profile
from portal.ui import state
from portal.ui.recognition import PROFILE_PAGE, PROFILE_PARAM, recert_state, render_badges, render_certificates
from portal.ui.text import plain
from portal.ui.url import id_in_url
from portal.ui.widgets import page_header, run_action, service_call

t = state.translator()
actor = state.actor()


def render_recertification() -> None:
    """Changed modules to read again: the new text, 'I have read it again', then the quiz."""
    with service_call(t) as session:
        due = recert.my_recertifications(session, actor)
    st.subheader(t("certificates.recert.mine"))
    if not due:
        st.success(t("certificates.recert.all_current"), icon=":material/task_alt:")
        return
    today, chosen = local_today(), st.query_params.get("module")
    for entry in due:
        title = entry.module.title.get(t.language)
        when = format_date(entry.due_on, t.language) if entry.mode == "required" else t("certificates.recert.no_date")
        with st.expander(f"{title} · {recert_state(t, entry, today)} · {when}", expanded=entry.module_id == chosen):
            if entry.reread:
                st.info(t("certificates.recert.take_quiz"), icon=":material/quiz:")
                st.page_link("pages/training_quizzes.py", label=t("certificates.recert.open_quizzes"),
                             icon=":material/quiz:")
                continue
            st.markdown(module_body(entry.module, t.language))
            if st.button(t("certificates.recert.read_again"), key=f"reread-{entry.module_id}", type="primary",
                         icon=":material/done:") and run_action(
                    t, lambda s, m=entry.module_id: recert.reread(s, actor, m), "certificates.recert.read_again_done"):
                st.rerun()


def render_someone_elses(user_id: int) -> profile.Profile:
    """The header of a mentee's or team member's profile, with their name once the service allows it.

    A neutral title and the way back come first, so a refusal (someone else's team member, a made-up
    id) is shown under them.
    """
    heading = st.empty()
    heading.title(t("memberprofile.someone"))
    st.page_link(PROFILE_PAGE, label=t("memberprofile.back_to_mine"), icon=":material/arrow_back:")
    with service_call(t) as session:
        shown = profile.profile(session, actor, user_id)
    with heading.container():
        st.title(t("memberprofile.title", name=plain(shown.name)))
        st.caption(t("memberprofile.caption", name=plain(shown.name)))
    return shown


def render_mine() -> profile.Profile:
    page_header(t, "recognition.profile.title", "recognition.profile.caption")
    with service_call(t) as session:
        return profile.profile(session, actor, actor.id)


wanted = id_in_url(PROFILE_PARAM)
shown = render_mine() if wanted in (None, actor.id) else render_someone_elses(wanted)
render_badges(t, shown.badges)
render_certificates(t, shown.certificates)
if shown.own and allowed_at_all(actor, "certificates:recert_own"):
    render_recertification()
