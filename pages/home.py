import streamlit as st

from portal import todo
from portal.clock import local_today
from portal.ui import state
from portal.ui.navigation import pages_for
from portal.ui.recognition import render_star_banner
from portal.ui.text import plain
from portal.ui.widgets import service_call

t = state.translator()
actor = state.actor()


def render_todo() -> None:
    """What is the viewer's to do, overdue first; each line opens the exact place."""
    st.subheader(t("todo.heading"))
    with service_call(t) as session:
        items = todo.todo_for(session, actor, language=t.language)
    if not items:
        st.success(t("todo.empty"), icon=":material/task_alt:")
        return
    today = local_today()
    for entry in items:
        overdue = entry.overdue(today)
        with st.container(border=True):
            link, when = st.columns([4, 1], vertical_alignment="center")
            link.page_link(entry.page, label=plain(todo.item_text(entry, t, t.language)),
                           query_params=dict(entry.query) or None,
                           icon=":material/error:" if overdue else ":material/radio_button_unchecked:")
            due = todo.due_text(entry, t, t.language, today)
            if due:
                when.markdown(f":red[{due}]" if overdue else due)


def render_pages() -> None:
    st.subheader(t("home.your_pages"))
    for page in pages_for(actor):
        if page.path != "pages/home.py":
            st.page_link(page.path, label=t(page.title_key), icon=page.icon)


st.title(t("home.welcome", name=plain(actor.display_name)))
st.caption(t("home.roles", roles=", ".join(t(f"role.{r.value}") for r in sorted(actor.roles))))
render_star_banner(t, actor)
render_todo()
render_pages()
st.divider()
st.caption(t("home.wellbeing_hint"))
