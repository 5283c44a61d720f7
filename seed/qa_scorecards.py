"""Demo QA scorecards: "Voice call" (语音通话质检) and "Complaint handling" (投诉处理), from qa/scorecards/*.yaml.

Loading twice changes nothing (an unchanged file makes no new version). Other demo loaders
that need the scorecards (evaluations, calibration, quality focus) call `demo_scorecards`.
"""
from sqlmodel import Session

from portal.auth import actor_for
from portal.models import User
from portal.qa import scorecards
from seed.context import SeedContext

AUTHOR = "qa"
VOICE_CALL = "voice-call"
COMPLAINT_HANDLING = "complaint-handling"


def demo_scorecards(session: Session, author: User) -> dict[str, int]:
    """Make sure the demo scorecards are in the database; code -> current version id."""
    actor = actor_for(session, author)
    specs, errors = scorecards.load_scorecard_files()
    if errors:
        raise ValueError("; ".join(map(str, errors)))
    return {code: scorecards.save_scorecard(session, actor, spec).id for code, spec in specs.items()}


def load(ctx: SeedContext) -> None:
    before = len(scorecards.list_scorecards(ctx.session, actor_for(ctx.session, ctx.user(AUTHOR))))
    versions = demo_scorecards(ctx.session, ctx.user(AUTHOR))
    if len(versions) > before:
        ctx.count("qa scorecards", len(versions) - before)
