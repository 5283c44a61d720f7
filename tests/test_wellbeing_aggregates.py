"""The SQL aggregates equal the row-by-row definition; published cells never change; the page's query count is flat.

`reference_cells` is the original implementation (every response scored in
Python with `score()`, then grouped with pandas), kept here as the oracle.
"""
import itertools
import random
import secrets
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import event, insert, select, text

from portal import wellbeing
from portal.models import WellbeingResponse
from portal.roles import Role
from portal.wellbeing import aggregates, checkin, publication
from portal.wellbeing import CENTER, NO_TEAM, month_of_week, score, team_key
from tests.utils.apptest import app_as, errors_of
from tests.utils.clock import set_center_day
from tests.utils.factories import make_team, make_user


def reference_cells(session) -> dict:
    records = []
    for row in session.execute(select(WellbeingResponse.__table__)).mappings():
        who5 = score("who5", [row[f"who5_{i}"] for i in range(1, 6)])
        pss4 = score("pss4", [row[f"pss4_{i}"] for i in range(1, 5)])
        records.append({"iso_week": row["iso_week"], "month": month_of_week(row["iso_week"]),
                        "group": team_key(row["team_id"]) if row["team_id"] else NO_TEAM,
                        "who5_pct": who5.percentage, "pss4": pss4.total, "band": who5.band,
                        "signal": who5.needs_support})
    frame = pd.DataFrame(records).assign(center=CENTER)
    cells = {}
    for group_column in ("group", "center"):
        for period_column in ("iso_week", "month"):
            for key, part in frame.groupby([group_column, period_column]):
                cells[key] = {"responses": len(part), "who5_mean_pct": float(part["who5_pct"].mean()),
                              "pss4_mean": float(part["pss4"].mean()),
                              "very_low": int((part["band"] == "very_low").sum()),
                              "low": int((part["band"] == "low").sum()), "ok": int((part["band"] == "ok").sum()),
                              "support_signal": int(part["signal"].sum())}
    return cells


def assert_published_equal_reference(session, published) -> None:
    """Every published cell holds exactly the row-by-row figures of its cell."""
    cells = reference_cells(session)
    for key, stats in published.items():
        assert dict(stats) == pytest.approx(cells[key]), key


def _add(session, team_id, week, answers: list[tuple[tuple, tuple]], comment=None):
    session.execute(insert(WellbeingResponse.__table__), [
        dict(id=secrets.token_hex(16), iso_week=week, team_id=team_id, comment=comment,
             **{f"who5_{i}": a for i, a in enumerate(who5, 1)}, **{f"pss4_{i}": a for i, a in enumerate(pss4, 1)})
        for who5, pss4 in answers])


def _random_answers(rng, count):
    return [(tuple(rng.randint(0, 5) for _ in range(5)), tuple(rng.randint(0, 4) for _ in range(4)))
            for _ in range(count)]


def test_sql_scoring_agrees_with_score_on_every_answer(session):
    """Every WHO-5 answer pattern (6^5) and every PSS-4 pattern (5^4), scored by the database."""
    who5_all = list(itertools.product(range(6), repeat=5))
    pss4_all = list(itertools.product(range(5), repeat=4))
    rows = [(who5, pss4_all[i % len(pss4_all)]) for i, who5 in enumerate(who5_all)]
    _add(session, None, "2026-W10", rows)
    table = WellbeingResponse.__table__
    query = select(*[table.c[f"who5_{i}"] for i in range(1, 6)], *[table.c[f"pss4_{i}"] for i in range(1, 5)],
                   aggregates.who5_raw_sql(table), aggregates.pss4_total_sql(table))
    for row in session.execute(query):
        assert row[9] == score("who5", row[0:5]).total
        assert row[10] == score("pss4", row[5:9]).total
    sums = aggregates.week_cell_sums(session)
    assert wellbeing.aggregate_cells(sums) == reference_cells(session)


@pytest.fixture
def tricky(session, monkeypatch):
    """Groups of 4, 5, 9 and 10 in one week, partners across weeks and months, staff without a team.

    The clock stands on Wednesday 4 November 2026 (2026-W45): weeks[-2] is
    2026-W44, the last week of October, so October is closed.
    """
    set_center_day(monkeypatch, date(2026, 11, 4))
    rng = random.Random(7)
    teams = {n: make_team(session, f"Team {n}") for n in (4, 5, 9, 10, 11)}
    weeks = wellbeing.recent_periods("week", 10)
    for n, team in teams.items():
        _add(session, team.id, weeks[-2], _random_answers(rng, n), comment=f"from {n}")
    _add(session, teams[11].id, weeks[0], _random_answers(rng, 3))  # a lone small week in a month of big ones
    for week in weeks[1:5]:
        _add(session, teams[11].id, week, _random_answers(rng, 8))
    _add(session, teams[10].id, weeks[3], _random_answers(rng, 5))
    _add(session, None, weeks[-2], _random_answers(rng, 6))
    _add(session, None, weeks[-3], _random_answers(rng, 1))
    session.commit()
    return teams, weeks


