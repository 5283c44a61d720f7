"""Filters and pages kept in the address (issue 15): a list of the whole center shows one page of rows,
and a reload, Back or a shared link shows the same filters and the same page.

A widget bound here takes its value from the URL on every run, except the run right after the person
changed it by hand: then the widget's value stands and is written to the URL (one step in the browser's
history, so Back returns to the filter before), and the page goes back to the first. A callback cannot
write the URL itself (the run that follows resets the parameters to the address bar's), so it only
leaves a mark for that run.
"""
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import streamlit as st

from portal.i18n import Translator
from portal.paging import PAGE_SIZE, Page

__all__ = ["ALL", "PAGE_PARAM", "PAGE_SIZE", "Page", "UrlFilters", "int_or_all", "or_none", "page_index", "pager"]
PAGE_PARAM = "page"


def _changed_by_hand(key: str) -> None:
    st.session_state[f"{key}-by-hand"] = True


ALL = "all"
"""The option "all of them" (All teams, All cohorts) of a filter's select box, and its text in the URL.
Not None: a select box whose value is None shows its placeholder ("Choose an option"), not the option."""


def int_or_all(raw: str) -> int | str:
    """A filter's value in the URL: an id, or ALL."""
    return ALL if raw == ALL else int(raw)


def or_none(value):
    """A filter's value for a service: None for ALL."""
    return None if value == ALL else value


def _parsed(raw: str | None, parse: Callable, default, allowed: Sequence | None):
    if raw is None:
        return default
    try:
        value = parse(raw)
    except (TypeError, ValueError):
        return default
    return value if allowed is None or value in allowed else default


@dataclass
class UrlFilters:
    """The filters of one list page, each a widget bound to a query parameter."""

    page_param: str = PAGE_PARAM
    changed: bool = False
    _params: dict = field(default_factory=dict)

    def bind(self, key: str, param: str, *, default=None, parse: Callable = str,
             allowed: Sequence | None = None) -> dict:
        """Keyword arguments for the widget (`key`, `on_change`), its state set from the URL first.
        Draw the widget without `value`/`index`: its state is set here."""
        self._params[param] = (key, default)
        if st.session_state.pop(f"{key}-by-hand", False):
            self.changed = True
        else:
            st.session_state[key] = _parsed(st.query_params.get(param), parse, default, allowed)
        return {"key": key, "on_change": _changed_by_hand, "args": (key,)}

    def keep(self) -> None:
        """After the widgets: the values changed by hand go into the URL, and the page back to the first."""
        for param, (key, default) in self._params.items():
            _write(param, st.session_state.get(key), default)
        if self.changed:
            st.query_params.pop(self.page_param, None)

    def page_index(self) -> int:
        """The page the URL asks for, counted from 0 as services count (see `page_index`)."""
        return page_index(self.page_param)


def page_index(page_param: str = PAGE_PARAM) -> int:
    """The page the URL asks for, counted from 0 as services count: `?page=` counts from 1, as people
    do; none, or not a number, is the first page."""
    return max(1, _parsed(st.query_params.get(page_param), int, 1, None)) - 1


def _encoded(value, default) -> str | None:
    """The URL's text for a value: none for the default (or no value)."""
    if value == default or value in ("", None):
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(getattr(value, "value", value))


def _write(param: str, value, default) -> None:
    wanted = _encoded(value, default)
    if st.query_params.get(param) == wanted:
        return
    if wanted is None:
        st.query_params.pop(param, None)
    else:
        st.query_params[param] = wanted


def pager(t: Translator, shown: Page, *, key: str, page_param: str = PAGE_PARAM,
          previous: str = "paging.previous", following: str = "paging.next") -> None:
    """"Rows 51–100 of 1,234" under a page of rows, with Previous and Next (or the list's own words for
    them, e.g. Newer / Older): each a step in the browser's history, the page in the URL."""
    first = shown.offset + 1
    count = len(shown.rows)
    info, back, forward = st.columns([5, 1.5, 1.5], vertical_alignment="center")
    info.caption(t("paging.rows", first=f"{first:,}", last=f"{first + count - 1:,}", total=f"{shown.total:,}")
                 if count else t("paging.none"))
    go_to = None
    if back.button(t(previous), key=f"{key}-previous", disabled=shown.page <= 0,
                   icon=":material/chevron_left:", width="stretch"):
        go_to = shown.page - 1
    if forward.button(t(following), key=f"{key}-next", disabled=first + count - 1 >= shown.total,
                      icon=":material/chevron_right:", width="stretch"):
        go_to = shown.page + 1
    if go_to is not None:
        _write(page_param, go_to + 1, 1)
        st.rerun()
