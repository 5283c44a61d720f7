"""A page loads what every part of it needs once per run and hands it on (issue 14, item 4)."""
import pytest

from portal import users
from portal.coaching import settings as coaching_settings
from tests.utils.apptest import app_as, errors_of


@pytest.fixture
def loads(monkeypatch):
    """How often this run read the coaching settings and the teams a lead leads from the database."""
    counted = {"coaching settings": 0, "teams led": 0}

    def spy(name, real):
        def counting(*args, **kwargs):
            counted[name] += 1
            return real(*args, **kwargs)
        return counting

    monkeypatch.setattr(coaching_settings, "_stored_settings", spy("coaching settings",
                                                                   coaching_settings._stored_settings))
    monkeypatch.setattr(users, "_lead_team_ids", spy("teams led", users._lead_team_ids))
    return counted


def _render(engine, username: str, page: str, loads: dict, language: str):
    at = app_as(engine, username, language=language).run()
    at.switch_page(page)
    loads.update({name: 0 for name in loads})
    at.run()
    assert not errors_of(at), errors_of(at)
    return at


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_team_dashboard_loads_the_coaching_settings_once_per_run(demo_engine, loads, language):
    at = _render(demo_engine, "lead", "pages/team_dashboard.py", loads, language)
    assert loads["coaching settings"] == 1  # the overview: at risk, the trend, one person's coaching history
    for tab in ("distribution", "effect", "speed"):
        at.session_state["dash_tab"] = at.tabs[("distribution", "effect", "speed").index(tab) + 1].label
        loads.update({name: 0 for name in loads})
        at.run()
        assert not errors_of(at), errors_of(at)
        assert loads["coaching settings"] == 1, tab


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_wellbeing_team_page_asks_once_which_teams_the_lead_leads(demo_engine, loads, language):
    at = _render(demo_engine, "lead", "pages/wellbeing_team.py", loads, language)
    assert at.dataframe and loads["teams led"] == 1
    at.radio[0].set_value("month")
    loads.update({name: 0 for name in loads})
    at.run()
    assert not errors_of(at) and loads["teams led"] == 1
