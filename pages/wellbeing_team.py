"""Team wellbeing for leads and admins: closed periods only, small groups hidden, comments by month."""
import streamlit as st

from portal import wellbeing
from portal.roles import Role
from portal.ui import charts, state
from portal.ui.wellbeing import period_label, trend_table
from portal.ui.widgets import empty_state, page_header, service_call

t = state.translator()
actor = state.actor()
minimum, comment_minimum = wellbeing.thresholds()


def choose_group(groups) -> tuple[str, str]:
    """The group and the kind of period to look at."""
    if not actor.has(Role.ADMIN) and len(groups) == 1:
        st.info(t("wellbeing.team.no_teams"), icon=":material/info:")
    labels = {g.key: g.team_name or t(f"wellbeing.group.{g.key}") for g in groups}
    group_col, period_col = st.columns([2, 1])
    group = group_col.selectbox(t("wellbeing.team.group"), list(labels), format_func=labels.get)
    period_kind = period_col.radio(t("wellbeing.team.period"), wellbeing.PERIOD_KINDS, horizontal=True,
                                   format_func=lambda k: t(f"wellbeing.period.{k}"))
    return group, period_kind


def render_trend(trend, period_kind: str) -> None:
    if not trend["shown"].any():
        empty_state(t, "wellbeing.team.no_data", icon=":material/visibility_off:")
        return
    latest = trend[trend["shown"]].iloc[-1]
    st.caption(t("wellbeing.team.latest", period=period_label(latest["period"], latest["period_start"], t.language)))
    who5_col, pss4_col, support_col, count_col = st.columns(4)
    who5_col.metric(t("wellbeing.field.who5"), f"{latest['who5_mean_pct']:.0f}")
    pss4_col.metric(t("wellbeing.field.pss4"), f"{latest['pss4_mean']:.1f}")
    support_col.metric(t("wellbeing.field.support_share"), f"{latest['support_share']:.0%}")
    count_col.metric(t("wellbeing.field.responses"), int(latest["responses"]))
    charts.wellbeing_trend(t, trend, period_kind)
    st.caption(t("wellbeing.team.suppressed_note", minimum=minimum))
    st.dataframe(trend_table(t, trend), hide_index=True, width="stretch", column_config={
        "period": t("wellbeing.field.period"), "responses": t("wellbeing.field.responses"),
        "who5": t("wellbeing.field.who5"), "pss4": t("wellbeing.field.pss4"),
        "very_low": t("wellbeing.band.very_low"), "support": t("wellbeing.field.support_share")})


def render_comments(comments: dict, period_kind: str) -> None:
    st.subheader(t("wellbeing.team.comments"))
    if period_kind != "month":
        st.caption(t("wellbeing.team.comments_monthly"))
    elif not comments:
        st.caption(t("wellbeing.team.no_comments", minimum=comment_minimum))
    else:
        st.caption(t("wellbeing.team.comments_caption", minimum=comment_minimum))
        for month, texts in comments.items():
            with st.expander(f"{month} · {len(texts)}"):
                for text in texts:
                    st.text(text)  # plain text: a comment is never rendered as markdown or a link


page_header(t, "nav.team_wellbeing")
st.caption(t("wellbeing.team.caption", minimum=minimum))
# One read for the run: the teams this lead leads are looked up once, and each service still checks them.
with service_call(t) as session:
    group, period_kind = choose_group(wellbeing.wellbeing_groups(session, actor))
    trend = wellbeing.wellbeing_trend(session, actor, group, period_kind)
    comments = wellbeing.wellbeing_comments(session, actor, group) if period_kind == "month" else {}
render_trend(trend, period_kind)
with st.expander(t("wellbeing.team.how_to_read"), icon=":material/help:"):
    st.write(t("wellbeing.team.how_to_read_text"))
render_comments(comments, period_kind)
