"""The quality analyst in a real browser: a calls export with a bad row is refused by row and column, the fixed
file is previewed and imported once (even on a double click), the month's sample is drawn and its calls wait in
the queue; the same pages in Chinese (issue 16: calls, sampling and the queue)."""
import re
from datetime import date, timedelta

import pytest
from sqlmodel import Session, func, select

from portal.clock import local_today
from portal.formatting import format_month
from portal.models import AuditEntry, QaCall, QaSamplePlan
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def months_back(count: int) -> date:
    """The first day of the month `count` months before this one (older than the demo's calls)."""
    day = local_today().replace(day=1)
    for _ in range(count):
        day = (day - timedelta(days=1)).replace(day=1)
    return day


MONTH = months_back(5)
HEADER = "呼叫ID,坐席,开始时间,时长,队列,方向,满意度,投诉,录音,工单\n"
ROWS = [f"E2E-0001,agent,{MONTH:%Y-%m}-03 09:15,5:45,话费查询,呼入,4,否,https://rec.example.cn/E2E-0001,GD-1",
        f"E2E-0002,agent,{MONTH:%Y-%m}-04 10:30,7:99,投诉,呼入,1,是,,",
        f"E2E-0003,agent,{MONTH:%Y-%m}-05 14:00,420,宽带报障,呼出,,否,,"]


def upload(page, name: str, text: str) -> None:
    page.locator("input[type='file']").set_input_files({"name": name, "mimeType": "text/csv",
                                                       "buffer": text.encode("gbk")})  # as Chinese Excel saves it


def enter_a_call_in_chinese(zh, demo_engine) -> None:
    """The entry form sent untouched is refused beside the call ID; filled in Chinese and double-clicked,
    it saves one call."""
    zh.get_by_role("tab", name="手工录入通话").click()
    form = zh.get_by_test_id("stForm")
    save = form.get_by_role("button", name="保存通话")
    save.click()
    form.get_by_text("请填写呼叫ID。").wait_for()
    form.get_by_label("呼叫ID", exact=True).fill("MAN-中文-1")
    form.get_by_test_id("stSelectbox").click()
    zh.get_by_role("option", name="Feng Jun 冯军 (feng.jun)").click()
    form.get_by_test_id("stDateInput").locator("[data-type='year']").click()  # segments: typing moves on
    zh.keyboard.type(f"{MONTH:%Y%m}20")
    form.get_by_test_id("stTimeInput").locator("[data-type='hour']").click()
    zh.keyboard.type("1005")
    form.get_by_label("时长", exact=True).fill("7:59")
    form.get_by_label("队列", exact=True).fill("投诉")
    form.get_by_text("呼入").click()
    form.get_by_label("工单", exact=True).fill("GD-投诉-7")
    save.dblclick()
    zh.get_by_text("通话 MAN-中文-1 已保存。").wait_for()
    screenshot(zh, "qa-call-entered-zh")
    with Session(demo_engine) as session:
        saved = session.exec(select(QaCall).where(QaCall.external_id == "MAN-中文-1")).all()
        assert [(c.queue, c.duration_seconds, c.ticket_ref, c.source) for c in saved] == [("投诉", 479, "GD-投诉-7",
                                                                                          "manual")]


def open_the_oldest_call_for_evaluation(page, demo_engine) -> None:
    """Each queue row's Evaluate link opens pages/qa_evaluate.py on its call (once that page is installed)."""
    links = page.get_by_test_id("stPageLink").filter(has_text="Evaluate")
    if not links.count():
        assert page.get_by_text("The evaluation page is not installed yet.").count()
        return
    with Session(demo_engine) as session:
        call_id = session.exec(select(QaCall.id).where(QaCall.external_id == "E2E-0001")).one()
    links.first.click()
    page.wait_for_url(re.compile(rf"/qa_evaluate\?call={call_id}$"))
    page.get_by_text("E2E-0001").first.wait_for()
    page.go_back()
    page.get_by_role("heading", name="QA queue").wait_for()


