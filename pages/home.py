import streamlit as st

from portal.roles import Role
from portal.ui import state
from portal.ui.navigation import pages_for
from portal.ui.text import plain

t = state.translator()
actor = state.actor()

st.title(t("home.welcome", name=plain(actor.display_name)))
roles = sorted(actor.roles)
st.caption(t("home.roles", roles=", ".join(t(f"role.{r.value}") for r in roles)))

if actor.has(Role.NEWHIRE):
    st.subheader(t("home.newhire.heading"))
    st.write(t("home.newhire.intro"))
elif actor.has(Role.AGENT):
    st.subheader(t("home.agent.heading"))
    st.write(t("home.agent.intro"))

if actor.has(Role.NEWHIRE, Role.AGENT):
    from portal.quizzes.practice import count_due_reviews
    from portal.ui.widgets import service_call

    with service_call(t) as session:
        due = count_due_reviews(session, actor)
    if due:
        with st.container(border=True):
            st.markdown(f"**{t('quizbank.home.due', count=due)}**")
            st.page_link("pages/training_quizzes.py", label=t("quizbank.home.review_link"), icon=":material/replay:")

st.subheader(t("home.your_pages"))
for page in pages_for(actor):
    if page.path != "pages/home.py":
        st.page_link(page.path, label=t(page.title_key), icon=page.icon)

st.divider()
st.caption(t("home.wellbeing_hint"))
