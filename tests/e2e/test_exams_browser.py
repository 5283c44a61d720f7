"""A new hire sits a timed exam across a page reload; a trainer marks a practical (in Chinese)."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e




def seconds(text: str) -> int:
    parts = [int(p) for p in re.findall(r"\d+", text)]
    total = 0
    for p in parts:
        total = total * 60 + p
    return total


def time_left(page) -> int:
    value = page.get_by_test_id("stMetricValue").first
    value.wait_for()
    return seconds(value.inner_text())


def test_newhire_timed_exam_survives_reload_then_submits(app_server, page):
    sign_in(page, app_server, "newhire")
    page.get_by_role("heading", name="Welcome, Li Na 李娜").wait_for()
    page.get_by_test_id("stSidebar").get_by_text("My exams").click()
    page.get_by_role("heading", name="My exams").wait_for()
    screenshot(page, "exams-newhire-list-en")
    page.get_by_role("button", name="Start exam").first.click()
    page.get_by_text("Question 1", exact=True).wait_for()
    first = time_left(page)
    assert 25 * 60 < first <= 30 * 60
    screenshot(page, "exams-newhire-sitting-en")
    answer = page.get_by_role("radio").first
    answer.click(force=True)  # an answer, saved on the server at once
    expect(answer).to_be_checked()  # retries: the countdown re-renders the page every second
    page.wait_for_timeout(2500)

    page.reload()
    page.get_by_role("heading", name="My exams").wait_for()
    page.get_by_role("heading", name="In progress").wait_for()
    after = time_left(page)
    assert after < first and after > first - 120, (first, after)  # continued, not reset to 30:00
    screenshot(page, "exams-newhire-after-reload-en")
    page.get_by_role("button", name="Continue").click()
    page.get_by_text("Question 20", exact=True).wait_for()
    assert time_left(page) <= after
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("attempt 2").first.wait_for()
    screenshot(page, "exams-newhire-submitted-en")


def test_trainer_marks_a_practical_in_chinese(app_server, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        sign_in(page, app_server, "trainer")
        page.get_by_test_id("stSidebar").get_by_text("待阅卷").click()
        page.get_by_role("heading", name="待阅卷").first.wait_for()
        page.get_by_text("Gao Yan 高燕：第 1 次作答").wait_for()
        page.get_by_text("关键项").first.wait_for()
        page.get_by_role("button", name="保存评分").wait_for()
        page.wait_for_timeout(1500)
        screenshot(page, "exams-trainer-marking-zh")
        page.get_by_role("button", name="保存评分").click()  # untouched: refused, nothing scored by default
        page.get_by_text("请先为每一项打分再保存：还有 17 项未打分").wait_for()
        sheet = page.get_by_test_id("stButtonGroup")
        for group in sheet.all():
            group.locator("button").last.click()  # full points, "未达标 · 0" on a critical item
        page.get_by_text("17 / 17").wait_for()
        page.get_by_text("未做到的关键项：第 4, 11, 12 项").wait_for()
        screenshot(page, "exams-trainer-marking-scored-zh")
        page.get_by_role("button", name="保存评分").click()
        page.get_by_text("评分已保存。").first.wait_for()
        page.get_by_text("Wu Hao 吴浩：第 1 次作答").wait_for()  # the essay is next in the queue
        screenshot(page, "exams-trainer-marked-zh")
    finally:
        context.close()
