"""Load test: 20 people at once in real browsers against one `streamlit run` server.

    .venv/bin/python -m tests.benchmarks.bench_load [--users 20] [--ramp 60] [--think 12]

Builds a fresh demo database with 20 extra agents, starts one Streamlit
server on loopback, and drives 20 Playwright contexts in one headless
Chromium at the same time: sign in, home page, practice quizzes, start a
quiz, answer its 10 questions, submit it. Prints p50/p95 per step and the
errors. Bounded: every step times out after 30 s and the whole run stops
after 10 minutes.

By default the 20 people arrive over 60 s and pause 6-18 s (mean 12)
before each click, as people reading a question and its feedback do; all
20 are signed in and working at the same time for most of the run. `--ramp 0 --think 0` is the
stress burst: every browser clicks the instant the page allows. On this
2-core machine the 20 browsers then need most of both cores themselves,
so that profile measures the load generator as much as the server (the
CPU split is printed).
"""
import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.async_api import async_playwright, expect

from portal.db import make_engine, migrate, session_scope
from portal.roles import Role
from portal.users import NewUser, create_user, list_teams
from seed.loader import load_demo
from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path, free_port, start_streamlit, stop

PASSWORD = "load-test-pass-1"
ARTIFACTS: Path | None = None  # --keep DIR: screenshots of failed steps and the server log
STEPS = ("sign in", "home", "open practice", "start quiz", "answer", "next question", "submit quiz")
TARGET_P95_S = 1.0
RUN_LIMIT_S = 600
QUESTIONS = 10  # practice-etiquette draws 10
HEADLESS_SHELLS = ("/usr/bin/chromium-headless-shell",)


def build_database(url: str, users: int) -> str:
    """The demo center plus `users` agents, in an empty database."""
    engine = make_engine(url)
    migrate(engine)
    load_demo(engine)
    with session_scope(engine) as session:
        team = next(t for t in list_teams(session) if t.name == "Mobile Team A")
        for n in range(users):
            create_user(session, None, NewUser(f"load{n + 1:02d}", f"Load Agent {n + 1:02d}", (Role.AGENT,), PASSWORD,
                                               team_id=team.id, language="en"))
    engine.dispose()
    return url


TEXTBOX = "input[type='text'], input:not([type]), textarea"


def button(scope, name):
    """A button by its text. CSS and text, not get_by_role: working out every element's
    accessible role and name on each poll; Playwright's queries were about a tenth of a renderer's busy time."""
    return scope.locator("button").filter(has_text=name)


async def settled(page) -> None:
    """Wait until the app has finished its script run (Streamlit marks its root element):
    a click while elements are still arriving can be lost when React redraws them."""
    await page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for()
    # and until React has painted what that run sent (two animation frames)
    await page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


async def idle(page) -> None:
    """Wait for the browser's first idle moment (at most 2 s): React finishes work after painting
    (effects that register a form's widgets), and a choice made before that can be lost. A person
    reading the page never clicks that fast; with no pauses the harness would, so every click
    waits for this first. Not part of any step's time: the page is on screen by then."""
    await page.evaluate("new Promise(done => requestIdleCallback(done, {timeout: 2000}))")


async def answer_current_question(page) -> None:
    """Give some answer to the question on screen, whatever its type (as
    tests/e2e/test_quizbank_browser.py does), see that the browser shows it chosen, and check it."""
    form = page.get_by_test_id("stForm")
    options = form.locator("[data-testid='stRadio'] [role='radiogroup'] label")
    if await options.count():
        await options.first.click()
        await expect(options.first.locator("input")).to_be_checked()
    for box in (await form.locator("[data-testid='stCheckbox'] label").all())[:1]:
        await box.click()
        await expect(box.locator("input")).to_be_checked()
    if await form.locator(TEXTBOX).count():
        await form.locator(TEXTBOX).first.fill("250")
    for select in await form.locator("[data-testid='stSelectbox']").all():
        await select.click()
        await page.get_by_role("option").first.click()
    await button(form, "Check my answer").click()


