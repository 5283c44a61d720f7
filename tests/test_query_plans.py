"""The hot queries use their indexes (issue 15): no full scan of the big tables.

Each test calls a service the way its page does, records every SELECT it runs
(an engine event listener, so the test follows the code, not a copy of its
SQL), and asks the database for each statement's plan: on SQLite `EXPLAIN
QUERY PLAN` must not `SCAN` attempt, attempt_answer or module_progress; on
PostgreSQL `EXPLAIN` must not show a `Seq Scan` of them, nor an index scan whose
condition leaves the index's first column open (a walk through the whole index). The data is the
`large` center at a fraction, with statistics gathered as `portal seed large`
does (portal.db.refresh_statistics), so the planner sees realistic shapes.
"""
import json
import re
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event, inspect
from sqlmodel import Session

from portal import auth
from portal.clock import utcnow
from portal.db import make_engine, migrate, refresh_statistics
from seed.large import Scale, build_large

BIG_TABLES = ("attempt", "attempt_answer", "module_progress")
# 400 agents (300 new hires) in 20 teams, 5,000 attempts, 50,000 answers, about 8,000 modules read:
# enough rows that PostgreSQL's planner prefers an index for one person's or one team's rows
PLAN_SCALE = replace(Scale.fraction(0.05), teams=20, agents=400, newhires=300)


def _build(engine) -> None:
    migrate(engine)
    build_large(engine, scale=PLAN_SCALE)
    refresh_statistics(engine)


@pytest.fixture(scope="module")
def plan_engine(databases):
    databases.template("plans", _build)
    url = databases.clone("plans")
    engine = make_engine(url)
    yield engine
    engine.dispose()
    databases.drop(url)


@contextmanager
def recorded(engine):
    """Every SELECT run on the engine inside the block, with its parameters."""
    statements = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append((statement, parameters))
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def full_scans(engine, statements, tables=BIG_TABLES) -> list[str]:
    """Each statement's full scans of `tables`, as 'table: SQL' lines."""
    found = []
    leading = _leading_columns(engine, tables)
    with engine.connect() as connection:
        for statement, parameters in statements:
            for table in _scanned_tables(connection, engine.dialect.name, statement, parameters, leading):
                if table in tables:
                    found.append(f"{table}: {' '.join(statement.split())[:300]}")
    return found


def _leading_columns(engine, tables) -> dict[str, tuple[str, str]]:
    """index name -> (table, its first column), for the tables' indexes and primary keys."""
    inspector = inspect(engine)
    leading = {}
    for table in tables:
        for index in inspector.get_indexes(table):
            leading[index["name"]] = (table, index["column_names"][0])
        primary = inspector.get_pk_constraint(table)
        if primary.get("name"):
            leading[primary["name"]] = (table, primary["constrained_columns"][0])
    return leading


def _scanned_tables(connection, dialect: str, statement: str, parameters, leading) -> list[str]:
    if dialect == "sqlite":
        plan = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        # "SCAN attempt", "SCAN a", "SCAN attempt USING INDEX ..." (a whole index is a full scan too);
        # "SCAN attempt USING COVERING INDEX" likewise. Aliases: map them back through the FROM clause.
        aliases = _aliases(statement)
        return [aliases.get(m.group(1), m.group(1)) for row in plan
                if (m := re.match(r"SCAN (\w+)", row[-1]))]
    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    return [table for node in _nodes(plan[0]["Plan"]) if (table := _pg_full_scan(node, leading))]


def _pg_full_scan(node: dict, leading) -> str | None:
    """A Seq Scan, or an index walked whole: its Index Cond does not pin its first column (PostgreSQL
    will scan ix_attempt_exam_status for `status = ...` alone, reading every entry)."""
    if node["Node Type"] == "Seq Scan":
        return node["Relation Name"]
    if "Index Name" in node and node["Index Name"] in leading:
        table, first = leading[node["Index Name"]]
        if not re.search(rf"\b{first}\b", node.get("Index Cond", "")):
            return table
    return None


def _aliases(statement: str) -> dict[str, str]:
    return {alias: table for table, alias in re.findall(r"\b(\w+) AS (\w+)", statement)}


