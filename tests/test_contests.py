"""Contests (#19): setup, rounds on the exam engine, the fair team score, blind judging, who may do what."""
from datetime import timedelta

import pytest
from sqlmodel import select

from portal.contests import board as boards, judging, rounds, setup
from portal.contests.board import PersonResult, person_results, rank_people, team_results
from portal.contests.setup import ContestSettings, MixEntry, RoundSettings, ScenarioBrief
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import Attempt, AttemptAnswer, AuditEntry, Contest, ContestMember
from portal.quizzes import attempts
from portal.roles import SYSTEM, Role
from portal.users import set_team_leads
from tests.utils.factories import make_team, make_user
from tests.utils.quiz_factories import at, load_rubric, make_questions

T0 = at("2026-11-02 09:00")


@pytest.fixture
def world(session):
    team_a, team_b, team_c = make_team(session, "Mobile A"), make_team(session, "Broadband B"), make_team(session, "C")
    people = {
        "trainer": make_user(session, "trainer1", Role.TRAINER),
        "lead_a": make_user(session, "lead_a", Role.LEAD),
        "lead_c": make_user(session, "lead_c", Role.LEAD),
        "qa": make_user(session, "qa1", Role.QA),
        "outsider": make_user(session, "agent_c", Role.AGENT, team_id=team_c.id),
    }
    for n in range(1, 5):
        people[f"a{n}"] = make_user(session, f"agent_a{n}", Role.AGENT, team_id=team_a.id)
        people[f"b{n}"] = make_user(session, f"agent_b{n}", Role.AGENT, team_id=team_b.id)
    set_team_leads(session, SYSTEM, team_a.id, [people["lead_a"].id])
    set_team_leads(session, SYSTEM, team_c.id, [people["lead_c"].id])
    make_questions(session, "BIL", 8, tags=("billing",))
    make_questions(session, "ROA", 6, tags=("roaming",))
    make_questions(session, "HRD", 4, tags=("billing", "hard"))
    make_questions(session, "ESS", 5, qtype="essay", tags=("billing",))
    session.flush()
    return {"a": team_a, "b": team_b, "c": team_c, **people}


def knowledge(world, **overrides) -> ContestSettings:
    settings = ContestSettings(
        kind="knowledge", title_en="Billing cup", title_zh="计费杯", starts_at=T0, ends_at=T0 + timedelta(days=7),
        team_ids=[world["a"].id, world["b"].id], participation_share=0.5, attempts_per_round=2,
        rounds=[RoundSettings(20, [MixEntry(["billing"], 3), MixEntry(["roaming"], 2), MixEntry(["billing", "hard"], 1)])])
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


def running(session, world, **overrides) -> Contest:
    contest = setup.create_contest(session, world["trainer"], knowledge(world, **overrides))
    return setup.start_contest(session, world["trainer"], contest.id)


def sit(session, actor, contest, *, right: int, now=T0, minutes=5, round_number=1):
    """Start a round and answer `right` questions right (index 0 is the factory's right answer), submit."""
    attempt_id = rounds.start_round(session, actor, contest.id, round_number, now=now)
    slots = session.exec(select(AttemptAnswer.slot).where(AttemptAnswer.attempt_id == attempt_id)
                         .order_by(AttemptAnswer.slot)).all()
    answers = {slot: (0 if i < right else 1) for i, slot in enumerate(slots)}
    attempts.submit_attempt(session, actor, attempt_id, answers, now=now + timedelta(minutes=minutes))
    return attempt_id


def paper(session, attempt_id) -> list[str]:
    return list(session.exec(select(AttemptAnswer.idnumber).where(AttemptAnswer.attempt_id == attempt_id)
                             .order_by(AttemptAnswer.slot)).all())


# ------------------------------------------------------------------ setup


def test_a_trainer_sets_up_a_contest_whose_rounds_are_hidden_exams_until_it_starts(session, world):
    contest = setup.create_contest(session, world["trainer"], knowledge(world))
    assert contest.status == "draft"
    with pytest.raises(PermissionDenied):
        rounds.start_round(session, world["a1"], contest.id, 1, now=T0)  # nobody written down yet
    setup.start_contest(session, world["trainer"], contest.id)
    members = session.exec(select(ContestMember.user_id).where(ContestMember.contest_id == contest.id)).all()
    assert sorted(members) == sorted(world[k].id for k in ("a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"))
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "contest.started")).first() is not None
    from portal.quizzes import my_exams

    assert all(e.kind != "contest" for e in my_exams.my_exams(session, world["a1"], now=T0))


