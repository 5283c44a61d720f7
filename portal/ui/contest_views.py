"""Streamlit pieces for contests: a contest's heading, its board with the rule in words, a scenario brief."""
import pandas as pd
import streamlit as st

from portal.contests.board import Board
from portal.contests.setup import ContestSummary, last_day
from portal.formatting import format_date
from portal.i18n import Translator, localized_field
from portal.ui.text import plain


def heading(t: Translator, summary: ContestSummary) -> None:
    """Title, kind, state, dates and teams of a contest."""
    st.markdown(f"**{plain(summary.title(t.language))}** · {t('contests.kind.' + summary.kind)} · "
                f"{t('contests.status.' + summary.status)}")
    st.caption(t("contests.period", start=format_date(summary.starts_at, t.language),
                 end=format_date(last_day(summary.ends_at), t.language), teams=", ".join(plain(n) for n in summary.teams)))


def rule(t: Translator, board: Board) -> str:
    if board.kind == "scenario":
        return t("contests.board.rule_scenario")
    return t("contests.board.rule", share=f"{board.share * 100:.0f}")


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"


def show_board(t: Translator, board: Board, *, viewer_id: int | None = None) -> None:
    """Teams first (with the rule in words), then people: the top 10 and the viewer's own place (or everyone)."""
    st.markdown(f"#### {t('contests.board.teams')}")
    st.info(rule(t, board), icon=":material/balance:")
    teams = pd.DataFrame([{
        t("contests.board.rank"): str(team.rank) if team.rank else "—",
        t("contests.board.team"): team.name,
        t("contests.board.score"): "—" if team.score is None else f"{team.score:.1f}",
        t("contests.board.took_part"): t("contests.board.took_part_of", took=team.took_part, members=team.members),
        t("contests.board.time"): _minutes(team.seconds),
        t("contests.board.counted"): t("contests.board.yes") if team.counted else t("contests.board.not_counted"),
    } for team in board.teams])
    st.dataframe(teams, hide_index=True, width="stretch")
    st.markdown(f"#### {t('contests.board.people_all' if board.full else 'contests.board.people_top')}")
    if not board.top:
        st.caption(t("contests.board.nobody_yet"))
        return
    st.dataframe(_people(t, board.top, viewer_id), hide_index=True, width="stretch")
    if board.extra:
        st.markdown(t("contests.board.your_place"))
        st.dataframe(_people(t, board.extra, viewer_id), hide_index=True, width="stretch")
    st.caption(t("contests.board.participants", count=board.participants))


def _people(t: Translator, people, viewer_id: int | None) -> pd.DataFrame:
    return pd.DataFrame([{
        t("contests.board.rank"): str(person.rank),
        t("contests.board.person"): person.name + (f" ({t('contests.board.you')})" if person.user_id == viewer_id else ""),
        t("contests.board.score"): f"{person.score:.1f}",
        t("contests.board.time"): _minutes(person.seconds),
    } for person in people])


def show_brief(t: Translator, scenario) -> None:
    """A role-play brief in the viewer's language: the caller, the problem, what a good agent does."""
    st.markdown(f"**{t('contests.scenario.number', n=scenario.number)} · "
                f"{plain(localized_field(scenario, 'title', t.language))}**")
    for part in ("caller", "problem", "good"):
        st.markdown(f"*{t('contests.scenario.' + part)}* — {plain(localized_field(scenario, part, t.language))}")
