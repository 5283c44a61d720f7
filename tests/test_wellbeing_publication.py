"""Publication: closed periods only, all at once, never changed; the SQLite files keep one copy of each response.

The first test is the attack of issue 13, point 1: a lead who reads Team
wellbeing before and after a known person checks in must see exactly the
same thing (it recovered that person's answers on the old code).
"""
import inspect
import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from portal import wellbeing
from portal.db import read_scope, run_transaction
from portal.errors import ValidationFailed
from portal.models import TeamLead, WellbeingAggregate, WellbeingPublication
from portal.roles import Role
from portal.settings import get_settings
from portal.wellbeing import CENTER, CheckIn
from tests.utils.clock import set_center_day
from tests.utils.factories import make_team, make_user

STEADY = CheckIn(who5=[3, 3, 3, 3, 3], pss4=[2, 2, 2, 2])


@pytest.fixture
def night_shift(session):
    team = make_team(session, "Night shift")
    lead = make_user(session, "lead.night", Role.LEAD)
    session.add(TeamLead(team_id=team.id, user_id=lead.id))
    people = [make_user(session, f"night{i:02d}", Role.AGENT, team_id=team.id) for i in range(12)]
    session.commit()
    return team, lead, people


def lead_view(session, lead, team) -> list:
    """Everything the lead can read about wellbeing, as plain values."""
    view = []
    for group in (wellbeing.team_key(team.id), CENTER):
        for kind in wellbeing.PERIOD_KINDS:
            view.append(wellbeing.wellbeing_trend(session, lead, group, kind).to_json())
        view.append(wellbeing.wellbeing_comments(session, lead, group))
    return view


def test_a_lead_reading_before_and_after_each_check_in_learns_nothing(session, night_shift, monkeypatch):
    team, lead, people = night_shift
    set_center_day(monkeypatch, date(2026, 11, 25))  # a Wednesday
    for index, person in enumerate(people[:10]):
        wellbeing.check_in(session, person, CheckIn(STEADY.who5, STEADY.pss4, f"note {index}"))
        session.commit()
    for person in people[10:]:  # two known people in a row, with answers that would stand out
        before = lead_view(session, lead, team)
        result = wellbeing.check_in(session, person, CheckIn(who5=[0, 0, 1, 0, 0], pss4=[4, 0, 0, 4],
                                                             comment=f"it is me, {person.username}"))
        session.commit()
        assert result.who5.percentage == 4 and result.pss4.total == 16  # the person sees their own result at once
        assert lead_view(session, lead, team) == before


def test_a_week_and_its_month_appear_when_the_week_ends_in_the_center(session, night_shift, monkeypatch):
    """2026-W44 runs from Monday 26 October to Sunday 1 November; its Thursday makes it October's last week."""
    team, lead, people = night_shift
    center = ZoneInfo(get_settings().center_timezone)
    sunday_late = datetime(2026, 11, 1, 23, 30, tzinfo=center)
    set_center_day(monkeypatch, sunday_late.date(), sunday_late)
    for index, person in enumerate(people[:10]):
        result = wellbeing.check_in(session, person, CheckIn(STEADY.who5, STEADY.pss4, f"late {index}"))
        assert result.week == "2026-W44"
        session.commit()
    group = wellbeing.team_key(team.id)

    def periods(kind):
        return set(wellbeing.wellbeing_trend(session, lead, group, kind)["period"])

    set_center_day(monkeypatch, sunday_late.date(), datetime(2026, 11, 1, 23, 59, 59, tzinfo=center))
    assert "2026-W44" not in periods("week") and "2026-10" not in periods("month")
    assert wellbeing.wellbeing_comments(session, lead, group) == {}

    monday = datetime(2026, 11, 2, 0, 0, 1, tzinfo=center)  # still Sunday in UTC
    set_center_day(monkeypatch, monday.date(), monday)
    trend = wellbeing.wellbeing_trend(session, lead, group, "week").set_index("period")
    assert trend.loc["2026-W44", "responses"] == 10
    months = wellbeing.wellbeing_trend(session, lead, group, "month").set_index("period")
    assert months.loc["2026-10", "responses"] == 10
    assert wellbeing.wellbeing_comments(session, lead, group) == {"2026-10": sorted(f"late {i}" for i in range(10))}
    assert wellbeing.check_in(session, people[10], STEADY).week == "2026-W45"  # the center's week, not UTC's


