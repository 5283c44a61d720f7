"""The parts of a learning record: plain, frozen dataclasses with texts in both languages.

Titles keep both languages (`title_en`, `title_zh`) so one record serves a page, a PDF and
a file in either language; `portal.learning_record.tables` picks the reader's.
"""
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class PersonFacts:
    user_id: int
    display_name: str
    username: str
    team: str | None
    cohort: str | None
    mentor: str | None
    active: bool


@dataclass(frozen=True)
class StageEntry:
    """One onboarding stage: where it stands and its latest decision (who signed it off, when)."""

    stage_key: str
    title_en: str
    title_zh: str
    status: str  # portal.onboarding.rules.StageStatus
    outcome: str | None  # SignoffOutcome of the latest decision
    signed_on: date | None
    signed_by: str | None
    reason: str


@dataclass(frozen=True)
class ModuleEntry:
    stage_key: str
    module_id: str
    title_en: str
    title_zh: str
    completed_on: date | None
    completed_version: str | None
    current_version: str
    minutes_spent: int | None

    @property
    def outdated(self) -> bool:
        """Completed, but the module's text changed since."""
        return self.completed_on is not None and self.completed_version != self.current_version


@dataclass(frozen=True)
class ExamEntry:
    """A written exam or a practical: the grade that counts (by the exam's grading method)."""

    exam_id: int
    code: str
    kind: str  # written | practical
    title_en: str
    title_zh: str
    attempts: int
    percent: float
    passed: bool
    submitted_on: date | None


@dataclass(frozen=True)
class CoachingEntry:
    """The shared part of a coaching session. There is deliberately no field for private notes."""

    session_id: int
    held_on: date
    focus_area: str
    coach: str
    shared_notes: str
    acknowledged_on: date | None


@dataclass(frozen=True)
class QaSummary:
    evaluations: int
    average_percent: float | None
    last_on: date | None


@dataclass(frozen=True)
class CertificateEntry:
    title_en: str
    title_zh: str
    issued_on: date
    expires_on: date | None = None
    reference: str = ""
    """The verification code (an admin looks it up to confirm the certificate is real)."""


@dataclass(frozen=True)
class LearningRecord:
    person: PersonFacts
    generated_at: datetime
    stages: tuple[StageEntry, ...] = ()
    modules: tuple[ModuleEntry, ...] = ()
    exams: tuple[ExamEntry, ...] = ()
    coaching: tuple[CoachingEntry, ...] = ()
    qa: QaSummary | None = None
    """None when the reader may not see this person's quality evaluations (`qa:evaluations_read`)."""
    certificates: tuple[CertificateEntry, ...] = field(default=())
