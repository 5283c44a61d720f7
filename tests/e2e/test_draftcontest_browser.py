"""A trainer corrects a draft contest in a browser (in Chinese): a wrong value in the middle is refused beside its
field and the rest kept, the fix saved (a double click saves once), a reload shows what was saved; then the draft is
deleted after a confirmation, once however many clicks, without an error page."""
import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from portal.models import AuditEntry, Contest, ContestRound, Exam
from tests.e2e.conftest import chinese_page, screenshot, sign_in
from tests.test_draftcontest_pages import make_draft

pytestmark = pytest.mark.e2e


def saved(engine, contest_id: int) -> tuple[Contest | None, list[int]]:
    with Session(engine) as session:
        limits = session.exec(select(Exam.time_limit_minutes).join(ContestRound, ContestRound.exam_id == Exam.id)
                              .where(ContestRound.contest_id == contest_id)).all()
        return session.get(Contest, contest_id), list(limits)


def audited(engine, action: str) -> int:
    with Session(engine) as session:
        return len(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_trainer_corrects_a_draft_then_deletes_it(app_server, browser, demo_engine):
    contest_id = make_draft(demo_engine)
    with chinese_page(browser, "draftcontest") as page:
        _correct(page, app_server, demo_engine, contest_id)
        _delete(page, demo_engine, contest_id)


def _correct(page, app_server, demo_engine, contest_id: int) -> None:
    sign_in(page, app_server, "trainer")
    page.goto(f"{app_server}/authoring_contests?contest={contest_id}")
    page.get_by_text("本竞赛为草稿").wait_for()
    page.get_by_role("button", name="编辑草稿").click()
    panel = page.get_by_role("tabpanel", name="查看竞赛")
    title_en, title_zh = panel.get_by_label("标题（英文）"), panel.get_by_label("标题（中文）")
    expect(title_zh).to_have_value("春季草稿")  # the form opens filled with what was saved
    expect(panel.get_by_label("限时（分钟）")).to_have_value("15")
    title_en.fill("Spring cup")
    title_zh.fill("")  # a wrong value in the middle of the form
    panel.get_by_label("限时（分钟）").fill("25")
    panel.get_by_label("限时（分钟）").press("Tab")
    panel.get_by_role("button", name="保存修改").click()
    panel.get_by_text("请用中英文填写标题。").wait_for()  # beside the titles
    expect(title_en).to_have_value("Spring cup")  # the rest kept
    expect(panel.get_by_label("限时（分钟）")).to_have_value("25")
    screenshot(page, "draftcontest-refused-beside-title-zh")
    assert saved(demo_engine, contest_id)[0].title_en == "Spring draft"  # nothing saved
    title_zh.fill("春季知识杯")
    title_zh.press("Tab")
    panel.get_by_role("button", name="保存修改").dblclick()
    page.get_by_role("button", name="编辑草稿").wait_for()  # saved: back to the contest
    page.wait_for_timeout(1500)  # the second click's run, if it came
    contest, limits = saved(demo_engine, contest_id)
    assert (contest.title_en, contest.title_zh, limits) == ("Spring cup", "春季知识杯", [25])
    assert audited(demo_engine, "contest.edited") == 1  # once, however many clicks
    page.reload()
    page.get_by_text("春季知识杯 · 知识竞赛 · 草稿").first.wait_for()
    page.get_by_role("button", name="编辑草稿").click()
    expect(panel.get_by_label("标题（中文）")).to_have_value("春季知识杯")
    expect(panel.get_by_label("限时（分钟）")).to_have_value("25")
    screenshot(page, "draftcontest-reopened-zh")
    panel.get_by_role("button", name="不保存并关闭").click()
    page.get_by_role("button", name="删除草稿").wait_for()


def _delete(page, demo_engine, contest_id: int) -> None:
    page.get_by_role("button", name="删除草稿").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("无法恢复").wait_for()
    assert saved(demo_engine, contest_id)[0] is not None  # asked first
    screenshot(page, "draftcontest-delete-confirm-zh")
    dialog.get_by_role("button", name="确认删除").dblclick()
    expect(dialog).to_have_count(0)
    page.wait_for_timeout(1500)  # the second click's run, if it came
    assert saved(demo_engine, contest_id) == (None, [])
    assert audited(demo_engine, "contest.deleted") == 1
    assert page.get_by_test_id("stException").count() == 0  # no error page
    expect(page.get_by_text("春季知识杯")).to_have_count(0)
    screenshot(page, "draftcontest-deleted-zh")
