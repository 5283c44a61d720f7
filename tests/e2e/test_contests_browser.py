"""Contests in a browser (#19): an agent takes a round across a reload and sees the board; a trainer sets up and
starts a contest (Chinese titles, a double click); a judge scores a scenario contestant in Chinese, blind."""
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from portal.models import Attempt, Contest, ContestMark, ContestRound, User
from tests.e2e.conftest import chinese_page, screenshot, sign_in

pytestmark = pytest.mark.e2e


def attempts_of(engine, username: str, title: str) -> list[tuple[int, str]]:
    with Session(engine) as session:
        return list(session.exec(
            select(Attempt.id, Attempt.status).join(User, User.id == Attempt.user_id)
            .join(ContestRound, ContestRound.exam_id == Attempt.exam_id)
            .join(Contest, Contest.id == ContestRound.contest_id)
            .where(User.username == username, Contest.title_en == title)).all())


def test_agent_takes_a_round_across_a_reload_and_sees_the_board(app_server, page, demo_engine):
    sign_in(page, app_server, "agent")
    page.get_by_test_id("stSidebar").get_by_text("My contests").click()
    page.get_by_role("heading", name="My contests").wait_for()
    page.get_by_text("December roaming sprint").first.wait_for()
    screenshot(page, "contests-agent-list-en")
    page.get_by_role("button", name="Start round").first.dblclick()
    page.get_by_text("Question 5", exact=True).wait_for()  # the exam page: the clock and the questions
    [(attempt_id, status)] = attempts_of(demo_engine, "agent", "December roaming sprint")  # one, however many clicks
    assert status == "in_progress" and f"attempt={attempt_id}" in page.url
    answer = page.get_by_role("radio").first
    answer.click(force=True)
    expect(answer).to_be_checked()
    page.wait_for_timeout(2000)
    page.reload()  # mid-round: the same attempt, the same questions, the answer kept
    page.get_by_text("Question 5", exact=True).wait_for()
    expect(page.get_by_text(re.compile(r"^1 of 5 answered$"))).to_be_visible()
    screenshot(page, "contests-agent-round-after-reload-en")
    page.get_by_role("button", name="Submit", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Submit now").dblclick()
    page.get_by_text("attempt 1").first.wait_for()
    assert [s for _, s in attempts_of(demo_engine, "agent", "December roaming sprint")] == ["graded"]

    page.get_by_test_id("stSidebar").get_by_text("My contests").click()
    page.get_by_text("October knowledge cup").first.wait_for()
    page.locator("p:visible", has_text="at least 60% of its members took part").first.wait_for()  # the closed one's
    page.get_by_text("Broadband Team B").first.wait_for()
    page.get_by_text("Your best", exact=False).first.wait_for()
    screenshot(page, "contests-agent-board-en")


def test_trainer_sets_up_and_starts_a_contest(app_server, browser, demo_engine):
    with chinese_page(browser, "contests-trainer-setup") as page:
        _set_up_and_start(page, app_server, demo_engine)


def _set_up_and_start(page, app_server, demo_engine) -> None:
    sign_in(page, app_server, "trainer")
    page.get_by_test_id("stSidebar").get_by_text("竞赛", exact=True).click()
    page.get_by_role("heading", name="竞赛").first.wait_for()
    page.get_by_role("tab", name="新建知识竞赛").click()
    panel = page.get_by_role("tabpanel", name="新建知识竞赛")
    panel.get_by_role("button", name="创建竞赛").click()  # untouched: refused beside the titles
    panel.get_by_text("请用中英文填写标题。").wait_for()
    panel.get_by_label("标题（英文）").fill("Winter cup")
    panel.get_by_label("标题（中文）").fill("冬季知识杯")
    teams = panel.get_by_test_id("stMultiSelect").first
    teams.click()
    page.get_by_role("option", name="Mobile Team A").click()
    teams.click()
    page.get_by_role("option", name="Broadband Team B").click()
    page.keyboard.press("Escape")
    tags = panel.get_by_test_id("stMultiSelect").nth(1)
    tags.click()
    page.keyboard.type("product")
    page.get_by_role("option", name="product", exact=True).click()
    page.keyboard.press("Escape")
    panel.get_by_label("题数").first.fill("3")
    panel.get_by_label("题数").first.press("Tab")
    screenshot(page, "contests-trainer-setup-zh")
    panel.get_by_role("button", name="创建竞赛").dblclick()
    expect(panel.get_by_label("标题（英文）")).to_have_value("")  # saved: a fresh, empty form
    page.wait_for_timeout(1500)  # the second click's run, if it came
    with Session(demo_engine) as session:
        made = session.exec(select(Contest).where(Contest.title_en == "Winter cup")).all()
    assert len(made) == 1 and made[0].title_zh == "冬季知识杯"  # one contest, however many clicks
    page.get_by_role("tab", name="查看竞赛").click()
    page.get_by_text("本竞赛为草稿").wait_for()  # the new contest, opened from the address
    page.get_by_role("button", name="开始竞赛").click()
    page.get_by_text("团队计分规则").first.wait_for()
    with Session(demo_engine) as session:
        assert session.get(Contest, made[0].id).status == "running"
    screenshot(page, "contests-trainer-running-zh")
    page.get_by_role("button", name="结束竞赛").click()  # asks first
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("竞赛结束后无法重新开启").wait_for()
    dialog.get_by_role("button", name="立即结束").dblclick()
    page.get_by_text("冬季知识杯 · 知识竞赛 · 已结束").first.wait_for()
    with Session(demo_engine) as session:
        assert session.get(Contest, made[0].id).status == "closed"
        scenario = session.exec(select(Contest.id).where(Contest.kind == "scenario")).one()
    page.goto(f"{app_server}/authoring_contests?contest={scenario}")  # the organiser's view of the judging
    page.get_by_text("评委评分", exact=True).first.wait_for()
    page.get_by_text("各评委的评分、中位数").wait_for()
    screenshot(page, "contests-trainer-scenario-spread-zh")


def test_judge_scores_a_scenario_contestant_blind_in_chinese(app_server, browser, demo_engine):
    with chinese_page(browser, "contests-judge") as page:
        sign_in(page, app_server, "trainer")
        page.get_by_test_id("stSidebar").get_by_text("竞赛评委").click()
        page.get_by_role("heading", name="竞赛评委").wait_for()
        row = page.get_by_test_id("stHorizontalBlock").filter(has_text="Song Yu 宋宇")
        row.get_by_role("button", name="打开评分表").click()
        page.get_by_text("评分表：Song Yu 宋宇").wait_for()
        groups = page.get_by_test_id("stButtonGroup")
        groups.last.wait_for()
        assert page.get_by_text("其他评委的评分：", exact=True).count() == 0  # blind before submitting
        page.get_by_role("button", name="提交（不可修改）").click()  # untouched: refused, nothing by default
        page.get_by_text(re.compile("^提交前请为每一项评分")).wait_for()
        total = groups.count()
        for i in range(total):
            group = groups.nth(i)
            for _ in range(3):
                group.locator("button").first.click()
                try:
                    page.get_by_text(f"{i + 1} / {total}", exact=True).wait_for(timeout=8_000)
                    break
                except Exception:  # noqa: BLE001 - a click during a redraw is lost: click again
                    continue
        page.reload()  # the marks were kept as they were given
        page.get_by_text(f"{total} / {total}", exact=True).wait_for()
        screenshot(page, "contests-judge-sheet-zh")
        page.get_by_role("button", name="提交（不可修改）").dblclick()
        page.get_by_text("其他评委的评分：", exact=True).wait_for()
        with Session(demo_engine) as session:
            song = session.exec(select(User.id).where(User.username == "song.yu")).one()
            marks = session.exec(select(ContestMark).where(ContestMark.contestant_id == song)).all()
        assert sum(1 for m in marks if m.submitted_at) == 3
        screenshot(page, "contests-judge-submitted-zh")
