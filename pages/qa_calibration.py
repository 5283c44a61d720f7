"""Calibration (校准): create a session, score its calls blind, reveal, compare; alignment and Krippendorff's alpha."""
import time

import pandas as pd
import streamlit as st

from portal.formatting import format_date, format_datetime
from portal.qa import calibration
from portal.ui import state
from portal.ui.charts.qa import alignment_chart, calibration_spread_chart
from portal.ui.item_forms import ItemRecordForm
from portal.ui.qa_views import choose_from_url, show_table
from portal.ui.text import plain
from portal.ui.widgets import empty_state, page_header, run_action, service_call

t = state.translator()
actor = state.actor()
NA = "na"
COLUMNS = "qa.calibration.col."
CREATE_ERRORS = {"qa.calibration.error.title_required": "title", "qa.calibration.error.title_too_long": "title",
                 "qa.calibration.error.scorecard_required": "scorecard",
                 "qa.calibration.error.calls_required": "calls",
                 "qa.calibration.error.participants_required": "participants",
                 "qa.calibration.error.participant_not_allowed": "participants"}


def render_create_form(expanded: bool) -> None:
    """A new session: title, scorecard, calls, participants; nothing chosen beforehand."""
    with service_call(t) as session:
        cards = calibration.scorecard_choices(session, actor, t.language)
        calls = calibration.call_choices(session, actor)
        people = [p for p in calibration.calibrator_choices(session, actor) if p.id != actor.id]
    form = ItemRecordForm("qa_calibration_new")
    with st.expander(t("qa.calibration.new"), expanded=expanded, icon=":material/add:"):
        form.show_saved()
        if not cards or not calls:
            st.info(t("qa.calibration.new_needs_data"), icon=":material/inbox:")
            return
        card_labels = {c.id: c.label for c in cards}
        call_labels = {c.id: t("qa.calibration.call_option", ref=c.external_id, agent=c.agent_name, queue=c.queue,
                               when=format_datetime(c.started_at, t.language)) for c in calls}
        person_labels = {p.id: p.label for p in people}
        with st.form(form.key("form")):
            title = st.text_input(t("qa.calibration.title_field"), max_chars=calibration.MAX_TITLE,
                                  key=form.key("title"))
            form.show_error("title")
            card = st.selectbox(t("qa.calibration.scorecard"), list(card_labels), index=None,
                                format_func=card_labels.get, placeholder=t("qa.my.choose_placeholder"),
                                key=form.key("scorecard"))
            form.show_error("scorecard")
            chosen_calls = st.multiselect(t("qa.calibration.calls"), list(call_labels), format_func=call_labels.get,
                                          key=form.key("calls"), placeholder=t("widget.choose_many"),
                                          help=t("qa.calibration.calls_help", count=len(call_labels)))
            form.show_error("calls")
            chosen_people = st.multiselect(t("qa.calibration.participants"), list(person_labels),
                                           format_func=person_labels.get, key=form.key("participants"),
                                           placeholder=t("widget.choose_many"))
            form.show_error("participants")
            st.caption(t("qa.calibration.facilitator_note"))
            sent = st.form_submit_button(t("qa.calibration.create"), type="primary", icon=":material/add:")
    if sent and (done := form.submit(t, lambda s: calibration.create_calibration(
            s, actor, title, card, chosen_calls, chosen_people, form.submission_key), fields_by_error=CREATE_ERRORS)):
        form.saved(t("qa.calibration.created"))
        st.query_params["calibration"] = str(done.value)
        st.rerun()


def render_sessions() -> int | None:
    with service_call(t) as session:
        rows = calibration.my_calibrations(session, actor)
    render_create_form(expanded=not rows)
    if not rows:
        empty_state(t, "qa.calibration.empty")
        return None
    frame = pd.DataFrame([{"created_at": r.created_at, "title": r.title, "facilitator": r.facilitator_name,
                           "calls": r.calls, "done": f"{r.participants_done} / {r.participants}",
                           "status": t(f"qa.calibration.status_{r.status}"),
                           "mine": t("qa.calibration.mine_done") if r.i_am_done else t("qa.calibration.mine_todo")}
                          for r in rows],
                         columns=["created_at", "title", "facilitator", "calls", "done", "status", "mine"])
    show_table(t, frame, "calibration_sessions", prefix=COLUMNS)
    labels = {r.id: f"{r.title} · {format_date(r.created_at, t.language)}" for r in rows}
    return choose_from_url(t, "calibration", [r.id for r in rows], labels, "qa.calibration.choose")


