"""One paging helper (#14 item 2): `portal/paging.py` applies LIMIT/OFFSET and the count for every list
read a page at a time, and `portal/ui/paging.pager` draws every pager, the page kept in the URL."""
import pytest
from sqlmodel import Session, func, select

from portal import audit, auth
from portal.audit.search import AuditQuery, search
from portal.i18n import Translator
from portal.models import QaCall, User
from portal.paging import Page, count_of, fetch_page, slice_page, within
from portal.roles import Role
from tests.utils.apptest import app_as, errors_of
from tests.utils.factories import make_user

EN = Translator("en")


def test_a_page_counts_its_pages_and_stays_inside_the_list():
    assert Page([], 0).pages == 1 and Page([], 101, 2, 50).pages == 3 and Page([], 101, 2, 50).offset == 100
    assert [within(page, 101, 50) for page in (-1, 0, 2, 9)] == [0, 0, 2, 2]
    assert within(3, 0) == 0
    shown = slice_page(list(range(7)), page=5, page_size=3)
    assert (shown.rows, shown.total, shown.page) == ([6], 7, 2)


def test_fetch_page_reads_one_page_and_counts_the_rest(session):
    for n in range(7):
        make_user(session, f"pager{n}", Role.AGENT)
    session.flush()
    names = select(User.username).where(User.username.like("pager%")).order_by(User.username)
    assert count_of(session, names) == 7
    second = fetch_page(session, names, page=1, page_size=3)
    assert (second.rows, second.total, second.page, second.pages) == (["pager3", "pager4", "pager5"], 7, 1, 3)
    past_the_end = fetch_page(session, names, page=9, page_size=3)  # a stale link: the last page
    assert (past_the_end.rows, past_the_end.page) == (["pager6"], 2)
    everything = fetch_page(session, names, page_size=None)
    assert len(everything.rows) == 7 and everything.pages == 1


def test_an_audit_page_past_the_end_shows_the_last_page(session):
    """Was: an empty page ("no entries") for a link to a page the log no longer has."""
    admin = auth.actor_for(session, make_user(session, "boss", Role.ADMIN))
    for n in range(60 - search(session, admin, AuditQuery(), EN).total):
        audit.record(session, actor_id=admin.id, action="team.created", target=f"Team {n:03d}")
    session.flush()
    stale = search(session, admin, AuditQuery(), EN, page=7)
    assert stale.page == 1 and len(stale.rows) == 10 and stale.total == 60


def _calls_list(at) -> list[str]:
    return at.dataframe[-1].value.iloc[:, 0].tolist()


def test_the_calls_list_page_is_in_the_address_so_a_reload_keeps_it(demo_engine):
    """Was: the page number lived in the session only; a reload or a shared link showed the first page."""
    with Session(demo_engine) as session:
        total = session.exec(select(func.count(QaCall.id))).one()
    if total <= 50:
        pytest.skip("the demo center has one page of calls")
    at = app_as(demo_engine, "qa").run()
    at.query_params["calls_page"] = "2"
    at.switch_page("pages/qa_calls.py").run()
    assert not errors_of(at), errors_of(at)
    assert any(c.value == f"Rows 51–{min(100, total):,} of {total:,}" for c in at.caption), [c.value for c in at.caption]
    next(b for b in at.button if b.label == "Previous").click().run()
    assert "calls_page" not in at.query_params
    assert any(c.value == f"Rows 1–50 of {total:,}" for c in at.caption)


def test_the_audit_log_pages_newer_and_older_through_the_address(demo_engine):
    at = app_as(demo_engine, "admin").run()
    at.switch_page("pages/admin_audit.py").run()
    assert not errors_of(at), errors_of(at)
    older = next(b for b in at.button if b.label == "Older")
    if older.disabled:
        pytest.skip("the demo log has one page")
    older.click().run()
    assert at.query_params["page"] == "2"
    assert any(c.value.startswith("Rows 51–") for c in at.caption)
    assert next(b for b in at.button if b.label == "Newer").disabled is False
