"""`portal seed large`, at 1% of its size: shape, counts, and a usable database after."""
import pytest
from sqlalchemy import text
from sqlmodel import Session

from portal.errors import PortalError
from portal.roles import Role
from seed.large import Scale, build_large
from tests.utils.factories import make_user

SMALL = Scale.fraction(0.01)


def count(engine, table):
    with engine.connect() as c:
        return c.execute(text(f"SELECT count(*) FROM {table}")).scalar()


def test_large_seed_builds_the_requested_shape(engine):
    steps = []
    counts = build_large(engine, progress=lambda step, fraction: steps.append((step, fraction)), scale=SMALL)
    assert count(engine, "team") == SMALL.teams
    assert count(engine, "attempt_answer") == counts["answers"] == SMALL.answers // SMALL.slots * SMALL.slots
    assert count(engine, "attempt") == SMALL.answers // SMALL.slots
    assert count(engine, "coaching_session") == SMALL.coaching_sessions
    assert count(engine, "wellbeing_response") == SMALL.checkins
    assert count(engine, "question") == 2 * SMALL.questions  # English and Chinese, linked by idnumber
    assert count(engine, "module_progress") == counts["modules_read"] > 0  # new hires along the programme
    assert count(engine, "stage_signoff") == counts["stage_signoffs"] > 0
    assert steps[0][1] == 0.0 and steps[-1] == ("done", 1.0)
    with engine.connect() as c:
        mean = c.execute(text("SELECT avg(percent) FROM attempt")).scalar()
        low = c.execute(text("SELECT count(*) FROM attempt WHERE percent < 70")).scalar()
    assert 75 < mean < 97, "most agents score high"
    assert low > 0, "a few agents sit low"


def test_large_seed_refuses_a_database_with_data(engine):
    build_large(engine, scale=SMALL)
    with pytest.raises(PortalError, match="fresh, empty database"):
        build_large(engine, scale=SMALL)


def test_the_database_stays_usable_after_explicit_ids(engine):
    build_large(engine, scale=SMALL)
    with Session(engine) as session:
        user = make_user(session, "after.large", Role.AGENT)  # id sequences moved past the bulk rows
        session.commit()
    assert user.id > SMALL.agents


def test_large_seed_packs_every_attempt_for_item_analysis(engine):
    """seed/large.py writes `attempt_marks` itself (bulk), equal to what the app packs from the answers."""
    import numpy as np

    from portal.models import Exam
    from portal.quizzes import analysis, attempt_marks

    build_large(engine, scale=SMALL)
    assert count(engine, "attempt_marks") == count(engine, "attempt")
    with Session(engine) as session:
        seeded = dict(session.execute(text("SELECT attempt_id, marks FROM attempt_marks")).all())
        attempt_marks.rebuild(session)
        assert dict(session.execute(text("SELECT attempt_id, marks FROM attempt_marks")).all()) == seeded
        exam = session.get(Exam, 1)
        fast, reference = analysis.marks_matrix(session, exam), analysis.marks_matrix_from_answers(session, exam)
        assert fast.marks.shape[0] > 0
        np.testing.assert_array_equal(fast.marks, reference.marks)
        np.testing.assert_array_equal(fast.attempt_ids, reference.attempt_ids)


def test_scale_times_grows_the_people_not_the_catalogue():
    """`portal seed large --scale 5`: issue 15's 5x center; each person's own data stays the same size."""
    five = Scale.times(5)
    assert (five.agents, five.teams, five.answers, five.checkins) == (10_000, 500, 5_000_000, 500_000)
    assert (five.newhires, five.coaching_sessions) == (1_500, 100_000)
    assert (five.questions, five.exams, five.slots, five.cohorts) == (Scale().questions, Scale().exams,
                                                                      Scale().slots, Scale().cohorts)
    assert five.agents // five.teams == Scale().agents // Scale().teams  # teams of 20 at any scale
    assert Scale.times(1) == Scale()  # `portal seed large` without --scale builds exactly what it did
    with pytest.raises(ValueError):
        Scale.times(0)


def test_a_tiny_fraction_of_times_builds_a_usable_center(engine):
    tiny = Scale.times(0.01)
    assert (tiny.teams, tiny.agents, tiny.answers) == (1, 20, 10_000)
    counts = build_large(engine, scale=tiny)
    assert count(engine, "user_account") == counts["users"] > tiny.agents
    assert count(engine, "attempt_answer") == tiny.answers
    assert count(engine, "wellbeing_response") == tiny.checkins
