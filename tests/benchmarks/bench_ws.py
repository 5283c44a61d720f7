"""Browserless load: hundreds of simulated people speaking Streamlit's websocket protocol to one server.

    .venv/bin/python -m tests.benchmarks.bench_ws [--people 200] [--ramp 120] [--think 5 15] [--duration 300]
        [--leads 0.1] [--seed 1] [--database-url URL [--large]] [--profile FILE] [--replicas N]

bench_load drives real browsers, and on this 2-core machine 20 Chromium
sessions use ~20x the CPU of the server they test. Here each person is a
websocket (tests/utils/streamlit_ws.py) sending the `BackMsg`s a browser sends
(`rerun_script` with the page and the widget states) and reading the
`ForwardMsg`s back, so a few hundred people cost the generator a fraction of
one core and the server is what is measured.

Learners sign in through the login form (then POST the page's one-use ticket to
`/api/session` for the cookies, as the page's script does), open Practice
quizzes, start the etiquette quiz, answer (Check my answer / Next question /
See my score), open My exams, and go round again; leads (`--leads`, a share)
open the team dashboard, change its period, open Coaching and pick another agent.
Each person pauses `--think MIN MAX` seconds (uniform, seeded per person)
before every click. A step is timed from sending the BackMsg to the run's
`script_finished`; an exception or error element, a missing expected element,
a timeout (30 s) or a closed socket is an error.

Default data: a fresh demo center (in a new SQLite file, or in the EMPTY database
`--database-url` names) plus one agent per learner (`load001`...) spread over
the teams, and one lead per lead (`leadload01`...). With `--large`,
`--database-url` is a database built by `portal seed large`: learners are
`agent0001`..., leads `lead001`... (password academy-demo).

Before the load, one learner and one lead go through their steps alone to
measure the server's CPU per step exactly (/proc/<pid>/stat before and after);
under load the server's total CPU over all steps is reported too, and the
people one core holds at one click per mean think time, kept 60% busy.
`--profile FILE` runs the server under py-spy (when installed; `--py-spy PATH`)
and writes a speedscope profile of the whole load.
`--replicas N` starts N servers behind nginx on the PostgreSQL database `--database-url` names
(README's replica set-up; least connections, since every simulated person comes from 127.0.0.1)
and reports their CPU together.
Bounded: loopback only, every step times out after 30 s, the run stops itself
after ramp + duration + 60 s.
"""
import argparse
import asyncio
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

# as given by whoever runs the benchmark, before tests/conftest.py (imported below) sets its cheap test cost
BCRYPT_ROUNDS_GIVEN = os.environ.get("BCRYPT_ROUNDS")

from portal.db import make_engine, migrate, session_scope
from portal.i18n import Translator
from portal.roles import SYSTEM, Role
from portal.settings import get_settings
from tests.e2e.conftest import ROOT, free_port, start_streamlit, stop, wait_healthy
from tests.utils.nginx import LEAST_CONNECTIONS, nginx_binary, start_nginx
from tests.utils.streamlit_ws import ProtocolError, StreamlitClient

PASSWORD = "load-test-pass-1"
LARGE_PASSWORD = "academy-demo"
QUIZ = "practice-etiquette"
TARGET_P95_S = 1.0
STEP_TIMEOUT_S = 30.0
BUSY_SHARE = 0.6  # a core kept 60% busy leaves room for bursts
t = Translator("en")
EXPECTED_ERRORS = frozenset({t("quizbank.view.incorrect"), t("quizbank.view.not_answered")})
NEXT_OR_SCORE = re.compile("^(" + re.escape(t("quizbank.practice.next")) + "|"
                           + re.escape(t("quizbank.practice.see_score")) + ")$")


