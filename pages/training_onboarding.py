import streamlit as st

from portal import onboarding
from portal.clock import local_date
from portal.courses import module_body
from portal.onboarding import JourneyStatus, ModuleState
from portal.onboarding.modules import MAX_ENTERED_MINUTES, TIME_CAP_FACTOR
from portal.ui import state
from portal.ui.onboarding import MODULE_PARAM, check_text, day, overall, show_flash, stage_card, succeed
from portal.ui.widgets import page_header, run_action, service_call

THIS_PAGE = "pages/training_onboarding.py"
QUIZ_PAGE = "pages/training_quizzes.py"

t = state.translator()
actor = state.actor()
lang = t.language

page_header(t, "nav.my_onboarding", "onboarding.my.caption")
show_flash()
with service_call(t) as session:
    journey = onboarding.journey(session, actor, actor.id)

if journey.status is JourneyStatus.WITHDRAWN:
    record = journey.withdrawal
    st.warning(t("onboarding.my.withdrawn", date=day(t, record.signed_on), reason=record.reason),
               icon=":material/block:")
elif journey.status is JourneyStatus.GRADUATED:
    st.success(t("onboarding.my.graduated"), icon=":material/school:")
overall(t, journey)

current = journey.current
if current is not None:
    with st.container(border=True, key="next-steps"):
        st.markdown(t("onboarding.my.next", stage=current.title.get(lang)))
        steps = [check_text(t, c) for c in current.evaluation.unmet]
        unread = next((m for m in current.modules if m.spec.required and not m.done), None)
        if unread is not None:
            st.page_link(THIS_PAGE, label=t("onboarding.my.read_next", title=unread.spec.title.get(lang)),
                         query_params={MODULE_PARAM: unread.spec.id}, icon=":material/menu_book:")
        if steps:
            st.markdown("\n".join(f"- {step}" for step in steps))
        elif unread is None:
            st.markdown("- " + t("onboarding.my.ask_signoff", signers=", ".join(
                t(f"role.{r}") for r in current.spec.signoff_by)))


def module_row(module: ModuleState) -> None:
    spec = module.spec
    reading = reading_id == spec.id
    text, read, quiz = st.columns([6, 2, 2], vertical_alignment="center")
    icon = ":green[:material/check_circle:]" if module.done else ":material/article:"
    text.markdown(f"{icon} {spec.title.get(lang)}")
    details = [t("onboarding.module.minutes", minutes=spec.minutes),
               t("onboarding.module.required") if spec.required else t("onboarding.module.optional")]
    if module.done:
        details.append(t("onboarding.module.done_on", date=day(t, local_date(module.completed_at)),
                         minutes=module.minutes_spent))
    if module.outdated:
        details.append(":orange[:material/warning:] " + t("onboarding.module.outdated"))
    text.caption(" · ".join(details))
    label = "onboarding.module.close" if reading else (
        "onboarding.module.read_again" if module.done else "onboarding.module.read")
    if read.button(t(label), key=f"read-{spec.id}", icon=":material/menu_book:"):
        if reading:
            close_reader()
        if run_action(t, lambda s: onboarding.open_module(s, actor, spec.id)):
            show_in_reader(spec.id)
    if spec.quiz and quiz.button(t("onboarding.module.open_quiz"), key=f"quiz-{spec.id}", icon=":material/quiz:"):
        st.session_state["open_quiz"] = spec.quiz
        st.switch_page(QUIZ_PAGE, query_params={"quiz": spec.quiz})
    if reading:
        reader(module)


def reader(module: ModuleState) -> None:
    spec = module.spec
    with st.container(border=True, key=f"reader-{spec.id}"):
        st.markdown(module_body(spec, lang))
        if module.done and not module.outdated:
            return
        st.caption(t("onboarding.module.time_hint", minutes=onboarding.suggested_minutes(spec, module.opened_at),
                     cap=spec.minutes * TIME_CAP_FACTOR))
        with st.form(f"complete-{spec.id}"):
            # No min/max here: the browser would only turn an out-of-range number red and drop the click;
            # the service refuses it and says why, beside the field.
            minutes = st.number_input(t("onboarding.module.minutes_spent"), value=None, step=1,
                                      key=f"minutes-{spec.id}", placeholder=t("onboarding.module.minutes_placeholder"),
                                      help=t("onboarding.module.minutes_help", maximum=MAX_ENTERED_MINUTES))
            minutes_message = st.empty()
            done = st.form_submit_button(t("onboarding.module.complete"), type="primary",
                                         icon=":material/task_alt:")
        if not done:
            return
        with minutes_message.container():
            completed = run_action(t, lambda s: onboarding.complete_module(
                s, actor, spec.id, minutes=int(minutes) if minutes is not None else None))
        if completed:
            st.query_params.pop(MODULE_PARAM, None)
            succeed(t, "onboarding.module.completed", title=spec.title.get(lang))


def show_in_reader(module_id: str) -> None:
    """Open a module in the URL, so a reload, Back or a shared link comes back to it."""
    st.query_params[MODULE_PARAM] = module_id
    st.rerun()


def close_reader() -> None:
    st.query_params.pop(MODULE_PARAM, None)
    st.rerun()


def module_in_url() -> str | None:
    """The module the URL opens, if the programme has it (else say so, and open none)."""
    wanted = st.query_params.get(MODULE_PARAM)
    if wanted is None:
        return None
    module = next((m for s in journey.stages for m in s.modules if m.spec.id == wanted), None)
    if module is not None:
        # A page link to this page hands the script its parameters but leaves the address bar as it was:
        # write it there, so that a reload or a shared link opens the same module.
        st.query_params[MODULE_PARAM] = wanted
        if module.opened_at is None and journey.status is JourneyStatus.IN_PROGRESS:
            run_action(t, lambda s: onboarding.open_module(s, actor, wanted))  # for the time-spent estimate
        return wanted
    st.warning(t("onboarding.error.no_such_module", module=wanted), icon=":material/link_off:")
    return None


reading_id = module_in_url()


for stage in journey.stages:
    with stage_card(t, stage, show_checks=stage is current or stage.asked_to_repeat):
        if stage is not current and stage.modules:
            reading_here = any(m.spec.id == reading_id for m in stage.modules)
            with st.expander(t("onboarding.stage.modules_done", done=sum(m.done for m in stage.modules),
                               total=len(stage.modules)), expanded=reading_here):
                for module in stage.modules:
                    module_row(module)
        else:
            for module in stage.modules:
                module_row(module)
