"""The view a page shows lives in its URL (`?attempt=12`), so a reload, Back and a shared link return to it."""
import streamlit as st


def show_in_url(**params: str | int | None) -> None:
    """Set query parameters (None removes one), in one write, and only when the URL changes.

    Every write to `st.query_params` sends the browser a message, even one that changes nothing.
    Where a button changes the view, call this from its `on_click` callback: the run that follows
    draws the new view at once. Writing while drawing and then calling `st.rerun()` takes two runs
    per click, and between them the old view's widgets are still on screen and take clicks that
    the second run throws away (a practice answer clicked there came back "Give an answer first").
    """
    current = st.query_params.to_dict()
    wanted = dict(current)
    for key, value in params.items():
        if value is None:
            wanted.pop(key, None)
        else:
            wanted[key] = str(value)
    if wanted != current:
        st.query_params.from_dict(wanted)


#: The largest id a row can have (an INTEGER column on PostgreSQL): a bigger one in a URL made the
#: database refuse the query, and the page show an incident instead of "not yours" or "not found".
LARGEST_ID = 2 ** 31 - 1


def id_in_url(name: str) -> int | None:
    """The id in the query parameter `name` (`?user=12`), or None when it is missing or cannot be an id."""
    return as_id(st.query_params.get(name))


def as_id(raw: str | None) -> int | None:
    """`raw` as a row id, or None when it cannot be one (missing, not a number, out of range)."""
    if not (raw and raw.isascii() and raw.isdigit()):  # not "²", which isdigit() lets through and int() refuses
        return None
    number = int(raw)
    return number if 0 < number <= LARGEST_ID else None
