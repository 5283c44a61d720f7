"""The agent acknowledges and disputes an evaluation, the lead decides it; a calibration session scored blind."""
import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal import clock
from portal.auth import actor_for, find_user
from portal.models import QaCalibration, QaDispute, QaEvaluation
from portal.qa import calibration
from tests.e2e.conftest import screenshot, sign_in
from tests.utils.qa_factories import make_call, make_evaluation, make_scorecard

pytestmark = pytest.mark.e2e

REASON = "我核实了身份 I asked for the PIN at 0:42"


def actor(session, username):
    return actor_for(session, find_user(session, username))


@pytest.fixture
def qa_data(demo_engine):
    """A submitted evaluation of `agent` by `qa` (verification missed), and two more calls of the agent."""
    with Session(demo_engine, expire_on_commit=False) as session:
        agent, qa = actor(session, "agent"), actor(session, "qa")
        version = make_scorecard(session, code="voice-e2e")
        evaluation = make_evaluation(session, version, agent.id, qa.id, {"greet": 2, "verify": 1, "offer": None},
                                     clock.utcnow(), comments={"verify": "No PIN asked 未核实"})
        recent = clock.utcnow() - timedelta(hours=2)  # among the newest calls the session form offers
        calls = [make_call(session, agent.id, started_at=recent) for _ in range(2)]
        session.commit()
        return {"evaluation": evaluation.id, "version": version.id, "calls": [c.id for c in calls],
                "call_ref": calls[0].external_id}


def choose(page, box, text):
    """Pick an option of a Streamlit selectbox or multiselect by typing, as a keyboard user would."""
    box.click()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def pick(page, box, starts):
    """Open a multiselect and click the one option whose label starts with `starts`; close it again."""
    box.click()
    page.keyboard.type(starts)
    page.get_by_role("option", name=re.compile("^" + re.escape(starts))).click()
    page.keyboard.press("Escape")


def sign_out(page):
    page.get_by_test_id("stSidebar").get_by_role("button").filter(has_text="Sign out").click()
    page.get_by_role("button", name="Sign in").wait_for()


