"""An admin in a real browser (issue 18): filter the users, tick twenty, deactivate them in one confirmed action
(a double click deactivates once); rename a team to a taken name (refused beside the field, then reload);
archive a cohort and see it gone from the create-user picker; the pages in both languages."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from sqlmodel import Session, func, select

from portal.models import AuditEntry, Cohort, Team, User, UserRole
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def add_agents(engine, count: int) -> None:
    with Session(engine) as session:
        for n in range(count):
            user = User(username=f"zz.bulk{n:02d}", display_name=f"Zz Bulk {n:02d}", password_hash="x")
            session.add(user)
            session.flush()
            session.add(UserRole(user_id=user.id, role="agent"))
        session.commit()


def users_page(page, url: str, query: str = "") -> None:
    page.goto(f"{url}/admin_users{query}")
    page.get_by_role("heading", name="Users", exact=True).wait_for()


def tick_every_row(page) -> None:
    """The table's header checkbox (drawn on the grid's canvas, at its top left) ticks every row shown."""
    grid = page.get_by_test_id("stDataFrame").first
    grid.hover()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 18)


def test_twenty_people_deactivated_in_one_confirmed_action(app_server, page, demo_engine):
    add_agents(demo_engine, 20)
    sign_in(page, app_server, "admin")
    users_page(page, app_server, "?q=zz.bulk")
    expect(page.get_by_text("Rows 1–20 of 20")).to_be_visible()
    tick_every_row(page)
    expect(page.get_by_text("20 people chosen")).to_be_visible()
    page.get_by_role("button", name="Review the changes").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text("20 people will change:")).to_be_visible()
    screenshot(page, "admin-bulk-deactivate-preview-en")
    dialog.get_by_role("button", name="Confirm").dblclick()  # a double click deactivates once
    expect(page.get_by_text("20 people deactivated.")).to_be_visible()
    with Session(demo_engine) as session:
        assert session.exec(select(func.count()).select_from(User).where(
            User.username.like("zz.bulk%"), User.active)).one() == 0
        assert session.exec(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "user.deactivated", AuditEntry.target.like("zz.bulk%"))).one() == 20


def test_homes_never_signed_in_link_opens_the_users_it_counts(app_server, page, demo_engine):
    sign_in(page, app_server, "admin")
    users_page(page, app_server, "?filter=never_signed_in")
    expect(page.locator(".st-key-users_status").get_by_role("combobox")).to_have_value("Never signed in")


def test_rename_refused_beside_the_field_and_an_archived_cohort_leaves_the_picker(app_server, page, demo_engine,
                                                                                   browser):
    with Session(demo_engine) as session:
        first, second = session.exec(select(Team.name).order_by(Team.name)).all()[:2]
        cohort = session.exec(select(Cohort.name).order_by(Cohort.id)).first()
    sign_in(page, app_server, "admin")
    page.goto(f"{app_server}/admin_teams")
    page.get_by_text("Rename or archive a team").wait_for()
    team_box = page.locator(".st-key-change_team").get_by_role("combobox")
    expect(team_box).to_have_value(first)
    name = page.get_by_role("textbox", name="Name", exact=True).first
    name.fill(second.upper())
    page.get_by_role("button", name="Rename").first.click()
    expect(page.get_by_text(f"A team named '{second.upper()}' already exists.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Name", exact=True).first).to_have_value(second.upper())  # what was typed stays
    screenshot(page, "admin-team-rename-refused-en")
    page.reload()
    page.get_by_text("Rename or archive a team").wait_for()
    expect(page.get_by_role("textbox", name="Name", exact=True).first).to_have_value(first)
    with Session(demo_engine) as session:
        assert session.exec(select(Team.name).order_by(Team.name)).all()[:2] == [first, second]

    # archive the cohort, confirmed
    page.locator(".st-key-archive_cohort").get_by_role("button").click()
    page.get_by_role("dialog").get_by_role("button", name="Archive").click()
    expect(page.get_by_text(f"{cohort} archived", exact=False)).to_be_visible()
    expect(page.get_by_text(f"{cohort} (archived)", exact=True)).to_be_visible()
    expect(page.locator(".st-key-archive_cohort").get_by_role("button", name="Bring back")).to_be_visible()
    users_page(page, app_server)
    page.get_by_role("tab", name="Create a user").click()
    picker = page.get_by_test_id("stForm").first.get_by_label("Cohort", exact=True)
    picker.wait_for()
    for _ in range(3):  # a click while the page still redraws after the tab can close the list again
        picker.click()
        try:
            page.get_by_role("option").first.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    offered = page.get_by_role("option").all_inner_texts()
    assert "—" in offered and cohort not in offered
    page.keyboard.press("Escape")

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    chinese = context.new_page()
    chinese.set_default_timeout(20_000)
    try:
        sign_in(chinese, app_server, "admin")
        chinese.goto(f"{app_server}/admin_teams")
        chinese.get_by_text("重命名或归档班组").wait_for()
        expect(chinese.get_by_text(f"{cohort}（已归档）", exact=True)).to_be_visible()
        screenshot(chinese, "admin-teams-zh-CN")
        chinese.goto(f"{app_server}/admin_users")
        chinese.get_by_text("批量修改").wait_for()
        chinese.get_by_test_id("stDataFrame").first.wait_for()
        chinese.get_by_text("预览修改").wait_for()
        screenshot(chinese, "admin-users-bulk-zh-CN")
        chinese.goto(f"{app_server}/admin_settings")
        chinese.get_by_role("heading", name="当前生效的设置").wait_for()
        chinese.get_by_test_id("stDataFrame").wait_for()
        screenshot(chinese, "admin-settings-zh-CN")
    finally:
        context.close()
