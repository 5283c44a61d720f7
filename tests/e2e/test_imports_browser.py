"""Files as people save them, in a real browser: a GBK GIFT file and a GBK users CSV from Chinese Excel are
read and say their encoding; an empty file is refused clearly; item analysis shows "—" and practical items by
their text (issue 12 items 15-16, issue 13 item 9)."""
import pytest

from tests.e2e.conftest import ARTIFACTS, screenshot, sign_in

pytestmark = pytest.mark.e2e

GIFT_GBK = ("$CATEGORY: $course$/产品/漫游\n\n"
            "::漫游套餐:: 去日本用哪个套餐最划算？{=日套餐#对：每天封顶。 ~按量付费#太贵了。}\n\n"
            "1 + 2 \\= {3}\n").encode("gbk")
USERS_GBK = "username,display_name,roles\nzhou.min,周敏,newhire\n".encode("gbk")


def upload(page, name: str, data: bytes, mime: str = "text/plain") -> None:
    page.locator("input[type='file']").set_input_files({"name": name, "mimeType": mime, "buffer": data})


def test_trainer_imports_a_gbk_gift_file_and_an_empty_one_is_refused(app_server, page):
    sign_in(page, app_server, "trainer")
    page.get_by_test_id("stSidebar").get_by_text("Question bank").click()
    page.get_by_role("heading", name="Question bank").wait_for()
    page.locator("[data-testid='stRadio'] label").filter(has_text="Import").click()

    upload(page, "roaming.gift", GIFT_GBK)
    page.get_by_text("roaming.gift: 2 questions read and checked. Nothing is saved yet. Read as GB18030.").wait_for()
    grid = page.get_by_test_id("stDataFrame")
    grid.wait_for()
    categories = grid.locator("[role='gridcell']").filter(has_text="产品/漫游")
    categories.first.wait_for(state="attached")
    assert categories.count() == 2  # the Category column, filed as Moodle files "$course$/产品/漫游"
    screenshot(page, "quizbank-import-gbk")

    upload(page, "empty.gift", b"")
    page.get_by_text("The file is empty: there is nothing to import.").wait_for()
    assert not page.get_by_role("button", name="Import 2 questions in English").count()
    screenshot(page, "quizbank-import-empty")

    upload(page, "comments.gift", b"// only a comment\n")
    page.get_by_text("The file holds no questions").wait_for()


def test_admin_previews_a_users_csv_saved_by_chinese_excel(app_server, page):
    sign_in(page, app_server, "admin")
    page.get_by_test_id("stSidebar").get_by_text("Import users").click()
    page.get_by_role("heading", name="Import users").wait_for()
    upload(page, "users.csv", USERS_GBK, "text/csv")
    page.get_by_text("Read as GB18030.").wait_for()
    page.get_by_text("Every row is valid.").wait_for()
    screenshot(page, "users-import-gbk")
    upload(page, "empty.csv", b"", "text/csv")
    page.get_by_test_id("stAlert").get_by_text("The file is empty: there is nothing to import.").wait_for()
    screenshot(page, "users-import-empty")


def test_item_analysis_of_a_practical_shows_item_titles(app_server, page):
    page.set_viewport_size({"width": 2400, "height": 1000})  # every column of the table in view
    sign_in(page, app_server, "trainer")
    page.get_by_test_id("stSidebar").get_by_text("Item analysis").click()
    page.get_by_role("heading", name="Item analysis").wait_for()
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option").filter(has_text="practical").first.click()
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for()
    cells = grid.locator("[role='gridcell']")
    cells.filter(has_text="Verifies the caller's identity").first.wait_for(state="attached")
    assert cells.filter(has_text="verify-before-details").count() == 0
    # every demo candidate got full marks on that item: its discrimination is undefined and reads "—"
    grid.screenshot(path=str(ARTIFACTS / "item-analysis-grid.png"))
    assert cells.filter(has_text="—").count() >= 1 and cells.filter(has_text="None").count() == 0
    grid.scroll_into_view_if_needed()
    screenshot(page, "item-analysis-practical")
    assert "None" not in page.get_by_test_id("stMain").inner_text()
    page.get_by_text("—: not defined for these attempts.").wait_for()
