"""An admin moves Chen Jie to another team with an effective date and sees the history (#18.2).

A wrong date is refused beside the date field and nothing is saved; a reload shows the form as it was
saved; the move counts once, however often Save is clicked."""
import time
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from portal.clock import today
from portal.models import Team, TeamMembership, User
from portal.teams.membership import MAX_DAYS_AHEAD
from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def chen_jie(engine) -> tuple[str, list[tuple]]:
    """Chen Jie's team now and the stretches written (start, end)."""
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == "agent")).one()
        rows = session.exec(select(TeamMembership.start_date, TeamMembership.end_date)
                            .where(TeamMembership.user_id == user.id).order_by(TeamMembership.start_date)).all()
        return session.get(Team, user.team_id).name, [tuple(r) for r in rows]


def saved_move(engine, seconds: float = 20) -> tuple[str, list[tuple]]:
    """Chen Jie's team and stretches once the move is saved (the page saves after the click returns)."""
    deadline = time.monotonic() + seconds
    while (found := chen_jie(engine))[0] != "Broadband Team B" and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def open_chen_jie(page, url) -> object:
    page.get_by_test_id("stSidebar").get_by_text("Users", exact=True).click()
    search = page.get_by_role("textbox", name="Find a user")
    search.fill("Chen Jie")
    search.press("Enter")
    page.get_by_text("Rows 1–1 of 1").wait_for()
    page.get_by_role("tab", name="Edit a user").click()
    panel = page.locator('[role="tabpanel"]:visible')
    panel.get_by_role("group", name="Team change takes effect").wait_for()
    return panel


def choose_team(panel, page, name: str) -> None:
    panel.get_by_label("Team", exact=True).click()
    page.keyboard.type(name)
    page.keyboard.press("Enter")


def segment(panel, part: str):
    """One part (year, month, day) of the date field: Streamlit's date input is a field of three spinbuttons."""
    return panel.get_by_role("spinbutton", name=f"{part}, Team change takes effect")


def shown_date(panel) -> tuple[int, int, int]:
    return tuple(int(segment(panel, part).get_attribute("aria-valuenow")) for part in ("year", "month", "day"))


def type_date(panel, page, day) -> None:
    """Type the day as people do: year, month, day, then leave the field."""
    for part, value in (("year", f"{day.year:04d}"), ("month", f"{day.month:02d}"), ("day", f"{day.day:02d}")):
        segment(panel, part).click()
        page.keyboard.type(value)
    page.keyboard.press("Tab")


def test_a_dated_move_a_refused_date_a_reload_and_a_double_click(demo_engine, app_server, page):
    sign_in(page, app_server, "admin")
    panel = open_chen_jie(page, app_server)
    assert shown_date(panel) == (today().year, today().month, today().day)  # the center's day, not UTC's
    page.get_by_text("Team history").wait_for()
    _, before = chen_jie(demo_engine)
    assert len(before) == 1 and before[0][1] is None  # the demo writes down everyone's current team

    choose_team(panel, page, "Broadband Team B")
    type_date(panel, page, today() + timedelta(days=MAX_DAYS_AHEAD + 10))
    panel.get_by_role("button", name="Save").click()
    refusal = panel.get_by_text(f"The move can be dated at most {MAX_DAYS_AHEAD} days ahead.")
    refusal.wait_for()
    screenshot(page, "team-move-refused-en")
    assert chen_jie(demo_engine) == ("Mobile Team A", before)

    page.reload()
    panel = open_chen_jie(page, app_server)
    assert shown_date(panel) == (today().year, today().month, today().day)
    assert chen_jie(demo_engine) == ("Mobile Team A", before)

    moved_on = today() - timedelta(days=30)
    choose_team(panel, page, "Broadband Team B")
    type_date(panel, page, moved_on)
    panel.get_by_role("button", name="Save").dblclick()
    team, stretches = saved_move(demo_engine)
    expect(segment(panel, "month")).to_have_attribute("aria-valuenow", str(today().month))  # a fresh date: saved
    screenshot(page, "team-move-history-en")
    assert team == "Broadband Team B"
    assert stretches == [(before[0][0], moved_on), (moved_on, None)]
    assert panel.get_by_test_id("stDataFrame").count() == 1  # the history table, drawn (a canvas: read from the rows above)
