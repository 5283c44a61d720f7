"""What closing a contest gives its winners: the "contest winner" badge and a certificate.

Badges and certificates belong to `portal.recognition.badges` and `portal.certificates` (issue #19, recognition
part). `reward_winners` is the one hook a closing contest calls. Both are idempotent by their source key, so
closing twice (a double click, a retry) rewards once. Where those modules are missing (a branch without them),
it gives nothing and says so in the audit log.
"""
import importlib.util

from sqlmodel import Session

from portal import audit
from portal.clock import local_date
from portal.models import Contest

BADGE = "contest_winner"


def recognition_available() -> bool:
    try:
        return all(importlib.util.find_spec(name) is not None
                   for name in ("portal.recognition.badges", "portal.certificates.issue"))
    except ModuleNotFoundError:  # the package itself is missing
        return False


def reward_winners(session: Session, contest: Contest, winner_ids: list[int]) -> int:
    """Give each winner the contest-winner badge and a certificate, once per contest. Returns how many people."""
    if not winner_ids:
        return 0
    if not recognition_available():
        audit.record(session, actor_id=None, action="contest.rewards_pending", target=contest.title_en,
                     contest=contest.id, winners=len(winner_ids))
        return 0
    from portal.certificates.issue import issue_certificate
    from portal.recognition.badges import award_badge

    achieved_on = local_date(contest.closed_at or contest.ends_at)
    for user_id in winner_ids:
        award_badge(session, user_id, BADGE, source_key=f"contest:{contest.id}")
        issue_certificate(session, user_id, "contest", title_en=f"Winner of {contest.title_en}",
                          title_zh=f"{contest.title_zh} 优胜", achieved_on=achieved_on,
                          source_key=f"contest:{contest.id}:user:{user_id}")
    return len(winner_ids)
