"""Streamlit pieces shared by the onboarding pages: the stage path, requirement checks,
sign-off and review forms, and the cohort board as people read it."""
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date

import pandas as pd
import streamlit as st

from portal import exports, onboarding
from portal.courses import STAGE_KEYS
from portal.db import read_scope
from portal.errors import NotFound, PortalError
from portal.formatting import format_date
from portal.i18n import Translator
from portal.onboarding import Journey, JourneyStatus, PendingTicket, StageState
from portal.onboarding.access import can_sign_off
from portal.onboarding.programme import quiz_titles
from portal.onboarding.rules import (CHECKLIST, CRITICAL_AREAS, MARKS, PASS_MARK, CheckStatus,
                                     RequirementCheck, ReviewOutcome, SignoffOutcome, StageEvaluation, StageStatus)
from portal.roles import Actor
from portal.ui.dates import date_column
from portal.ui.recognition import render_profile_links
from portal.ui.widgets import run_action, service_call
from portal.ui.text import plain
from portal.ui.url import as_id

FLASH_KEY = "onboarding_flash"
MODULE_PARAM = "module"
"""URL query parameter: the module open in the reader on My onboarding."""
PERSON_PARAM = "person"
"""URL query parameter: the person picked on My mentees and the cohort board."""
STATUS_STYLE = {
    StageStatus.PASSED: ("green", ":material/check_circle:", "✓"),
    StageStatus.AWAITING_SIGNOFF: ("violet", ":material/pending_actions:", "☑"),
    StageStatus.IN_PROGRESS: ("blue", ":material/play_circle:", "▶"),
    StageStatus.NOT_STARTED: ("gray", ":material/radio_button_unchecked:", "○"),
    StageStatus.WITHDRAWN: ("gray", ":material/block:", "✖"),
}
"""Badge colour, badge icon, and a symbol for table cells (plain glyphs every font has, unlike emoji)."""
CHECK_ICON = {CheckStatus.MET: ":green[:material/check_circle:]",
              CheckStatus.UNMET: ":orange[:material/radio_button_unchecked:]",
              CheckStatus.UNAVAILABLE: ":gray[:material/info:]"}
FLAG_SYMBOL = {"behind_schedule": "⚠", "stalled": "‖", "asked_to_repeat": "↺"}


def day(t: Translator, value: date | None) -> str:
    """A day as the viewer reads it: their language, the center's calendar."""
    return format_date(value, t.language)


def iso_day(value: date | None) -> str:
    """A day for a spreadsheet: ISO, which every spreadsheet reads as a date."""
    return value.isoformat() if value else ""


def percent(value: float) -> int:
    return round(value * 100)


def short_title(t: Translator, key: str) -> str:
    """A stage's short name for table headers (the full titles come from the course files)."""
    return t(f"onboarding.stage_short.{key}")


# --------------------------------------------------------------------------- feedback across a rerun


def succeed(t: Translator, key: str, **params) -> None:
    """Remember a success message, then rerun so the page shows fresh data with the message on top."""
    st.session_state[FLASH_KEY] = t(key, **params)
    st.rerun()


def show_flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def clear_inputs(*keys: str) -> None:
    for key in keys:
        st.session_state.pop(key, None)


# --------------------------------------------------------------------------- status and checks


def status_badge(t: Translator, status: StageStatus) -> None:
    color, icon, _ = STATUS_STYLE[status]
    st.badge(t(f"onboarding.status.{status.value}"), icon=icon, color=color)


def flag_labels(t: Translator, journey: Journey) -> list[str]:
    return [f"{symbol} {t(f'onboarding.flag.{flag}')}" for flag, symbol in FLAG_SYMBOL.items()
            if getattr(journey, flag)]


def flag_badges(t: Translator, journey: Journey) -> None:
    if journey.status is JourneyStatus.GRADUATED:
        st.badge(t("onboarding.journey.graduated"), icon=":material/school:", color="green")
    elif journey.status is JourneyStatus.WITHDRAWN:
        st.badge(t("onboarding.journey.withdrawn"), icon=":material/block:", color="gray")
    if journey.behind_schedule:
        st.badge(t("onboarding.flag.behind_schedule"), icon=":material/schedule:", color="red")
    if journey.stalled:
        st.badge(t("onboarding.flag.stalled"), icon=":material/hourglass_empty:", color="orange")
    if journey.asked_to_repeat:
        st.badge(t("onboarding.flag.asked_to_repeat"), icon=":material/replay:", color="orange")


