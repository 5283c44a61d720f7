"""Benchmark every page for every role that sees it, on the `large` data set.

    DATABASE_URL=sqlite:///db/large.sqlite3 .venv/bin/python -m tests.benchmarks.bench_pages
    (build the data first: DATABASE_URL=... .venv/bin/portal seed large)

Two data sets side by side (each measured in its own process, one after the other):

    .venv/bin/python -m tests.benchmarks.bench_pages --compare sqlite:////tmp/large1.sqlite3 \
        sqlite:////tmp/large5.sqlite3      (the second built with `portal seed large --scale 5`)

(add --cpu on a loaded machine: the table then shows the bench process's CPU ms per run, which
other processes' load inflates far less than wall time) prints each page x role's warm time on A and B and its growth B/A, and flags
rows over TARGET_MS warm, and person- or team-scoped rows (SCOPES) that grow
more than MAX_GROWTH (and by more than NOISE_MS): what one person sees must
not cost more because the center is larger.

For each page and role: the server-side run time of the page through AppTest
(warm: after one unmeasured run; median of --runs runs), the time spent in
the page's own database queries during those runs, their ratio, and the
growth of the process's resident memory over the runs. Prints a table; it is
not a test and asserts nothing.
"""
import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager

from sqlalchemy import event, text

from portal.db import get_engine
from portal.quizzes import analysis
from portal.roles import Role
from portal.ui.navigation import PAGES
from tests.utils.apptest import app_as, errors_of

LARGE_USERS = {Role.ADMIN: "admin", Role.TRAINER: "trainer01", Role.MENTOR: "mentor001", Role.LEAD: "lead001",
               Role.NEWHIRE: "agent2000", Role.AGENT: "agent0001", Role.QA: "qa01"}
TARGET_MS = 300
MAX_GROWTH = 1.2
NOISE_MS = 25  # growth flags need B - A above this: on a shared 2-core machine a 10 ms page swings 2x