def _nodes(node: dict):
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def actor(session, username):
    return auth.actor_for(session, auth.find_user(session, username))


def test_the_plan_check_sees_a_full_scan(plan_engine):
    """The check itself: an unindexed filter on attempt is reported (a test that cannot fail is a defect)."""
    scans = full_scans(plan_engine, [("SELECT id FROM attempt WHERE comment = 'x' AND max_score > 0", {}
                                      if plan_engine.dialect.name != "sqlite" else ())])
    assert scans and scans[0].startswith("attempt:")


def test_statistics_are_gathered_after_migrations_and_the_large_seed(plan_engine):
    with plan_engine.connect() as connection:
        if plan_engine.dialect.name == "sqlite":
            stats = connection.exec_driver_sql("SELECT idx FROM sqlite_stat1 WHERE tbl = 'attempt'").scalars().all()
            assert "ix_attempt_exam_user" in stats
        else:
            # pg_stats, not pg_stat_user_tables.last_analyze: the test database is a copy of a template,
            # which copies the statistics but not the activity counters
            analysed = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stats WHERE tablename = 'attempt' AND attname = 'user_id'").scalar()
            assert analysed == 1


def test_my_exams_reads_a_learners_attempts_by_index(plan_engine):
    from portal.quizzes.my_exams import my_exams

    with Session(plan_engine) as session:
        agent = actor(session, "agent0001")
        with recorded(plan_engine) as statements:
            exams = my_exams(session, agent)
    assert exams and statements
    assert full_scans(plan_engine, statements) == []