def test_concurrent_first_readers_publish_each_period_once(engine, monkeypatch):
    set_center_day(monkeypatch, date(2026, 11, 25))
    with Session(engine) as session:
        team = make_team(session, "Team C")
        people = [make_user(session, f"c{i}", Role.AGENT, team_id=team.id) for i in range(7)]
        session.commit()
        for day in (date(2026, 10, 28), date(2026, 11, 4), date(2026, 11, 11)):
            set_center_day(monkeypatch, day)
            for person in people:
                wellbeing.check_in(session, person, STEADY)
                session.commit()
    set_center_day(monkeypatch, date(2026, 11, 25))
    start, results, errors = threading.Barrier(4), [], []

    def first_read():
        try:
            start.wait()
            with read_scope(engine) as session:
                results.append(dict(wellbeing.published_cells(session)))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first_read) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with Session(engine) as session:
        periods = sorted(p.period for p in session.exec(select(WellbeingPublication)))
        rows = session.exec(select(WellbeingAggregate)).all()
    assert periods == ["2026-10", "2026-W44", "2026-W45", "2026-W46"]
    assert len(rows) == len({(r.group_key, r.period) for r in rows}) == 8  # team and center x 3 weeks + October
    assert all(r == results[0] for r in results) and len(results[0]) == 8


def test_the_names_outside_audit_tools_call_keep_their_arguments(session, monkeypatch):
    """Issue 13, point 4: these three are imported from portal.wellbeing by outside tools."""
    from portal.wellbeing import CheckIn as ImportedCheckIn
    from portal.wellbeing import check_in, wellbeing_groups, wellbeing_trend

    assert list(inspect.signature(check_in).parameters) == ["session", "actor", "answers"]
    assert list(inspect.signature(wellbeing_trend).parameters) == ["session", "actor", "group", "period_kind"]
    assert list(inspect.signature(wellbeing_groups).parameters) == ["session", "actor"]
    team = make_team(session, "Team API")
    admin = make_user(session, "auditor", Role.ADMIN)
    agents = [make_user(session, f"api{i}", Role.AGENT, team_id=team.id) for i in range(5)]
    set_center_day(monkeypatch, date(2026, 11, 18))
    for agent in agents:
        result = check_in(session, agent, ImportedCheckIn([4, 4, 3, 4, 3], [1, 3, 3, 1], "fine"))
        assert result.who5.percentage == 72
    session.commit()
    set_center_day(monkeypatch, date(2026, 11, 25))
    groups = wellbeing_groups(session, admin)
    assert [g.key for g in groups] == [wellbeing.team_key(team.id), wellbeing.NO_TEAM, CENTER]
    trend = wellbeing_trend(session, admin, groups[0].key, "week")
    assert trend.set_index("period").loc["2026-W47", "responses"] == 5


def _copies(database: Path, needle: bytes) -> int:
    return sum(path.read_bytes().count(needle) for path in
               (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if path.exists())


def test_sqlite_files_keep_one_copy_of_each_response_after_each_check_in(engine, session):
    """Issue 13, point 3: copies of a week left in the WAL (or free space) gave each response's arrival order."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL keeps WAL and dead tuples (README, honest limits)")
    database = Path(engine.url.database)
    team = make_team(session, "Team WAL")
    people = [make_user(session, f"wal{i}", Role.AGENT, team_id=team.id) for i in range(8)]
    session.commit()
    comments = [f"wal-probe-{i:02d}-{'q' * 12}" for i in range(8)]
    for index, person in enumerate(people):
        run_transaction(lambda s: wellbeing.check_in(s, person, CheckIn(STEADY.who5, STEADY.pss4, comments[index])),
                        engine)
        copies = [_copies(database, c.encode()) for c in comments[:index + 1]]
        assert copies == [1] * (index + 1), f"after check-in {index + 1}: {copies}"
    week = wellbeing.current_week()
    assert _copies(database, week.encode()) >= 8  # the probe reads the right file: the rows themselves are there


def test_a_check_in_into_a_published_week_is_refused(session, night_shift, monkeypatch):
    """Only if the clock went back: a closed week is never reopened."""
    _, _, people = night_shift
    set_center_day(monkeypatch, date(2026, 11, 18))
    wellbeing.check_in(session, people[0], STEADY)
    session.commit()
    set_center_day(monkeypatch, date(2026, 11, 25))
    wellbeing.publish_closed_periods(session)
    session.commit()
    set_center_day(monkeypatch, date(2026, 11, 18) + timedelta(days=1))
    with pytest.raises(ValidationFailed) as refused:
        wellbeing.check_in(session, people[1], STEADY)
    assert refused.value.key == "wellbeing.error.week_closed"


def test_finding_what_is_left_to_publish_reads_only_the_weeks_after_the_newest_published(session, night_shift,
                                                                                         monkeypatch):
    """The team page asks on every view; reading every response's week grew with the center's history."""
    from sqlalchemy import event

    _, _, people = night_shift
    for day in (date(2026, 11, 11), date(2026, 11, 18)):
        set_center_day(monkeypatch, day)
        for person in people[:6]:
            wellbeing.check_in(session, person, STEADY)
        session.commit()
    assert wellbeing.pending_periods(session, "2026-W48") == ["2026-W46", "2026-W47"]
    wellbeing.publish_closed_periods(session, "2026-W48")
    session.commit()
    bounds = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if "wellbeing_response" in statement:
            bounds.append(parameters)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        assert wellbeing.pending_periods(session, "2026-W48") == []
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert bounds and "2026-W47" in str(bounds[0])  # the newest published week bounds the read from below
