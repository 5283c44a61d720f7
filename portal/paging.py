"""One page of a long list: the rows shown, how many there are in all, and which page this is.

Every service that lists "a page at a time" returns a `Page` and lets `fetch_page` (or
`fetch_counted_page`) apply LIMIT/OFFSET and the count, so that a page past the end shows the last
page everywhere, and a page count means one thing. Pages are numbered from 0 here; the address
bar's `?page=` counts from 1 (`portal/ui/paging.py` translates).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import func
from sqlmodel import Session, select

T = TypeVar("T")
PAGE_SIZE = 50


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: T
    """The rows of this page (a list or a DataFrame)."""
    total: int
    """How many rows the list has in all, on every page."""
    page: int = 0
    """This page's number, from 0, moved back inside the list (a link to page 9 of 3 shows the third)."""
    page_size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def offset(self) -> int:
        return self.page * self.page_size


def last_page(total: int, page_size: int = PAGE_SIZE) -> int:
    return max(0, -(-total // page_size) - 1)


def within(page: int, total: int, page_size: int = PAGE_SIZE) -> int:
    """`page` moved back inside the list (0 when the list is empty)."""
    return min(max(0, page), last_page(total, page_size))


def count_of(session: Session, query) -> int:
    """How many rows `query` selects (its ORDER BY dropped: a count needs none)."""
    return session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()


def limited(query, page: int, total: int, page_size: int = PAGE_SIZE):
    """(`query` limited to page `page` moved inside `total` rows, that page): for a caller that reads
    the page's ids as a subquery instead of executing it."""
    page = within(page, total, page_size)
    return query.offset(page * page_size).limit(page_size), page


def slice_page(items: list, page: int = 0, page_size: int = PAGE_SIZE) -> Page[list]:
    """One page of a list already in memory (rows that must be built before they can be filtered)."""
    page = within(page, len(items), page_size)
    return Page(items[page * page_size:(page + 1) * page_size], len(items), page, page_size)


def fetch_page(session: Session, query, *, page: int = 0, page_size: int | None = PAGE_SIZE,
               total: int | None = None) -> Page[list]:
    """One page of the rows `query` selects (ordered by the caller), and their count.

    `total`: the count when the caller has a cheaper one (an index-only count); otherwise `query` is
    counted. `page_size=None`: every row on one page (exports)."""
    if total is None:
        total = count_of(session, query)
    if page_size is None:
        return Page(list(session.exec(query).all()), total, 0, max(1, total))
    query, page = limited(query, page, total, page_size)
    return Page(list(session.exec(query).all()), total, page, page_size)


def fetch_counted_page(session: Session, query, *, page: int = 0, page_size: int = PAGE_SIZE) -> Page[list]:
    """`fetch_page` for a query whose last column is `func.count().over()`: the rows carry the count,
    so one pass finds both; the list is counted on its own only when `page` is past its end."""
    page = max(0, page)
    rows = session.exec(query.offset(page * page_size).limit(page_size)).all()
    if not rows and page:  # past the end (the list got shorter): the last page
        return fetch_page(session, query, page=page, page_size=page_size, total=count_of(session, query))
    return Page(list(rows), rows[0][-1] if rows else 0, page, page_size)