def test_my_exams_uses_the_exam_user_index_not_exam_status(plan_engine):
    """Issue 15: without statistics SQLite walked ix_attempt_exam_status (every graded attempt of the exam)
    for a person's grade; the lookup by person is ix_attempt_exam_user."""
    from portal.quizzes.my_exams import my_exams

    if plan_engine.dialect.name != "sqlite":
        pytest.skip("SQLite's index choice; PostgreSQL is checked by the full-scan test")
    with Session(plan_engine) as session:
        agent = actor(session, "agent0001")
        with recorded(plan_engine) as statements:
            my_exams(session, agent)
    plans = []
    with plan_engine.connect() as connection:
        for statement, parameters in statements:
            details = " | ".join(row[-1] for row in
                                 connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
            if "attempt" in details:
                plans.append(details)
    assert plans
    assert not [p for p in plans if "ix_attempt_exam_status" in p], plans


def test_my_exams_costs_a_fixed_number_of_queries(plan_engine):
    from portal.quizzes.my_exams import my_exams

    with Session(plan_engine) as session:
        agent = actor(session, "agent0001")
        with recorded(plan_engine) as statements:
            exams = my_exams(session, agent)
    assert len(exams) >= PLAN_SCALE.exams
    assert len(statements) <= 6, f"{len(statements)} SELECTs for {len(exams)} exams"


def test_my_coaching_reads_the_persons_sessions_and_items_by_index(plan_engine):
    """Issue 15: My coaching's SQL grew with the center (6–11 → 32–35 ms at 5×): its open items were
    an OR across the item and its session, which read every open item of the center."""
    from portal.coaching import my_open_items, my_sessions

    coaching_tables = (*BIG_TABLES, "coaching_session", "coaching_action_item")
    with Session(plan_engine) as session:
        agent = actor(session, "agent0001")
        with recorded(plan_engine) as statements:
            sessions = my_sessions(session, agent)
            my_open_items(session, agent)
    assert sessions and len(statements) >= 2
    assert full_scans(plan_engine, statements, coaching_tables) == []


def test_the_marking_queue_and_expired_attempts_use_indexes(plan_engine):
    from portal.quizzes.attempts import has_expired
    from portal.quizzes.marking import marking_queue

    with Session(plan_engine) as session:
        trainer = actor(session, "trainer01")
        with recorded(plan_engine) as statements:
            marking_queue(session, trainer)
            has_expired(session, now=utcnow())
            has_expired(session, now=utcnow() + timedelta(days=1), exam_id=1)
        session.rollback()
    assert len(statements) >= 3
    assert full_scans(plan_engine, statements) == []


def test_the_team_dashboard_results_use_indexes(plan_engine):
    from portal.analytics import Scope, exam_results

    with Session(plan_engine) as session:
        lead = actor(session, "lead001")
        with recorded(plan_engine) as statements:
            results = exam_results(session, lead, Scope("team", lead.team_id))
    assert len(results) > 0
    assert full_scans(plan_engine, statements) == []


@pytest.mark.parametrize("viewer", ["lead001", "trainer01"])
def test_the_cohort_board_reads_one_teams_progress_by_index(plan_engine, viewer):
    """A lead's board (their team) and a trainer's filtered to one cohort and team. (A whole cohort is half
    of all new hires in this seed: reading half of module_progress in one pass is the right plan there.)"""
    from portal.onboarding.board import visible_journeys

    with Session(plan_engine) as session:
        who = actor(session, viewer)
        with recorded(plan_engine) as statements:
            journeys = visible_journeys(session, who, cohort_id=None if who.team_id else PLAN_SCALE.cohorts,
                                        team_id=None if who.team_id else 1)
    assert journeys
    assert full_scans(plan_engine, statements) == []


def test_a_page_of_the_marking_queue_and_of_graded_attempts_uses_indexes(plan_engine):
    """Issue 15: the marking page reads one page of the queue, its count, one page of an exam's graded
    attempts and its count, and the exams without counting their attempts: none walks attempt whole."""
    from portal.quizzes.exams import exam_choices
    from portal.quizzes.marking import graded_attempts, graded_count, marking_queue, queue_count

    with Session(plan_engine) as session:
        trainer = actor(session, "trainer01")
        with recorded(plan_engine) as statements:
            marking_queue(session, trainer, offset=50, limit=50)
            queue_count(session, trainer)
            graded_count(session, trainer, 1)
            page = graded_attempts(session, trainer, 1, offset=50, limit=50)
            exam_choices(session, trainer)
        session.rollback()
    assert len(page) == 50 and len(statements) >= 5
    assert full_scans(plan_engine, statements) == []


def test_a_page_of_the_cohort_board_reads_its_new_hires_progress_by_index(plan_engine):
    """Issue 15: the trainer's default board (the newest cohort, 50 rows) builds 50 journeys, each
    reading its new hire's records by index."""
    from portal.onboarding.board import board_page

    with Session(plan_engine) as session:
        trainer = actor(session, "trainer01")
        with recorded(plan_engine) as statements:
            page = board_page(session, trainer, cohort_id=PLAN_SCALE.cohorts, page_size=50)
    assert len(page.rows) == 50 and page.total > 50
    assert full_scans(plan_engine, statements) == []


def _plan_text(engine, statement, parameters) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return " | ".join(row[-1] for row in
                              connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
        return "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))


def test_a_page_of_users_of_one_team_reads_that_team_by_index(plan_engine):
    """Issue 15: the Users page filtered to a team reads the team's people by ix_user_account_team_id
    (SQLite EXPLAIN QUERY PLAN / PostgreSQL EXPLAIN), and its first page needs no sort of all users."""
    from portal.users import UserFilter, user_page

    with Session(plan_engine) as session:
        admin = actor(session, "admin")
        with recorded(plan_engine) as statements:
            page = user_page(session, admin, UserFilter(team_id=1), page_size=50)
        with recorded(plan_engine) as unfiltered:
            user_page(session, admin, page_size=50)
    assert page.total > 0
    team_plans = [_plan_text(plan_engine, s, p) for s, p in statements if "team_id" in s]
    assert team_plans and all("ix_user_account_team_id" in plan for plan in team_plans), team_plans
    if plan_engine.dialect.name == "sqlite":  # the page's ids: the first 50 of the username index, in order
        page_plan = next(_plan_text(plan_engine, s, p) for s, p in unfiltered if "LIMIT" in s)
        assert "LIST SUBQUERY 1 | SCAN user_account USING COVERING INDEX sqlite_autoindex_user_account_1 " \
            in page_plan, page_plan