def test_analyst_imports_calls_draws_the_sample_and_sees_the_queue(app_server, page, browser, demo_engine):
    sign_in(page, app_server, "qa")
    page.get_by_test_id("stSidebar").get_by_text("Calls").click()
    page.get_by_role("heading", name="Calls").wait_for()

    bad = HEADER + "\n".join(ROWS) + "\n"
    upload(page, "calls.csv", bad)
    page.get_by_text("The file has 1 problem, listed below; nothing was saved.").wait_for()
    grid = page.get_by_test_id("stDataFrame")
    grid.locator("[role='gridcell']").filter(has_text="'7:99' is not a duration").first.wait_for(state="attached")
    assert grid.locator("[role='gridcell']").filter(has_text="时长").count() >= 1  # the column as the file names it
    assert not page.get_by_role("button", name="Import 3 new calls").count()
    screenshot(page, "qa-calls-bad-row")

    upload(page, "calls-fixed.csv", bad.replace("7:99", "7:59"))
    page.get_by_text("Read as GB18030.").wait_for()
    page.get_by_text("Preview: 3 calls").wait_for()
    page.get_by_text("New calls: 3. Already imported: 0.").wait_for()
    screenshot(page, "qa-calls-preview")
    page.get_by_role("button", name="Import 3 new calls").dblclick()
    page.get_by_text("3 calls imported.").wait_for()
    page.get_by_text("Every call in this file is already in the portal").wait_for()
    with Session(demo_engine) as session:
        assert session.exec(select(func.count(QaCall.id)).where(QaCall.external_id.startswith("E2E-"))).one() == 3
        assert session.exec(select(func.count(AuditEntry.id))
                            .where(AuditEntry.action == "qa_calls.imported")).one() == 1

    page.get_by_test_id("stSidebar").get_by_text("QA queue").click()
    page.get_by_role("heading", name="QA queue").wait_for()
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name=format_month(MONTH, "en")).click()
    page.get_by_text("Not drawn yet. Calls this month: 3; agents who took them: 1.").wait_for()
    page.get_by_role("button", name="Draw the sample").click()
    page.get_by_text("Mobile Team A: 3 calls drawn with seed").wait_for()
    with Session(demo_engine) as session:
        plan = session.exec(select(QaSamplePlan).where(QaSamplePlan.month == f"{MONTH:%Y-%m}")).one()
    page.get_by_text(f"with seed {plan.seed}: 3 calls, 0 evaluated.").wait_for()
    page.get_by_test_id("stSelectbox").nth(2).click()  # the queue's month: older than the last four
    page.get_by_role("option", name=format_month(MONTH, "en")).click()
    first = page.get_by_text("E2E-0001")
    first.wait_for()  # the oldest waiting call comes first
    page.get_by_role("heading", name="3 calls waiting for an evaluation").wait_for()
    page.get_by_role("link", name="Listen").first.wait_for()
    page.get_by_text("E2E-0003").wait_for()  # the last row
    assert not page.get_by_text("Something went wrong").count()  # E2E-0002 has no recording: "—", no crash
    first.scroll_into_view_if_needed()
    screenshot(page, "qa-queue")
    open_the_oldest_call_for_evaluation(page, demo_engine)

    chinese = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    try:
        zh = chinese.new_page()
        zh.set_default_timeout(20_000)
        sign_in(zh, app_server, "qa")
        zh.get_by_test_id("stSidebar").get_by_text("质检队列").click()
        zh.get_by_role("heading", name="质检队列").wait_for()
        waiting = zh.get_by_text("通通话待质检").first
        waiting.wait_for()
        zh.get_by_text(re.compile(r"^第 1–[\d,]+ 行，共 [\d,]+ 行$")).wait_for()  # the one pager (portal/ui/paging.py)
        assert not zh.get_by_text("系统出现了问题").count()
        zh.get_by_text("Chen Jie 陈杰").first.scroll_into_view_if_needed()
        screenshot(zh, "qa-queue-zh")
        zh.get_by_test_id("stSidebar").get_by_text("通话记录").click()
        zh.get_by_role("heading", name="通话记录").wait_for()
        zh.get_by_role("tab", name="最近的通话").click()
        zh.get_by_text(re.compile(r"^第 1–[\d,]+ 行，共 [\d,]+ 行$")).wait_for()  # the one pager (portal/ui/paging.py)
        zh.get_by_test_id("stDataFrame").locator("[role='gridcell']").first.wait_for(state="attached")
        screenshot(zh, "qa-calls-zh")
        enter_a_call_in_chinese(zh, demo_engine)
    finally:
        chinese.close()
