"""The browserless load generator's protocol client, against a real `streamlit run` (a few seconds).

Three simulated people (two learners, one lead) sign in through the login form over
Streamlit's websocket protocol, redeem the sign-in ticket for the cookie, and open a
page; the learners start the practice quiz and must really be shown its question.
"""
import asyncio

import pytest

from tests.benchmarks.bench_ws import EXPECTED_ERRORS, QUIZ, Person, Results, accounts, t
from tests.e2e.conftest import database_url_of, free_port, start_streamlit, stop
from tests.utils.streamlit_ws import StreamlitClient


@pytest.fixture
def server(demo_engine, tmp_path):
    port = free_port()
    process = start_streamlit(database_url_of(demo_engine), port, tmp_path / "streamlit.log")
    yield f"http://127.0.0.1:{port}", process.pid
    stop(process)


async def sign_in(url: str, username: str) -> tuple[StreamlitClient, list]:
    client = StreamlitClient(url, timeout=20)
    runs = [await client.connect()]
    client.set_value(client.find("text_input", t("login.username")), string_value=username)
    client.set_value(client.find("text_input", t("login.password")), string_value="academy-demo")
    runs.append(await client.click(client.find("button", t("login.submit"))))
    assert client.has("button", t("app.sign_out")), client.texts()
    assert await client.redeem_ticket() == 204
    assert client.cookies.get("academy_session")
    return client, runs


async def learner(url: str, username: str) -> tuple[list, list[str]]:
    client, runs = await sign_in(url, username)
    try:
        runs.append(await client.open_page("training_quizzes"))
        runs.append(await client.click(client.find("button", key=f"start-{QUIZ}")))
        question = [s.text for s in client.screen.values() if s.kind == "markdown" and s.fragment_id]
        form = [s for s in client.screen.values() if getattr(s.proto, "form_id", "").startswith("answer-")]
        assert form and any(s.kind == "button" and s.text == t("quizbank.practice.check") for s in form), client.texts()
        return runs, question
    finally:
        await client.close()


async def lead(url: str) -> list:
    client, runs = await sign_in(url, "lead")
    try:
        runs.append(await client.open_page("team_dashboard"))
        assert client.has("heading", t("nav.team_dashboard"))
        assert client.has("metric"), client.texts()
        return runs
    finally:
        await client.close()


def test_three_people_over_the_websocket_protocol(server):
    url, _ = server

    async def everyone():
        return await asyncio.gather(learner(url, "agent"), learner(url, "newhire"), lead(url))

    (agent_runs, agent_question), (newhire_runs, newhire_question), lead_runs = asyncio.run(everyone())
    for run in agent_runs + newhire_runs + lead_runs:
        assert run.status == 0  # FINISHED_SUCCESSFULLY
        assert run.problems(EXPECTED_ERRORS) == []
    # the question itself: "Question 1 of 10" and its text, drawn inside the quiz's fragment
    for question in (agent_question, newhire_question):
        assert t("quizbank.practice.question_of", number=1, total=10) in question
        assert len(question) >= 2 and all(text.strip() for text in question)


def test_a_simulated_learner_answers_a_whole_quiz(server):
    """bench_ws's learner, alone and without pauses: every step of a quiz round, no error, CPU measured."""
    url, pid = server
    results = Results(pid, alone=True)
    person = Person(0, "learner", "agent", "academy-demo", url, results, (0, 0), 0, float("inf"), rounds=1)
    asyncio.run(person.live())
    assert results.errors == []
    assert person.saw_question
    assert len(results.times["check answer"]) == 10 and len(results.times["see score"]) == 1
    assert results.times["open my exams"] and set(results.cpu_ms) >= {"sign in", "check answer"}


def test_people_are_split_into_learners_and_leads():
    people = accounts(20, 0.1, large=False)
    assert [role for role, _, _ in people].count("lead") == 2
    assert people[0] == ("learner", "load001", "load-test-pass-1")
    assert ("lead", "lead002", "academy-demo") in accounts(20, 0.1, large=True)