def check_text(t: Translator, check: RequirementCheck) -> str:
    quiz = quiz_titles().get(check.subject)
    current = round(check.current) if isinstance(check.current, float) else check.current
    return t(f"onboarding.check.{check.name}", current=current, target=check.target,
             quiz=quiz.get(t.language) if quiz else check.subject)


def requirement_list(t: Translator, evaluation: StageEvaluation) -> None:
    if not evaluation.checks:
        st.caption(t("onboarding.check.none"))
        return
    st.markdown("\n".join(f"- {CHECK_ICON[c.status]} {check_text(t, c)}" for c in evaluation.checks))


def stage_dates(t: Translator, stage: StageState) -> str:
    if stage.status is StageStatus.PASSED:
        record = stage.last_signoff
        return t("onboarding.stage.passed_on", date=day(t, record.signed_on), name=plain(record.signed_by))
    if stage.due_date is None:
        return t("onboarding.stage.no_schedule", days=stage.spec.duration_days)
    key = "onboarding.stage.overdue" if stage.behind_schedule else "onboarding.stage.due"
    return t(key, start=day(t, stage.planned_start), date=day(t, stage.due_date), days=stage.spec.duration_days)


def signers(t: Translator, stage: StageState) -> str:
    return ", ".join(t(f"role.{role}") for role in stage.spec.signoff_by)


@contextmanager
def stage_card(t: Translator, stage: StageState, *, show_checks: bool) -> Iterator[None]:
    """A stage as a card: title, status, progress, dates, a repeat reason, and (optionally) its requirements."""
    with st.container(border=True, key=f"stage-{stage.key}"):
        title, badge = st.columns([5, 2], vertical_alignment="center")
        title.markdown(f"**{stage.spec.order}. {stage.title.get(t.language)}**")
        with badge:
            status_badge(t, stage.status)
        st.progress(stage.progress, text=t("onboarding.stage.progress", percent=percent(stage.progress)))
        st.caption(f":red[{stage_dates(t, stage)}]" if stage.behind_schedule else stage_dates(t, stage))
        if stage.asked_to_repeat and stage.status is not StageStatus.PASSED:
            record = stage.last_signoff
            st.warning(t("onboarding.stage.repeat", name=plain(record.signed_by), date=day(t, record.signed_on),
                         reason=plain(record.reason)), icon=":material/replay:")
        if show_checks:
            st.markdown(t("onboarding.stage.requirements", signers=signers(t, stage)))
            requirement_list(t, stage.evaluation)
        yield


def overall(t: Translator, journey: Journey) -> None:
    progress = journey.overall_progress
    st.progress(progress, text=t("onboarding.journey.overall", percent=percent(progress)))
    with st.container(horizontal=True):
        flag_badges(t, journey)
    if journey.cohort:
        st.caption(t("onboarding.journey.cohort", cohort=journey.cohort, start=day(t, journey.cohort_start),
                     mentor=journey.mentor or "—", team=journey.team or "—"))


def journey_overview(t: Translator, journey: Journey) -> None:
    """A read-only view of someone's journey, for mentors, trainers and leads."""
    overall(t, journey)
    current = journey.current
    for stage in journey.stages:
        with stage_card(t, stage, show_checks=stage is current):
            done = sum(m.done for m in stage.modules)
            if stage.modules:
                st.caption(t("onboarding.stage.modules_done", done=done, total=len(stage.modules)))


# --------------------------------------------------------------------------- the logs


def shadowing_table(t: Translator, log: pd.DataFrame) -> None:
    shown = log.drop(columns=["id", "logged_at"]).assign(call_type=log["call_type"].map(call_type_label(t)))
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "call_date": date_column(t, t("onboarding.field.call_date")),
        "call_type": t("onboarding.field.call_type"), "did_well": t("onboarding.field.did_well"),
        "learned": t("onboarding.field.learned"), "questions": t("onboarding.field.questions")})