def test_published_cells_equal_the_row_by_row_definition_on_small_groups(session, tricky):
    teams, weeks = tricky
    published = wellbeing.published_cells(session)
    assert_published_equal_reference(session, published)
    week = weeks[-2]
    parts = [team_key(t.id) for t in teams.values()] + [NO_TEAM]
    hidden = {g for g in parts if (g, week) not in published}
    assert team_key(teams[4].id) in hidden and len(hidden) >= 2  # under 5, and a partner
    assert {team_key(teams[n].id) for n in (9, 10, 11)} - hidden  # the rest stays visible
    assert (team_key(teams[11].id), weeks[0]) not in published  # 3 responses
    assert not [key for key in published if key[1] in (weeks[-1], "2026-11")]  # the current week and month


def test_published_cells_never_change_whatever_happens_to_the_responses(session, tricky):
    teams, weeks = tricky
    first = wellbeing.published_cells(session)
    assert first
    _add(session, teams[4].id, weeks[-2], _random_answers(random.Random(1), 1))  # a late row in a closed week
    session.execute(text("UPDATE wellbeing_response SET who5_1 = 0"))
    session.execute(text("DELETE FROM wellbeing_response WHERE team_id IS NULL"))
    session.commit()
    assert wellbeing.published_cells(session) == first
    assert wellbeing.publish_closed_periods(session).periods == ()  # idempotent: nothing left to publish
    session.commit()
    assert wellbeing.published_cells(session) == first


def test_comments_and_pss4_range_match_the_row_by_row_definition(session, tricky):
    teams, weeks = tricky
    admin = make_user(session, "boss", Role.ADMIN)
    comments = wellbeing.wellbeing_comments(session, admin, CENTER)
    assert [c for texts in comments.values() for c in texts] == ["from 10"] * 10 + ["from 11"] * 11
    assert wellbeing.wellbeing_comments(session, admin, team_key(teams[9].id)) == {}
    assert wellbeing.wellbeing_comments(session, admin, team_key(teams[11].id)) == {
        month: ["from 11"] * 11 for month in comments}
    assert wellbeing.wellbeing_comments(session, admin, NO_TEAM) == {}

    since = wellbeing.closed_periods("week", 12)[0]
    rows = [r for r in session.execute(select(WellbeingResponse.__table__)).mappings()
            if since <= r["iso_week"] < weeks[-1]]

    def middle_half(subset):
        low, high = np.percentile([score("pss4", [r[f"pss4_{i}"] for i in range(1, 5)]).total for r in subset], [25, 75])
        return int(round(low)), int(round(high))

    team_rows = [r for r in rows if r["team_id"] == teams[11].id]
    assert len(team_rows) >= 10
    assert checkin._pss4_typical_range(session, teams[11].id) == (middle_half(team_rows), "team")
    assert checkin._pss4_typical_range(session, teams[4].id) == (middle_half(rows), "center")  # 4 < 10
    assert checkin._pss4_typical_range(session, None) == (middle_half(rows), "center")


def _count_statements(engine, action) -> int:
    statements = []

    def count(*_):
        statements.append(1)
    event.listen(engine, "before_cursor_execute", count)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_team_page_statements_do_not_grow_with_responses(demo_engine):
    """The team page runs the same number of statements with 10x the responses, cold and warm."""
    from sqlmodel import Session

    rng = random.Random(3)
    at = app_as(demo_engine, "lead").run()
    at.switch_page("pages/wellbeing_team.py").run()
    assert not errors_of(at)
    counts = []
    for extra in (1, 10):
        with Session(demo_engine) as session:
            team_ids = list(session.execute(text("SELECT id FROM team")).scalars())
            for week in wellbeing.recent_periods("week", 12):
                for team_id in team_ids:
                    _add(session, team_id, week, _random_answers(rng, 3 * extra))
            session.commit()
        cold = _count_statements(demo_engine, at.run)
        warm = _count_statements(demo_engine, at.run)
        assert not errors_of(at)
        counts.append((cold, warm))
    assert len(set(counts)) == 1, counts


def test_a_group_reads_only_its_own_published_cells(session, tricky):
    """Issue 15: a lead's trend read every cell of the center (32,059 ORM objects at 5x, 1.8 s a run);
    asked for some groups, published_cells returns those groups' cells, with the same values."""
    teams, _ = tricky
    everything = wellbeing.published_cells(session)
    wanted = {team_key(teams[9].id), team_key(teams[11].id)}
    some = wellbeing.published_cells(session, wanted)
    assert some and {group for group, _ in some} == wanted
    assert some == {cell: stats for cell, stats in everything.items() if cell[0] in wanted}
    assert wellbeing.published_cells(session, []) == {}
