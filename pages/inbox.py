import streamlit as st

from portal import notifications
from portal.formatting import format_datetime
from portal.ui import state
from portal.ui.text import plain
from portal.ui.widgets import empty_state, page_header, run_action, service_call

t = state.translator()
actor = state.actor()
page_header(t, "nav.inbox", "notify.inbox.caption")

PAGE_PARAM = "page"


def current_page() -> int:
    wanted = st.query_params.get(PAGE_PARAM, "0")
    return int(wanted) if wanted.isascii() and wanted.isdigit() else 0  # not "²": isdigit() says yes, int() no


def open_message(row) -> None:
    """Mark it read and open its place: one click."""
    page, query = notifications.link_of(row)
    if row.read_at is not None or run_action(t, lambda s: notifications.mark_read(s, actor, [row.id])):
        st.switch_page(page, query_params=query or None)


def render_message(row) -> None:
    with st.container(border=True):
        text, when, go = st.columns([5, 2, 1], vertical_alignment="center")
        label = plain(notifications.message_text(row, t))
        text.markdown(f":material/mark_email_unread: **{label}**" if row.read_at is None
                      else f":material/drafts: {label}")
        when.caption(format_datetime(row.created_at, t.language))
        if go.button(t("notify.inbox.open"), key=f"open_{row.id}", icon=":material/open_in_new:"):
            open_message(row)


def render_pager(number: int, full: bool) -> None:
    back, forward = st.columns(2)
    if number > 0 and back.button(t("notify.inbox.newer"), icon=":material/chevron_left:"):
        st.query_params[PAGE_PARAM] = str(number - 1)
        st.rerun()
    if full and forward.button(t("notify.inbox.older"), icon=":material/chevron_right:"):
        st.query_params[PAGE_PARAM] = str(number + 1)
        st.rerun()


number = current_page()
with service_call(t) as session:
    rows = notifications.inbox(session, actor, page=number)
    unread = notifications.unread_count(session, actor)
if not rows:
    empty_state(t, "notify.inbox.empty")
    st.stop()
if unread and st.button(t("notify.inbox.mark_all_read", count=unread), icon=":material/done_all:"):
    if run_action(t, lambda s: notifications.mark_read(s, actor)):
        st.rerun()
for row in rows:
    render_message(row)
render_pager(number, len(rows) == notifications.PAGE_SIZE)