def supervised_table(t: Translator, calls: pd.DataFrame) -> None:
    outcome = calls["outcome"].map(lambda o: t(f"onboarding.review_outcome.{o}") if o else
                                   "○ " + t("onboarding.supervised.waiting"))
    critical = calls["critical_miss"].map(lambda c: "⚠" if c else "")
    shown = calls.assign(call_type=calls["call_type"].map(call_type_label(t)), outcome=outcome, critical_miss=critical)
    st.dataframe(shown, hide_index=True, width="stretch",
                 column_order=["call_date", "call_type", "ticket_ref", "summary", "outcome", "points", "critical_miss",
                               "comment", "reviewer"],
                 column_config={
                     "call_date": date_column(t, t("onboarding.field.call_date")),
                     "call_type": t("onboarding.field.call_type"), "ticket_ref": t("onboarding.field.ticket_ref"),
                     "summary": t("onboarding.field.summary"), "outcome": t("onboarding.review.outcome"),
                     "points": st.column_config.NumberColumn(t("onboarding.review.points"), format="%d"),
                     "critical_miss": t("onboarding.review.critical_miss"), "comment": t("onboarding.review.comment"),
                     "reviewer": t("onboarding.review.reviewer")})


def logs_of(t: Translator, actor: Actor, journey: Journey) -> None:
    """Someone's shadowing log (with their questions for the mentor) and supervised calls, folded away."""
    with service_call(t) as session:
        log = onboarding.shadowing_log(session, actor, journey.user_id)
        calls = onboarding.supervised_calls(session, actor, journey.user_id)
    with st.expander(t("onboarding.logs.shadowing", count=len(log)), icon=":material/headset_mic:"):
        if log.empty:
            st.caption(t("onboarding.logs.none"))
        else:
            shadowing_table(t, log)
    with st.expander(t("onboarding.logs.supervised", count=len(calls)), icon=":material/support_agent:"):
        if calls.empty:
            st.caption(t("onboarding.logs.none"))
        else:
            supervised_table(t, calls)


# --------------------------------------------------------------------------- sign-off and review


def signoff_panel(t: Translator, actor: Actor, journey: Journey, stage: StageState) -> None:
    """Decide on someone's current stage: pass it (when its requirements are met), or ask to repeat, or withdraw."""
    key = f"signoff-{journey.user_id}-{stage.key}"
    title = stage.title.get(t.language)
    with st.container(border=True, key=key):
        st.markdown(f"**{plain(journey.display_name)}** · {title}")
        requirement_list(t, stage.evaluation)
        met = stage.evaluation.met
        if st.button(t("onboarding.signoff.pass", stage=title), key=f"{key}-pass", type="primary", disabled=not met,
                     icon=":material/verified:", help=None if met else t("onboarding.signoff.not_met")):
            if run_action(t, lambda s: onboarding.sign_off(s, actor, journey.user_id, stage.key, "passed")):
                succeed(t, "onboarding.signoff.passed", name=journey.display_name, stage=title)
        with st.expander(t("onboarding.signoff.other")):
            with st.form(f"{key}-decide"):
                outcome = st.radio(t("onboarding.signoff.outcome"), [SignoffOutcome.REPEAT, SignoffOutcome.WITHDRAWN],
                                   format_func=lambda o: t(f"onboarding.outcome.{o.value}"), horizontal=True,
                                   key=f"{key}-outcome")
                reason = st.text_area(t("onboarding.signoff.reason"), help=t("onboarding.signoff.reason_help"),
                                      key=f"{key}-reason")
                decided = st.form_submit_button(t("onboarding.signoff.record"))
            if decided and run_action(t, lambda s: onboarding.sign_off(s, actor, journey.user_id, stage.key,
                                                                       outcome.value, reason=reason)):
                succeed(t, "onboarding.signoff.recorded", name=journey.display_name, stage=title,
                        outcome=t(f"onboarding.outcome.{outcome.value}"))


def person_in_url(t: Translator, actor: Actor, journeys: list[Journey]) -> Journey | None:
    """The person the URL picks (`?person=<id>`): one of `journeys`, else anyone the service lets the
    actor see (a link shared from a wider board); someone the actor may not see is refused, in words."""
    wanted = st.query_params.get(PERSON_PARAM)
    if wanted is None:
        return None
    person_id = as_id(wanted)
    listed = next((j for j in journeys if j.user_id == person_id), None)
    if listed is not None:
        return listed
    try:
        if person_id is None:
            raise NotFound("users.error.no_such_user", user=wanted)
        with read_scope() as session:
            return onboarding.journey(session, actor, person_id)
    except PortalError as exc:
        st.warning(t.error(exc), icon=":material/link_off:")
        return None


def _picked(key: str) -> None:
    """Remember that the person was picked by hand this run (a callback cannot write the URL: the run
    that follows resets the parameters to the address bar's)."""
    st.session_state[f"{key}-picked"] = True


