"""Team figures with dated membership on the `large` data set: CPU ms per service (#18.2).

    DATABASE_URL=sqlite:///db/large.sqlite3 .venv/bin/python -m tests.benchmarks.bench_team_history [--prepare]

`--prepare` first writes everyone's current team down as a dated stretch (as the 0013 migration's
back-fill does) and moves every tenth agent to the next team from a day in the last year (through
`move_to_team`), so the dated join has history to read; run it once per database. Then, for the team
with the most moved people, prints each team figure's CPU ms (median of --runs, after one warm run):
CPU time, since wall time on this shared machine mostly measures the other processes. The page
itself: `tests.benchmarks.bench_pages --cpu --page team_dashboard,qa_dashboard`.
"""
import argparse
import random
import statistics
import time
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from portal import analytics, auth
from portal.clock import today
from portal.db import get_engine
from portal.models import Team, TeamMembership, User, UserRole
from portal.qa import dashboards
from portal.roles import SYSTEM
from portal.teams.membership import move_to_team, record_current_teams


def prepare(session: Session, every: int = 10) -> int:
    """Back-fill, then move every `every`-th agent to the next team (by id) from a day in the last year."""
    record_current_teams(session)
    teams = list(session.exec(select(Team.id).order_by(Team.id)))
    agents = session.exec(select(User.id, User.team_id).join(UserRole, UserRole.user_id == User.id)
                          .where(UserRole.role == "agent", User.team_id.is_not(None)).order_by(User.id)).all()
    rng = random.Random(18)
    moved = 0
    for user_id, team_id in agents[::every]:
        target = teams[(teams.index(team_id) + 1) % len(teams)]
        move_to_team(session, SYSTEM, user_id, target, today() - timedelta(days=rng.randint(1, 365)))
        moved += 1
    session.commit()
    return moved


def busiest_team(session: Session) -> Team:
    """The team with the most stretches (people moved in or out), or the first team."""
    row = session.exec(select(TeamMembership.team_id, func.count()).group_by(TeamMembership.team_id)
                       .order_by(func.count().desc())).first()
    return session.get(Team, row[0]) if row else session.exec(select(Team).order_by(Team.id)).first()


def timed(fn, runs: int) -> tuple[float, float, object]:
    """(median CPU ms of this process, median wall ms, the result): PostgreSQL's own work shows in wall time."""
    result = fn()
    cpu, wall = [], []
    for _ in range(runs):
        started, started_wall = time.process_time(), time.perf_counter()
        result = fn()
        cpu.append((time.process_time() - started) * 1000)
        wall.append((time.perf_counter() - started_wall) * 1000)
    return statistics.median(cpu), statistics.median(wall), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prepare", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with Session(get_engine(), expire_on_commit=False) as session:
        if args.prepare:
            print(f"moved {prepare(session)} agents")
        admin = auth.actor_for(session, auth.find_user(session, "admin"))
        team = busiest_team(session)
        scope = analytics.Scope("team", team.id, team.name)
        months = dashboards.recent_months(4)
        stretches = session.exec(select(func.count()).select_from(TeamMembership)).one()
        print(f"{get_engine().url.render_as_string(hide_password=True)}: {stretches} stretches; {team.name}")
        for name, fn in (("result_stats", lambda: analytics.result_stats(session, admin, scope)),
                         ("exam_results", lambda: analytics.exam_results(session, admin, scope)),
                         ("team_means", lambda: analytics.team_means(session, admin, scope)),
                         ("score_distribution", lambda: analytics.score_distribution(session, admin, scope)),
                         ("coaching_effects", lambda: analytics.coaching_effects(session, admin, scope)),
                         ("qa team_trend", lambda: dashboards.team_trend(session, admin, team.id, months)),
                         ("qa item_failures", lambda: dashboards.item_failures(session, admin, team.id, months))):
            cpu, wall, result = timed(fn, args.runs)
            print(f"{name:20s} {cpu:7.1f} cpu ms {wall:7.1f} wall ms  "
                  f"({result if isinstance(result, tuple) else len(result)} rows)")


if __name__ == "__main__":
    main()