PERSON, TEAM, CENTER = "person", "team", "center"
# What the viewer of each page sees: one person (their own records), one team (their team, their
# mentees), or the whole center. Person and team pages must cost the same however large the center.
SCOPES: dict[tuple[str, Role], str] = {
    ("pages/home.py", Role.NEWHIRE): PERSON, ("pages/home.py", Role.AGENT): PERSON,
    ("pages/home.py", Role.MENTOR): TEAM, ("pages/home.py", Role.LEAD): TEAM,
    ("pages/home.py", Role.TRAINER): CENTER, ("pages/home.py", Role.ADMIN): CENTER,
    ("pages/training_onboarding.py", Role.NEWHIRE): PERSON,
    ("pages/training_shadowing.py", Role.NEWHIRE): PERSON,
    ("pages/training_supervised.py", Role.NEWHIRE): PERSON,
    ("pages/training_quizzes.py", Role.NEWHIRE): PERSON, ("pages/training_quizzes.py", Role.AGENT): PERSON,
    ("pages/training_exams.py", Role.NEWHIRE): PERSON, ("pages/training_exams.py", Role.AGENT): PERSON,
    ("pages/training_coaching.py", Role.NEWHIRE): PERSON, ("pages/training_coaching.py", Role.AGENT): PERSON,
    # the learning record reads one person's rows; a lead's and an admin's picker list their people
    ("pages/training_learning_record.py", Role.LEAD): TEAM, ("pages/training_learning_record.py", Role.MENTOR): TEAM,
    ("pages/training_learning_record.py", Role.TRAINER): CENTER,
    ("pages/training_learning_record.py", Role.ADMIN): CENTER,
    ("pages/authoring_courses.py", Role.TRAINER): CENTER,
    ("pages/authoring_questions.py", Role.TRAINER): CENTER,
    ("pages/authoring_exams.py", Role.TRAINER): CENTER,
    ("pages/authoring_marking.py", Role.TRAINER): CENTER,
    ("pages/authoring_item_analysis.py", Role.TRAINER): CENTER,
    # the trainer's libraries and lists of the whole center: rubrics, recertification rules, contests
    ("pages/authoring_rubrics.py", Role.TRAINER): CENTER,
    ("pages/authoring_recertification.py", Role.TRAINER): CENTER,
    ("pages/authoring_contests.py", Role.TRAINER): CENTER,
    ("pages/team_contests.py", Role.LEAD): TEAM,
    # recognition: the wall and one's own pickers for everyone; a lead also sees their teams' counts,
    # an admin every team's counts and the month's nominations
    ("pages/recognition.py", Role.LEAD): TEAM, ("pages/recognition.py", Role.ADMIN): CENTER,
    ("pages/team_mentees.py", Role.MENTOR): TEAM,
    ("pages/team_cohort_board.py", Role.TRAINER): CENTER, ("pages/team_cohort_board.py", Role.LEAD): TEAM,
    ("pages/team_dashboard.py", Role.LEAD): TEAM, ("pages/team_dashboard.py", Role.TRAINER): CENTER,
    ("pages/team_dashboard.py", Role.ADMIN): CENTER,
    ("pages/team_coaching.py", Role.LEAD): TEAM, ("pages/team_coaching.py", Role.MENTOR): TEAM,
    ("pages/team_coaching.py", Role.TRAINER): CENTER,
    ("pages/wellbeing_team.py", Role.LEAD): TEAM, ("pages/wellbeing_team.py", Role.ADMIN): CENTER,
    # the QA dashboard shows one team at a time, for everyone (a lead's own; QA, trainers and admins pick one)
    ("pages/qa_dashboard.py", Role.LEAD): TEAM, ("pages/qa_dashboard.py", Role.QA): TEAM,
    ("pages/qa_dashboard.py", Role.TRAINER): TEAM, ("pages/qa_dashboard.py", Role.ADMIN): TEAM,
    ("pages/qa_focus.py", Role.QA): CENTER, ("pages/qa_focus.py", Role.TRAINER): CENTER,
    # QA's lists are the center's (calls, every team's sampling plan, disputes); a lead's disputes are their
    # team's; calibration lists one's own sessions but its form offers the center's calls and calibrators.
    # My quality (training_quality) and the evaluation sheet are one person's (the default, PERSON).
    ("pages/qa_calls.py", Role.QA): CENTER, ("pages/qa_calls.py", Role.ADMIN): CENTER,
    ("pages/qa_queue.py", Role.QA): CENTER,
    ("pages/qa_scorecards.py", Role.QA): CENTER, ("pages/qa_scorecards.py", Role.TRAINER): CENTER,
    ("pages/qa_disputes.py", Role.QA): CENTER, ("pages/qa_disputes.py", Role.LEAD): TEAM,
    ("pages/qa_calibration.py", Role.QA): CENTER, ("pages/qa_calibration.py", Role.TRAINER): CENTER,
    ("pages/qa_calibration.py", Role.LEAD): CENTER,
}


def scope_of(path: str, role: Role) -> str:
    """Forms and fixed texts (check-in, resources, account, admin forms) are the viewer's own: PERSON,
    except an admin's pages, which are about the whole center."""
    return SCOPES.get((path, role), CENTER if path.startswith("pages/admin_") else PERSON)


def users_of(engine) -> dict[Role, str]:
    """LARGE_USERS, with the new hire being the data set's last one (agent2000 at 1x, agent10000 at 5x):
    the same person in each data set's newest cohort."""
    with engine.connect() as connection:
        newhire = connection.execute(text(
            "SELECT u.username FROM user_account u JOIN user_role r ON r.user_id = u.id "
            "WHERE r.role = 'newhire' ORDER BY u.id DESC LIMIT 1")).scalar()
    return {**LARGE_USERS, Role.NEWHIRE: newhire or LARGE_USERS[Role.NEWHIRE]}


class QueryClock:
    """Sums the wall time of every SQL statement run on the engine, including the marks query item
    analysis executes on a plain DB-API cursor (analysis._execute_raw), which SQLAlchemy's cursor
    events do not see. As for those events, fetching the rows is not counted."""

    def __init__(self, engine):
        self.total = 0.0
        self._starts = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        execute_raw = analysis._execute_raw

        def timed_execute_raw(*args, **kwargs):
            started = time.perf_counter()
            try:
                return execute_raw(*args, **kwargs)
            finally:
                self.total += time.perf_counter() - started
        analysis._execute_raw = timed_execute_raw

    def _before(self, *args):
        self._starts.append(time.perf_counter())

    def _after(self, *args):
        self.total += time.perf_counter() - self._starts.pop()


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@contextmanager
def timed():
    started = time.perf_counter()
    result = {}
    yield result
    result["ms"] = (time.perf_counter() - started) * 1000


