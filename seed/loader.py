"""Load the demo center. Loading twice changes nothing.

Each area of the portal has a module here with `load(ctx)`; they run in the
order below, in one transaction, so a failure leaves the database as it was.
"""
import importlib

from sqlalchemy import Engine

from portal.clock import today
from portal.db import get_engine, session_scope
from seed.context import SeedContext

AREAS = ("seed.core", "seed.quizbank", "seed.onboarding", "seed.exams", "seed.wellbeing", "seed.coaching",
         "seed.qa_scorecards", "seed.qa_calls", "seed.qa_demo", "seed.recognition_demo", "seed.contests_demo", "seed.teams")


def load_demo(engine: Engine | None = None) -> dict[str, int]:
    with session_scope(engine or get_engine()) as session:
        ctx = SeedContext(session=session, today=today())
        for area in AREAS:
            importlib.import_module(area).load(ctx)
            session.flush()
    return ctx.created


def is_seeded(engine: Engine | None = None) -> bool:
    from sqlmodel import select

    from portal.models import User

    with session_scope(engine or get_engine()) as session:
        return session.exec(select(User.id).where(User.username == "admin")).first() is not None