# Settings a contest is refused with, whether it is created or a draft is corrected (one rule: setup._validate)
REFUSED_SETTINGS = [
    (dict(team_ids=[]), "contests.error.two_teams"),
    (dict(title_zh=" "), "contests.error.title_required"),
    (dict(ends_at=T0), "contests.error.ends_before_start"),
    (dict(participation_share=0), "contests.error.bad_share"),
    (dict(rounds=[RoundSettings(20, [MixEntry(["roaming"], 7)])]), "contests.error.mix_too_big"),
    (dict(rounds=[RoundSettings(20, [MixEntry(["billing"], 13)])]), "contests.error.mix_too_big"),  # essays never drawn
    (dict(rounds=[RoundSettings(0, [MixEntry(["roaming"], 1)])]), "contests.error.bad_time_limit"),
    (dict(rounds=[]), "contests.error.rounds_required"),
]


@pytest.mark.parametrize("change,key", REFUSED_SETTINGS)
def test_bad_settings_are_refused_and_nothing_is_saved(session, world, change, key):
    with pytest.raises(ValidationFailed) as refused:
        setup.create_contest(session, world["trainer"], knowledge(world, **change))
    assert refused.value.key == key
    assert session.exec(select(Contest)).first() is None


def test_a_create_sent_twice_with_its_key_makes_one_contest(session, world):
    key = "k" * 32
    first = setup.create_contest(session, world["trainer"], knowledge(world), submission_key=key)
    again = setup.create_contest(session, world["trainer"], knowledge(world), submission_key=key)
    assert first.id == again.id and len(session.exec(select(Contest)).all()) == 1


# ------------------------------------------------------------------ per-participant draws


def test_each_person_draws_the_same_mix_of_tags_but_different_questions(session, world):
    contest = running(session, world)
    papers = {k: paper(session, rounds.start_round(session, world[k], contest.id, 1, now=T0)) for k in ("a1", "a2", "b1")}
    bank = rounds.contest_bank(session)
    for questions in papers.values():
        assert len(questions) == 6 and len(set(questions)) == 6
        assert sum("hard" in bank[q] for q in questions) == 1  # the difficulty tag: one hard each
        assert sum("roaming" in bank[q] for q in questions) == 2
        assert sum(bank[q] == {"billing"} for q in questions) == 3
        assert not any(q.startswith("ESS") for q in questions)
    assert len({tuple(sorted(p)) for p in papers.values()}) == 3


def test_a_reload_or_second_click_returns_the_same_attempt_and_set(session, world):
    contest = running(session, world)
    first = rounds.start_round(session, world["a1"], contest.id, 1, now=T0)
    again = rounds.start_round(session, world["a1"], contest.id, 1, now=T0 + timedelta(minutes=3))
    assert first == again
    assert len(session.exec(select(Attempt).where(Attempt.user_id == world["a1"].id)).all()) == 1


def test_the_draw_is_seeded_per_person_and_attempt(session, world):
    bank = rounds.contest_bank(session)
    mix = [MixEntry(["billing"], 3), MixEntry(["roaming"], 2)]
    seed = rounds.paper_seed(1, 1, 7, 1)
    assert rounds.draw_paper(bank, mix, seed=seed) == rounds.draw_paper(bank, mix, seed=seed)
    assert rounds.draw_paper(bank, mix, seed=seed) != rounds.draw_paper(bank, mix, seed=rounds.paper_seed(1, 1, 8, 1))


def test_answers_after_the_round_deadline_are_refused_and_not_counted(session, world):
    contest = running(session, world)
    attempt_id = rounds.start_round(session, world["a1"], contest.id, 1, now=T0)
    with pytest.raises(ValidationFailed) as refused:
        attempts.save_answers(session, world["a1"], attempt_id, {1: 0}, now=T0 + timedelta(minutes=21))
    assert refused.value.key == "exams.error.time_up"
    outcome = attempts.submit_attempt(session, world["a1"], attempt_id, {1: 0}, now=T0 + timedelta(minutes=22))
    assert outcome.late and session.get(Attempt, attempt_id).score == 0


