"""The quality dashboard and quality focus pages render for everyone who opens them, in both languages."""
import pytest

from tests.utils.apptest import app_as, problems_of

PAGES = {"pages/qa_dashboard.py": ("lead", "qa", "trainer", "admin"), "pages/qa_focus.py": ("qa", "trainer")}


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_qa_pages_render(demo_engine, language):
    for path, usernames in PAGES.items():
        for username in usernames:
            at = app_as(demo_engine, username, language=language).run()
            at.switch_page(path).run()
            assert not problems_of(at), f"{username} on {path} ({language}): {problems_of(at)}"
            assert at.title, path
            if path == "pages/qa_dashboard.py":
                for label in [tab.label for tab in at.tabs][1:]:  # every tab, as a person opens it
                    at.session_state["qa_dash_tab"] = label
                    at.run()
                    assert at.session_state["qa_dash_tab"] == label
                    assert not problems_of(at), f"{username} on {path} tab {label} ({language}): {problems_of(at)}"
