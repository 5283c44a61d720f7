"""The learning record in a real browser (issue #20): an agent reads their own and downloads the PDF and the
XLSX, in English and Chinese; a lead picks a team member, goes Back, and is refused another team's by URL."""
import io

import openpyxl
import pytest
from sqlmodel import Session, select

from portal.models import User
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_coaching_pdf_browser import pdf_text

pytestmark = pytest.mark.e2e
PAGE = "training_learning_record"


def ids(engine, *usernames) -> dict[str, int]:
    with Session(engine) as session:
        return dict(session.exec(select(User.username, User.id).where(User.username.in_(usernames))).all())


def test_an_agent_reads_and_downloads_their_own_record(app_server, page, tmp_path):
    sign_in(page, app_server, "agent")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Learning record").click()
    page.get_by_role("heading", name="Chen Jie 陈杰").wait_for()
    page.get_by_role("heading", name="Exams and practicals").wait_for()
    page.get_by_test_id("stDataFrame").first.wait_for()
    assert page.get_by_test_id("stSelectbox").count() == 0  # an agent reads only their own
    screenshot(page, "learning-record-agent-en")

    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    pdf_path = tmp_path / "record.pdf"
    download.value.save_as(pdf_path)
    text = "".join(pdf_text(pdf_path).split())
    assert "Learningrecord" in text and "陈杰" in text

    with page.expect_download() as download:
        page.get_by_role("button", name="Download Excel").click()
    xlsx_path = tmp_path / "record.xlsx"
    download.value.save_as(xlsx_path)
    book = openpyxl.load_workbook(io.BytesIO(xlsx_path.read_bytes()))
    assert book.sheetnames[:2] == ["Person", "Onboarding stages"]

    page.reload()  # the page comes back as it was
    page.get_by_role("heading", name="Chen Jie 陈杰").wait_for()

    sidebar.get_by_text("My account").click()
    page.get_by_text("简体中文").click()
    sidebar.get_by_text("学习档案").click()
    page.get_by_role("heading", name="笔试与实操").wait_for()
    page.get_by_test_id("stDataFrame").first.wait_for()
    screenshot(page, "learning-record-agent-zh")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载 PDF").click()
    download.value.save_as(pdf_path)
    assert "学习档案" in "".join(pdf_text(pdf_path).split())


def test_a_lead_reads_a_team_member_and_is_refused_another_teams_by_url(app_server, page, demo_engine):
    people = ids(demo_engine, "agent", "huang.lei", "qian.lu")
    sign_in(page, app_server, "lead")
    page.goto(f"{app_server}/{PAGE}?user={people['agent']}")
    page.get_by_role("heading", name="Chen Jie 陈杰").wait_for()
    page.get_by_test_id("stDataFrame").first.wait_for()
    screenshot(page, "learning-record-lead-team-member")

    page.get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name="Huang Lei 黄磊 (huang.lei)").click()
    page.get_by_role("heading", name="Huang Lei 黄磊").wait_for()
    assert f"user={people['huang.lei']}" in page.url
    page.go_back()  # Back returns to the person read before
    page.get_by_role("heading", name="Chen Jie 陈杰").wait_for()

    page.goto(f"{app_server}/{PAGE}?user={people['qian.lu']}")
    page.get_by_text("You do not have permission to do this.").wait_for()
    assert page.get_by_role("heading", name="Qian Lu 钱璐").count() == 0
    assert page.get_by_test_id("stDataFrame").count() == 0
    screenshot(page, "learning-record-lead-refused")