def _options(item: calibration.SheetItem) -> list:
    steps = [float(p) for p in range(int(item.max_points) + 1)]
    if item.max_points not in steps:
        steps.append(float(item.max_points))
    return steps + ([NA] if item.allow_na else [])


def render_sheet(view: calibration.SessionView, call: calibration.CallChoice) -> None:
    """One call's blank sheet: every item scored or N/A; refused beside each item left unscored."""
    form = ItemRecordForm(f"qa_calibration_sheet.{view.id}.{call.id}")
    started = st.session_state.setdefault(f"qa_calibration_started.{view.id}.{call.id}", time.monotonic())
    chosen, comments = {}, {}
    with st.form(form.key("form")):
        for item in view.items:
            label = f"{item.section} · {item.text}" + (" ★" if item.critical else "")
            chosen[item.item_id] = st.radio(plain(label), _options(item), index=None, horizontal=True,
                                            format_func=lambda v: t("qa.my.na") if v == NA else f"{v:g}",
                                            key=form.key(f"points.{item.item_id}"))
            form.show_error(f"points.{item.item_id}")
            comments[item.item_id] = st.text_input(t("qa.calibration.comment"), key=form.key(f"comment.{item.item_id}"),
                                                   max_chars=calibration.MAX_COMMENT)
        sent = st.form_submit_button(t("qa.calibration.submit_scores"), type="primary", icon=":material/send:")
    if not sent:
        return
    points = {i: None if v == NA else v for i, v in chosen.items() if v is not None}
    seconds = int(time.monotonic() - started)
    if form.submit_items(t, lambda s: calibration.submit_scores(s, actor, view.id, call.id, points, comments,
                                                                form.submission_key, seconds),
                         {"qa.calibration.error.unscored": "points"}):
        form.saved(t("qa.calibration.scored"))
        st.rerun()


def render_calls(view: calibration.SessionView) -> None:
    for number, call in enumerate(view.calls, start=1):
        with st.container(border=True):
            st.markdown(f"**{t('qa.calibration.call_heading', number=number)}** · " + plain(t(
                "qa.calibration.call_option", ref=call.external_id, agent=call.agent_name, queue=call.queue,
                when=format_datetime(call.started_at, t.language))))
            if view.recordings.get(call.id):
                st.link_button(t("qa.calibration.recording"), view.recordings[call.id], icon=":material/headphones:")
            if call.id in view.my_scores:
                st.success(t("qa.calibration.you_scored", percent=f"{view.my_percent[call.id]:.1f}"),
                           icon=":material/check_circle:")
            elif view.status == "open":
                render_sheet(view, call)
            else:
                st.caption(t("qa.calibration.closed_unscored"))


def render_reveal(view: calibration.SessionView) -> None:
    if view.can_reveal:
        clicked = st.button(t("qa.calibration.reveal"), type="primary", icon=":material/visibility:")
        if clicked and run_action(t, lambda s: calibration.reveal(s, actor, view.id), "qa.calibration.revealed"):
            st.rerun()
    elif view.i_facilitate and view.status == "open":
        st.caption(t("qa.calibration.reveal_after_scoring"))


def score_cell(item: calibration.ItemResult, person: int, value: float | None) -> str:
    """The points given, and how far from the reference (the facilitator's points), signed."""
    if value is None:
        return t("qa.my.na")
    if item.reference is None or person not in item.points or value == item.reference:
        return f"{value:g}"
    return t("qa.calibration.cell_difference", points=f"{value:g}", difference=f"{value - item.reference:+g}")


