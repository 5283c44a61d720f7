"""A trainer in a real browser: an untouched marking sheet is refused, a double click creates one exam,
"Start a practical" offers only open exams, and the answer grid shows its Feedback column."""
import re

import pytest
from sqlmodel import Session, select

from portal.models import Attempt, Exam
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def open_page(page, label):
    page.get_by_test_id("stSidebar").get_by_text(label, exact=True).click()
    page.get_by_role("heading", name=label, exact=True).first.wait_for()


def main_height(page) -> int:
    return page.evaluate("document.querySelector('[data-testid=stMainBlockContainer]').scrollHeight")


def whole_page_screenshot(page, name: str) -> None:
    """The main area scrolls inside the window: make the window as tall as the page for one picture."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": main_height(page) + 100})
    page.wait_for_timeout(500)
    screenshot(page, name)
    page.set_viewport_size(size)


def waiting_practicals(engine) -> int:
    with Session(engine) as session:
        exam = session.exec(select(Exam).where(Exam.code == "practical-roleplay-q1")).one()
        return len(session.exec(select(Attempt).where(Attempt.exam_id == exam.id,
                                                      Attempt.status == "needs_marking")).all())


def test_an_untouched_marking_sheet_is_refused_then_saved_once_scored(app_server, page, demo_engine):
    sign_in(page, app_server, "trainer")
    open_page(page, "Marking queue")
    page.get_by_text("Gao Yan 高燕: attempt 1").wait_for()
    sheet = page.get_by_test_id("stButtonGroup")
    sheet.nth(16).wait_for()
    assert sheet.count() == 17
    page.wait_for_timeout(1000)
    height = main_height(page)
    whole_page_screenshot(page, "marking-sheet-en")
    assert height < 3000, height  # the whole page; was about 4,000 px for the sheet alone (a box per item)

    page.get_by_role("button", name="Save marks").click()
    page.get_by_text("Score every item before saving: 17 not scored yet (no. 1, 2, 3").wait_for()
    assert page.get_by_text(re.compile("Not scored yet$")).count() == 17
    assert waiting_practicals(demo_engine) == 1
    whole_page_screenshot(page, "marking-sheet-refused-en")

    for group in sheet.all():  # the first choice: 0 points, or "Met" on a critical item
        group.locator("button").first.click()
    page.get_by_text("17 / 17").wait_for()
    page.get_by_role("button", name="Save marks").click()
    page.get_by_text("Marks saved.").first.wait_for()
    assert waiting_practicals(demo_engine) == 0


def test_double_click_on_create_exam_makes_one_exam_and_blanks_the_form(app_server, page, demo_engine):
    sign_in(page, app_server, "trainer")
    open_page(page, "Exams")
    table_states = page.get_by_test_id("stDataFrame").first
    table_states.wait_for()
    page.get_by_label("Code", exact=True).fill("roaming-check")
    page.get_by_label("Title (English)").fill("Roaming check")
    page.get_by_label("Title (Chinese)").fill("漫游小测")
    questions = page.get_by_label("Questions (by idnumber)")
    for _ in range(2):
        questions.click()
        page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Create exam").dblclick()
    page.get_by_text("Exam created.").first.wait_for()
    page.get_by_role("button", name="Save changes").wait_for()
    page.wait_for_timeout(1500)
    assert page.get_by_text("already uses the code").count() == 0
    with Session(demo_engine) as session:
        assert len(session.exec(select(Exam).where(Exam.code == "roaming-check")).all()) == 1
    screenshot(page, "exams-created-en")
    page.get_by_label("Exam to edit").click()
    page.keyboard.type("New exam")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Create exam").wait_for()
    assert page.get_by_label("Code", exact=True).input_value() == ""
    assert page.get_by_label("Title (English)").input_value() == ""


def test_start_a_practical_offers_only_open_exams_and_adds_one(app_server, page, demo_engine):
    sign_in(page, app_server, "trainer")
    open_page(page, "Marking queue")
    page.get_by_role("tab", name="Start a practical").click()
    exam_box = page.get_by_label("Exam", exact=True).first  # the tab before "Override a grade"
    exam_box.wait_for()
    exam_box.click()
    offered = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    assert offered == ["Q1 practical exam: role-played call"]  # no archived or closed monthly practicals
    assert page.get_by_label("Learner", exact=True).input_value() == "He Tao 何涛"  # Gao Yan's is waiting
    before = waiting_practicals(demo_engine)
    page.get_by_role("button", name="Add to the marking queue").dblclick()
    page.get_by_text("Practical added to the marking queue.").first.wait_for()
    page.wait_for_timeout(1500)
    assert page.get_by_text("not a learner assigned").count() == 0
    assert waiting_practicals(demo_engine) == before + 1  # a double click adds one practical
    page.get_by_role("tab", name="Start a practical").click()  # the one just added is not offered again
    learner_box = page.get_by_label("Learner", exact=True)
    learner_box.click()
    learners = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    assert "He Tao 何涛" not in learners and "Gao Yan 高燕" not in learners, learners  # both waiting to be marked


def test_the_answer_grid_shows_its_feedback_column_at_1280_px(app_server, page):
    sign_in(page, app_server, "trainer")
    open_page(page, "Question bank")
    page.locator("[data-testid='stRadio'] label").filter(has_text="Edit").click()
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for()
    page.wait_for_timeout(1000)
    box = grid.bounding_box()
    headers = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stDataFrame] [role=columnheader]')]
        .map(h => [h.innerText, h.getBoundingClientRect().right])""")
    grid.screenshot(path=str(screenshot(page, "question-answer-grid-en").with_name("question-answer-grid-only.png")))
    feedback = [right for text, right in headers if re.search("Feedback", text)]
    assert feedback and feedback[0] <= box["x"] + box["width"] + 1, (headers, box)
