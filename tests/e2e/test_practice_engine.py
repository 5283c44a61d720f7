"""A practice run on the attempt engine (#14.1), in a real browser: answer, reload mid-way (the answer
and its feedback are kept, nothing graded twice), finish with a double click on "Finish now" — one
attempt, graded once, with the engine's percent."""
import re

import pytest
from sqlmodel import Session, select

from portal.auth import find_user
from portal.models import Attempt, AttemptAnswer, Exam
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_quizbank_browser import answer_and_check

pytestmark = pytest.mark.e2e


def practice_attempts(engine, username: str) -> list[Attempt]:
    with Session(engine) as session:
        user = find_user(session, username)
        return list(session.exec(select(Attempt).join(Exam, Exam.id == Attempt.exam_id)
                                 .where(Attempt.user_id == user.id, Exam.kind == "practice")
                                 .order_by(Attempt.id)).all())


def test_practice_run_reload_and_double_finish_make_one_attempt(app_server, demo_engine, page):
    before = {a.id for a in practice_attempts(demo_engine, "newhire")}
    sign_in(page, app_server, "newhire")
    page.get_by_test_id("stSidebar").get_by_text("Practice quizzes").click()
    page.get_by_role("heading", name="Spaced review").wait_for()
    start = page.get_by_role("button", name="Start").first
    start.dblclick()  # a double click on Start opens one attempt
    page.get_by_text("Question 1 of 10").wait_for()
    answer_and_check(page)
    page.get_by_role("button", name="Next question").click()
    page.get_by_text("Question 2 of 10").wait_for()
    answer_and_check(page)
    feedback_before = page.get_by_text(re.compile(r"^(Correct\.|Not correct\.|Partly correct)")).first.inner_text()

    page.reload()  # mid-way: back to the attempt, two answers kept with their feedback
    page.get_by_text("2 of 10 answered").wait_for()
    page.get_by_text("Question 3 of 10").wait_for()
    screenshot(page, "practice-engine-after-reload")
    opened = [a for a in practice_attempts(demo_engine, "newhire") if a.id not in before]
    assert len(opened) == 1 and opened[0].status == "in_progress"
    with Session(demo_engine) as session:
        answers = session.exec(select(AttemptAnswer).where(AttemptAnswer.attempt_id == opened[0].id)).all()
        graded = [a for a in answers if a.mark is not None]
        assert len(graded) == 2 and all(a.feedback is not None for a in graded)  # graded when saved
    assert feedback_before

    page.get_by_role("button", name="Finish now").dblclick()
    page.get_by_text("Your score").wait_for()
    screenshot(page, "practice-engine-finished")
    after = [a for a in practice_attempts(demo_engine, "newhire") if a.id not in before]
    assert len(after) == 1, "a double click on Finish made a second attempt"
    attempt = after[0]
    assert attempt.status == "graded" and attempt.max_score > 0
    assert attempt.percent == round(100 * attempt.score / attempt.max_score, 4)
    shown = page.get_by_test_id("stMetricValue").inner_text()
    assert shown == f"{attempt.percent:.0f}%"
