"""An administrator with the whole database cannot link a check-in to a person.

Twelve known people check in, one after another, each with answers that
identify them to the test (person i answers WHO-5 with a total of i+5 and a
unique comment). Then we read the database as an attacker would: the schema,
every row of every table, ids, physical row order, PostgreSQL's xmin, the
audit log and the logs.
"""
import hashlib
import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

from portal import wellbeing
from portal.models import AuditEntry, AuthSession, WellbeingParticipation
from portal.roles import Role
from portal.wellbeing import CheckIn
from tests.utils.clock import set_center_day
from tests.utils.factories import make_team, make_user

PEOPLE = 12
RESPONSE_COLUMNS = {"id", "iso_week", "team_id", "comment", *(f"who5_{i}" for i in range(1, 6)),
                    *(f"pss4_{i}" for i in range(1, 5))}


def who5_for(index: int) -> list[int]:
    """Answers whose total is index + 5, so the test knows who gave which response."""
    total, answers = index + 5, []
    for _ in range(5):
        answers.append(min(5, total))
        total -= answers[-1]
    return answers


@pytest.fixture
def checked_in(session, caplog):
    team = make_team(session, "Night shift")
    people = [make_user(session, f"person{i:02d}", Role.AGENT, team_id=team.id) for i in range(PEOPLE)]
    session.commit()
    audit_before = len(session.exec(select(AuditEntry)).all())
    sessions_before = len(session.exec(select(AuthSession)).all())
    caplog.set_level(logging.DEBUG)
    for index, person in enumerate(people):
        wellbeing.check_in(session, person, CheckIn(who5=who5_for(index), pss4=[2, 2, 2, 2],
                                                    comment=f"secret-comment-{index:02d}"))
        session.commit()  # one transaction each, as in the app
    return people, team, audit_before, sessions_before


def test_response_and_participation_tables_hold_nothing_personal(session, checked_in):
    inspector = inspect(session.get_bind())
    columns = {c["name"]: c for c in inspector.get_columns("wellbeing_response")}
    assert set(columns) == RESPONSE_COLUMNS
    assert {c["name"] for c in inspector.get_columns("wellbeing_participation")} == {"token", "iso_week"}
    for table in ("wellbeing_response", "wellbeing_participation"):
        kinds = {str(c["type"]).upper() for c in inspector.get_columns(table)}
        assert not any(k.startswith(("DATE", "TIME")) for k in kinds), f"{table} stores a time: {kinds}"
        references = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert references <= {"team"}, f"{table} references {references}"


def test_no_row_of_any_table_links_a_response_to_a_person(session, checked_in):
    people, team, _, _ = checked_in
    week = wellbeing.current_week()
    responses = session.execute(text("SELECT * FROM wellbeing_response")).mappings().all()
    assert len(responses) == PEOPLE
    personal = {str(p.id) for p in people} | {p.username for p in people} | {p.display_name for p in people}
    for row in responses:
        assert row["iso_week"] == week and row["team_id"] == team.id
        assert re.fullmatch(r"[0-9a-f]{32}", row["id"]), "ids are random, not a sequence"
        assert not ({str(v) for k, v in row.items() if k not in ("team_id",) and not k.startswith(("who5", "pss4"))}
                    & personal)

    participation = session.exec(select(WellbeingParticipation)).all()
    assert len(participation) == PEOPLE
    tokens = {p.token for p in participation}
    unkeyed = {hashlib.sha256(f"{p.id}:{week}".encode()).hexdigest() for p in people} | \
              {hashlib.sha256(f"{p.username}:{week}".encode()).hexdigest() for p in people} | \
              {hashlib.sha256(str(p.id).encode()).hexdigest() for p in people}
    assert not tokens & unkeyed, "participation must be keyed by a secret, not a plain hash"
    assert tokens == {wellbeing.participation_token(p.id, week) for p in people}  # only the secret holder can check

    # The comment text lives in the response table and nowhere else.
    for table in inspect(session.get_bind()).get_table_names():
        if table == "wellbeing_response":
            continue
        dump = " ".join(str(v) for row in session.execute(text(f'SELECT * FROM "{table}"')) for v in row)
        assert "secret-comment" not in dump, f"a comment leaked into {table}"


def test_row_order_ids_and_transaction_ids_do_not_follow_check_in_order(session, checked_in):
    """Insert order plus knowing who was online when would re-identify; the order is random."""
    def person_of(row):
        return sum(row[f"who5_{i}"] for i in range(1, 6)) - 5

    physical = [person_of(r) for r in session.execute(text("SELECT * FROM wellbeing_response")).mappings()]
    assert sorted(physical) == list(range(PEOPLE))
    assert physical != list(range(PEOPLE)), "rows sit in check-in order"
    by_id = [person_of(r) for r in session.execute(text("SELECT * FROM wellbeing_response ORDER BY id")).mappings()]
    assert by_id != list(range(PEOPLE)), "ids grow with check-in order"

    engine = session.get_bind()
    if engine.dialect.name == "postgresql":
        xmins = session.execute(text("SELECT DISTINCT xmin::text FROM wellbeing_response")).all()
        assert len(xmins) == 1, "rows carry the transaction id of their own check-in"
        by_ctid = [person_of(r) for r in session.execute(
            text("SELECT * FROM wellbeing_response ORDER BY ctid")).mappings()]
        assert by_ctid != list(range(PEOPLE))
        assert len(session.execute(text("SELECT DISTINCT xmin::text FROM wellbeing_participation")).all()) == 1
    else:
        for table in ("wellbeing_response", "wellbeing_participation"):
            with pytest.raises(Exception, match="rowid"):
                session.execute(text(f"SELECT rowid FROM {table}")).all()
            session.rollback()


def test_check_ins_leave_no_trace_in_the_audit_log_sessions_or_logs(session, checked_in, caplog):
    _, _, audit_before, sessions_before = checked_in
    assert len(session.exec(select(AuditEntry)).all()) == audit_before
    assert len(session.exec(select(AuthSession)).all()) == sessions_before
    assert not [r for r in caplog.records if "secret-comment" in r.getMessage() or "wellbeing" in r.getMessage()]


def test_leads_see_aggregates_only_and_only_once_the_week_has_closed(session, checked_in, monkeypatch):
    _, team, _, _ = checked_in
    admin = make_user(session, "root", Role.ADMIN)
    week = wellbeing.current_week()
    trend = wellbeing.wellbeing_trend(session, admin, wellbeing.team_key(team.id), "week")
    assert list(trend.columns) == wellbeing.TREND_COLUMNS
    assert week not in set(trend["period"])  # the current week is never shown
    set_center_day(monkeypatch, wellbeing.week_start(week) + timedelta(days=7))
    trend = wellbeing.wellbeing_trend(session, admin, wellbeing.team_key(team.id), "week")
    assert trend.set_index("period").loc[week, "responses"] == PEOPLE
    assert not hasattr(wellbeing, "export_responses")
    public = [name for name in dir(wellbeing) if not name.startswith("_")]
    assert not [name for name in public if "export" in name or "raw" in name], public