def journey_picker(t: Translator, actor: Actor, journeys: list[Journey], ready: list[tuple[Journey, StageState]],
                   *, label_key: str, key: str) -> None:
    """Pick one person: their journey, and the decision on their current stage if the actor may take it
    (unless it is already offered among `ready`, the stages awaiting the actor's sign-off).
    The pick is in the URL, so a reload, Back or a shared link shows the same person."""
    picked = st.session_state.pop(f"{key}-picked", False)
    linked = None if picked else person_in_url(t, actor, journeys)
    if linked is not None:
        if all(j.user_id != linked.user_id for j in journeys):
            journeys = [*journeys, linked]
        st.session_state[key] = linked.user_id
    names = {j.user_id: j.display_name for j in journeys}
    chosen = st.selectbox(t(label_key), list(names), format_func=names.get, key=key, on_change=_picked, args=(key,))
    if picked:  # each pick a step in the browser's history: Back returns to the person before
        st.query_params[PERSON_PARAM] = str(chosen)
    journey = next(j for j in journeys if j.user_id == chosen)
    render_profile_links(t, actor, {chosen: names[chosen]})
    journey_overview(t, journey)
    logs_of(t, actor, journey)
    stage = journey.current
    if stage is not None and chosen not in {j.user_id for j, _ in ready} \
            and can_sign_off(actor, journey.user_id, journey.mentor_id, stage.spec):
        signoff_panel(t, actor, journey, stage)


def review_form(t: Translator, actor: Actor, ticket: PendingTicket) -> None:
    """The checklist starts blank: every area and the outcome are chosen by the reviewer, never by default.

    Saving with an area left unchosen is refused (by the service too) and each such area says so beside it.
    """
    key = f"review-{ticket.call_id}"
    flag_key = f"{key}-flag-unchosen"
    flag = st.session_state.get(flag_key, False)
    call_type = t(f"onboarding.call_type.{ticket.call_type}")
    st.markdown(f"**{ticket.ticket_ref}** · {call_type} · {day(t, ticket.call_date)}")
    st.markdown(f"> {ticket.summary}")
    with st.form(key):
        marks = {}
        for area in CHECKLIST:
            label = t(f"onboarding.checklist.{area}")
            if area in CRITICAL_AREAS:
                label += " · " + t("onboarding.checklist.critical")
            marks[area] = st.radio(label, MARKS, index=None, format_func=lambda m: t(f"onboarding.mark.{m}"),
                                   horizontal=True, key=f"{key}-{area}")
            if flag and marks[area] is None:
                st.markdown(f":red[:material/error: {t('onboarding.review.not_chosen')}]")
        outcome = st.radio(t("onboarding.review.outcome"), list(ReviewOutcome), index=None, horizontal=True,
                           key=f"{key}-outcome", format_func=lambda o: t(f"onboarding.review_outcome.{o.value}"))
        if flag and outcome is None:
            st.markdown(f":red[:material/error: {t('onboarding.review.not_chosen')}]")
        comment = st.text_area(t("onboarding.review.comment"), key=f"{key}-comment",
                               help=t("onboarding.review.comment_help"))
        st.caption(t("onboarding.review.rule", pass_mark=PASS_MARK,
                     critical=", ".join(t(f"onboarding.checklist.{a}") for a in CHECKLIST if a in CRITICAL_AREAS)))
        submitted = st.form_submit_button(t("onboarding.review.submit"), type="primary")
    unchosen = onboarding.unchosen_areas(marks)
    if flag and unchosen:
        st.error(t("onboarding.error.checklist_unchosen", count=len(unchosen),
                   areas=", ".join(t(f"onboarding.checklist.{area}") for area in unchosen)), icon=":material/error:")
    elif flag and outcome is None:
        st.error(t("onboarding.error.outcome_required"), icon=":material/error:")
    if submitted and (unchosen or outcome is None):  # the service refuses it too; here each blank is named
        st.session_state[flag_key] = True
        st.rerun()
    if submitted and run_action(t, lambda s: onboarding.review_ticket(
            s, actor, ticket.call_id, outcome=outcome.value if outcome else None, marks=marks, comment=comment)):
        st.session_state.pop(flag_key, None)
        succeed(t, "onboarding.review.saved", ticket=ticket.ticket_ref, name=ticket.new_hire)


# --------------------------------------------------------------------------- the board as people read it