def open_menu(page, title):
    """Click a page in the sidebar, unfolding Streamlit's "View N more" first when the menu is long (QA's is)."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Home", exact=True).wait_for()
    link, more = sidebar.get_by_text(title, exact=True), sidebar.get_by_text(re.compile(r"^View \d+ more$"))
    if not link.is_visible() and more.count():
        more.click()
    link.click()


def test_agent_acknowledges_and_disputes_and_the_lead_decides(app_server, page, demo_engine, qa_data):
    sign_in(page, app_server, "agent")
    open_menu(page, "My quality")
    page.get_by_role("heading", name="My quality").wait_for()
    page.goto(f"{app_server}/training_quality?evaluation={qa_data['evaluation']}")  # a link to one evaluation
    page.get_by_text("You can dispute until", exact=False).wait_for()
    page.get_by_role("button", name="I have read this evaluation").click()
    page.get_by_text("Acknowledged on", exact=False).first.wait_for()

    # a ticked item without a reason is refused beside it; nothing is saved
    page.get_by_text("I dispute “Verification”").click()
    page.get_by_role("button", name="Send dispute").click()
    page.get_by_text("Give a reason for this item.").wait_for()
    with Session(demo_engine) as session:
        assert not session.exec(select(QaDispute).where(QaDispute.evaluation_id == qa_data["evaluation"])).all()
    screenshot(page, "qa-dispute-refused-en")

    # a reload keeps the evaluation chosen (it is in the address)
    page.reload()
    page.get_by_text("You can dispute until", exact=False).wait_for()
    page.get_by_text("I dispute “Verification”").click()
    page.get_by_role("textbox", name="Why (required for each item you dispute)").nth(1).fill(REASON)
    page.get_by_role("button", name="Send dispute").dblclick()
    page.get_by_text("Your dispute was sent.", exact=False).wait_for()
    page.get_by_test_id("stMarkdown").get_by_text("In dispute").wait_for()  # the badge, not the hidden grid cell
    with Session(demo_engine) as session:
        assert len(session.exec(select(QaDispute).where(QaDispute.evaluation_id == qa_data["evaluation"])).all()) == 1
    sign_out(page)

    sign_in(page, app_server, "lead")
    open_menu(page, "Disputes")
    page.get_by_role("heading", name="Disputes").wait_for()
    choose(page, page.get_by_label("Dispute", exact=True), "Chen Jie")
    page.get_by_text(REASON.split(" at ")[0], exact=False).wait_for()  # plain() breaks "0:42" with a word joiner
    page.get_by_text("Change the score").click()
    page.get_by_label("New points (0–2)").fill("2")
    page.get_by_role("textbox", name="Why (the agent reads this)").fill("PIN asked at 0:42 已核实")
    screenshot(page, "qa-dispute-lead-en")
    page.get_by_role("button", name="Save decisions").click()
    page.get_by_text("Decisions saved.", exact=False).wait_for()
    with Session(demo_engine) as session:
        evaluation = session.get(QaEvaluation, qa_data["evaluation"])
        assert evaluation.revision == 1 and evaluation.percent == pytest.approx(100.0)
    # the decision is on the Decided tab, with its history; a reload keeps the one opened
    page.get_by_role("tab", name="Decided").click()
    choose(page, page.get_by_label("Decided dispute", exact=True), "Chen Jie")
    page.get_by_text("History: every version of the scores and every decision").click()
    page.get_by_text("decided by Zhang Wei 张伟", exact=False).wait_for()
    page.reload()
    page.get_by_role("tab", name="Decided").click()
    page.get_by_text("History: every version of the scores and every decision").wait_for()
    screenshot(page, "qa-dispute-decided-en")
    sign_out(page)

    sign_in(page, app_server, "agent")
    open_menu(page, "My account")
    page.get_by_text("简体中文").click()
    open_menu(page, "我的质检")
    page.get_by_role("heading", name="我的质检").wait_for()
    page.goto(f"{app_server}/training_quality?evaluation={qa_data['evaluation']}")
    page.get_by_text("历史：每一版评分和每一次处理").click()
    page.get_by_text("当前有效得分", exact=False).wait_for()
    page.wait_for_timeout(1000)
    screenshot(page, "qa-my-quality-zh")


def test_calibration_is_blind_until_revealed(app_server, page, demo_engine, qa_data):
    sign_in(page, app_server, "qa")
    open_menu(page, "Calibration")
    page.get_by_role("heading", name="Calibration").wait_for()
    if not page.get_by_role("button", name="Create session").is_visible():  # folded away once sessions exist
        page.get_by_text("New calibration session").click()
    page.get_by_role("button", name="Create session").click()  # untouched form: refused beside the title
    page.get_by_text("Give the session a title.").wait_for()
    page.get_by_role("textbox", name="Title").fill("Verification 校准")
    choose(page, page.get_by_label("Scorecard", exact=True), "Voice call")
    pick(page, page.get_by_role("combobox", name="Calls to score"), qa_data["call_ref"] + " ·")
    for name in ("Zhang Wei", "Wang Fang"):
        pick(page, page.get_by_label("Participants"), name)
    page.get_by_role("button", name="Create session").dblclick()
    page.get_by_text("Session created.", exact=False).wait_for()
    with Session(demo_engine) as session:
        [created] = session.exec(select(QaCalibration).where(QaCalibration.title == "Verification 校准")).all()
        assert calibration._call_ids(session, created.id) == [qa_data["calls"][0]]
    cid = created.id
    page.goto(f"{app_server}/qa_calibration?calibration={cid}")  # its link
    page.get_by_text("Scoring is blind", exact=False).wait_for()
    radios = page.get_by_test_id("stRadio")
    for index, value in enumerate(("2", "2", "4")):
        radios.nth(index).get_by_text(value, exact=True).click()
    page.get_by_role("button", name="Submit my scores for this call").click()
    page.get_by_text("You scored this call: 100.0%").wait_for()
    sign_out(page)

    sign_in(page, app_server, "lead")
    page.goto(f"{app_server}/qa_calibration?calibration={cid}")
    page.get_by_text("Scoring is blind", exact=False).wait_for()
    assert page.get_by_text("Results side by side").count() == 0
    assert page.get_by_text("Yang Qing 杨青 · scored").count() == 1  # who has scored, never what
    radios = page.get_by_test_id("stRadio")
    radios.nth(0).get_by_text("2", exact=True).click()
    radios.nth(2).get_by_text("4", exact=True).click()
    page.get_by_role("button", name="Submit my scores for this call").click()  # verification left unscored
    page.get_by_text("Score this item or mark it N/A.").wait_for()
    radios.nth(1).get_by_text("0", exact=True).click()
    page.get_by_role("button", name="Submit my scores for this call").click()
    page.get_by_text("You scored this call", exact=False).wait_for()
    assert page.get_by_text("Results side by side").count() == 0  # scored, but not revealed yet
    screenshot(page, "qa-calibration-blind-en")
    sign_out(page)

    with Session(demo_engine) as session:
        calibration.submit_scores(session, actor(session, "trainer"), cid, qa_data["calls"][0],
                                  {"greet": 1, "verify": 2, "offer": None})
        session.commit()
    sign_in(page, app_server, "qa")
    page.goto(f"{app_server}/qa_calibration?calibration={cid}")
    page.get_by_role("button", name="Reveal everyone's scores").click()
    page.get_by_text("Results side by side").wait_for()
    open_menu(page, "My account")
    page.get_by_text("简体中文").click()
    page.get_by_test_id("stSidebar").get_by_text("我的账户").wait_for()  # saved before the page is left
    page.goto(f"{app_server}/qa_calibration?calibration={cid}")
    page.get_by_text("评分对比").wait_for()
    page.get_by_text("克里彭多夫 α 系数", exact=False).wait_for()
    page.wait_for_timeout(1500)
    screenshot(page, "qa-calibration-results-zh")