def test_attempts_per_round_are_the_contests(session, world):
    contest = running(session, world)
    sit(session, world["a1"], contest, right=2)
    sit(session, world["a1"], contest, right=3, now=T0 + timedelta(hours=1))
    with pytest.raises(ValidationFailed) as refused:
        rounds.start_round(session, world["a1"], contest.id, 1, now=T0 + timedelta(hours=2))
    assert refused.value.key == "exams.error.no_attempts_left"


# ------------------------------------------------------------------ the fair team score


def test_a_team_sending_its_two_best_people_is_not_counted(session, world):
    contest = running(session, world, participation_share=0.75)
    for key in ("a1", "a2"):  # team A: 2 of 4, all right
        sit(session, world[key], contest, right=6)
    for key in ("b1", "b2", "b3"):  # team B: 3 of 4, half right
        sit(session, world[key], contest, right=3)
    board = boards.board(session, world["trainer"], contest.id)
    by_name = {t.name: t for t in board.teams}
    assert by_name["Broadband B"].rank == 1 and by_name["Broadband B"].score == pytest.approx(50)
    assert not by_name["Mobile A"].counted and by_name["Mobile A"].rank is None
    assert [t.name for t in board.teams] == ["Broadband B", "Mobile A"]


def test_equal_team_scores_are_ordered_by_total_time(session, world):
    contest = running(session, world)
    for key, minutes in (("a1", 9), ("a2", 9), ("b1", 4), ("b2", 5)):
        sit(session, world[key], contest, right=4, minutes=minutes)
    teams = boards.board(session, world["trainer"], contest.id).teams
    assert [(t.name, t.rank) for t in teams] == [("Broadband B", 1), ("Mobile A", 2)]
    assert teams[0].score == teams[1].score


def test_a_missed_round_counts_zero():
    people = {p.user_id: p for p in person_results([(1, 10), (2, 10), (3, 10)],
                                                   {1: (140.0, 500.0, 2), 2: (100.0, 100.0, 1)}, 2)}
    assert people[1].score == 70 and people[1].seconds == 500
    assert people[2].score == 50 and people[2].rounds_taken == 1
    assert people[3].rounds_taken == 0


def test_the_board_counts_each_persons_best_attempt_and_its_time(session, world):
    contest = running(session, world, rounds=[RoundSettings(20, [MixEntry(["roaming"], 2)]),
                                              RoundSettings(20, [MixEntry(["roaming"], 2)])])
    sit(session, world["a1"], contest, right=1, minutes=3)
    sit(session, world["a1"], contest, right=2, now=T0 + timedelta(hours=1), minutes=9)
    sit(session, world["a1"], contest, right=2, round_number=2, minutes=4)
    sit(session, world["a1"], contest, right=2, round_number=2, now=T0 + timedelta(hours=2), minutes=6)
    person = next(p for p in boards.board(session, world["trainer"], contest.id).top if p.user_id == world["a1"].id)
    assert person.score == pytest.approx(100) and person.seconds == pytest.approx((9 + 4) * 60)


def test_equal_people_share_a_rank_and_those_who_did_not_take_part_are_not_ranked():
    people = [PersonResult(1, 1, 80, 100, 1), PersonResult(2, 1, 80, 100, 1), PersonResult(3, 1, 90, 500, 1),
              PersonResult(4, 1, 0, 0, 0)]
    assert [(p.user_id, p.rank) for p in rank_people(people)] == [(3, 1), (1, 2), (2, 2)]
    teams = team_results(people, {1: 5}, share=0.8)
    assert teams[0].took_part == 3 and not teams[0].counted


# ------------------------------------------------------------------ boards and who sees them