def stage_cell(t: Translator, row: Mapping, key: str, today: date) -> str:
    status = row[f"{key}_status"]
    if status is None:
        return "—"
    status = StageStatus(status)
    icon, label = STATUS_STYLE[status][2], t(f"onboarding.status.{status.value}")
    due = row[f"{key}_due"]
    if status is StageStatus.PASSED:
        return f"{icon} {day(t, row[f'{key}_signed_off'])}"
    if status is StageStatus.WITHDRAWN:
        return f"{icon} {label}"
    if due is not None and today > due:
        return f"⚠ {label} · {t('onboarding.board.was_due', date=day(t, due))}"
    if status is StageStatus.NOT_STARTED:
        return f"{icon} {t('onboarding.board.due', date=day(t, due))}" if due else icon
    return f"{icon} {label}" + (f" · {t('onboarding.board.due', date=day(t, due))}" if due else "")


def board_display(t: Translator, frame: pd.DataFrame, today: date) -> pd.DataFrame:
    """The board with translated headers and one readable cell per stage."""
    name, flags_head, status_head, overall_head, last_head, team_head, mentor_head = (
        t(key) for key in ("field.display_name", "onboarding.board.flags", "onboarding.board.status",
                           "onboarding.board.overall", "onboarding.board.last_activity", "field.team", "field.mentor"))
    flag_text = {flag: f"{symbol} {t(f'onboarding.flag.{flag}')}" for flag, symbol in FLAG_SYMBOL.items()}
    titles = {key: short_title(t, key) for key in STAGE_KEYS}
    rows = []
    for row in _records(frame):
        record = {name: row["name"], flags_head: ", ".join(text for flag, text in flag_text.items() if row[flag]),
                  status_head: t(f"onboarding.journey.{row['status']}"),
                  overall_head: percent(row["overall_progress"])}
        record.update({titles[key]: stage_cell(t, row, key, today) for key in STAGE_KEYS})
        record[last_head] = day(t, row["last_activity"])
        record[team_head] = row["team"]
        record[mentor_head] = row["mentor"]
        rows.append(record)
    return pd.DataFrame(rows)


def _records(frame: pd.DataFrame) -> Iterator[dict]:
    """The rows as plain dicts, read column by column: iterrows builds a Series per row, to_dict boxes each cell."""
    columns = list(frame.columns)
    for values in zip(*(frame[column].tolist() for column in columns)):
        yield dict(zip(columns, values))


def board_csv(t: Translator, frame: pd.DataFrame) -> bytes:
    """The board for a spreadsheet: translated headers and statuses, ISO dates, yes/no flags (UTF-8 with BOM)."""
    yes_no = {True: t("onboarding.csv.yes"), False: t("onboarding.csv.no")}
    rows = []
    for row in _records(frame):
        record = {t("field.display_name"): row["name"], t("field.username"): row["username"],
                  t("field.team"): row["team"], t("field.cohort"): row["cohort"], t("field.mentor"): row["mentor"],
                  t("onboarding.board.status"): t(f"onboarding.journey.{row['status']}"),
                  t("onboarding.board.current_stage"): short_title(t, row["current_stage"]) if row["current_stage"]
                  else "", t("onboarding.board.overall"): percent(row["overall_progress"])}
        for key in STAGE_KEYS:
            title = short_title(t, key)
            status = row[f"{key}_status"]
            record[t("onboarding.csv.stage_status", stage=title)] = t(f"onboarding.status.{status}") if status else ""
            record[t("onboarding.csv.stage_due", stage=title)] = iso_day(row[f"{key}_due"])
            record[t("onboarding.csv.stage_signed_off", stage=title)] = iso_day(row[f"{key}_signed_off"])
        for flag in ("behind_schedule", "stalled", "asked_to_repeat"):
            record[t(f"onboarding.flag.{flag}")] = yes_no[bool(row[flag])]
        record[t("onboarding.csv.repeat_reason")] = row["repeat_reason"] or ""
        record[t("onboarding.board.last_activity")] = iso_day(row["last_activity"])
        record[t("onboarding.board.shadowing_calls")] = row["shadowing_calls"]
        record[t("onboarding.board.reviewed_calls")] = row["reviewed_calls"]
        record[t("onboarding.board.pending_reviews")] = row["pending_reviews"]
        rows.append(record)
    return exports.csv_bytes(pd.DataFrame(rows))  # formula cells defused, BOM for Excel


def call_type_label(t: Translator):
    return lambda call_type: t(f"onboarding.call_type.{call_type}")

