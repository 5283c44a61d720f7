"""Charts drawn from portal/ui/charts in a real browser, in both languages: the item analysis scatter with
its table (undefined figures read "—"), and the question bank's counts."""
import pytest

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e

PAGES = {"en-US": ("Item analysis", "Facility vs discrimination", "Question bank", "Counts by type and tag"),
         "zh-CN": ("试题分析", "难易度与区分度", "题库", "按题型和标签统计")}


def test_trainer_sees_the_item_analysis_and_bank_charts_in_both_languages(app_server, browser):
    for language, (analysis, chart_title, bank, counts) in PAGES.items():
        context = browser.new_context(locale=language, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            sign_in(page, app_server, "trainer")
            page.get_by_test_id("stSidebar").get_by_text(analysis, exact=True).click()
            page.get_by_role("heading", name=chart_title).wait_for()
            chart = page.locator("[data-testid='stVegaLiteChart']").first
            chart.wait_for()
            chart.scroll_into_view_if_needed()
            page.locator("canvas, svg").first.wait_for()
            assert page.get_by_test_id("stDataFrame").count() >= 1
            assert not page.get_by_test_id("stException").count()
            screenshot(page, f"charts-item-analysis-{language}")

            page.get_by_test_id("stSidebar").get_by_text(bank, exact=True).click()
            page.get_by_text(counts).click()  # the expander with the two bar charts
            bars = page.locator("[data-testid='stExpander'] [data-testid='stVegaLiteChart']")
            bars.nth(1).wait_for()
            assert bars.count() == 2
            screenshot(page, f"charts-question-counts-{language}")
        finally:
            context.close()
