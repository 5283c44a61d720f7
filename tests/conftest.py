"""Fixtures: every database test runs on SQLite and on PostgreSQL.

Outside CI a missing PostgreSQL server or Chromium skips those tests with
the reason; in CI (CI=true) it is an error, so nothing is skipped silently.
"""
import os
from contextlib import contextmanager

os.environ.setdefault("BCRYPT_ROUNDS", "4")  # real bcrypt, cheap cost; tests/test_auth.py checks the default is 12

import pytest
from sqlmodel import Session

from portal import db as portal_db
from portal.settings import get_settings
from tests.utils.databases import PostgresDatabases, SqliteDatabases, postgres_admin_url, postgres_unavailable_reason

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def databases(request, tmp_path_factory):
    if request.param == "postgresql":
        reason = postgres_unavailable_reason()
        if reason:
            skip_or_fail(reason)
        factory = PostgresDatabases(postgres_admin_url())
    else:
        factory = SqliteDatabases(tmp_path_factory.mktemp("sqlite"))
    yield factory
    factory.close()


def _migrated(engine):
    portal_db.migrate(engine)


def _seeded(engine):
    from seed.loader import load_demo

    portal_db.migrate(engine)
    load_demo(engine)


def _use_database(factory, label, build, monkeypatch):
    factory.template(label, build)
    url = factory.clone(label)
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    portal_db.get_engine.cache_clear()
    engine = portal_db.get_engine()
    return url, engine


@contextmanager
def _fresh_database(factory, label, build, monkeypatch):
    url, engine = _use_database(factory, label, build, monkeypatch)
    try:
        yield engine
    finally:
        engine.dispose()
        portal_db.get_engine.cache_clear()
        get_settings.cache_clear()
        factory.drop(url)


@pytest.fixture
def engine(databases, monkeypatch):
    """A fresh, migrated, empty database; also the app's default engine."""
    with _fresh_database(databases, "empty", _migrated, monkeypatch) as fresh:
        yield fresh


@pytest.fixture
def demo_engine(databases, monkeypatch):
    """A fresh database holding the demo center; also the app's default engine."""
    with _fresh_database(databases, "demo", _seeded, monkeypatch) as fresh:
        yield fresh


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def demo_session(demo_engine):
    with Session(demo_engine, expire_on_commit=False) as s:
        yield s


def pytest_collection_modifyitems(config, items):
    """Browser tests get one retry (pytest-rerunfailures): on a loaded machine a click can land while
    Streamlit redraws the page and be lost, as a person's can. A retried test is listed as "rerun" in
    the summary, so flakiness stays visible; a real defect fails both times."""
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.flaky(reruns=1, reruns_delay=2))
