"""A learning record as translated tables: what the page shows and the CSV/XLSX files hold.

One frame per section, in the reader's language, so the screen, the PDF and the files agree.
"""
from collections.abc import Callable

import pandas as pd

from portal import exports
from portal.coaching.settings import focus_label
from portal.i18n import Translator, localized
from portal.learning_record.entries import LearningRecord

SECTIONS = ("person", "stages", "modules", "exams", "coaching", "qa", "certificates")
HEADER_PREFIX = "record.col."


def _title(entry, language: str) -> str:
    return localized({"en": entry.title_en, "zh-CN": entry.title_zh}, language)


def _yes_no(t: Translator, value: bool) -> str:
    return t("record.yes") if value else t("record.no")


def _person(record: LearningRecord, t: Translator) -> pd.DataFrame:
    p = record.person
    rows = [(t("record.col.name"), p.display_name), (t("record.col.username"), p.username),
            (t("record.col.team"), p.team or "—"), (t("record.col.cohort"), p.cohort or "—"),
            (t("record.col.mentor"), p.mentor or "—"),
            (t("record.col.account"), t("record.active") if p.active else t("record.inactive"))]
    return pd.DataFrame(rows, columns=["fact", "value"])


def _stages(record: LearningRecord, t: Translator) -> pd.DataFrame:
    return pd.DataFrame([{
        "stage": _title(s, t.language), "status": t(f"onboarding.status.{s.status}"),
        "decision": t(f"onboarding.outcome.{s.outcome}") if s.outcome else "", "signed_on": s.signed_on,
        "signed_by": s.signed_by or "", "reason": s.reason} for s in record.stages],
        columns=["stage", "status", "decision", "signed_on", "signed_by", "reason"])


def _modules(record: LearningRecord, t: Translator) -> pd.DataFrame:
    return pd.DataFrame([{
        "module": _title(m, t.language), "completed_on": m.completed_on, "version": m.completed_version or "",
        "current_version": m.current_version, "outdated": _yes_no(t, m.outdated),
        "minutes": m.minutes_spent} for m in record.modules],
        columns=["module", "completed_on", "version", "current_version", "outdated", "minutes"])


def _exams(record: LearningRecord, t: Translator) -> pd.DataFrame:
    return pd.DataFrame([{
        "exam": _title(e, t.language), "kind": t(f"exams.kind.{e.kind}"), "attempts": e.attempts,
        "percent": round(e.percent, 1), "passed": _yes_no(t, e.passed), "submitted_on": e.submitted_on}
        for e in record.exams], columns=["exam", "kind", "attempts", "percent", "passed", "submitted_on"])


def _coaching(record: LearningRecord, t: Translator) -> pd.DataFrame:
    return pd.DataFrame([{
        "held_on": c.held_on, "focus": focus_label(t, c.focus_area), "coach": c.coach,
        "shared_notes": c.shared_notes, "acknowledged_on": c.acknowledged_on} for c in record.coaching],
        columns=["held_on", "focus", "coach", "shared_notes", "acknowledged_on"])


def _qa(record: LearningRecord, t: Translator) -> pd.DataFrame:
    if record.qa is None:
        return pd.DataFrame(columns=["evaluations", "average_percent", "last_on"])
    q = record.qa
    return pd.DataFrame([{"evaluations": q.evaluations, "average_percent": q.average_percent, "last_on": q.last_on}])


def _certificates(record: LearningRecord, t: Translator) -> pd.DataFrame:
    return pd.DataFrame([{"certificate": _title(c, t.language), "issued_on": c.issued_on, "expires_on": c.expires_on,
                          "reference": c.reference} for c in record.certificates],
                        columns=["certificate", "issued_on", "expires_on", "reference"])


BUILDERS: dict[str, Callable[[LearningRecord, Translator], pd.DataFrame]] = {
    "person": _person, "stages": _stages, "modules": _modules, "exams": _exams, "coaching": _coaching, "qa": _qa,
    "certificates": _certificates}


def empty_key(record: LearningRecord, section: str) -> str:
    """The text for a section with no rows: quality is "not shown to you" when the reader may not see it."""
    if section == "qa" and record.qa is None:
        return "record.qa_not_shown"
    return f"record.empty.{section}"


def record_frames(record: LearningRecord, t: Translator, *, headers: bool = True) -> dict[str, pd.DataFrame]:
    """Section -> its table in `t`'s language (column headers translated unless `headers=False`)."""
    frames = {section: BUILDERS[section](record, t) for section in SECTIONS}
    if headers:
        frames = {section: exports.with_headers(frame, t, HEADER_PREFIX) for section, frame in frames.items()}
    return frames


def record_workbook(record: LearningRecord, t: Translator) -> bytes:
    """An XLSX file, one sheet per section, sheets named in the reader's language."""
    frames = record_frames(record, t)
    return exports.xlsx_workbook({t(f"record.section.{section}"): frame for section, frame in frames.items()})


def record_csv(record: LearningRecord, t: Translator) -> bytes:
    """One CSV file: every section's rows one after another, the section named in the first column."""
    parts = []
    for section, frame in record_frames(record, t).items():
        frame = frame.copy()
        frame.insert(0, t("record.col.section"), t(f"record.section.{section}"))
        parts.append(frame)
    return exports.csv_bytes(pd.concat(parts, ignore_index=True))
