"""What closing a contest gives its winners: the "contest winner" badge and a certificate.

Badges and certificates belong to portal.recognition and portal.certificates (issue #19, recognition part).
`reward_winners` is the one hook a closing contest calls; until those modules exist it gives nothing and
says so in the audit log, so wiring them in later touches this function only.
"""
import importlib.util

from sqlmodel import Session

from portal import audit
from portal.models import Contest

BADGE = "contest_winner"


def recognition_available() -> bool:
    return importlib.util.find_spec("portal.recognition") is not None


def reward_winners(session: Session, contest: Contest, winner_ids: list[int]) -> int:
    """Give each winner the contest-winner badge (once per contest: the source key). Returns how many were given."""
    if not winner_ids:
        return 0
    if not recognition_available():
        audit.record(session, actor_id=None, action="contest.rewards_pending", target=contest.title_en,
                     contest=contest.id, winners=len(winner_ids))
        return 0
    from portal.recognition.badges import award_badge

    for user_id in winner_ids:
        award_badge(session, user_id, BADGE, source_key=f"contest:{contest.id}")
    return len(winner_ids)