def render_results(results: calibration.SessionResults) -> None:
    """Side by side per call and item, a chart of the spread per item, alignment in this session."""
    view = results.view
    names = {p.id: p.name for p in results.scorers}
    headers = {p.id: t("qa.calibration.reference_column", name=p.name) if p.facilitator else p.name
               for p in results.scorers}
    st.subheader(t("qa.calibration.results"))
    st.caption(t("qa.calibration.results_note"))
    for number, call in enumerate(view.calls, start=1):
        st.markdown(f"**{t('qa.calibration.call_heading', number=number)}** · {plain(call.external_id)}")
        rows = []
        for item in (i for i in results.items if i.call_id == call.id):
            row = {t("qa.calibration.col_item"): item.text}
            for person, value in item.points.items():
                row[headers[person]] = score_cell(item, person, value)
            row[t("qa.calibration.col_agreement")] = f"{100 * item.agreement:.0f}%"
            row[t("qa.calibration.col_spread")] = "—" if item.spread is None else f"{item.spread:g}"
            rows.append(row)
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key=f"results_{call.id}")
    calibration_spread_chart(t, pd.DataFrame([{"item": i.text, "spread": 100 * (i.spread or 0) / i.max_points}
                                              for i in results.items], columns=["item", "spread"]))
    alignment = pd.DataFrame([{"analyst": names[p], "alignment": v} for p, v in results.alignment.items()],
                             columns=["analyst", "alignment"])
    st.markdown("**" + t("qa.calibration.session_alignment") + "**")
    show_table(t, alignment, f"alignment_{view.id}", {"alignment": "%.1f"}, prefix=COLUMNS)


def render_session(calibration_id: int) -> None:
    with service_call(t) as session:
        view = calibration.calibration_view(session, actor, calibration_id, t.language)
        results = calibration.results(session, actor, calibration_id, t.language) if view.results_visible else None
    st.subheader(plain(view.title))
    st.caption(t("qa.calibration.session_facts", facilitator=view.facilitator_name, scorecard=view.scorecard,
                 status=t(f"qa.calibration.status_{view.status}")))
    st.markdown(" ".join(
        (":green-badge[" if p.done else ":gray-badge[") + plain(p.name) + " · "
        + t("qa.calibration.done" if p.done else "qa.calibration.not_done") + "]" for p in view.participants))
    if results is None:
        st.info(t("qa.calibration.blind_note" if view.status == "open" else "qa.calibration.not_scored_note"),
                icon=":material/visibility_off:")
    render_calls(view)
    render_reveal(view)
    if results is not None:
        render_results(results)


def render_reliability() -> None:
    with service_call(t) as session:
        points = calibration.alignment_over_time(session, actor)
        reliability = calibration.reliability(session, actor)
    st.subheader(t("qa.calibration.reliability"))
    if reliability.alpha is None:
        st.info(t("qa.calibration.alpha_unknown"), icon=":material/inbox:")
    else:
        st.metric(t("qa.calibration.alpha"), f"{reliability.alpha:.3f}")
        st.markdown(t(reliability.verdict))
    st.caption(t("qa.calibration.alpha_method", units=reliability.units, raters=reliability.raters))
    if not points:
        return
    st.markdown("**" + t("qa.calibration.alignment_over_time") + "**")
    frame = pd.DataFrame([{"revealed_at": p.revealed_at, "session": p.title, "analyst": p.analyst,
                           "alignment": p.alignment} for p in points],
                         columns=["revealed_at", "session", "analyst", "alignment"])
    trends = pd.DataFrame([{"analyst": a.analyst, "sessions": a.sessions, "latest": a.latest, "mean": a.mean,
                            "change": a.change} for a in calibration.alignment_trends(points)],
                          columns=["analyst", "sessions", "latest", "mean", "change"])
    show_table(t, trends, "alignment_trends", {"latest": "%.1f", "mean": "%.1f", "change": "%+.1f"}, prefix=COLUMNS)
    st.caption(t("qa.calibration.alignment_note"))
    alignment_chart(t, frame)
    with st.expander(t("qa.calibration.alignment_sessions")):
        show_table(t, frame, "alignment_over_time", {"alignment": "%.1f"}, prefix=COLUMNS)


page_header(t, "nav.qa_calibration", "qa.calibration.caption")
chosen_session = render_sessions()
if chosen_session is not None:
    render_session(chosen_session)
render_reliability()
