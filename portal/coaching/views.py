"""The plain objects services return and pages show."""
from dataclasses import dataclass
from datetime import date

from portal.clock import today


@dataclass(frozen=True)
class ActionItemInput:
    description: str
    owner_id: int
    due_on: date


@dataclass(frozen=True)
class LinkInput:
    kind: str
    ref_id: int


@dataclass(frozen=True)
class SessionDraft:
    agent_id: int
    held_on: date
    focus_area: str
    shared_notes: str = ""
    private_notes: str = ""
    follow_up_on: date | None = None
    links: tuple[LinkInput, ...] = ()
    action_items: tuple[ActionItemInput, ...] = ()


@dataclass(frozen=True)
class ActionItemView:
    id: int
    session_id: int
    description: str
    owner_id: int
    owner_name: str
    due_on: date
    done: bool
    overdue: bool


@dataclass(frozen=True)
class LinkView:
    kind: str
    ref_id: int
    exam_title_en: str = ""
    exam_title_zh: str = ""
    percent: float | None = None
    submitted_on: date | None = None
    critical_missed: bool = False  # a QA evaluation that missed a critical item


@dataclass(frozen=True)
class Effect:
    """Exam average and count before and after a session; the same for the agent's live QA scores."""

    before_avg: float | None
    before_n: int
    after_avg: float | None
    after_n: int
    qa_before_avg: float | None = None
    qa_before_n: int = 0
    qa_after_avg: float | None = None
    qa_after_n: int = 0

    @property
    def change(self) -> float | None:
        if self.before_avg is None or self.after_avg is None:
            return None
        return round(self.after_avg - self.before_avg, 1)

    @property
    def qa_change(self) -> float | None:
        if self.qa_before_avg is None or self.qa_after_avg is None:
            return None
        return round(self.qa_after_avg - self.qa_before_avg, 1)


@dataclass(frozen=True)
class SessionView:
    """A session as one reader may see it: `private_notes` is None unless they may read it."""

    id: int
    agent_id: int
    agent_name: str
    author_id: int
    author_name: str
    team_id: int | None
    held_on: date
    focus_area: str
    shared_notes: str
    private_notes: str | None
    follow_up_on: date | None
    ack_due_on: date
    acknowledged_at: object
    ack_comment: str
    version: int
    links: tuple[LinkView, ...] = ()
    action_items: tuple[ActionItemView, ...] = ()
    effect: Effect | None = None
    can_edit: bool = False

    @property
    def acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def ack_overdue(self) -> bool:
        return self.acknowledged_at is None and self.ack_due_on < today()
