"""Recognition in a real browser: thank a colleague in Chinese (too long refused beside the field,
a reload, found by typing a Chinese name, a double click), a lead nominates and an admin confirms the service star that then shows on
Home, and the agent downloads a certificate whose PDF reads in both languages."""
import io
import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, func, select

from portal.models import Compliment, ServiceStar, StarNomination, Thanks
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e
pypdf = pytest.importorskip("pypdf")
MESSAGE = "谢谢你帮我整理宽带故障排查步骤，今天的投诉电话我一次就解决了！"


def thanks_count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Thanks)).one()


def open_recognition(page) -> None:
    page.get_by_test_id("stSidebar").get_by_text("Recognition", exact=True).click()
    page.get_by_role("heading", name="Thank a colleague").wait_for()


def choose(page, key_prefix: str, option: str) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    box = page.locator(f"[class*='st-key-{key_prefix}']").get_by_role("combobox")
    for _ in range(3):
        box.click()
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    expect(box).to_have_value(option)


def message_box(page):
    return page.locator("[class*='st-key-message-thanks']").locator("textarea")


def test_thank_a_colleague_in_chinese_refused_when_too_long_then_once_on_a_double_click(app_server, demo_engine, page):
    before = thanks_count(demo_engine)
    sign_in(page, app_server, "agent")
    open_recognition(page)
    page.get_by_role("button", name="Send thanks").click()  # the untouched form
    page.get_by_text("Choose the colleague you want to thank.").wait_for()
    choose(page, "colleague-thanks", "Huang Lei 黄磊")
    message_box(page).fill("谢" * 281)
    page.get_by_role("button", name="Send thanks").click()
    refusal = page.get_by_text("The message is 281 characters long; keep it to 280.")
    refusal.wait_for()
    expect(message_box(page)).to_have_value("谢" * 281)  # what was typed stays, the refusal beside it
    screenshot(page, "recognition-thanks-too-long")
    page.reload()
    page.get_by_role("heading", name="Thank a colleague").wait_for()
    assert thanks_count(demo_engine) == before  # a refused message is not saved by a reload either
    page.get_by_text("Your team is listed; type a name to find anyone else.").wait_for()
    find = page.locator("[class*='st-key-thanks_find']").locator("input")
    find.fill("没有这个人")  # nobody: said so, not an empty picker
    find.press("Enter")
    page.get_by_text("Nobody active matches that name.").wait_for()
    find.fill("黄磊")  # anyone in the center, found by a Chinese name
    find.press("Enter")
    page.get_by_text("Nobody active matches that name.").wait_for(state="detached")
    choose(page, "colleague-thanks", "Huang Lei 黄磊")
    message_box(page).fill(MESSAGE)
    page.get_by_role("button", name="Send thanks").dblclick()
    page.get_by_text("Your thanks went to Huang Lei 黄磊.").wait_for()
    page.get_by_text(MESSAGE).first.wait_for()  # on the wall
    expect(message_box(page)).to_have_value("")
    assert thanks_count(demo_engine) == before + 1
    screenshot(page, "recognition-wall")


def test_qa_finds_the_agent_by_employee_number_and_records_a_compliment_once(app_server, demo_engine, page):
    """QA may compliment anyone in the center: the picker is found by typing, not a list of everyone."""
    with Session(demo_engine) as session:
        before = session.exec(select(func.count()).select_from(Compliment)).one()
    sign_in(page, app_server, "qa")
    open_recognition(page)
    page.get_by_role("heading", name="Record a customer's compliment").wait_for()
    find = page.locator("[class*='st-key-compliment_find']").locator("input")
    find.fill("gz1019")  # Huang Lei's employee number, in any case
    find.press("Enter")
    choose(page, "agent-compliment", "Huang Lei 黄磊")
    page.get_by_role("button", name="Record compliment").click()  # the customer's words left out
    page.get_by_text("Write what the customer said.").wait_for()
    expect(page.locator("[class*='st-key-agent-compliment']").get_by_role("combobox")).to_have_value("Huang Lei 黄磊")
    page.locator("[class*='st-key-text-compliment']").locator("textarea").fill("黄磊耐心地帮我改好了套餐，谢谢！")
    page.get_by_role("button", name="Record compliment").dblclick()
    page.get_by_text("The compliment for Huang Lei 黄磊 is recorded.").wait_for()
    with Session(demo_engine) as session:
        assert session.exec(select(func.count()).select_from(Compliment)).one() == before + 1
    screenshot(page, "recognition-compliment-found-by-number")


