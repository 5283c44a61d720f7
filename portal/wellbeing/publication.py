"""Which cells are published: suppression and the published cells every viewer shares."""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sqlmodel import Session, select

from portal.models import WellbeingAggregate, WellbeingDataVersion
from portal.settings import get_settings
from portal.wellbeing.aggregates import aggregate_cells, cell_relations, week_cell_sums

def suppressed_cells(counts: dict, relations, minimum: int) -> set:
    """Cells to hide: those under `minimum` responses, plus secondary suppression (rule of 2).

    Whenever a shown total has exactly one hidden non-empty part, another
    shown part is hidden too, so the hidden one cannot be worked out as total
    minus the rest; repeated until nothing changes. The partner is the one
    that leaves the fewest other sums exposed (often it pairs with a cell
    hidden elsewhere), then the smallest. Empty parts protect nothing.
    """
    hidden = {key for key, n in counts.items() if n < minimum}
    involved: dict = {}
    for index, (total, parts) in enumerate(relations):
        for cell in (total, *parts):
            involved.setdefault(cell, []).append(index)

    def exposed(index: int, cells: set) -> bool:
        total, parts = relations[index]
        if total in cells or counts.get(total, 0) == 0:
            return False
        return sum(1 for p in parts if counts.get(p, 0) > 0 and p in cells) == 1

    def cost(cell) -> tuple:
        after = hidden | {cell}
        newly = sum(exposed(i, after) - exposed(i, hidden) for i in involved.get(cell, ()))
        return newly, counts[cell], cell

    changed = True
    while changed:
        changed = False
        for index, (total, parts) in enumerate(relations):
            if not exposed(index, hidden):
                continue
            shown = [p for p in parts if counts.get(p, 0) > 0 and p not in hidden]
            hidden.add(min(shown, key=cost) if shown else total)
            changed = True
    return hidden


_published_cache: dict[str, tuple[tuple, dict]] = {}  # database -> ((data token, threshold), published cells)
PUBLISHED_CACHE_DATABASES = 8


def _data_token(session: Session) -> str | None:
    """The random token that triggers renew on every write to responses or archived aggregates (migration 0006b)."""
    table = WellbeingDataVersion.__table__
    return session.execute(select(table.c.token).where(table.c.id == 1)).scalar_one_or_none()


def published_cells(session: Session) -> dict[tuple[str, str], Mapping]:
    """The cells anyone may see: live cells that survive suppression, plus archived ones.

    Computed over all retained data at once, so every viewer sees the same
    suppression pattern (different patterns for different viewers could be
    combined to undo it).

    Kept in memory under the data token and the threshold, and computed again
    as soon as either changes: only the published cells are kept (nothing of
    a hidden cell, not even its size), each read-only.
    """
    token = _data_token(session)
    key = (token, get_settings().wellbeing_min_responses)
    database = session.get_bind().url.render_as_string(hide_password=True)
    cached = _published_cache.get(database)
    if token is not None and cached is not None and cached[0] == key:
        return dict(cached[1])
    published = _compute_published_cells(session, key[1])
    if token is not None:
        if database not in _published_cache and len(_published_cache) >= PUBLISHED_CACHE_DATABASES:
            _published_cache.clear()
        _published_cache[database] = (key, published)
    return dict(published)


def _compute_published_cells(session: Session, minimum: int) -> dict[tuple[str, str], Mapping]:
    cells = aggregate_cells(week_cell_sums(session))
    hidden = suppressed_cells({k: v["responses"] for k, v in cells.items()}, cell_relations(cells), minimum)
    published = {key: MappingProxyType(stats) for key, stats in cells.items() if key not in hidden}
    live_periods = {period for _, period in cells}
    for row in session.exec(select(WellbeingAggregate)):
        if row.period not in live_periods:
            published[(row.group_key, row.period)] = MappingProxyType({
                "responses": row.responses, "who5_mean_pct": row.who5_mean_pct, "pss4_mean": row.pss4_mean,
                "very_low": row.very_low, "low": row.low, "ok": row.ok, "support_signal": row.support_signal})
    return published

