import pandas as pd
import streamlit as st

from portal.formatting import format_datetime, format_month
from portal.permissions import allowed_at_all
from portal.recognition import stars, thanks
from portal.ui import state
from portal.ui.forms import RecordForm
from portal.ui.onboarding import show_flash, succeed
from portal.ui.paging import page_index, pager
from portal.ui.people_picker import found_caption, people_search
from portal.ui.recognition import render_star_banner
from portal.ui.tables import filled
from portal.ui.text import plain
from portal.ui.widgets import empty_state, page_header, run_action, service_call

t = state.translator()
actor = state.actor()
THANKS_FIELDS = {"recognition.error.colleague_required": "colleague", "recognition.error.no_such_colleague": "colleague",
                 "recognition.error.thank_self": "colleague", "recognition.error.message_required": "message",
                 "recognition.error.message_too_long": "message"}
COMPLIMENT_FIELDS = {"recognition.error.agent_required": "agent", "recognition.error.compliment_required": "text",
                     "recognition.error.compliment_too_long": "text", "recognition.error.call_not_agents": "call",
                     "recognition.error.future_date": "received_on"}
NOMINATION_FIELDS = {"recognition.error.nominee_required": "nominee", "recognition.error.nominate_self": "nominee",
                     "recognition.error.reason_required": "reason", "recognition.error.reason_too_long": "reason"}


