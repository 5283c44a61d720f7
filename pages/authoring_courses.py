import pandas as pd
import streamlit as st

from portal import onboarding
from portal.courses import StageSpec
from portal.ui import state
from portal.ui.onboarding import show_flash, succeed
from portal.ui.widgets import page_header, run_action, service_call

t = state.translator()
actor = state.actor()
lang = t.language

page_header(t, "nav.courses", "onboarding.authoring.caption")
show_flash()
programme = onboarding.current_programme()


def relative(path) -> str:
    try:
        return str(path.relative_to(programme.root.parent))
    except ValueError:
        return str(path)


if programme.errors:
    st.error(t("onboarding.authoring.errors", count=len(programme.errors)), icon=":material/error:")
    st.dataframe(pd.DataFrame([{t("onboarding.authoring.file"): relative(e.path),
                                t("onboarding.authoring.field"): e.field,
                                t("onboarding.authoring.problem"): t(e.key, **e.params)} for e in programme.errors]),
                 hide_index=True, width="stretch")
else:
    st.success(t("onboarding.authoring.no_errors", stages=len(programme.stages), modules=len(programme.modules)),
               icon=":material/check_circle:")


def value_text(value) -> str:
    if value is None:
        return t("onboarding.requirement.off")
    if isinstance(value, bool):
        return t("onboarding.csv.yes") if value else t("onboarding.csv.no")
    return str(value)


def in_force_summary(settings) -> str:
    parts = []
    for s in settings:
        if s.in_force is None or s.in_force is False:
            continue
        text = t(f"onboarding.requirement.{s.field}") + ("" if s.in_force is True else f": {s.in_force}")
        parts.append(t("onboarding.authoring.portal_marker", value=text) if s.overridden else text)
    return " · ".join(parts) or t("onboarding.requirement.off")


def requirements_editor(stage: StageSpec, settings) -> None:
    st.markdown(t("onboarding.authoring.requirements"))
    st.dataframe(pd.DataFrame([{
        t("onboarding.authoring.requirement"): t(f"onboarding.requirement.{s.field}"),
        t("onboarding.authoring.file_value"): value_text(s.file_value),
        t("onboarding.authoring.portal_value"): value_text(s.override_value) if s.overridden else "—",
        t("onboarding.authoring.in_force"):
            f"{value_text(s.in_force)} ({t(f'onboarding.authoring.source.{s.source}')})",
    } for s in settings]), hide_index=True, width="stretch")
    current = {s.field: s.in_force for s in settings}
    with st.form(f"requirements-{stage.key}"):
        st.caption(t("onboarding.authoring.edit_help"))
        values = {"all_required_modules": st.checkbox(t("onboarding.requirement.all_required_modules"),
                                                      value=bool(current["all_required_modules"]))}
        columns = st.columns(4)
        for column, (name, low, high) in zip(columns, (("min_quiz_score", 0, 100), ("min_shadowing_calls", 1, 500),
                                                       ("min_reviewed_calls", 1, 500), ("last_n_passed", 1, 500))):
            entered = column.number_input(t(f"onboarding.requirement.{name}"), min_value=low, max_value=high,
                                          value=current[name], step=1, placeholder=t("onboarding.requirement.off"))
            values[name] = int(entered) if entered is not None else None
        saved = st.form_submit_button(t("action.save"), type="primary")
    if saved and run_action(t, lambda s: onboarding.set_requirements(s, actor, stage.key, values)):
        succeed(t, "onboarding.authoring.saved", stage=stage.title.get(lang))
    if any(s.overridden for s in settings) and st.button(t("onboarding.authoring.reset"), key=f"reset-{stage.key}",
                                                         icon=":material/restart_alt:"):
        if run_action(t, lambda s: onboarding.reset_requirements(s, actor, stage.key)):
            succeed(t, "onboarding.authoring.reset_done", stage=stage.title.get(lang))


with service_call(t) as session:
    settings = {stage.key: onboarding.requirement_settings(session, actor, stage.key) for stage in programme.stages}
st.dataframe(pd.DataFrame([{
    t("onboarding.authoring.overview_stage"): f"{stage.order}. {stage.title.get(lang)}",
    t("onboarding.authoring.overview_days"): stage.duration_days,
    t("onboarding.authoring.overview_signers"): ", ".join(t(f"role.{r}") for r in stage.signoff_by),
    t("onboarding.authoring.overview_modules"): len(stage.modules),
    t("onboarding.authoring.overview_requirements"): in_force_summary(settings[stage.key]),
} for stage in programme.stages]), hide_index=True, width="stretch")

for stage in programme.stages:
    with st.expander(f"{stage.order}. {stage.title.get(lang)}", icon=":material/menu_book:"):
        st.write(stage.description.get(lang))
        st.caption(t("onboarding.authoring.stage_facts", days=stage.duration_days, file=relative(stage.path),
                     signers=", ".join(t(f"role.{r}") for r in stage.signoff_by)))
        if stage.modules:
            st.dataframe(pd.DataFrame([{
                "#": m.order, t("onboarding.authoring.module"): m.title.get(lang), "id": m.id,
                t("onboarding.authoring.minutes"): m.minutes,
                t("onboarding.module.required"): "✓" if m.required else "",
                t("onboarding.authoring.quiz"): m.quiz or "—", t("onboarding.authoring.version"): m.version,
            } for m in stage.modules]), hide_index=True, width="stretch")
        else:
            st.info(t("onboarding.authoring.no_modules"))
        requirements_editor(stage, settings[stage.key])
