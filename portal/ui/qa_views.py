"""Streamlit pieces of the agent's quality page and the disputes page: an evaluation, its items, its history."""
from collections.abc import Mapping

import pandas as pd
import streamlit as st

from portal import exports
from portal.formatting import format_date, format_datetime
from portal.i18n import Translator
from portal.qa.disputes import AgentEvaluation, EvaluationDetail, ItemLine
from portal.ui.dates import time_columns
from portal.ui.tables import filled
from portal.ui.text import plain
from portal.ui.url import as_id

COLUMN_PREFIX = "qa.my.col."


def choose_from_url(t: Translator, param: str, ids: list[int], labels: Mapping[int, str], label_key: str
                    ) -> int | None:
    """A choice kept in the page's address (`?evaluation=12`), so a reload or a shared link shows the same one.

    Nothing is chosen until the person chooses (or the address names one they may see). When the address
    names another one than the box last wrote there (a link, or the page after creating a record), the box
    follows it; an address without one (a run started by a click sent before the address changed) leaves
    the box as it is.
    """
    key, synced_key = f"choose_{param}", f"choose_{param}.address"
    wanted = st.query_params.get(param)
    named = as_id(wanted)
    named = named if named in ids else None
    if named is not None and wanted != st.session_state.get(synced_key):
        st.session_state[key] = named
        st.session_state[synced_key] = wanted
    elif st.session_state.get(key) not in ids:
        st.session_state[key] = None  # no longer listed (decided, or gone)
    chosen = st.selectbox(t(label_key), ids, index=None, format_func=lambda i: labels.get(i, str(i)),
                          placeholder=t("qa.my.choose_placeholder"), key=key)
    address = None if chosen is None else str(chosen)
    if address != wanted:
        if address is None:
            st.query_params.pop(param, None)
        else:
            st.query_params[param] = address
        st.session_state[synced_key] = address
    return chosen


def status_text(t: Translator, row: AgentEvaluation) -> str:
    if row.in_dispute:
        return t("qa.my.status_in_dispute")
    if row.summary.acknowledged_at is None:
        return t("qa.my.status_to_acknowledge")
    return t("qa.my.status_acknowledged")


def show_table(t: Translator, frame: pd.DataFrame, key: str, number_columns: Mapping[str, str] | None = None,
               prefix: str = COLUMN_PREFIX) -> None:
    """A table with headers `t(prefix + column)`, the center's times, no gaps shown as None."""
    shown = exports.with_headers(frame, t, prefix)
    header = dict(zip(frame.columns, shown.columns))
    config = {header[c]: st.column_config.NumberColumn(format=f) for c, f in (number_columns or {}).items()}
    config |= time_columns(t, frame, header)
    shown, config = filled(t, shown, config)
    st.dataframe(shown, hide_index=True, width="stretch", key=key, column_config=config)


def evaluations_table(t: Translator, rows: list[AgentEvaluation], key: str) -> None:
    frame = pd.DataFrame([{
        "call_started_at": r.summary.call_started_at, "scorecard": r.summary.scorecard_title(t.language),
        "percent": r.summary.percent,
        "critical": t("qa.my.critical_missed") if r.summary.critical_missed else "",
        "evaluator": r.summary.evaluator_name, "status": status_text(t, r)} for r in rows],
        columns=["call_started_at", "scorecard", "percent", "critical", "evaluator", "status"])
    show_table(t, frame, key, {"percent": "%.1f"})


def evaluation_header(t: Translator, detail: EvaluationDetail) -> None:
    s = detail.summary
    st.markdown(f"#### {plain(s.scorecard_title(t.language))} · {format_datetime(s.call_started_at, t.language)}")
    left, middle, right = st.columns(3)
    left.metric(t("qa.my.score"), f"{s.percent:.1f}%")
    middle.metric(t("qa.my.evaluator"), s.evaluator_name or "—")
    right.metric(t("qa.my.call"), f"{s.call_external_id} · {s.queue}")
    if detail.critical_missed:
        st.warning(t("qa.my.critical_list", items=", ".join(plain(i) for i in detail.critical_missed)),
                 icon=":material/priority_high:")
    if detail.comment:
        st.markdown(t("qa.my.overall_comment") + " " + plain(detail.comment))
    if detail.in_dispute:
        st.markdown(":orange-badge[" + t("qa.my.status_in_dispute") + "]")
    elif s.acknowledged_at is not None:
        st.markdown(":green-badge[" + t("qa.my.acknowledged_on", when=format_date(s.acknowledged_at, t.language))
                    + "]")


def points_text(t: Translator, points: float | None, max_points: float) -> str:
    return t("qa.my.na") if points is None else f"{points:g} / {max_points:g}"


def items_table(t: Translator, lines: list[ItemLine], key: str) -> None:
    frame = pd.DataFrame([{"section": line.section, "item": line.text + (" ★" if line.critical else ""),
                           "points": points_text(t, line.points, line.max_points), "comment": line.comment}
                          for line in lines], columns=["section", "item", "points", "comment"])
    show_table(t, frame, key)
    if any(line.critical for line in lines):
        st.caption(t("qa.my.critical_note"))


def decision_text(t: Translator, decision: str | None, new_points: float | None) -> str:
    if decision is None:
        return t("qa.dispute.awaiting_decision")
    if decision == "upheld":
        return t("qa.dispute.upheld")
    return t("qa.dispute.changed_to", points=t("qa.my.na") if new_points is None else f"{new_points:g}")


def history(t: Translator, detail: EvaluationDetail) -> None:
    """Every revision of the scores and every decision, oldest first; the last revision is the score."""
    if not detail.rounds and len(detail.revisions) <= 1:
        return
    with st.expander(t("qa.my.history"), icon=":material/history:"):
        for dispute in detail.rounds:
            head = t("qa.dispute.round_raised", round=dispute.round,
                     when=format_datetime(dispute.raised_at, t.language))
            if dispute.resolved_at is not None:
                head += " · " + t("qa.dispute.round_decided", who=dispute.reviewer_name or "—",
                                  when=format_datetime(dispute.resolved_at, t.language))
            st.markdown("**" + plain(head) + "**")
            frame = pd.DataFrame([{"item": i.text, "reason": i.reason,
                                   "decision": decision_text(t, i.decision, i.new_points),
                                   "decision_reason": i.decision_reason} for i in dispute.items],
                                 columns=["item", "reason", "decision", "decision_reason"])
            show_table(t, frame, key=f"round_{detail.summary.evaluation_id}_{dispute.round}")
        for revision in detail.revisions:
            label = t("qa.my.revision", number=revision.revision, percent=f"{revision.percent:.1f}")
            if revision is detail.revisions[-1]:
                label += " · " + t("qa.my.revision_current")
            st.markdown("**" + label + "**")
            items_table(t, revision.items, key=f"revision_{detail.summary.evaluation_id}_{revision.revision}")