def bench_page(engine, clock, path: str, username: str, runs: int) -> dict:
    at = app_as(engine, username)
    at.run()
    at.switch_page(path).run()  # warm-up: caches, imports, first queries
    if errors_of(at):
        return {"error": errors_of(at)[0][:60]}
    gc.collect()  # what earlier pages' AppTests left is not this page's to collect
    page_ms, query_ms, cpu_ms = [], [], []
    memory_before = rss_mb()
    for _ in range(runs):
        clock.total = 0.0
        cpu_before = time.process_time()
        with timed() as t:
            at.run()
        cpu_ms.append((time.process_time() - cpu_before) * 1000)
        page_ms.append(t["ms"])
        query_ms.append(clock.total * 1000)
    return {"median_ms": statistics.median(page_ms), "query_ms": statistics.median(query_ms),
            "cpu_ms": statistics.median(cpu_ms), "memory_mb": rss_mb() - memory_before}


BARE_SCRIPT = "import streamlit as st\nst.write('hello')"


def bare_floor(runs: int) -> tuple[float, float]:
    """A two-line Streamlit script through AppTest, two ways (median ms):

    - fresh: a new AppTest per run, which is how the issue's "about 66 ms" floor
      is measured (AppTest also builds a new script cache on every run, so each
      run re-parses the script: harness cost that `streamlit run` pays once);
    - warm: one AppTest run again and again, the way pages are measured here.

    The "<= 3 x queries + floor" rule uses the fresh floor, the issue's.
    """
    from streamlit.testing.v1 import AppTest

    fresh, warm = [], []
    for _ in range(runs):
        with timed() as t:
            AppTest.from_string(BARE_SCRIPT).run()
        fresh.append(t["ms"])
    at = AppTest.from_string(BARE_SCRIPT)
    at.run()
    for _ in range(runs):
        with timed() as t:
            at.run()
        warm.append(t["ms"])
    return statistics.median(fresh), statistics.median(warm)


def page_roles(page_filter: str | None):
    wanted = page_filter.split(",") if page_filter else []
    for page in PAGES:
        if wanted and not any(part in page.path for part in wanted):
            continue
        for role in sorted(page.roles):
            yield page.path, role


def measure_all(args) -> int:
    """Every page x role on this process's database, one JSON line each (for --compare)."""
    engine = get_engine()
    clock = QueryClock(engine)
    users = users_of(engine)
    for path, role in page_roles(args.page):
        try:
            result = bench_page(engine, clock, path, users[role], args.runs)
        except Exception as exc:  # one page's failure is that row's, not the whole table's
            result = {"error": f"{type(exc).__name__}: {exc}"[:60]}
        print(json.dumps({"page": path, "role": role.value, **result}), flush=True)
    return 0


def measure_in_subprocess(url: str, args) -> dict[tuple[str, str], dict]:
    command = [sys.executable, "-m", "tests.benchmarks.bench_pages", "--json", "--runs", str(args.runs)]
    if args.page:
        command += ["--page", args.page]
    sys.stderr.write(f"measuring {url} ...\n")
    done = subprocess.run(command, env={**os.environ, "DATABASE_URL": url}, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"measuring {url} failed:\n{done.stderr[-3000:]}")
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {(row["page"], row["role"]): row for row in rows}


def flags_of(path: str, role: Role, a: dict, b: dict, key: str = "median_ms") -> list[str]:
    """Why a row needs work: over TARGET_MS warm on either data set, or person/team-scoped and growing."""
    if "error" in a or "error" in b:
        return [f"ERROR {a.get('error') or b.get('error')}"]
    flags = [f"> {TARGET_MS} ms"] if max(a[key], b[key]) > TARGET_MS else []
    grown = b[key] / a[key] > MAX_GROWTH and b[key] - a[key] > NOISE_MS
    if scope_of(path, role) != CENTER and grown:
        flags.append(f"grows > {MAX_GROWTH}x")
    return flags