# --- data ---------------------------------------------------------------------------
def build_demo(url: str, learners: int, leads: int) -> None:
    """The demo center plus `learners` agents spread over its teams and `leads` extra team leads."""
    from portal.models.core import TeamLead
    from portal.security import hash_password
    from portal.users import NewUser, create_user, list_teams, set_team_leads
    from seed.loader import load_demo
    from sqlmodel import select

    engine = make_engine(url)
    migrate(engine)
    load_demo(engine)
    shared_hash = hash_password(PASSWORD)  # one bcrypt hash for all: building 200 would take a minute
    with session_scope(engine) as session, mock.patch("portal.users.hash_password", lambda _: shared_hash):
        teams = list_teams(session)
        for n in range(learners):
            create_user(session, SYSTEM, NewUser(f"load{n + 1:03d}", f"Load Agent {n + 1:03d}", (Role.AGENT,), PASSWORD,
                                               team_id=teams[n % len(teams)].id, language="en"))
        new_leads = [create_user(session, SYSTEM, NewUser(f"leadload{n + 1:02d}", f"Load Lead {n + 1:02d}", (Role.LEAD,),
                                                        PASSWORD, language="en")) for n in range(leads)]
        for n, team in enumerate(teams):
            current = list(session.exec(select(TeamLead.user_id).where(TeamLead.team_id == team.id)))
            mine = [lead.id for k, lead in enumerate(new_leads) if k % len(teams) == n]
            if mine:
                set_team_leads(session, SYSTEM, team.id, current + mine)
    engine.dispose()


def accounts(people: int, lead_share: float, large: bool) -> list[tuple[str, str, str]]:
    """(role, username, password) for each person, leads spread evenly among learners."""
    leads = round(people * lead_share)
    roles = ["lead" if leads and (n * leads) // people != ((n + 1) * leads) // people else "learner"
             for n in range(people)]
    found, counts = [], {"lead": 0, "learner": 0}
    for role in roles:
        counts[role] += 1
        k = counts[role]
        if large:
            found.append((role, f"lead{k:03d}" if role == "lead" else f"agent{k:04d}", LARGE_PASSWORD))
        else:
            found.append((role, f"leadload{k:02d}" if role == "lead" else f"load{k:03d}", PASSWORD))
    return found