def percent(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def render_thank() -> None:
    st.subheader(t("recognition.thank.heading"))
    search = people_search(t, "thanks_find")
    with service_call(t) as session:
        people = {c.id: c.display_name for c in thanks.colleagues(session, actor, search)}
    found_caption(t, len(people), search, unsearched="recognition.thank.own_team")
    form = RecordForm("thanks")
    form.show_saved()
    with st.form(form.key("form")):
        colleague = st.selectbox(t("recognition.thank.colleague"), list(people), index=None, key=form.key("colleague"),
                                 format_func=lambda i: people[i], placeholder=t("recognition.thank.choose"))
        form.show_error("colleague")
        message = st.text_area(t("recognition.thank.message"), key=form.key("message"),
                               placeholder=t("recognition.thank.message_hint", limit=thanks.MAX_MESSAGE))
        form.show_error("message")
        sent = st.form_submit_button(t("recognition.thank.send"), type="primary", icon=":material/favorite:")
    if sent and form.submit(t, lambda s: thanks.thank(s, actor, colleague, message, submission_key=form.submission_key),
                            fields_by_error=THANKS_FIELDS):
        form.saved(t("recognition.thank.sent", name=people.get(colleague, "")))
        st.rerun()


def render_wall() -> None:
    st.subheader(t("recognition.wall.heading", weeks=thanks.WALL_WEEKS))
    with service_call(t) as session:
        wall = thanks.wall(session, actor, page=page_index())
    if not wall.total:
        empty_state(t, "recognition.wall.empty", icon=":material/favorite:")
        return
    for entry in wall.rows:
        with st.container(border=True):
            st.markdown(t("recognition.wall.entry", giver=plain(entry.from_name), receiver=plain(entry.to_name)))
            st.markdown(plain(entry.message))
            st.caption(format_datetime(entry.created_at, t.language))
    if wall.total > thanks.WALL_PAGE_SIZE:
        pager(t, wall, key="recognition_wall")


def render_team_counts() -> None:
    st.subheader(t("recognition.counts.heading", weeks=thanks.WALL_WEEKS))
    st.caption(t("recognition.counts.caption"))
    with service_call(t) as session:
        counts = thanks.team_counts(session, actor)
    if not counts:
        empty_state(t, "recognition.counts.empty")
        return
    st.dataframe(pd.DataFrame([{t("recognition.counts.team"): c.team_name, t("recognition.counts.received"): c.received,
                                t("recognition.counts.given"): c.given} for c in counts]),
                 hide_index=True, width="stretch")


def render_compliment() -> None:
    st.subheader(t("recognition.compliment.heading"))
    search = people_search(t, "compliment_find")
    with service_call(t) as session:
        people = dict(stars.complimentable(session, actor, search))
    found_caption(t, len(people), search)
    form = RecordForm("compliment")
    form.show_saved()
    with st.form(form.key("form")):
        agent = st.selectbox(t("recognition.compliment.agent"), list(people), index=None, key=form.key("agent"),
                             format_func=lambda i: people[i], placeholder=t("recognition.thank.choose"))
        form.show_error("agent")
        text = st.text_area(t("recognition.compliment.text"), key=form.key("text"),
                            placeholder=t("recognition.compliment.text_hint", limit=stars.MAX_COMPLIMENT))
        form.show_error("text")
        left, right = st.columns(2)
        call = left.text_input(t("recognition.compliment.call"), key=form.key("call"),
                               placeholder=t("recognition.compliment.call_hint"))
        form.show_error("call")
        received = right.date_input(t("recognition.compliment.received_on"), value=None, format="YYYY-MM-DD",
                                    key=form.key("received_on"))
        form.show_error("received_on")
        sent = st.form_submit_button(t("recognition.compliment.save"), icon=":material/thumb_up:")
    if sent and form.submit(t, lambda s: stars.record_compliment(s, actor, agent, text, call_ref=call,
                                                                 received_on=received,
                                                                 submission_key=form.submission_key),
                            fields_by_error=COMPLIMENT_FIELDS):
        form.saved(t("recognition.compliment.saved", name=people.get(agent, "")))
        st.rerun()


def month_choice(key: str):
    months = stars.nominable_months()
    return st.radio(t("recognition.star.month"), months[::-1], key=key, horizontal=True,
                    format_func=lambda m: format_month(m, t.language))


def render_nominate() -> None:
    st.subheader(t("recognition.nominate.heading"))
    st.caption(t("recognition.nominate.caption"))
    month = month_choice("recognition_nominate_month")
    with service_call(t) as session:
        found = stars.candidates(session, actor, month)
    if not found:
        empty_state(t, "recognition.nominate.empty")
        return
    frame = pd.DataFrame([{
        t("recognition.col.person"): c.name, t("recognition.col.team"): c.team_name,
        t("recognition.col.qa"): percent(c.qa_percent), t("recognition.col.qa_count"): c.qa_count,
        t("recognition.col.exam"): percent(c.exam_percent), t("recognition.col.compliments"): c.compliments,
        t("recognition.col.nominated"): t("recognition.yes") if c.nominated else "",
    } for c in found])
    shown, config = filled(t, frame)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
    names = {c.user_id: c.name for c in found}
    form = RecordForm(f"nominate-{month.isoformat()}")
    form.show_saved()
    with st.form(form.key("form")):
        nominee = st.selectbox(t("recognition.nominate.person"), list(names), index=None, key=form.key("nominee"),
                               format_func=lambda i: names[i], placeholder=t("recognition.thank.choose"))
        form.show_error("nominee")
        reason = st.text_area(t("recognition.nominate.reason"), key=form.key("reason"),
                              placeholder=t("recognition.nominate.reason_hint"))
        form.show_error("reason")
        sent = st.form_submit_button(t("recognition.nominate.send"), type="primary", icon=":material/star:")
    if sent and form.submit(t, lambda s: stars.nominate(s, actor, nominee, month, reason),
                            fields_by_error=NOMINATION_FIELDS):
        form.saved(t("recognition.nominate.saved", name=names.get(nominee, ""),
                     month=format_month(month, t.language)))
        st.rerun()


def render_confirm() -> None:
    st.subheader(t("recognition.confirm.heading"))
    month = month_choice("recognition_confirm_month")
    with service_call(t) as session:
        listed = stars.nominations(session, actor, month)
        star = stars.star_of(session, actor, month)
    confirmed = star.user_id if star is not None else None
    if not listed:
        empty_state(t, "recognition.confirm.empty")
        return
    for nomination in listed:
        with st.container(border=True):
            text, button = st.columns([3, 1], vertical_alignment="center")
            text.markdown(t("recognition.confirm.entry", name=plain(nomination.name),
                            lead=plain(nomination.nominated_by or "—")))
            text.markdown(plain(nomination.reason))
            text.caption(evidence_text(nomination))
            if confirmed == nomination.user_id:
                button.success(t("recognition.confirm.is_star"), icon=":material/star:")
            elif button.button(t("recognition.confirm.button"), key=f"confirm-{nomination.id}",
                               disabled=confirmed is not None, width="stretch") and run_action(
                    t, lambda s, n=nomination.id: stars.confirm_star(s, actor, n)):
                succeed(t, "recognition.confirm.done", name=nomination.name)


def evidence_text(nomination: stars.NominationView) -> str:
    dash = "—"
    return t("recognition.confirm.evidence",
             qa=dash if nomination.qa_percent is None else f"{nomination.qa_percent:.1f}",
             exam=dash if nomination.exam_percent is None else f"{nomination.exam_percent:.1f}",
             compliments=nomination.compliments)


page_header(t, "recognition.title", "recognition.caption")
show_flash()
render_star_banner(t, actor)
render_thank()
render_wall()
if allowed_at_all(actor, "recognition:team_counts"):
    render_team_counts()
if allowed_at_all(actor, "recognition:compliment"):
    render_compliment()
if allowed_at_all(actor, "recognition:nominate"):
    render_nominate()
if allowed_at_all(actor, "recognition:confirm_star"):
    render_confirm()