def test_an_agent_sees_the_teams_the_top_ten_and_their_own_place_only(session, world, monkeypatch):
    contest = running(session, world)
    for n, key in enumerate(("a1", "a2", "a3", "b1", "b2", "b3", "b4")):
        sit(session, world[key], contest, right=6 - (n % 6), minutes=n + 1)
    monkeypatch.setattr(boards, "TOP", 3)
    view = boards.board(session, world["a4"], contest.id)  # a4 did not take part: no own row
    assert len(view.top) == 3 and view.extra == [] and not view.full and view.participants == 7
    assert len(view.teams) == 2
    last = max(rank_people(boards.standings(session, contest)[1]), key=lambda p: p.rank)
    actor = next(world[k] for k in world if getattr(world[k], "id", None) == last.user_id and k[0] in "ab")
    mine = boards.board(session, actor, contest.id)
    assert [p.user_id for p in mine.extra] == [last.user_id] and last.user_id not in [p.user_id for p in mine.top]
    assert len(boards.board(session, world["trainer"], contest.id).top) == 7  # organisers see everyone


def test_a_lead_sees_their_teams_board_and_not_another_contests(session, world):
    contest = running(session, world)
    sit(session, world["a1"], contest, right=6)
    assert boards.board(session, world["lead_a"], contest.id).teams
    with pytest.raises(PermissionDenied):
        boards.board(session, world["lead_c"], contest.id)  # the lead of another team
    assert [c.contest_id for c in boards.team_contests(session, world["lead_a"])] == [contest.id]
    assert boards.team_contests(session, world["lead_c"]) == []


def test_an_agent_of_a_team_not_taking_part_is_refused(session, world):
    contest = running(session, world)
    with pytest.raises(PermissionDenied):
        rounds.start_round(session, world["outsider"], contest.id, 1, now=T0)
    with pytest.raises(PermissionDenied):
        boards.board(session, world["outsider"], contest.id)


def test_only_trainers_set_up_start_and_close_contests(session, world):
    for who in ("a1", "lead_a", "qa"):
        with pytest.raises(PermissionDenied):
            setup.create_contest(session, world[who], knowledge(world))
    contest = setup.create_contest(session, world["trainer"], knowledge(world))
    with pytest.raises(PermissionDenied):
        setup.start_contest(session, world["lead_a"], contest.id)


def test_closing_grades_open_attempts_and_rewards_the_winners(session, world):
    contest = running(session, world, participation_share=0.25)
    sit(session, world["a1"], contest, right=6)
    sit(session, world["b1"], contest, right=2)
    open_id = rounds.start_round(session, world["b2"], contest.id, 1, now=T0)
    attempts.save_answers(session, world["b2"], open_id, {1: 0}, now=T0 + timedelta(minutes=1))
    setup.close_contest(session, world["trainer"], contest.id, now=T0 + timedelta(minutes=10))
    assert session.get(Attempt, open_id).status == "graded"
    assert boards.winners(session, session.get(Contest, contest.id)) == [world["a1"].id]
    with pytest.raises(ValidationFailed):
        rounds.start_round(session, world["a3"], contest.id, 1, now=T0 + timedelta(minutes=11))
    setup.close_contest(session, world["trainer"], contest.id)  # a double click changes nothing
    from portal.models import Badge, Certificate

    badges = session.exec(select(Badge.user_id, Badge.code)).all()
    certificates = session.exec(select(Certificate.user_id, Certificate.kind, Certificate.title_zh)).all()
    assert badges == [(world["a1"].id, "contest_winner")]  # once, however many closes
    assert certificates == [(world["a1"].id, "contest", "计费杯 优胜")]


# ------------------------------------------------------------------ scenario contests, judged blind


BRIEF = ScenarioBrief("Angry roamer", "愤怒的漫游用户", "A traveller billed 800 yuan", "出境旅客被扣 800 元",
                      "Roaming charges he did not expect", "意外的漫游费", "Acknowledge, explain, offer a package",
                      "先共情，再解释，推荐套餐")


@pytest.fixture
def scenario(session, world):
    load_rubric(session)
    settings = ContestSettings(kind="scenario", title_en="Role-play final", title_zh="情景模拟决赛", starts_at=T0,
                               ends_at=T0 + timedelta(days=1), team_ids=[world["a"].id, world["b"].id],
                               rubric_code="roleplay-call", scenarios=[BRIEF],
                               judge_ids=[world["trainer"].id, world["lead_a"].id, world["qa"].id],
                               contestants={world["a1"].id: 1, world["b1"].id: 1})
    contest = setup.create_contest(session, world["trainer"], settings)
    return setup.start_contest(session, world["trainer"], contest.id)


