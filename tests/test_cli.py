import subprocess
import sys

import pytest
from sqlmodel import Session, select

from portal import auth
from portal.cli import main
from portal.models import User


def run_cli(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "portal.cli", *args], input=stdin, capture_output=True, text=True)


def test_seed_demo_creates_the_demo_accounts_and_is_idempotent(engine, capsys):
    assert main(["seed", "demo"]) == 0
    with Session(engine) as session:
        count = len(session.exec(select(User)).all())
        for username in ("admin", "trainer", "mentor", "lead", "newhire", "agent"):
            assert auth.authenticate(session, username, "academy-demo").username == username
    assert main(["seed", "demo"]) == 0
    with Session(engine) as session:
        assert len(session.exec(select(User)).all()) == count
    assert "nothing new" in capsys.readouterr().out


def test_user_add_reads_password_from_stdin_and_user_passwd_changes_it(engine):
    result = run_cli("user", "add", "wang.wu", "--role", "trainer", "--role", "mentor", stdin="a-strong-pass\n")
    assert result.returncode == 0, result.stderr
    with Session(engine) as session:
        actor = auth.authenticate(session, "wang.wu", "a-strong-pass")
        assert {r.value for r in actor.roles} == {"trainer", "mentor"}
    result = run_cli("user", "passwd", "wang.wu", stdin="another-pass-1\n")
    assert result.returncode == 0, result.stderr
    with Session(engine) as session:
        assert auth.authenticate(session, "wang.wu", "another-pass-1").username == "wang.wu"


def test_cli_errors_are_clear(engine):
    result = run_cli("user", "add", "x.y", "--role", "agent", stdin="short\n")
    assert result.returncode == 1 and "at least 10 characters" in result.stderr
    result = run_cli("user", "add", "x.y", "--role", "agent", "--team", "Nowhere", stdin="long-enough-pw\n")
    assert result.returncode == 1 and "No such team" in result.stderr
    result = run_cli("user", "passwd", "ghost", stdin="long-enough-pw\n")
    assert result.returncode == 1 and "No such user" in result.stderr


def test_db_upgrade(engine):
    result = run_cli("db", "upgrade")
    assert result.returncode == 0 and "newest schema" in result.stdout


def test_seed_large_takes_a_scale_and_keeps_its_default():
    from portal.cli import build_parser

    assert build_parser().parse_args(["seed", "large"]).scale == 1
    assert build_parser().parse_args(["seed", "large", "--scale", "5"]).scale == 5
    assert build_parser().parse_args(["seed", "large", "--scale", "2.5"]).scale == 2.5


@pytest.mark.parametrize("value, message", [("0.5", "out of range"), ("0", "out of range"), ("-3", "out of range"),
                                            ("1000", "out of range"), ("nan", "out of range"),
                                            ("inf", "out of range"), ("five", "not a number")])
def test_seed_large_refuses_a_scale_below_one_or_absurd(value, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["seed", "large", "--scale", value])
    assert exit_.value.code == 2
    error = capsys.readouterr().err
    assert message in error and "--scale" in error


def test_seed_large_builds_the_scaled_center_then_gathers_statistics(engine, monkeypatch, capsys):
    """The CLI path end to end, at a tiny size: the factor reaches Scale.times, the progress bar runs,
    and the planner's statistics exist afterwards (ANALYZE)."""
    from seed.large import Scale

    asked = []
    monkeypatch.setattr(Scale, "times", classmethod(lambda cls, factor: asked.append(factor) or
                                                    Scale.fraction(0.01)))
    assert main(["seed", "large", "--scale", "3"]) == 0
    assert asked == [3.0]
    output = capsys.readouterr()
    assert "large center at 3x built" in output.out and "100%" in output.err
    assert analysed(engine, "attempt")


def analysed(engine, table: str) -> bool:
    """Whether the planner has statistics for `table` (sqlite_stat1 rows, PostgreSQL's pg_stats)."""
    from sqlalchemy import inspect, text

    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            if not inspect(connection).has_table("sqlite_stat1"):
                return False
            query = "SELECT count(*) FROM sqlite_stat1 WHERE tbl = :table"
        else:
            query = "SELECT count(*) FROM pg_stats WHERE tablename = :table"
        return connection.execute(text(query), {"table": table}).scalar() > 0


def test_seed_demo_gathers_statistics_for_what_it_loaded(engine):
    assert not analysed(engine, "user_account")
    assert main(["seed", "demo"]) == 0
    assert analysed(engine, "user_account")


def test_migrating_gathers_statistics_only_when_the_schema_changed(engine, monkeypatch):
    from portal import db

    calls = []
    monkeypatch.setattr(db, "refresh_statistics", lambda e: calls.append(e))
    db.migrate(engine)
    assert calls == []  # already at the newest schema: nothing to do, a fast start
    db.downgrade(engine, "0008")
    db.migrate(engine)
    assert calls == [engine]  # new indexes have no statistics yet


def test_long_lived_sqlite_connections_run_pragma_optimize_now_and_then(tmp_path, monkeypatch):
    from sqlalchemy import text

    from portal import db

    ran = []
    monkeypatch.setattr(db, "_optimize", lambda cursor, statement: ran.append(statement))
    monkeypatch.setattr(db, "OPTIMIZE_EVERY_S", 0.0)
    engine = db.make_engine(f"sqlite:///{tmp_path / 'optimize.sqlite3'}")
    for _ in range(2):
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    engine.dispose()
    assert "PRAGMA optimize" in ran