def test_lead_nominates_admin_confirms_and_the_star_shows_on_home(app_server, demo_engine, page, browser):
    sign_in(page, app_server, "lead")
    open_recognition(page)
    page.get_by_role("heading", name="Nominate a service star").wait_for()
    this_month = page.locator("[class*='st-key-recognition_nominate_month']").get_by_role("radio").first
    this_month.check(force=True)
    choose(page, "nominee-nominate", "Song Yu 宋宇")
    page.locator("[class*='st-key-reason-nominate']").locator("textarea").fill("三次主动加班，客户满意度最高。")
    page.get_by_role("button", name="Nominate").click()
    page.get_by_text(re.compile(r"Song Yu 宋宇 is nominated for")).wait_for()
    with Session(demo_engine) as session:
        assert session.exec(select(func.count()).select_from(StarNomination)).one() == 3
    admin = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}).new_page()
    admin.set_default_timeout(20_000)
    sign_in(admin, app_server, "admin")
    open_recognition(admin)
    admin.get_by_role("heading", name="Confirm the service star").wait_for()
    admin.locator("[class*='st-key-recognition_confirm_month']").get_by_role("radio").first.check(force=True)
    admin.get_by_text("三次主动加班，客户满意度最高。").wait_for()
    admin.get_by_role("button", name="Confirm as star").dblclick()
    admin.get_by_text("Song Yu 宋宇 is the service star of the month.").wait_for()
    with Session(demo_engine) as session:
        assert session.exec(select(func.count()).select_from(ServiceStar)).one() == 2
    screenshot(admin, "recognition-confirm")
    page.get_by_test_id("stSidebar").get_by_text("Home", exact=True).click()
    page.get_by_text(re.compile(r"Service star of .*: Song Yu 宋宇")).wait_for()
    screenshot(page, "recognition-star-on-home")


def test_agent_downloads_the_certificate_in_both_languages(app_server, page, tmp_path):
    sign_in(page, app_server, "agent")
    page.get_by_test_id("stSidebar").get_by_text("My profile", exact=True).click()
    page.get_by_role("heading", name="Certificates").wait_for()
    page.get_by_text("Graduated onboarding").wait_for()
    screenshot(page, "recognition-profile")
    # the demo agent also holds a contest winner's certificate: the graduation's own box and button
    graduation = page.get_by_text("New-hire onboarding programme", exact=True).locator(
        "xpath=ancestor::*[.//button][1]")
    with page.expect_download() as download:
        graduation.get_by_role("button", name="Download PDF").click()
    path = tmp_path / "certificate.pdf"
    download.value.save_as(path)
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages).replace("\x00", "")
    for expected in ("Certificate of Achievement", "结业证书", "Chen Jie 陈杰", "New-hire onboarding programme",
                     "新员工入职培训", "Verification code: AA-", "验证码：AA-"):
        assert expected in text, expected


def test_agent_reads_a_changed_module_again_from_home_once_on_a_double_click(app_server, demo_engine, page):
    from portal.models import RecertReread

    sign_in(page, app_server, "agent")
    page.get_by_text(re.compile(r"Read “The billing system.*” again")).click()
    page.wait_for_url(re.compile(r"profile\?module=systems-billing"))
    page.get_by_role("heading", name="Modules to read again").wait_for()
    page.get_by_role("button", name="I have read it again").dblclick()
    page.get_by_text("You read it again: now pass its practice quiz.").wait_for()
    page.reload()
    page.get_by_text("You read it again: now pass its practice quiz.").wait_for()
    with Session(demo_engine) as session:
        assert session.exec(select(func.count()).select_from(RecertReread)).one() == 1
    screenshot(page, "recognition-recertification")
    page.go_back()
    page.get_by_role("heading", name=re.compile("Welcome")).wait_for()
