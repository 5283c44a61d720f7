"""An agent checks in and sees the result with resources, once a week; a lead sees the suppressed trend of
ended periods only (the agent's check-in of this week never shows)."""
import pytest

from portal.formatting import format_day_month, format_month
from portal.wellbeing import periods
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def last_closed_week_label(language: str = "en") -> str:
    """How the page labels the newest week it may show (the week before this one, by its Monday)."""
    return format_day_month(periods.week_start(periods.last_closed_week()), language)


def tall_screenshot(page, name):
    """Streamlit scrolls inside its main block, so make the window tall enough to see the whole page."""
    page.set_viewport_size({"width": 1280, "height": 2600})
    page.get_by_test_id("stMetricValue").first.wait_for()
    page.wait_for_timeout(2000)  # let metrics and Vega charts finish drawing
    screenshot(page, name)
    page.set_viewport_size({"width": 1280, "height": 900})


def answer_all(page, who5_answer, pss4_answer):
    radios = page.get_by_test_id("stRadio")
    radios.first.wait_for()
    assert radios.count() == 9
    for index in range(9):
        radios.nth(index).get_by_text(who5_answer if index < 5 else pss4_answer, exact=True).click()


def test_agent_checks_in_once_and_lead_sees_the_trend(app_server, page):
    sign_in(page, app_server, "agent")
    page.get_by_role("heading", name="Welcome, Chen Jie 陈杰").wait_for()
    page.get_by_test_id("stSidebar").get_by_text("Wellbeing check-in").click()
    page.get_by_role("heading", name="Wellbeing check-in").wait_for()
    page.get_by_text("nobody, administrators included, can trace them back to you").wait_for()
    screenshot(page, "wellbeing-checkin-form-en")

    answer_all(page, "Some of the time", "Fairly often")
    page.get_by_role("button", name="Send my check-in").click()
    page.get_by_role("heading", name="Your result").wait_for()
    page.get_by_text("This is a check-in, not a diagnosis.").wait_for()
    page.get_by_text("Support is here if you want it").wait_for()
    assert page.get_by_text("12356", exact=False).first.is_visible()
    tall_screenshot(page, "wellbeing-checkin-result-en")

    page.reload()
    page.get_by_text("You have already checked in this week.").wait_for()
    assert page.get_by_role("button", name="Send my check-in").count() == 0
    page.get_by_test_id("stSidebar").get_by_role("button").filter(has_text="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for()

    sign_in(page, app_server, "lead")
    page.get_by_test_id("stSidebar").get_by_text("Team wellbeing").click()
    page.get_by_role("heading", name="Team wellbeing").wait_for()
    page.get_by_text("Wellbeing (WHO-5), average out of 100").wait_for()
    page.get_by_test_id("stVegaLiteChart").first.wait_for()
    page.get_by_text("for weeks and months that have ended").wait_for()
    # The agent's check-in of this week is not there: the newest week shown is last week.
    page.get_by_text(f"Latest period shown: {last_closed_week_label()}", exact=True).wait_for()
    current = format_day_month(periods.week_start(periods.current_week()), "en")
    assert page.get_by_text(f"Latest period shown: {current}", exact=True).count() == 0
    tall_screenshot(page, "wellbeing-team-lead-en")


def test_chinese_check_in_and_team_view(app_server, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        sign_in(page, app_server, "huang.lei")
        page.get_by_test_id("stSidebar").get_by_text("身心状态自评").first.wait_for()
        page.get_by_test_id("stSidebar").get_by_text("身心状态自评").first.click()
        answer_all(page, "大部分时间", "有时")
        page.get_by_role("button", name="提交本周问卷").click()
        page.get_by_role("heading", name="你的结果").wait_for()
        tall_screenshot(page, "wellbeing-checkin-result-zh")
        page.get_by_test_id("stSidebar").get_by_role("button").filter(has_text="退出登录").click()
        page.get_by_role("button", name="登录").wait_for()

        sign_in(page, app_server, "lead")
        page.get_by_test_id("stSidebar").get_by_text("班组身心状态").first.click()
        page.get_by_test_id("stVegaLiteChart").first.wait_for()
        page.get_by_text(f"最近可显示的时段：{last_closed_week_label('zh-CN')}", exact=True).wait_for()
        page.get_by_test_id("stRadioGroup").get_by_text("按月", exact=True).click()
        page.get_by_role("heading", name="留言").wait_for()
        month = format_month(periods.period_start(periods.last_closed_month()), "zh-CN")
        page.get_by_text(f"最近可显示的时段：{month}", exact=True).wait_for()
        page.get_by_text("仅显示已结束的周和月的匿名汇总").wait_for()
        tall_screenshot(page, "wellbeing-team-lead-zh")
    finally:
        context.close()