async def one_person(browser, url: str, n: int, timings: dict, errors: list, think: float,
                     lost_answers: list) -> None:
    context = await browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = await context.new_page()
    page.set_default_timeout(30_000)
    step = STEPS[0]
    pace = random.Random(n)  # the same person reads at the same pace in every run
    try:
        async def timed(name, action):
            nonlocal step
            step = name
            # a person reads before the next click, some faster than others (0.5-1.5 x the mean)
            await asyncio.sleep(think * pace.uniform(0.5, 1.5))
            await idle(page)
            started = time.perf_counter()
            await action()
            await settled(page)
            timings[name].append(time.perf_counter() - started)

        await page.goto(url)
        await page.get_by_role("textbox", name="Username").wait_for()
        await settled(page)
        await page.get_by_role("textbox", name="Username").fill(f"load{n:02d}")
        await page.get_by_role("textbox", name="Password").fill(PASSWORD)

        async def sign_in():
            await button(page, "Sign in").click()
            await page.get_by_role("heading", name=f"Welcome, Load Agent {n:02d}").wait_for()

        async def home():
            await page.get_by_text("Your pages").wait_for()

        async def open_practice():
            await page.get_by_test_id("stSidebar").get_by_text("Practice quizzes").click()
            await page.locator(".st-key-start-practice-etiquette button").wait_for()

        async def start_quiz():
            await page.locator(".st-key-start-practice-etiquette button").click()
            await button(page, "Check my answer").wait_for()

        next_button = button(page, re.compile("^(Next question|See my score)$"))

        async def answer():
            # Under CPU starvation the browser can drop a choice made the moment the form
            # appears; the page then says "Give an answer first" and the person answers
            # again. Counted and reported; the step's time includes the second try.
            for _ in range(3):
                await answer_current_question(page)
                await next_button.or_(page.get_by_text("Give an answer first.")).wait_for()
                if not await next_button.count():
                    # the notice may be the last run's, still on screen before this click's run
                    # starts: only once the browser has caught up is a refusal a refusal
                    await settled(page)
                    await idle(page)
                if await next_button.count():
                    return
                lost_answers.append(n)
            raise AssertionError("the answer was refused three times")

        async def next_question():
            await next_button.click()
            await button(page, "Check my answer").wait_for()

        async def submit_quiz():
            await next_button.click()
            await page.get_by_text("Your score", exact=True).wait_for()

        for name, action in (("sign in", sign_in), ("home", home), ("open practice", open_practice),
                             ("start quiz", start_quiz)):
            await timed(name, action)
        for question in range(1, QUESTIONS + 1):
            await timed("answer", answer)
            if question < QUESTIONS:
                await timed("next question", next_question)
        await timed("submit quiz", submit_quiz)
    except Exception as exc:  # recorded, not raised: the report counts errors
        errors.append(f"load{n:02d} at '{step}': {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
        if ARTIFACTS:
            await page.screenshot(path=str(ARTIFACTS / f"load{n:02d}-{step.replace(' ', '-')}.png"), full_page=True)
    finally:
        await context.close()


def load_browser() -> str | None:
    """Chromium's old headless shell when installed (Debian: chromium-headless-shell), which is what
    Playwright itself runs for headless; else the full Chromium the browser tests use."""
    return next((p for p in HEADLESS_SHELLS if Path(p).exists()), None) or chromium_path()


async def run(url: str, users: int, ramp: float, think: float, executable: str) -> tuple[dict, list, list, float]:
    timings = {name: [] for name in STEPS}
    errors: list[str] = []
    lost_answers: list[int] = []

    async def arrive(n: int, browser) -> None:
        await asyncio.sleep(ramp * (n - 1) / max(1, users - 1))
        await one_person(browser, url, n, timings, errors, think, lost_answers)

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(arrive(n, browser) for n in range(1, users + 1))), timeout=RUN_LIMIT_S)
        elapsed = time.perf_counter() - started
        await browser.close()
    return timings, errors, lost_answers, elapsed


class CpuMeter:
    """CPU seconds used by the server process, and by everything else on the machine
    (on an otherwise idle machine: the browsers and Playwright, i.e. the load generator)."""

    def __init__(self, server_pid: int):
        self.pid = server_pid
        self.started = (self._server(), self._machine(), time.perf_counter())

    def _server(self) -> float:
        with open(f"/proc/{self.pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _machine() -> float:
        with open("/proc/stat") as handle:
            values = [int(v) for v in handle.readline().split()[1:]]
        return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait

    def report(self) -> str:
        server0, machine0, wall0 = self.started
        server, machine, wall = self._server() - server0, self._machine() - machine0, time.perf_counter() - wall0
        return (f"CPU over {wall:.0f} s on {os.cpu_count()} cores ({wall * os.cpu_count():.0f} CPU-s available): "
                f"server {server:.1f} CPU-s, everything else (the browsers) {machine - server:.1f} CPU-s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--ramp", type=float, default=60.0,
                        help="seconds over which the users arrive (0: all at the same instant)")
    parser.add_argument("--think", type=float, default=12.0,
                        help="mean seconds a person pauses before each step (each pause drawn from 0.5-1.5 x "
                             "this; 0 with --ramp 0 is the stress burst: every browser clicks at once)")
    parser.add_argument("--database-url", help="an EMPTY database to use (default: a new SQLite file)")
    parser.add_argument("--chromium", help="the browser to drive (default: the headless shell, else chromium)")
    parser.add_argument("--keep", type=Path, help="keep the server log and screenshots of failed steps here")
    args = parser.parse_args(argv)
    global ARTIFACTS
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        ARTIFACTS = args.keep
    executable = args.chromium or load_browser()
    if not executable:
        print("Chromium not found (apt-get install chromium-headless-shell or chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        url = build_database(args.database_url or f"sqlite:///{Path(tmp) / 'load.sqlite3'}", args.users)
        port = free_port()
        server = start_streamlit(url, port, (ARTIFACTS or Path(tmp)) / "streamlit.log")
        try:
            meter = CpuMeter(server.pid)
            timings, errors, lost_answers, elapsed = asyncio.run(
                run(f"http://127.0.0.1:{port}", args.users, args.ramp, args.think, executable))
            cpu = meter.report()
        finally:
            stop(server)
    print(f"browser: {executable}")
    print(f"{args.users} concurrent browser sessions against one streamlit server (arriving over {args.ramp:g} s, "
          f"{args.think:g} s mean pause before each step); {elapsed:.1f} s in all\n")
    print(f"{'step':<16}{'n':>4}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name in STEPS:
        values = timings[name]
        if values:
            print(f"{name:<16}{len(values):>4}{statistics.median(values) * 1000:>9.0f}"
                  f"{percentile(values, 0.95) * 1000:>9.0f}{max(values) * 1000:>9.0f}")
    print(f"\nanswers the browser dropped and the person gave again: {len(lost_answers)}")
    print(f"errors: {len(errors)}")
    for error in errors:
        print("  " + error)
    worst = max((percentile(v, 0.95) for v in timings.values() if v), default=float("inf"))
    met = not errors and worst <= TARGET_P95_S and all(timings.values())
    print(f"\ntarget p95 <= {TARGET_P95_S * 1000:.0f} ms on every step and 0 errors: "
          f"{'met' if met else 'MISSED'} (worst p95 {worst * 1000:.0f} ms)")
    print(cpu)
    return 0


if __name__ == "__main__":
    sys.exit(main())