def compare(args) -> int:
    stale = set(SCOPES) - set(page_roles(None))
    if stale:
        raise SystemExit(f"SCOPES names pages or roles that PAGES no longer has: {sorted(stale)}")
    url_a, url_b = args.compare
    load_before = os.getloadavg()
    results_a = measure_in_subprocess(url_a, args)
    results_b = measure_in_subprocess(url_b, args)
    print(f"A: {url_a}\nB: {url_b}\nruns per page: {args.runs}; load average (1, 5, 15 min) before "
          f"{load_before[0]:.2f} {load_before[1]:.2f} {load_before[2]:.2f}, after "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    if args.cpu:
        print("ms: the bench process's CPU time per run (time.process_time: every thread of it, not the "
              "database server's), median; (SQL) is wall time")
    print(f"flags: warm > {TARGET_MS} ms on A or B; person/team-scoped with growth B/A > {MAX_GROWTH}x "
          f"(and B - A > {NOISE_MS} ms)\n")
    print(f"{'page':<38}{'role':<9}{'scope':<8}{'A ms (SQL)':>14}{'B ms (SQL)':>14}{'growth':>8}  flags")
    flagged = 0
    key = "cpu_ms" if args.cpu else "median_ms"
    for path, role in page_roles(args.page):
        a, b = results_a[(path, role.value)], results_b[(path, role.value)]
        flags = flags_of(path, role, a, b, key)
        flagged += bool(flags)
        cells = "".join(f"{_ms_cell(r, key):>14}" for r in (a, b))
        growth = f"{b[key] / a[key]:.2f}x" if "error" not in a and "error" not in b else "-"
        print(f"{path:<38}{role.value:<9}{scope_of(path, role):<8}{cells}{growth:>8}  {', '.join(flags)}")
    print(f"\n{flagged} page/role combinations flagged")
    return 0


def _ms_cell(result: dict, key: str = "median_ms") -> str:
    return "error" if "error" in result else f"{result[key]:.0f} ({result['query_ms']:.0f})"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page", help="only pages whose path contains this (several: comma-separated)")
    parser.add_argument("--compare", nargs=2, metavar=("URL_A", "URL_B"),
                        help="measure two databases (A, then B) and print each row's growth B/A")
    parser.add_argument("--cpu", action="store_true",
                        help="--compare: tabulate the process's CPU ms per run, not wall ms (a loaded machine)")
    parser.add_argument("--json", action="store_true", help="one JSON line per page x role (used by --compare)")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(args)
    if args.json:
        return measure_all(args)
    engine = get_engine()
    clock = QueryClock(engine)
    users = users_of(engine)
    floor, warm_floor = bare_floor(args.runs)
    print(f"database: {engine.url.render_as_string()}  runs per page: {args.runs}\n"
          f"bare two-line script through AppTest: {floor:.0f} ms fresh (the floor), {warm_floor:.0f} ms warm\n"
          f"targets: <= {TARGET_MS} ms warm and <= 3 x query ms + floor\n")
    print(f"{'page':<38}{'role':<9}{'median ms':>10}{'query ms':>10}{'ratio':>7}{'mem MB':>8}  verdict")
    missed = 0
    for path, role in page_roles(args.page):
        result = bench_page(engine, clock, path, users[role], args.runs)
        if "error" in result:
            print(f"{path:<38}{role.value:<9}  ERROR {result['error']}")
            missed += 1
            continue
        ratio = result["median_ms"] / max(result["query_ms"], 0.1)
        ok = result["median_ms"] <= TARGET_MS and result["median_ms"] <= 3 * result["query_ms"] + floor
        missed += not ok
        print(f"{path:<38}{role.value:<9}{result['median_ms']:>10.0f}{result['query_ms']:>10.1f}"
              f"{ratio:>7.1f}{result['memory_mb']:>8.1f}  {'ok' if ok else 'MISSED'}")
    print(f"\n{missed} page/role combinations missed a target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
