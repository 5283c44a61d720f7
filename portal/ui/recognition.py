"""Recognition's pieces used on several pages: the service star banner, badges, certificates,
who must read a changed module again, and links to a person's profile."""
import pandas as pd
import streamlit as st

from portal.certificates import recert
from portal.certificates.pdf import certificate_pdf
from portal.certificates.records import CertificateView
from portal.clock import local_today
from portal.formatting import format_date, format_month
from portal.i18n import Translator, localized
from portal.permissions import allowed_at_all
from portal.recognition import profile, stars
from portal.recognition.badges import BadgeView
from portal.roles import Actor
from portal.ui.tables import filled
from portal.ui.text import plain
from portal.ui.widgets import service_call

PROFILE_PAGE = "pages/profile.py"
PROFILE_PARAM = "user"  # pages/profile.py?user=12: whose profile (default: one's own)


def render_star_banner(t: Translator, actor: Actor) -> None:
    """The service star of the month, for everyone (nothing when no star is confirmed)."""
    with service_call(t) as session:
        star = stars.current_star(session, actor)
    if star is None:
        return
    with st.container(border=True):
        st.markdown(t("recognition.star.banner", name=plain(star.name), month=format_month(star.month, t.language)))
        details = [plain(star.team_name)] if star.team_name else []
        if star.reason:
            details.append(plain(star.reason))
        if details:
            st.caption(" · ".join(details))


def certificate_title(view: CertificateView, language: str) -> str:
    return localized({"en": view.title_en, "zh-CN": view.title_zh}, language)


def render_badges(t: Translator, badges: list[BadgeView]) -> None:
    st.subheader(t("recognition.profile.badges"))
    if not badges:
        st.info(t("recognition.profile.no_badges"), icon=":material/military_tech:")
        return
    for badge in badges:
        st.markdown(f":material/military_tech: **{t(f'recognition.badge.{badge.code}')}** — "
                    f"{t('recognition.profile.badge_since', date=format_date(badge.awarded_at, t.language))}")


def render_certificates(t: Translator, certificates: list[CertificateView] | None) -> None:
    """Each certificate with its code and a PDF download (built when clicked); None: not the reader's to see."""
    st.subheader(t("recognition.profile.certificates"))
    if certificates is None:
        st.caption(t("memberprofile.certificates_hidden"))
        return
    if not certificates:
        st.info(t("recognition.profile.no_certificates"), icon=":material/workspace_premium:")
        return
    today = local_today()
    for view in certificates:
        with st.container(border=True):
            text, button = st.columns([3, 1], vertical_alignment="center")
            text.markdown(f"**{plain(certificate_title(view, t.language))}**")
            text.caption(certificate_facts(t, view, today))
            button.download_button(t("recognition.profile.download"), lambda v=view: certificate_pdf(v),
                                   file_name=f"certificate-{view.code}.pdf", mime="application/pdf",
                                   key=f"certificate-{view.id}", icon=":material/download:", width="stretch")


def certificate_facts(t: Translator, view: CertificateView, today) -> str:
    facts = [t("recognition.profile.achieved_on", date=format_date(view.achieved_on, t.language)),
             t("recognition.profile.code", code=view.code)]
    if view.expires_on is not None:
        key = "recognition.profile.expired_on" if view.expired(today) else "recognition.profile.expires_on"
        facts.append(t(key, date=format_date(view.expires_on, t.language)))
    return " · ".join(facts)


def render_out_of_date(t: Translator, actor: Actor) -> None:
    """Who must read a changed module again: a small section for the cohort board and the team dashboard;
    each person whose profile the reader may open is linked to it."""
    if not allowed_at_all(actor, "certificates:recert_read"):
        return
    with service_call(t) as session:
        found = recert.out_of_date(session, actor)
        linked = profile.profiles_open_to(session, actor, {r.user_id for r in found})
    st.subheader(t("certificates.recert.out_of_date"))
    if not found:
        st.caption(t("certificates.recert.everyone_current"))
        return
    today = local_today()
    frame = pd.DataFrame([{
        t("certificates.recert.col.person"): r.name, t("certificates.recert.col.team"): r.team_name,
        t("certificates.recert.col.module"): r.module.title.get(t.language),
        t("certificates.recert.col.state"): recert_state(t, r, today),
        t("certificates.recert.col.due"): format_date(r.due_on, t.language) if r.mode == "required" else "—",
    } for r in found])
    frame, config = filled(t, frame)
    if linked:  # a lead: their teams' members (a row they may not open would get an empty cell)
        link = t("memberprofile.col.profile")
        frame = frame.assign(**{link: [profile_url(r.user_id) if r.user_id in linked else None for r in found]})
        config[link] = st.column_config.LinkColumn(link, display_text=t("memberprofile.open_short"))
    st.dataframe(frame, hide_index=True, width="stretch", column_config=config)


def recert_state(t: Translator, entry: recert.Recertification, today) -> str:
    if entry.overdue(today):
        return t("certificates.recert.state.overdue")
    if entry.reread:
        return t("certificates.recert.state.quiz_left")
    return t(f"certificates.recert.state.{entry.mode}")


def profile_url(user_id: int) -> str:
    """A person's profile as a link a table can hold (relative: the app may sit under a path prefix)."""
    return f"profile?{PROFILE_PARAM}={int(user_id)}"


def profile_link(t: Translator, user_id: int, name: str, container=st) -> None:
    """A link to this person's profile page (the caller knows the reader may open it)."""
    container.page_link(PROFILE_PAGE, label=t("memberprofile.open", name=plain(name)), icon=":material/badge:",
                        query_params={PROFILE_PARAM: str(user_id)})


def render_profile_links(t: Translator, actor: Actor, people: dict[int, str]) -> None:
    """Links to the profiles of these people (user id -> name) that the reader may open: one person's alone,
    several in a row under a heading; nothing when none."""
    with service_call(t) as session:
        linked = profile.profiles_open_to(session, actor, people)
    if not linked:
        return
    if len(people) > 1:
        st.markdown(f"**{t('memberprofile.profiles')}**")
    row = st.container(horizontal=True, gap="small")
    for user_id, name in people.items():
        if user_id in linked:
            profile_link(t, user_id, name, row)