# --- measuring ----------------------------------------------------------------------
def process_cpu_seconds(pid: int | tuple[int, ...]) -> float:
    """User + system CPU of process `pid` (or of all the replicas' processes) and their threads, from /proc."""
    total = 0.0
    for one in (pid if isinstance(pid, tuple) else (pid,)):
        with open(f"/proc/{one}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def machine_busy_seconds() -> float:
    """CPU seconds all processes on this machine have used (all but idle and iowait), from /proc/stat."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


@dataclass
class Results:
    server_pid: int | tuple[int, ...]  # a tuple: every replica's
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    cpu_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # only when measured alone
    errors: list[str] = field(default_factory=list)
    alone: bool = False  # calibration: one step at a time, so its CPU is the server's CPU for it


class StepFailed(Exception):
    pass


class Person:
    """One simulated person: a websocket session, a pace, and a record of every step."""

    def __init__(self, number: int, role: str, username: str, password: str, url: str, results: Results,
                 think: tuple[float, float], seed: int, stop_at: float, rounds: int | None = None):
        self.number, self.role, self.username, self.password = number, role, username, password
        self.client = StreamlitClient(url, timeout=STEP_TIMEOUT_S)
        self.results = results
        self.think = think
        self.pace = random.Random(seed * 100_003 + number)  # the same person reads at the same pace every run
        self.stop_at = stop_at
        self.rounds = rounds  # None: until stop_at
        self.saw_question = False

    def time_left(self) -> bool:
        return time.monotonic() < self.stop_at

    async def step(self, kind: str, action, expect=None, pause: bool = True):
        """Think, act, and record the time from sending to `script_finished`, or the error."""
        if pause and self.think[1] > 0:
            await asyncio.sleep(self.pace.uniform(*self.think))
        cpu_before = process_cpu_seconds(self.results.server_pid) if self.results.alone else 0.0
        try:
            run = await action()
        except (ProtocolError, LookupError, OSError) as exc:
            raise StepFailed(f"{self.username} at '{kind}': {type(exc).__name__}: {exc}") from exc
        if self.results.alone:
            self.results.cpu_ms[kind].append((process_cpu_seconds(self.results.server_pid) - cpu_before) * 1000)
        problems = run.problems(EXPECTED_ERRORS) if hasattr(run, "problems") else []
        if expect is not None and not expect():
            alerts = [s.text for s in self.client.all("alert")]
            problems.append("expected content missing; alerts: " + (" | ".join(alerts) or "none")
                            + "; on screen: " + " | ".join(self.client.texts()[-6:]))
        if problems:
            raise StepFailed(f"{self.username} at '{kind}': {'; '.join(problems)}")
        self.results.times[kind].append(run.seconds)
        return run

    async def live(self) -> None:
        try:
            await self.step("open app", self.client.connect, lambda: self.client.has("text_input", t("login.username")),
                            pause=False)
            await self.sign_in()
            done = 0
            while self.time_left() and (self.rounds is None or done < self.rounds):
                await (self.learner_round() if self.role == "learner" else self.lead_round())
                done += 1
        except StepFailed as exc:
            self.results.errors.append(str(exc)[:300])
        except Exception as exc:  # recorded, not raised: the report counts errors
            self.results.errors.append(f"{self.username}: {type(exc).__name__}: {str(exc)[:240]}")
        finally:
            await self.client.close()

    async def sign_in(self) -> None:
        c = self.client
        c.set_value(c.find("text_input", t("login.username")), string_value=self.username)
        c.set_value(c.find("text_input", t("login.password")), string_value=self.password)
        await self.step("sign in", lambda: c.click(c.find("button", t("login.submit"))),
                        lambda: c.has("button", t("app.sign_out")))
        await self.step("session cookie", self.redeem, pause=False)

    async def redeem(self):
        started = time.perf_counter()
        status = await self.client.redeem_ticket()
        if status != 204 or not self.client.cookies:
            raise ProtocolError(f"POST /api/session answered {status}")
        return _Timed(time.perf_counter() - started)

    # --- learners ---------------------------------------------------------------
    async def learner_round(self) -> None:
        c = self.client
        await self.step("open practice", lambda: c.open_page("training_quizzes"),
                        lambda: c.has("heading", t("nav.my_quizzes")))
        if not c.has("button", t("quizbank.practice.check")):
            again = t("quizbank.practice.try_again")
            start = c.find("button", again) if c.has("button", again) else c.find("button", key=f"start-{QUIZ}")
            await self.step("start quiz", lambda: c.click(start), lambda: c.has("button", t("quizbank.practice.check")))
        while self.time_left() and c.has("button", t("quizbank.practice.check")):
            self.answer_question()
            await self.step("check answer", lambda: c.click(c.find("button", t("quizbank.practice.check"))),
                            lambda: c.has("button", NEXT_OR_SCORE))
            self.saw_question = True
            if not self.time_left():
                return
            last = c.has("button", t("quizbank.practice.see_score"))
            await self.step("see score" if last else "next question", lambda: c.click(c.find("button", NEXT_OR_SCORE)),
                            lambda: c.has("metric") if last else c.has("button", t("quizbank.practice.check")))
        if self.time_left():
            await self.step("open my exams", lambda: c.open_page("training_exams"),
                            lambda: c.has("heading", t("nav.my_exams")))

    def answer_question(self) -> None:
        """Some answer to the question on screen, whatever its type (as bench_load does)."""
        c = self.client
        form = [s for s in c.screen.values() if getattr(s.proto, "form_id", "").startswith("answer-")]
        first_box = next((w for w in form if w.kind == "checkbox"), None)
        for widget in form:
            if widget.kind in ("radio", "selectbox") and widget.proto.options:
                c.set_value(widget, string_value=self.pace.choice(widget.proto.options))
            elif widget.kind in ("text_input", "text_area"):
                c.set_value(widget, string_value="250")
            elif widget.kind == "checkbox":
                c.set_value(widget, bool_value=widget is first_box or self.pace.random() < 0.5)  # never none
            elif widget.kind == "number_input":
                c.set_value(widget, double_value=250.0)

    # --- leads ------------------------------------------------------------------
    async def lead_round(self) -> None:
        c = self.client
        await self.step("open dashboard", lambda: c.open_page("team_dashboard"),
                        lambda: c.has("heading", t("nav.team_dashboard")))
        if not self.time_left():
            return
        period = c.find("selectbox", key="dash_months")
        await self.step("dashboard period",
                        lambda: c.change(period, string_value=self.pace.choice(period.proto.options)),
                        lambda: c.has("metric"))
        if not self.time_left():
            return
        await self.step("open coaching", lambda: c.open_page("team_coaching"),
                        lambda: c.has("heading", t("nav.coaching")))
        if not self.time_left():
            return
        agent = c.find("selectbox", key="coach_agent")
        await self.step("coaching agent", lambda: c.change(agent, string_value=self.pace.choice(agent.proto.options)),
                        lambda: c.has("selectbox", key="coach_agent"))


@dataclass
class _Timed:
    seconds: float


# --- running ------------------------------------------------------------------------
async def calibrate(url: str, results: Results, large: bool, lead_share: float, passes: int = 3) -> None:
    """One learner and one lead, one step at a time, warm: a first pass is not counted, then `passes` are."""
    people = [("learner", "agent0001" if large else "load001", LARGE_PASSWORD if large else PASSWORD)]
    if lead_share > 0:
        people.append(("lead", "lead001" if large else "leadload01", LARGE_PASSWORD if large else PASSWORD))
    for role, username, password in people:
        for counted in (False, *[True] * passes):
            scratch = Results(results.server_pid, alone=True)
            person = Person(0, role, username, password, url, scratch, (0, 0), 0, time.monotonic() + 3600, rounds=1)
            await person.live()
            if counted:
                for kind, values in scratch.cpu_ms.items():
                    results.cpu_ms[kind].extend(values)
            results.errors.extend(f"(calibration) {e}" for e in scratch.errors)


async def load(url: str, results: Results, people: list[tuple[str, str, str]], ramp: float, duration: float,
               think: tuple[float, float], seed: int) -> list[Person]:
    """Everyone arrives over `ramp` seconds and works until ramp + duration."""
    stop_at = time.monotonic() + ramp + duration
    crowd = [Person(n, role, username, password, url, results, think, seed, stop_at)
             for n, (role, username, password) in enumerate(people)]

    async def arrive(person: Person) -> None:
        await asyncio.sleep(ramp * person.number / max(1, len(crowd) - 1))
        await person.live()

    await asyncio.wait_for(asyncio.gather(*(arrive(p) for p in crowd)), timeout=ramp + duration + 60)
    return crowd


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


STEP_ORDER = ("open app", "sign in", "session cookie", "open practice", "start quiz", "check answer", "next question",
              "see score", "open my exams", "open dashboard", "dashboard period", "open coaching", "coaching agent")


def report(results: Results, calibration: Results, server_cpu_s: float, wall_s: float, generator_cpu_s: float,
           machine_cpu_s: float, people: int, think: tuple[float, float]) -> tuple[str, bool]:
    lines = [f"{'step':<18}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'CPU ms alone':>14}"]
    for kind in STEP_ORDER:
        values = results.times.get(kind, [])
        cpu = calibration.cpu_ms.get(kind)
        cpu_text = f"{statistics.median(cpu):>14.0f}" if cpu else f"{'-':>14}"
        if values:
            lines.append(f"{kind:<18}{len(values):>6}{statistics.median(values) * 1000:>9.0f}"
                         f"{percentile(values, 0.95) * 1000:>9.0f}{max(values) * 1000:>9.0f}{cpu_text}")
    steps = sum(len(v) for k, v in results.times.items() if k != "session cookie")
    all_times = [s for k, v in results.times.items() for s in v]
    worst = max((percentile(v, 0.95) for v in results.times.values() if v), default=float("inf"))
    met = not results.errors and worst <= TARGET_P95_S
    cores_used = server_cpu_s / wall_s if wall_s else 0
    per_step_ms = server_cpu_s * 1000 / steps if steps else float("nan")
    mean_think = sum(think) / 2
    per_core = BUSY_SHARE * 1000 / per_step_ms * mean_think if steps else 0
    lines += [
        "",
        (f"all steps: {len(all_times)}, p50 {statistics.median(all_times) * 1000:.0f} ms, "
         f"p95 {percentile(all_times, 0.95) * 1000:.0f} ms, max {max(all_times) * 1000:.0f} ms")
        if all_times else "no steps",
        f"errors: {len(results.errors)}", *("  " + e for e in results.errors[:20]),
        f"server CPU under load: {server_cpu_s:.1f} CPU-s over {wall_s:.0f} s = {cores_used:.2f} cores busy for "
        f"{people} people; {per_step_ms:.0f} CPU-ms per step (all {steps} page runs)",
        f"people per core at one click per {mean_think:g} s, core {BUSY_SHARE:.0%} busy: {per_core:.0f}",
        f"load generator CPU: {generator_cpu_s:.1f} CPU-s ({generator_cpu_s / wall_s:.2f} cores)" if wall_s else "",
        f"whole machine: {machine_cpu_s:.0f} of {wall_s * (os.cpu_count() or 1):.0f} CPU-s busy; other processes "
        f"(not the server, not the generator) {machine_cpu_s - server_cpu_s - generator_cpu_s:.0f} CPU-s "
        f"({(machine_cpu_s - server_cpu_s - generator_cpu_s) / wall_s:.2f} cores)" if wall_s else "",
        f"machine load average (1, 5, 15 min) at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        f"on {os.cpu_count()} cores",
        f"target p95 <= {TARGET_P95_S * 1000:.0f} ms on every step and 0 errors: {'met' if met else 'MISSED'} "
        f"(worst p95 {worst * 1000:.0f} ms)"]
    return "\n".join(lines), met


def py_spy_command(path: str | None, output: Path) -> list[str]:
    executable = path or shutil.which("py-spy")
    if not executable:
        raise SystemExit("--profile needs py-spy (pip install py-spy, or --py-spy PATH)")
    return [executable, "record", "--format", "speedscope", "--output", str(output), "--threads", "--rate", "50",
            "--nonblocking", "--subprocesses", "--"]


def start_server(url: str, log: Path, profile: Path | None, py_spy: str | None) -> tuple[subprocess.Popen, int, str]:
    """`streamlit run portal/ui/web.py` as `make run` does, optionally under py-spy.

    Returns the process started, the server's pid (py-spy's child when profiling) and its URL."""
    port = free_port()
    if profile is None:
        process = start_streamlit(url, port, log)
        return process, process.pid, f"http://127.0.0.1:{port}"
    command = [*py_spy_command(py_spy, profile), sys.executable, "-m", "streamlit", "run",
               str(ROOT / "portal" / "ui" / "web.py"), "--server.port", str(port), "--server.address", "127.0.0.1",
               "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "DATABASE_URL": url}, stdout=open(log, "w"),
                               stderr=subprocess.STDOUT)
    if not wait_healthy(f"http://127.0.0.1:{port}/_stcore/health"):
        stop(process)
        raise SystemExit("streamlit did not start under py-spy: " + log.read_text()[-2000:])
    child = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    return process, int(child[0]), f"http://127.0.0.1:{port}"


def stop_profiled(process: subprocess.Popen, server_pid: int) -> None:
    """Stop the server first (py-spy then writes its profile and exits)."""
    os.kill(server_pid, 15)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        stop(process)


def start_replicas(url: str, count: int, log_dir: Path) -> tuple[list[subprocess.Popen], tuple[int, ...], str]:
    """`count` servers sharing a cookie secret behind nginx (least connections): README's replica set-up."""
    nginx = nginx_binary()
    if not nginx:
        raise SystemExit("--replicas needs nginx (Debian package nginx-light)")
    ports = [free_port() for _ in range(count)]
    servers = [start_streamlit(url, port, log_dir / f"streamlit-{n}.log",
                               env={"STREAMLIT_SERVER_COOKIE_SECRET": "bench-ws-replicas-cookie-secret"})
               for n, port in enumerate(ports)]
    proxy, base = start_nginx(nginx, log_dir, ports, LEAST_CONNECTIONS)
    return [proxy, *servers], tuple(s.pid for s in servers), base


