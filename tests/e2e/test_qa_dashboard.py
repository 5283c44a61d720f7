"""In a real browser: a lead reads the quality dashboard (month, period, tabs, export); the analyst changes team,
then writes and publishes next month's quality focus in Chinese (untouched form, double click, reload)."""
import csv
import io

import pytest

from portal.qa.dashboards import recent_months
from portal.ui.charts.qa import month_label
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def choose(page, box, text):
    """Pick an option of a Streamlit selectbox by typing, as a keyboard user would."""
    box.click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def assigned(page, title):
    """A focus item's title over its modules and quizzes to assign (the table's cells are drawn on a canvas)."""
    return page.locator("strong", has_text=title).first


def test_lead_reads_the_quality_dashboard_and_exports(app_server, page, tmp_path):
    sign_in(page, app_server, "lead")
    page.get_by_test_id("stSidebar").get_by_text("Quality dashboard").click()
    page.get_by_role("heading", name="Quality dashboard").wait_for()
    page.get_by_text("Mean QA score").wait_for()
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    screenshot(page, "qa-dashboard-lead-en")
    last_month = recent_months(2)[0]
    choose(page, page.get_by_label("Up to"), month_label(last_month, "en"))
    page.get_by_text(f"Figures above: {month_label(last_month, 'en')}.").wait_for()
    choose(page, page.get_by_label("Period"), "Last 3 months")
    page.get_by_role("tab", name="Items and focus").click()
    page.get_by_role("heading", name="Items that fail most").wait_for()
    page.get_by_role("heading", name="Quality focus: pass rate").wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV", exact=True).first.click()
    path = tmp_path / "failures.csv"
    download.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Scorecard item" and len(rows[0]) == 4  # the item and three months
    assert any("Verify" in row[0] or "verif" in row[0].lower() for row in rows[1:])
    page.get_by_role("tab", name="Analysts").click()
    page.get_by_text("Evaluations of this team's calls per analyst and month", exact=False).wait_for()
    screenshot(page, "qa-dashboard-lead-analysts-en")


def test_analyst_changes_team_and_publishes_a_chinese_focus(app_server, page, browser):
    sign_in(page, app_server, "qa")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Quality dashboard").click()
    page.get_by_text("Mean QA score").wait_for()
    choose(page, page.get_by_label("Team"), "Broadband Team B")
    page.get_by_text("No evaluations of this team's calls in this period yet.").wait_for()  # the demo scores team A
    choose(page, page.get_by_label("Team"), "Mobile Team A")
    page.locator("[data-testid='stVegaLiteChart']").first.wait_for()

    sidebar.get_by_text("Quality focus").click()
    page.get_by_role("heading", name="Quality focus").wait_for()
    assigned(page, "Verification before details").wait_for()  # this month's, published
    page.get_by_text("published and read-only", exact=False).wait_for()
    following = recent_months(1)[0]
    choose(page, page.get_by_label("Month"), _next_month_label(following))
    page.get_by_text("No focus items for this month yet.").first.wait_for()

    save = page.get_by_role("button", name="Save focus item")
    save.click()  # untouched: refused beside the English title
    page.get_by_text("Give the focus item a title in English.").wait_for()
    page.get_by_role("textbox", name="Title in English").fill("Say the customer's name")
    page.get_by_role("textbox", name="Title in Chinese").fill("称呼客户姓名，不说“喂”")
    save.click()
    page.get_by_text("Link at least one scorecard item, course module or quiz tag.").wait_for()
    assert page.get_by_role("textbox", name="Title in Chinese").input_value() == "称呼客户姓名，不说“喂”"  # kept
    choose(page, page.get_by_label("Course modules"), "Phone etiquette")
    page.keyboard.press("Escape")  # close the list, as a person clicks away
    save.dblclick()
    page.get_by_text("Focus item saved.").wait_for()
    assigned(page, "Say the customer's name").wait_for()
    page.reload()
    page.get_by_role("heading", name="Quality focus").wait_for()
    choose(page, page.get_by_label("Month"), _next_month_label(following))
    page.get_by_text("1 item not published yet", exact=False).wait_for()  # saved once, kept on reload
    page.get_by_role("button", name="Publish the focus of", exact=False).click()
    page.get_by_text("published and read-only", exact=False).wait_for()
    screenshot(page, "qa-focus-analyst-en")

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    chinese = context.new_page()
    chinese.set_default_timeout(20_000)
    sign_in(chinese, app_server, "qa")
    chinese.get_by_test_id("stSidebar").get_by_text("质检重点").click()
    assigned(chinese, "核实身份后再谈业务").wait_for()
    choose(chinese, chinese.get_by_label("月份"), _next_month_label(following, "zh-CN"))
    assigned(chinese, "称呼客户姓名，不说“喂”").wait_for()  # the Chinese title, as typed
    screenshot(chinese, "qa-focus-analyst-zh")
    chinese.get_by_test_id("stSidebar").get_by_text("质检看板").click()
    chinese.get_by_text("平均质检得分").wait_for()
    choose(chinese, chinese.get_by_label("班组"), "Mobile Team A")
    chinese.locator("[data-testid='stVegaLiteChart']").first.wait_for()
    screenshot(chinese, "qa-dashboard-analyst-zh")
    context.close()


def _next_month_label(this_month: str, language: str = "en") -> str:
    from portal.qa.dashboards import month_of

    return month_label(recent_months(1, month_of(this_month).end)[0], language)
