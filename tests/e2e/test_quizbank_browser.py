"""A trainer imports a good GIFT file and sees a bad one rejected with line numbers; a new hire takes a
practice quiz and sees feedback. In a real browser."""
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "quizbank"


def test_trainer_imports_a_good_file_and_sees_a_bad_one_rejected(app_server, page):
    sign_in(page, app_server, "trainer")
    page.get_by_test_id("stSidebar").get_by_text("Question bank").click()
    page.get_by_role("heading", name="Question bank").wait_for()
    page.get_by_role("button", name="New question").wait_for()  # drawn after the table
    screenshot(page, "quizbank-bank-en")
    page.locator("[data-testid='stRadio'] label").filter(has_text="Import").click()
    page.locator("input[type='file']").set_input_files(str(FIXTURES / "good.gift"))
    page.get_by_text("good.gift: 7 questions read and checked").wait_for()
    page.get_by_role("button", name="Import 7 questions in English").click()
    page.get_by_text("Imported: 7 new, 0 updated, 0 unchanged.").wait_for()
    screenshot(page, "quizbank-import-good")

    page.locator("input[type='file']").set_input_files(str(FIXTURES / "bad.gift"))
    alert = page.get_by_text("bad.gift was not imported; problems found: 3")
    alert.wait_for()
    for line in ("Line 2: The question has no right answer worth 100%.", "Line 9:", "Line 14:"):
        assert page.get_by_text(line).first.is_visible()
    screenshot(page, "quizbank-import-bad")


def answer_whatever_is_shown(page):
    form = page.get_by_test_id("stForm")
    options = form.locator("[data-testid='stRadio'] [role='radiogroup'] label")
    if options.count():
        options.first.click()
    for box in form.locator("[data-testid='stCheckbox'] label").all()[:1]:
        box.click()
    if form.get_by_role("textbox").count():
        form.get_by_role("textbox").first.fill("250")
    for select in form.locator("[data-testid='stSelectbox']").all():
        select.click()
        page.get_by_role("option").first.click()


def answer_and_check(page) -> None:
    """Answer and press "Check my answer" until the feedback shows. A choice clicked while the page
    still redraws the question can be lost (the page then says "Give an answer first"), and a
    person simply answers again; the test does the same, at most three times."""
    feedback = page.get_by_text(re.compile(r"^(Correct\.|Not correct\.|Partly correct)"))
    for _ in range(3):
        answer_whatever_is_shown(page)
        page.get_by_role("button", name="Check my answer").click()
        try:
            feedback.wait_for(timeout=10_000)
            return
        except Exception:
            if not page.get_by_text("Give an answer first.").count():
                raise
    raise AssertionError("the answer was never taken")


def test_newhire_takes_a_practice_quiz_and_sees_feedback(app_server, page):
    sign_in(page, app_server, "newhire")
    page.get_by_text("questions due for review").wait_for()  # the home page's review block
    page.get_by_test_id("stSidebar").get_by_text("Practice quizzes").click()
    page.get_by_role("heading", name="Spaced review").wait_for()
    screenshot(page, "practice-list-en")
    page.get_by_role("button", name="Start").first.click()
    page.get_by_text("Question 1 of 10").wait_for()
    answer_and_check(page)
    page.get_by_role("button", name="Next question").wait_for()
    screenshot(page, "practice-feedback-en")

    assert "attempt=" in page.url
    page.reload()  # the attempt is in the URL: back to it, the answer kept
    page.get_by_text("1 of 10 answered").wait_for()
    page.get_by_text("Question 2 of 10").wait_for()

    page.get_by_test_id("stSidebar").get_by_text("My account").click()
    page.get_by_text("简体中文").click()
    page.get_by_test_id("stSidebar").get_by_text("我的账户").wait_for()
    page.go_back()  # Back returns to the attempt, not Home
    page.get_by_text("已答 1 / 10 题").wait_for()  # the attempt stays open, in the language it was served in
    page.get_by_role("button", name="返回练习列表").click()
    page.get_by_role("heading", name="间隔复习").wait_for()
    screenshot(page, "practice-list-zh")
