"""The onboarding journey in a real browser on the demo center: the new hire reads, completes and logs;
the mentor reviews a ticket and signs off a stage; the trainer reads and exports the cohort board."""
import csv
import re
from contextlib import contextmanager

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e




@contextmanager
def chinese_page(browser):
    """A page in a browser that asks for Chinese (the app follows the browser's language)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        yield page
    finally:
        context.close()


def open_page(page, label):
    page.get_by_test_id("stSidebar").get_by_text(label, exact=True).click()
    page.get_by_role("heading", name=label, exact=True).wait_for()


def test_newhire_reads_completes_a_module_and_logs_a_shadowing_call(app_server, page):
    sign_in(page, app_server, "newhire")
    open_page(page, "My onboarding")
    page.get_by_text("Read next: “Converged services: how our home bundles work”").wait_for()
    expect(page.get_by_text("Required modules read: 2 of 5").first).to_be_visible()
    screenshot(page, "onboarding-newhire-path-en")

    page.locator(".st-key-read-product-bundles button").click()
    page.get_by_role("heading", name="Converged services: home bundles").wait_for()
    screenshot(page, "onboarding-newhire-reading-en")
    page.get_by_role("button", name="Mark as complete").click()
    page.get_by_text("“Converged services: how our home bundles work” completed.").wait_for()
    expect(page.get_by_text("Required modules read: 3 of 5").first).to_be_visible()
    expect(page.get_by_text("Read next: “Data plans and contract offers”")).to_be_visible()

    open_page(page, "Shadowing log")
    page.get_by_text("0 of 30 calls logged").wait_for()
    page.get_by_label("What the agent did well").fill("Suspended the SIM before anything else.")
    page.get_by_label("What I learned").fill("Report the loss first, then verify for the new card.")
    page.get_by_role("button", name="Log this call").click()
    page.get_by_text("Call logged (1 so far).").wait_for()
    page.get_by_text("1 of 30 calls logged").wait_for()
    screenshot(page, "onboarding-newhire-shadowing-en")


def test_newhire_sees_the_journey_in_chinese(app_server, browser):
    with chinese_page(browser) as page:
        sign_in(page, app_server, "newhire")
        open_page(page, "我的入职培训")
        page.get_by_text("产品与业务知识").first.wait_for()
        expect(page.get_by_text("已学完必修模块：2 / 5").first).to_be_visible()
        page.locator(".st-key-read-product-roaming button").click()
        page.get_by_role("heading", name="国际漫游", exact=False).first.wait_for()
        screenshot(page, "onboarding-newhire-path-zh")


def test_mentor_reviews_a_ticket_and_signs_off_a_stage(app_server, page):
    sign_in(page, app_server, "mentor")
    open_page(page, "My mentees")
    page.get_by_text("Tickets to review (4, oldest first)").wait_for()
    screenshot(page, "onboarding-mentor-queue-en")
    review = page.get_by_test_id("stForm").first
    review.get_by_role("button", name="Save review").click()  # untouched: nothing is chosen for the mentor
    page.get_by_text("5 not chosen yet (Greeting, Verification, Accuracy, Resolution, Closing)").wait_for()
    assert review.get_by_text("Not chosen yet").count() == 6
    page.get_by_text("Tickets to review (4, oldest first)").wait_for()
    for group in review.get_by_role("radiogroup").all()[:5]:
        group.get_by_text("Met", exact=True).click()
    review.get_by_role("radiogroup").nth(5).get_by_text("Passed", exact=True).click()
    review.get_by_role("button", name="Save review").click()
    page.get_by_text(re.compile(r"^Review of ticket .* \(Zhou Min 周敏\) saved\.$")).wait_for()
    page.get_by_text("Tickets to review (3, oldest first)").wait_for()

    page.get_by_role("button", name="Sign off Week 2 on the floor: supervised calls as passed", disabled=False).click()
    page.get_by_text("Wu Hao 吴浩: Week 2 on the floor: supervised calls signed off as passed.").wait_for()
    page.get_by_text("No stage of your mentees is ready for your sign-off yet.").wait_for()
    screenshot(page, "onboarding-mentor-signed-off-en")


def export_board(page, tmp_path) -> list[dict]:
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("^(Export CSV|导出 CSV)$")).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_trainer_sees_the_cohort_board_with_its_flags_and_exports_it(app_server, page, tmp_path):
    sign_in(page, app_server, "trainer")
    open_page(page, "Cohort board")
    page.get_by_test_id("stMetric").first.wait_for()
    metrics = dict(zip(page.get_by_test_id("stMetricLabel").all_inner_texts(),
                       page.get_by_test_id("stMetricValue").all_inner_texts()))
    assert metrics == {"New hires": "9", "Behind schedule": "1", "Stalled": "1", "Asked to repeat": "1",
                       "Graduated": "1"}
    screenshot(page, "onboarding-trainer-board-en")
    rows = {row["Name"]: row for row in export_board(page, tmp_path)}
    assert len(rows) == 9
    flagged = {name: [flag for flag in ("Behind schedule", "Stalled", "Asked to repeat") if row[flag] == "yes"]
               for name, row in rows.items()}
    assert {name: flags for name, flags in flagged.items() if flags} == {
        "Li Na 李娜": ["Behind schedule"], "He Tao 何涛": ["Stalled"], "Xu Jing 徐静": ["Asked to repeat"]}
    assert rows["Gao Yan 高燕"]["Status"] == "Graduated" and rows["Ma Xin 马欣"]["Status"] == "Withdrawn"
    assert rows["Li Na 李娜"]["Current stage"] == "Product"


def test_trainer_reads_the_cohort_board_in_chinese(app_server, browser, tmp_path):
    with chinese_page(browser) as page:
        sign_in(page, app_server, "trainer")
        open_page(page, "批次看板")
        page.get_by_test_id("stMetric").first.wait_for()
        expect(page.get_by_test_id("stMetricLabel").filter(has_text="进度落后")).to_be_visible()
        screenshot(page, "onboarding-trainer-board-zh")
        rows = {row["姓名"]: row for row in export_board(page, tmp_path)}
        assert len(rows) == 9
        assert rows["Li Na 李娜"]["进度落后"] == "是" and rows["He Tao 何涛"]["停滞"] == "是"
