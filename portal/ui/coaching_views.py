"""Streamlit pieces shared by the coaching and team-dashboard pages."""
import numpy as np
import pandas as pd
import streamlit as st

from portal import exports
from portal.coaching import CoachingSettings, SessionView, focus_label
from portal.formatting import format_date
from portal.i18n import Translator, localized_column, localized_field
from portal.ui.dates import time_columns
from portal.ui.text import plain
from portal.ui.tables import filled

BAND_COLOURS = {"red": "#d62728", "amber": "#ff9f1c", "green": "#2ca02c", "none": "#9e9e9e"}


def localise_exam(frame: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """One `exam` column in the reader's language instead of exam_en / exam_zh."""
    if "exam_en" not in frame.columns:
        return frame
    out = frame.drop(columns=["exam_en", "exam_zh"])
    out.insert(0, "exam", localized_column(frame, "exam", t.language))
    return out


def download_buttons(t: Translator, frame: pd.DataFrame, name: str, key: str) -> None:
    """CSV and XLSX of exactly the table on screen (already filtered and translated).

    The files are built when the button is clicked (deferred), not on every
    rerun: a dashboard shows a dozen tables and writing each as XLSX on every
    run cost more than all its queries together.
    """
    left, right = st.columns(2)
    left.download_button(t("coaching.download_csv"), lambda: exports.csv_bytes(frame), file_name=f"{name}.csv",
                         mime=exports.CSV_MIME, key=f"{key}_csv", icon=":material/download:",
                         width="stretch")
    right.download_button(t("coaching.download_xlsx"), lambda: exports.xlsx_bytes(frame, name),
                          file_name=f"{name}.xlsx",
                          mime=exports.XLSX_MIME, key=f"{key}_xlsx", icon=":material/table_view:",
                          width="stretch")


def score_levels(scores: pd.Series, settings: CoachingSettings, t: Translator) -> np.ndarray:
    """"Low" or "Watch", with its line, for each score (blank when fine or missing).

    Text next to the number rather than a cell colour: readers who cannot tell red from
    green still see it, and a pandas Styler cost 9-40 ms per table on every rerun, more
    than the dashboard's queries together.
    """
    values = pd.to_numeric(scores, errors="coerce").to_numpy(dtype=float)
    return np.select([values < settings.low_score, values < settings.amber_score],
                     [t("coaching.level_low", low=f"{settings.low_score:g}"),
                      t("coaching.level_amber", amber=f"{settings.amber_score:g}")], default="")


def table(t: Translator, frame: pd.DataFrame, name: str, key: str, *, settings: CoachingSettings | None = None,
          score_columns: tuple[str, ...] = (), empty_key: str = "coaching.no_rows", **dataframe_kwargs):
    """A translated table with its downloads, or a clear empty state. Returns the st.dataframe result.

    Score columns show one decimal; the first of them gets a level marker column after it
    (see `score_levels`). The downloads hold the data without the markers.
    """
    if frame.empty:
        st.info(t(empty_key), icon=":material/inbox:")
        return None
    shown = exports.with_headers(frame, t)
    header = dict(zip(frame.columns, shown.columns))
    present = [c for c in score_columns if c in header]
    config = {header[c]: st.column_config.NumberColumn(format="%.1f") for c in present} | time_columns(t, frame, header)
    config.update(dataframe_kwargs.pop("column_config", None) or {})
    display = shown
    if settings and present:
        display = shown.copy()
        display.insert(shown.columns.get_loc(header[present[0]]) + 1, t("coaching.col.level"),
                       score_levels(frame[present[0]], settings, t))
        config[t("coaching.col.level")] = st.column_config.TextColumn(width="medium")
    display, config = filled(t, display, config)
    result = st.dataframe(display, hide_index=True, width="stretch", key=key, column_config=config,
                          **dataframe_kwargs)
    download_buttons(t, shown, name, key)
    return result


def effect_text(t: Translator, view: SessionView) -> str:
    e = view.effect
    if e is None:
        return t("coaching.effect_none")
    fmt = lambda v: "—" if v is None else f"{v:.1f}"  # noqa: E731
    text = t("coaching.effect_text", before=fmt(e.before_avg), before_n=e.before_n, after=fmt(e.after_avg),
             after_n=e.after_n)
    text = text if e.change is None else f"{text} ({e.change:+.1f})"
    if e.qa_before_n or e.qa_after_n:
        qa = t("qa.coaching.effect_qa", before=fmt(e.qa_before_avg), before_n=e.qa_before_n,
               after=fmt(e.qa_after_avg), after_n=e.qa_after_n)
        text = f"{text}; {qa}" if e.qa_change is None else f"{text}; {qa} ({e.qa_change:+.1f})"
    return text


def ack_badge(t: Translator, view: SessionView) -> str:
    if view.acknowledged:
        return ":green-badge[" + t("coaching.acknowledged_on", when=format_date(view.acknowledged_at, t.language)) + "]"
    if view.ack_overdue:
        return ":red-badge[" + t("coaching.ack_overdue", due=format_date(view.ack_due_on, t.language)) + "]"
    return ":orange-badge[" + t("coaching.awaiting_ack_until", due=format_date(view.ack_due_on, t.language)) + "]"


def link_lines(t: Translator, view: SessionView) -> list[str]:
    lines = []
    for link in view.links:
        if link.kind == "supervised_review":
            lines.append(t("coaching.link_review", ref=link.ref_id))
            continue
        title = localized_field(link, "exam_title", t.language)
        if link.kind == "qa_evaluation":
            lines.append(evaluation_label(t, title, link.percent, link.submitted_on, link.critical_missed))
            continue
        lines.append(t("coaching.link_attempt", title=title or f"#{link.ref_id}",
                       percent="—" if link.percent is None else f"{link.percent:.0f}",
                       on=format_date(link.submitted_on, t.language)))
    return lines


def evaluation_label(t: Translator, title: str, percent: float | None, on, critical_missed: bool) -> str:
    """A QA evaluation in a coaching session's links and its link picker."""
    return t("qa.coaching.link_evaluation_critical" if critical_missed else "qa.coaching.link_evaluation",
             title=title, percent="—" if percent is None else f"{percent:.0f}", on=format_date(on, t.language))


def items_frame(t: Translator, items) -> pd.DataFrame:
    return pd.DataFrame([{"description": i.description, "owner": i.owner_name, "due_on": i.due_on,
                          "status": t("coaching.item_done") if i.done else
                          (t("coaching.item_overdue") if i.overdue else t("coaching.item_open"))} for i in items],
                        columns=["description", "owner", "due_on", "status"])


def item_lines(t: Translator, items) -> list[str]:
    """Action items as a short list with a status badge (a session holds a few; a grid per
    session cost more to draw than the whole session)."""
    badges = {"done": ":green-badge[{}]", "overdue": ":red-badge[{}]", "open": ":orange-badge[{}]"}
    lines = []
    for item in items:
        state = "done" if item.done else ("overdue" if item.overdue else "open")
        lines.append(f"- {badges[state].format(t(f'coaching.item_{state}'))} {plain(item.description)} · "
                     f"{plain(item.owner_name)} · {t('coaching.col.due_on')} {format_date(item.due_on, t.language)}")
    return lines


def session_body(t: Translator, view: SessionView, *, show_private: bool) -> None:
    """The readable part of a session. Private notes only when the caller may see them and asks."""
    st.markdown(f"**{t('coaching.col.focus_area')}:** {focus_label(t, view.focus_area)} · "
                f"**{t('coaching.col.coach')}:** {plain(view.author_name)} · {ack_badge(t, view)}")
    st.markdown(f"**{t('coaching.shared_notes')}**")
    st.markdown(view.shared_notes or "—")
    if show_private and view.private_notes is not None:
        st.warning(f"**{t('coaching.private_notes')}** — {view.private_notes or '—'}", icon=":material/lock:")
    if view.links:
        st.markdown(f"**{t('coaching.links')}**")
        st.markdown("\n".join(f"- {line}" for line in link_lines(t, view)))
    if view.action_items:
        st.markdown(f"**{t('coaching.action_items')}**")
        st.markdown("\n".join(item_lines(t, view.action_items)))
    if view.follow_up_on:
        st.caption(t("coaching.follow_up_caption", on=format_date(view.follow_up_on, t.language)))
    st.caption(t("coaching.effect_caption", text=effect_text(t, view)))
    if view.ack_comment:
        st.markdown(f"**{t('coaching.agent_comment')}:** {view.ack_comment}")