def full_marks(session, contest, value=None):
    spec = judging.contest_rubric(session, contest)
    return {item.id: (item.max_points if value is None else min(value, item.max_points)) for _, item in spec.items()}


def test_judges_score_blind_to_each_other(session, world, scenario):
    a1 = world["a1"].id
    judging.save_sheet(session, world["lead_a"], scenario.id, a1, full_marks(session, scenario), {}, submit=True)
    sheet = judging.judge_sheet(session, world["qa"], scenario.id, a1)
    assert sheet.marks == {} and sheet.others == []  # blank, and nothing of the lead's shown
    judging.save_sheet(session, world["qa"], scenario.id, a1, full_marks(session, scenario, 1), {}, submit=False)
    assert judging.judge_sheet(session, world["qa"], scenario.id, a1).others == []  # a draft is not submitted
    judging.save_sheet(session, world["qa"], scenario.id, a1, full_marks(session, scenario, 1), {}, submit=True)
    assert [score for _, score in judging.judge_sheet(session, world["qa"], scenario.id, a1).others] == [100.0]
    # the organiser judges too: before their own sheet, the others' scores are hidden from their view
    row = next(r for r in judging.scenario_results(session, world["trainer"], scenario.id) if r.user_id == a1)
    assert row.hidden and row.judges == [] and row.median is None


def test_the_median_of_the_judges_and_their_spread(session, world, scenario):
    a1 = world["a1"].id
    for judge, value in (("lead_a", None), ("qa", 1), ("trainer", 2)):
        judging.save_sheet(session, world[judge], scenario.id, a1, full_marks(session, scenario, value), {}, submit=True)
    row = next(r for r in judging.scenario_results(session, world["trainer"], scenario.id) if r.user_id == a1)
    scores = sorted(score for _, score in row.judges)
    assert row.median == scores[1] and row.spread == scores[2] - scores[0] and row.waiting_for == 0
    people = {p.user_id: p for p in judging.scenario_people(session, scenario)}
    assert people[a1].score == scores[1]


def test_a_sheet_is_saved_only_complete_and_is_final_once_submitted(session, world, scenario):
    a1 = world["a1"].id
    marks = full_marks(session, scenario)
    first_item = next(iter(marks))
    with pytest.raises(ValidationFailed) as refused:
        judging.save_sheet(session, world["qa"], scenario.id, a1, {first_item: marks[first_item]}, {}, submit=True)
    assert refused.value.key == "contests.error.sheet_incomplete"
    judging.save_sheet(session, world["qa"], scenario.id, a1, marks, {}, submit=True)
    judging.save_sheet(session, world["qa"], scenario.id, a1, marks, {}, submit=True)  # a double click
    with pytest.raises(ValidationFailed):
        judging.save_sheet(session, world["qa"], scenario.id, a1, full_marks(session, scenario, 0), {}, submit=True)


def test_a_non_judge_is_refused_the_sheets(session, world, scenario):
    with pytest.raises(PermissionDenied):
        judging.judge_sheet(session, world["lead_c"], scenario.id, world["a1"].id)
    with pytest.raises(PermissionDenied):
        judging.save_sheet(session, world["lead_c"], scenario.id, world["a1"].id, {}, {}, submit=False)
    with pytest.raises(PermissionDenied):
        judging.judge_sheet(session, world["a2"], scenario.id, world["a1"].id)  # an agent: not even the action


def test_a_scenario_contest_needs_its_panel_and_briefs_in_both_languages(session, world):
    load_rubric(session)
    bad = ScenarioBrief(**{**vars(BRIEF), "good_zh": ""})
    settings = ContestSettings(kind="scenario", title_en="X", title_zh="X", starts_at=T0, ends_at=T0 + timedelta(days=1),
                               team_ids=[world["a"].id, world["b"].id], rubric_code="roleplay-call", scenarios=[bad],
                               judge_ids=[world["trainer"].id, world["qa"].id], contestants={world["a1"].id: 1})
    with pytest.raises(ValidationFailed) as refused:
        setup.create_contest(session, world["trainer"], settings)
    assert refused.value.key == "contests.error.brief_incomplete"
