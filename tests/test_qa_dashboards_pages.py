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
                for tab in range(1, 4):  # every tab, as a person opens it
                    at.tabs[tab].open = True
                    at.run()
                    assert not problems_of(at), f"{username} on {path} tab {tab} ({language}): {problems_of(at)}"
