"""An admin keeps one support resource in both languages: a twin is refused, a deletion asks first."""
import pytest

from tests.e2e.conftest import screenshot, sign_in

pytestmark = pytest.mark.e2e


def add_resource(page, name: str, name_zh: str, phone: str) -> None:
    tab = page.get_by_role("tabpanel").first
    tab.get_by_label("Name · English").fill(name)
    tab.get_by_label("Name · 中文").fill(name_zh)
    tab.get_by_label("Phone").fill(phone)
    tab.get_by_role("button", name="Save resource").click()


def test_one_resource_two_languages_no_twins_and_a_confirmed_delete(app_server, page):
    sign_in(page, app_server, "admin")
    page.get_by_test_id("stSidebar").get_by_text("Support and counselling").click()
    page.get_by_role("tab", name="Add a resource").wait_for()
    add_resource(page, "Peer circle", "同伴互助小组", "8021")
    page.get_by_text("Added Peer circle.").wait_for()
    assert page.get_by_role("tabpanel").first.get_by_label("Name · English").input_value() == ""  # a fresh form
    add_resource(page, "peer circle", "", "8022")
    page.get_by_text("A resource of this kind is already called", exact=False).wait_for()
    assert page.get_by_role("tabpanel").first.get_by_label("Phone").input_value() == "8022"  # nothing typed lost
    screenshot(page, "resources-duplicate-en")

    page.get_by_role("tab", name="Edit a resource").click()
    chooser = page.get_by_label("Resource", exact=True)
    chooser.click()
    page.keyboard.type("Peer circle")
    page.keyboard.press("Enter")
    chinese = page.get_by_label("Name · 中文").filter(visible=True)
    page.wait_for_function("() => [...document.querySelectorAll('input[aria-label=\"Name · 中文\"]')]"
                           ".some(e => e.offsetParent !== null && e.value === '同伴互助小组')")
    assert chinese.input_value() == "同伴互助小组"
    page.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("Peer circle will no longer be offered to anyone").wait_for()
    dialog.get_by_role("button", name="Delete").click()
    page.get_by_text("Resource deleted.").wait_for()