def run(url: str, args, log_dir: Path) -> tuple[str, bool]:
    people = accounts(args.people, args.leads, args.large)
    if args.replicas > 1:
        processes, server_pid, base = start_replicas(url, args.replicas, log_dir)
        server = None
    else:
        server, server_pid, base = start_server(url, log_dir / "streamlit.log", args.profile, args.py_spy)
        processes = [server]
    try:
        calibration = Results(server_pid, alone=True)
        asyncio.run(calibrate(base, calibration, args.large, args.leads))
        results = Results(server_pid)
        cpu0, gen0, wall0 = process_cpu_seconds(server_pid), time.process_time(), time.perf_counter()
        machine0 = machine_busy_seconds()
        asyncio.run(load(base, results, people, args.ramp, args.duration, tuple(args.think), args.seed))
        server_cpu = process_cpu_seconds(server_pid) - cpu0
        generator_cpu, wall = time.process_time() - gen0, time.perf_counter() - wall0
        machine_cpu = machine_busy_seconds() - machine0
    finally:
        if args.profile:
            stop_profiled(server, server_pid)
        else:
            for process in processes:
                stop(process)
    results.errors[:0] = calibration.errors
    text, met = report(results, calibration, server_cpu, wall, generator_cpu, machine_cpu, args.people,
                       tuple(args.think))
    servers = "one streamlit server" if args.replicas == 1 else f"{args.replicas} streamlit replicas behind nginx"
    header = (f"{args.people} people ({sum(r == 'lead' for r, _, _ in people)} leads) against {servers}, "
              f"arriving over {args.ramp:g} s, working {args.duration:g} s more, {args.think[0]:g}-{args.think[1]:g} s "
              f"before each click, seed {args.seed}; {'large' if args.large else 'demo'} data on "
              f"{url.split(':', 1)[0]}\n")
    return header + text, met


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--people", type=int, default=200)
    p.add_argument("--ramp", type=float, default=120.0, help="seconds over which people arrive")
    p.add_argument("--think", type=float, nargs=2, default=(5.0, 15.0), metavar=("MIN", "MAX"),
                   help="seconds a person pauses before each click (uniform)")
    p.add_argument("--duration", type=float, default=300.0, help="seconds everyone keeps working after the ramp")
    p.add_argument("--leads", type=float, default=0.1, help="share of the people who are team leads")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--database-url", help="an EMPTY database for the demo center (default: a new SQLite file); "
                                          "with --large, a database built by `portal seed large`")
    p.add_argument("--large", action="store_true", help="use the large center at --database-url as it is")
    p.add_argument("--profile", type=Path, help="write a py-spy speedscope profile of the server here")
    p.add_argument("--py-spy", help="the py-spy executable (default: on PATH)")
    p.add_argument("--keep", type=Path, help="keep the server log here")
    p.add_argument("--replicas", type=int, default=1, help="servers behind nginx (needs a PostgreSQL --database-url)")
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    os.environ["BCRYPT_ROUNDS"] = BCRYPT_ROUNDS_GIVEN or "12"  # the production cost: sign-in is part of the load
    get_settings.cache_clear()
    if args.large and not args.database_url:
        print("--large needs --database-url (a database built by `portal seed large`)", file=sys.stderr)
        return 2
    if args.replicas > 1 and (args.profile or not (args.database_url or "").startswith("postgresql")):
        print("--replicas needs a PostgreSQL --database-url (replicas share one database) and no --profile",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = args.keep or Path(tmp)
        log_dir.mkdir(parents=True, exist_ok=True)
        url = args.database_url or f"sqlite:///{Path(tmp) / 'load.sqlite3'}"
        if not args.large:
            learners = sum(role == "learner" for role, _, _ in accounts(args.people, args.leads, False))
            build_demo(url, max(1, learners), max(1, args.people - learners))
        text, met = run(url, args, log_dir)
    print(text)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
