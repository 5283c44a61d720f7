import subprocess
import sys

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
