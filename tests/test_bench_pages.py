"""bench_pages --compare: the scope table and the flag rule (the benchmark itself is not a test)."""
from portal.roles import Role
from tests.benchmarks import bench_pages
from tests.benchmarks.bench_pages import CENTER, PERSON, TEAM, flags_of, page_roles, scope_of


def row(ms: float, query_ms: float = 0.0) -> dict:
    return {"median_ms": ms, "query_ms": query_ms, "memory_mb": 0.0}


def test_every_scope_names_a_page_and_role_that_exist():
    assert set(bench_pages.SCOPES) <= set(page_roles(None))


def test_pages_are_scoped_by_what_their_viewer_sees():
    assert scope_of("pages/training_exams.py", Role.AGENT) == PERSON
    assert scope_of("pages/team_dashboard.py", Role.LEAD) == TEAM
    assert scope_of("pages/team_cohort_board.py", Role.TRAINER) == CENTER
    assert scope_of("pages/team_cohort_board.py", Role.LEAD) == TEAM
    assert scope_of("pages/admin_users.py", Role.ADMIN) == CENTER
    assert scope_of("pages/account_settings.py", Role.ADMIN) == PERSON


def test_flags_slow_rows_and_person_or_team_rows_that_grow():
    exams = ("pages/training_exams.py", Role.AGENT)
    board = ("pages/team_cohort_board.py", Role.TRAINER)
    assert flags_of(*exams, row(147), row(375)) == ["> 300 ms", "grows > 1.2x"]
    assert flags_of(*exams, row(147), row(170)) == []  # 1.16x
    assert flags_of(*exams, row(10), row(30)) == []  # 3x but 20 ms: noise on a shared machine
    assert flags_of(*board, row(62), row(199)) == []  # center-wide may grow, within 300 ms
    assert flags_of(*board, row(62), row(301)) == ["> 300 ms"]
    assert flags_of(*exams, {"error": "boom"}, row(1))[0].startswith("ERROR")
