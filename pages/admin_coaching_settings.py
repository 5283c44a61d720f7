import streamlit as st

from portal import coaching
from portal.ui import state
from portal.ui.widgets import page_header, run_action, service_call

t = state.translator()
actor = state.actor()
page_header(t, "nav.coaching_settings", "coaching.settings_caption")

with service_call(t) as session:
    current = coaching.load_settings(session)

builtin = list(coaching.DEFAULT_FOCUS_AREAS)
custom = [a for a in current.focus_areas if a not in builtin]

with st.form("coaching_settings"):
    st.subheader(t("coaching.settings_at_risk"))
    c1, c2, c3 = st.columns(3)
    low = c1.number_input(t("coaching.setting_low_score"), 1.0, 99.0, float(current.low_score), step=1.0)
    amber = c2.number_input(t("coaching.setting_amber_score"), 2.0, 100.0, float(current.amber_score), step=1.0)
    low_count = c3.number_input(t("coaching.setting_low_count"), 1, 50, int(current.low_count))
    c4, c5, c6 = st.columns(3)
    last_n = c4.number_input(t("coaching.setting_last_n"), 1, 50, int(current.last_n))
    trend_k = c5.number_input(t("coaching.setting_trend_k"), 2, 50, int(current.trend_k))
    drop = c6.number_input(t("coaching.setting_trend_drop"), 0.0, 50.0, float(current.trend_min_drop), step=0.5)
    st.subheader(t("coaching.settings_sessions"))
    c7, c8 = st.columns(2)
    ack_days = c7.number_input(t("coaching.setting_ack_days"), 1, 60, int(current.ack_days))
    window = c8.number_input(t("coaching.setting_effect_window"), 1, 365, int(current.effect_window_days))
    st.subheader(t("coaching.settings_focus"))
    chosen = st.multiselect(t("coaching.setting_builtin_focus"), builtin,
                            default=[a for a in current.focus_areas if a in builtin],
                            format_func=lambda a: coaching.focus_label(t, a), placeholder=t("widget.choose_many"))
    extra = st.text_area(t("coaching.setting_custom_focus"), value="\n".join(custom),
                         help=t("coaching.setting_custom_focus_help"))
    if st.form_submit_button(t("action.save"), type="primary"):
        areas = tuple(chosen) + tuple(line.strip() for line in extra.splitlines() if line.strip())
        new = coaching.CoachingSettings(low_score=low, amber_score=amber, low_count=int(low_count),
                                        last_n=int(last_n), trend_k=int(trend_k), trend_min_drop=drop,
                                        ack_days=int(ack_days), effect_window_days=int(window), focus_areas=areas)
        if run_action(t, lambda s: coaching.update_settings(s, actor, new), "action.saved"):
            st.rerun()
