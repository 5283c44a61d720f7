"""The disclosure audit: can any hidden cell be worked out from everything ever published?

A statistical agency's cell-suppression audit (as in tau-ARGUS), by linear
programming. The attacker is anyone who has kept every figure any viewer was
ever shown: every group's weeks and months and the center's. For one
component of cells (the cells of one month: every group's weeks, its month,
and the center's), each cell has six whole-number unknowns, its `SUMS`
(responses, sum of WHO-5 %, sum of PSS-4 totals, very low, low, support
signals). What the attacker knows:

- a published cell's sums exactly (a mean times the count gives the sum);
- every total equals the sum of its parts (`cell_relations`), for each sum;
- sums are never negative; a sum is at most its per-response maximum times
  the count; very low + low <= count; very low <= support signals;
- a cell with no responses at all is known to be empty (the cautious
  assumption: a team of one on leave is no secret).

For a hidden cell, the smallest and the largest value of an unknown subject
to all of that is its feasible range (the program's optimum, rounded inward
to whole numbers). A hidden cell is protected when its count's range spans
at least k (the minimum group size) and, for a cell of fewer than k
responses, neither score sum (WHO-5, PSS-4) can be pinned within one
response's worth. The band counts take part in the program (they narrow the
others) but are not required to stay open: when the center shows 0% "very
low", every part holds 0 too, and only hiding the center would hide that.
Secondary suppression hides more cells of the batch being published until
every hidden cell is protected.

Hiding a cell only removes facts, so ranges only widen: a cell once found
protected stays protected while more cells are hidden, and the rounds end
after at most one pass over the batch. A hidden cell whose range is a single
value is no secret (it follows from what is shown): when it belongs to the
batch it is published as it is, which adds nothing a reader did not know.
If the published figures contradict each other (a response that slipped into
a closed week), nothing of the batch is published.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import coo_array, csr_array

Cell = tuple[str, str]
Relation = tuple[Cell, list[Cell]]

# Per response, the largest contribution to each of aggregates.SUMS after the count.
PER_RESPONSE_MAXIMUM = (1, 100, 16, 1, 1, 1)
WHO5_SUM, PSS4_SUM, VERY_LOW, LOW, SIGNAL = 1, 2, 3, 4, 5
SCORE_SUMS = (WHO5_SUM, PSS4_SUM)
WIDTH = len(PER_RESPONSE_MAXIMUM)
EPSILON = 1e-6
CAP = 1e6  # responses: an optimum this large means "no limit" (see Feasibility.optima)
BLOCK_VARIABLES = 3000  # variables per linear program when several queries share one


class InconsistentFigures(Exception):
    """The published figures contradict each other (no counts satisfy them): audit cannot vouch for anything."""


@dataclass(frozen=True)
class FeasibleRange:
    low: int
    high: float  # math.inf when unbounded

    @property
    def width(self) -> float:
        return self.high - self.low


class Feasibility:
    """The attacker's linear program over one component; cells are shown or hidden by changing bounds."""

    def __init__(self, cells: Mapping[Cell, tuple[int, ...]], relations: Iterable[Relation]):
        relations = list(relations)
        keys = set(cells) | {total for total, _ in relations} | {p for _, parts in relations for p in parts}
        self.cells = {key: tuple(cells.get(key, (0,) * WIDTH)) for key in sorted(keys)}
        self.index = {key: i for i, key in enumerate(self.cells)}
        self.bounds = np.tile([0.0, np.inf], (WIDTH * len(self.cells), 1))
        for key, sums in self.cells.items():
            if sums[0] == 0:
                self._fix(key, (0,) * WIDTH)
        self.a_eq = self._equalities(relations)
        self.a_ub = self._inequalities()

    def var(self, key: Cell, measure: int) -> int:
        return self.index[key] * WIDTH + measure

    def _fix(self, key: Cell, sums: tuple[int, ...]) -> None:
        for measure, value in enumerate(sums):
            self.bounds[self.var(key, measure)] = value

    def show(self, key: Cell, sums: tuple[int, ...] | None = None) -> None:
        """The attacker knows this cell's sums (the published ones, when given)."""
        self._fix(key, sums if sums is not None else self.cells[key])

    def hide(self, key: Cell) -> None:
        if self.cells[key][0] == 0:
            return
        for measure in range(WIDTH):
            self.bounds[self.var(key, measure)] = (0.0, np.inf)

    def _equalities(self, relations: list[Relation]) -> coo_array:
        rows, cols, values, row = [], [], [], 0
        for total, parts in relations:
            for measure in range(WIDTH):
                for key, sign in ((total, 1.0), *((p, -1.0) for p in parts)):
                    rows.append(row)
                    cols.append(self.var(key, measure))
                    values.append(sign)
                row += 1
        return coo_array((values, (rows, cols)), shape=(row, len(self.bounds)))

    def _inequalities(self) -> coo_array:
        rows, cols, values, row = [], [], [], 0

        def add(*terms):
            nonlocal row
            for var, value in terms:
                rows.append(row)
                cols.append(var)
                values.append(value)
            row += 1

        for key in self.cells:
            count = self.var(key, 0)
            for measure in range(1, WIDTH):  # sum <= maximum x count
                add((self.var(key, measure), 1.0), (count, -float(PER_RESPONSE_MAXIMUM[measure])))
            add((self.var(key, VERY_LOW), 1.0), (self.var(key, LOW), 1.0), (count, -1.0))
            add((self.var(key, VERY_LOW), 1.0), (self.var(key, SIGNAL), -1.0))
        return coo_array((values, (rows, cols)), shape=(row, len(self.bounds)))

    def optima(self, queries: list[tuple[Cell, int, int]]) -> list[float]:
        """For each (cell, measure, sign): the largest (sign -1) or smallest (sign +1) whole value the attacker
        can give that unknown; math.inf when there is no upper limit.

        Several queries share one linear program: the constraints are copied
        once per query into a block-diagonal system whose objective is the sum
        of the queries' objectives, so each block is solved as if alone (a
        linprog call on a small program costs far more than its size). Blocks
        go together up to `BLOCK_VARIABLES` variables; beyond that the solver
        slows down faster than the calls add up. Limits are capped at `CAP`
        times the per-response maximum so that one unbounded query cannot hide
        the others' optima; a value at the cap means "no limit".
        """
        per_program = max(1, BLOCK_VARIABLES // len(self.bounds))
        return [value for first in range(0, len(queries), per_program)
                for value in self._block_optima(queries[first:first + per_program])]

    def _block_optima(self, queries: list[tuple[Cell, int, int]]) -> list[float]:
        if not queries:
            return []
        size = len(self.bounds)
        objective = np.zeros(size * len(queries))
        for block, (key, measure, sign) in enumerate(queries):
            objective[block * size + self.var(key, measure)] = sign
        caps = np.repeat(CAP * np.asarray(PER_RESPONSE_MAXIMUM, dtype=float), len(self.cells))
        caps = caps.reshape(WIDTH, -1).T.ravel()  # variable order: cell by cell, measure by measure
        bounds = np.column_stack([self.bounds[:, 0], np.minimum(self.bounds[:, 1], caps)])
        a_ub, a_eq = _repeat_blocks(self.a_ub, len(queries)), _repeat_blocks(self.a_eq, len(queries))
        result = linprog(objective, A_ub=a_ub, b_ub=np.zeros(a_ub.shape[0]), A_eq=a_eq, b_eq=np.zeros(a_eq.shape[0]),
                         bounds=np.tile(bounds, (len(queries), 1)), method="highs-ds",
                         options={"presolve": False})  # small sparse blocks: presolve costs more than it saves
        if result.status != 0:
            raise InconsistentFigures(result.message)
        values = []
        for block, (key, measure, sign) in enumerate(queries):
            value = result.x[block * size + self.var(key, measure)]
            if sign < 0:
                values.append(math.inf if value >= CAP * PER_RESPONSE_MAXIMUM[measure] / 2
                              else math.floor(value + EPSILON))
            else:
                values.append(math.ceil(value - EPSILON))
        return values

    def range(self, key: Cell, measure: int = 0) -> FeasibleRange:
        """The smallest and largest whole value the attacker can give this unknown."""
        high, low = self.optima([(key, measure, -1), (key, measure, 1)])
        return FeasibleRange(low, high)


def _repeat_blocks(matrix: coo_array, copies: int) -> csr_array:
    """`copies` copies of `matrix` down the diagonal."""
    rows, cols = matrix.shape
    offsets = np.arange(copies)
    row = (matrix.row[None, :] + rows * offsets[:, None]).ravel()
    col = (matrix.col[None, :] + cols * offsets[:, None]).ravel()
    return csr_array((np.tile(matrix.data, copies), (row, col)), shape=(rows * copies, cols * copies))


def protected_cells(lp: Feasibility, keys: Iterable[Cell], minimum: int) -> set[Cell]:
    """The hidden cells whose count spans at least `minimum` values and, for a cell under `minimum` responses,
    whose score sums cannot be pinned within one response (a larger cell's sums are what publishing it
    would show anyway).

    A count without upper limit lies on a ray along which every sum grows
    too, so only bounded counts of small cells need their sums checked.
    """
    keys = sorted(keys)
    counts = lp.optima([(key, 0, sign) for key in keys for sign in (-1, 1)])
    protected, check_sums = set(), []
    for key, high, low in zip(keys, counts[0::2], counts[1::2]):
        if math.isinf(high) or (high - low >= minimum and lp.cells[key][0] >= minimum):
            protected.add(key)
        elif high - low >= minimum:
            check_sums.append(key)
    queries = [(key, measure, sign) for key in check_sums for measure in SCORE_SUMS for sign in (-1, 1)]
    values = iter(lp.optima(queries))
    for key in check_sums:
        widths = [(next(values) - next(values), PER_RESPONSE_MAXIMUM[m]) for m in SCORE_SUMS]
        if all(width >= needed for width, needed in widths):
            protected.add(key)
    return protected


def is_determined(lp: Feasibility, key: Cell) -> bool:
    values = lp.optima([(key, measure, sign) for measure in range(WIDTH) for sign in (-1, 1)])
    return all(high == low for high, low in zip(values[0::2], values[1::2]))


@dataclass
class AuditResult:
    shown: set[Cell]  # cells of the batch to publish
    unprotected: list[Cell] = field(default_factory=list)  # hidden cells no further suppression could protect


def audit_batch(cells: Mapping[Cell, tuple[int, ...]], relations: Iterable[Relation],
                published: Mapping[Cell, tuple[int, ...]], batch: Iterable[Cell], minimum: int) -> AuditResult:
    """Which cells of `batch` may be published, given the component's true sums (`cells`), its relations and
    the cells published before (with the sums shown then).

    Primary suppression hides batch cells under `minimum` responses; then, in
    rounds, for each hidden cell still unprotected, the shown batch cell
    closest to it (sharing a relation, else one hop further, else any) with
    the fewest responses is hidden too, unless a neighbour was just hidden
    for another cell (then it is checked again first).
    """
    relations = list(relations)
    count = {key: sums[0] for key, sums in cells.items()}
    batch = {key for key in batch if count.get(key, 0) > 0}
    shown = {key for key in batch if count[key] >= minimum}
    lp = Feasibility(cells, relations)
    try:
        for key, sums in published.items():
            lp.show(key, sums)
        for key in shown:
            lp.show(key)
        hidden = {key for key in lp.cells if count.get(key, 0) > 0 and key not in published and key not in shown}
        partners = _partners(relations)
        result = AuditResult(shown)
        checked: set[Cell] = set()
        derived: set[Cell] = set()  # shown because they follow from what is shown: hiding them protects nothing
        while unchecked := hidden - checked:
            checked |= protected_cells(lp, unchecked, minimum)
            hidden_now: set[Cell] = set()  # partners hidden in this round: their neighbours wait for the next
            for key in sorted(unchecked - checked, key=lambda k: (count[k], k)):
                if partners.get(key, set()) & hidden_now:
                    continue
                if key in batch and count[key] >= minimum and is_determined(lp, key):
                    hidden.discard(key)  # follows from what is shown: publishing it tells nothing new
                    shown.add(key)
                    derived.add(key)
                    lp.show(key)
                elif partner := _closest_shown(key, shown - derived, hidden, partners, count):
                    shown.discard(partner)
                    hidden.add(partner)
                    hidden_now.add(partner)
                    lp.hide(partner)
                elif not hidden_now:  # nothing left to hide, and nothing changed in this round
                    result.unprotected.append(key)
                    checked.add(key)
        return result
    except InconsistentFigures:
        return AuditResult(set(), unprotected=sorted(batch))


def _partners(relations: list[Relation]) -> dict[Cell, set[Cell]]:
    partners: dict[Cell, set[Cell]] = {}
    for total, parts in relations:
        members = {total, *parts}
        for member in members:
            partners.setdefault(member, set()).update(members - {member})
    return partners


def _closest_shown(key: Cell, shown: set[Cell], hidden: set[Cell], partners: dict[Cell, set[Cell]],
                   count: Mapping[Cell, int]) -> Cell | None:
    """The shown batch cell to hide next for `key`: one sharing a relation with it, else with a hidden partner
    of it, else any; the one with the fewest responses."""
    near = partners.get(key, set())
    for candidates in (near & shown, {p for h in near & hidden for p in partners.get(h, set())} & shown, shown):
        if candidates:
            return min(candidates, key=lambda k: (count[k], k))
    return None
