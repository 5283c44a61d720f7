"""Messages sent when something happens to someone: each called by the service that made it happen."""
from sqlmodel import Session

from portal.i18n import LANGUAGES
from portal.notifications.inbox import notify


def _titles(text) -> dict[str, str]:
    """A LocalizedText (or a pair of titles) as the by-language parameter `notify` keeps."""
    if isinstance(text, dict):
        return text
    return {language: text.get(language) for language in LANGUAGES}


def coaching_written(session: Session, *, agent_id: int, session_id: int, author: str, held_on) -> None:
    notify(session, agent_id, "coaching_written", page="pages/training_coaching.py", query={"session": session_id},
           dedupe_key=f"coaching:{session_id}", author=author, held=held_on)


def ticket_reviewed(session: Session, *, new_hire_id: int, call_id: int, ticket: str, passed: bool,
                    reviewer: str) -> None:
    notify(session, new_hire_id, "ticket_passed" if passed else "ticket_rework", page="pages/training_supervised.py",
           dedupe_key=f"ticket:{call_id}", ticket=ticket, reviewer=reviewer)


def stage_decided(session: Session, *, new_hire_id: int, stage_key: str, stage_title, outcome: str,
                  reason: str, signoff_id: int) -> None:
    """A stage passed, or asked to repeat with its reason (a withdrawal is told in person, not by message)."""
    if outcome not in ("passed", "repeat"):
        return
    notify(session, new_hire_id, f"stage_{outcome}", page="pages/training_onboarding.py",
           dedupe_key=f"signoff:{signoff_id}", stage=_titles(stage_title), reason=reason)


def attempt_marked(session: Session, *, learner_id: int, attempt_id: int, exam_titles: dict[str, str]) -> None:
    """Marked by a trainer; the exam page shows the marks when the exam's review options allow."""
    notify(session, learner_id, "attempt_marked", page="pages/training_exams.py", query={"attempt": attempt_id},
           dedupe_key=f"marked:{attempt_id}", exam=exam_titles)
