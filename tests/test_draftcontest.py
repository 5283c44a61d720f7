"""A draft contest can be corrected and deleted (the organiser's mistakes), never once it has started."""
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from portal.contests import setup
from portal.contests.setup import ContestSettings, MixEntry, RoundSettings, ScenarioBrief
from portal.errors import PermissionDenied, ValidationFailed
from portal.models import (AuditEntry, Contest, ContestJudge, ContestMember, ContestRound, ContestScenario,
                           ContestTeam, Exam)
from portal.roles import Role
from tests.test_contests import BRIEF, REFUSED_SETTINGS, T0, knowledge, world  # noqa: F401  (world is a fixture)
from tests.utils.factories import make_user
from tests.utils.quiz_factories import load_rubric


def draft(session, world, **overrides) -> Contest:
    return setup.create_contest(session, world["trainer"], knowledge(world, **overrides))


def round_exams(session, contest_id: int) -> list[Exam]:
    return list(session.exec(select(Exam).join(ContestRound, ContestRound.exam_id == Exam.id)
                             .where(ContestRound.contest_id == contest_id).order_by(ContestRound.number)).all())


def contest_exams(session) -> list[str]:
    return sorted(session.exec(select(Exam.code).where(Exam.kind == "contest")).all())


def audited(session, action: str) -> int:
    return len(session.exec(select(AuditEntry).where(AuditEntry.action == action)).all())


# ------------------------------------------------------------------ editing


def test_a_draft_opens_as_saved(session, world):
    contest = draft(session, world)
    opened = setup.open_draft(session, world["trainer"], contest.id)
    saved = opened.settings
    assert (saved.kind, saved.title_en, saved.title_zh) == ("knowledge", "Billing cup", "计费杯")
    assert (saved.starts_at, saved.ends_at) == (T0, T0 + timedelta(days=7))
    assert saved.team_ids == sorted([world["a"].id, world["b"].id])
    assert (saved.participation_share, saved.attempts_per_round) == (0.5, 2)
    assert [(r.time_limit_minutes, [(e.tags, e.count) for e in r.mix]) for r in saved.rounds] == [
        (20, [(["billing"], 3), (["roaming"], 2), (["billing", "hard"], 1)])]


def test_an_edit_updates_the_contest_its_teams_and_its_rounds_exams_in_place(session, world):
    contest = draft(session, world)
    [first_exam] = round_exams(session, contest.id)
    first_exam_id = first_exam.id
    version = setup.open_draft(session, world["trainer"], contest.id).version
    changed = knowledge(world, title_en="Roaming cup", title_zh="漫游杯", team_ids=[world["a"].id, world["c"].id],
                        starts_at=T0 + timedelta(days=1), ends_at=T0 + timedelta(days=3), attempts_per_round=3,
                        rounds=[RoundSettings(30, [MixEntry(["roaming"], 2)]),
                                RoundSettings(10, [MixEntry(["billing"], 1)])])
    setup.update_contest(session, world["trainer"], contest.id, changed, version=version)

    saved = setup.open_draft(session, world["trainer"], contest.id).settings
    assert (saved.title_en, saved.title_zh, saved.attempts_per_round) == ("Roaming cup", "漫游杯", 3)
    assert saved.team_ids == sorted([world["a"].id, world["c"].id])
    assert [(r.time_limit_minutes, [(e.tags, e.count) for e in r.mix]) for r in saved.rounds] == [
        (30, [(["roaming"], 2)]), (10, [(["billing"], 1)])]
    exams = round_exams(session, contest.id)
    assert exams[0].id == first_exam_id  # round 1 kept its exam, corrected
    assert [(e.title_en, e.title_zh, e.time_limit_minutes, e.attempts_allowed, e.status, e.kind) for e in exams] == [
        ("Roaming cup · round 1", "漫游杯 · 第 1 轮", 30, 3, "draft", "contest"),
        ("Roaming cup · round 2", "漫游杯 · 第 2 轮", 10, 3, "draft", "contest")]
    assert all((e.open_at, e.close_at) == (T0 + timedelta(days=1), T0 + timedelta(days=3)) for e in exams)
    assert audited(session, "contest.edited") == 1

    fewer = knowledge(world, rounds=[RoundSettings(15, [MixEntry(["billing"], 2)])])
    setup.update_contest(session, world["trainer"], contest.id, fewer,
                         version=setup.open_draft(session, world["trainer"], contest.id).version)
    assert [e.id for e in round_exams(session, contest.id)] == [first_exam_id]
    assert contest_exams(session) == [f"contest-{contest.id}-round-1"]  # round 2's exam went with it


@pytest.mark.parametrize("change,key", REFUSED_SETTINGS)
def test_an_edit_is_refused_by_the_rules_of_creating_and_changes_nothing(session, world, change, key):
    contest = draft(session, world)
    before = setup.open_draft(session, world["trainer"], contest.id)
    with pytest.raises(ValidationFailed) as refused:
        setup.update_contest(session, world["trainer"], contest.id, knowledge(world, title_en="Changed", **change),
                             version=before.version)
    assert refused.value.key == key
    after = setup.open_draft(session, world["trainer"], contest.id)
    assert after.version == before.version and after.settings.title_en == "Billing cup"


def test_an_edit_based_on_what_someone_else_changed_since_is_refused(session, world):
    contest = draft(session, world)
    mine = setup.open_draft(session, world["trainer"], contest.id)
    theirs = setup.open_draft(session, world["trainer"], contest.id)
    setup.update_contest(session, world["trainer"], contest.id, knowledge(world, title_en="Their cup"),
                         version=theirs.version)
    with pytest.raises(ValidationFailed) as refused:
        setup.update_contest(session, world["trainer"], contest.id, knowledge(world, title_en="My cup"),
                             version=mine.version)
    assert refused.value.key == "contests.error.changed_since_opened"
    assert session.get(Contest, contest.id).title_en == "Their cup"


def test_the_same_edit_sent_twice_saves_once_and_an_untouched_one_changes_nothing(session, world):
    contest = draft(session, world)
    opened = setup.open_draft(session, world["trainer"], contest.id)
    setup.update_contest(session, world["trainer"], contest.id, knowledge(world), version=opened.version)
    assert audited(session, "contest.edited") == 0  # sent untouched
    for _ in range(2):  # a double click: the second run comes with the version the form was opened with
        setup.update_contest(session, world["trainer"], contest.id,
                             knowledge(world, title_en=" Billing cup 2 ", team_ids=[world["b"].id, world["a"].id]),
                             version=opened.version)
    assert session.get(Contest, contest.id).title_en == "Billing cup 2"
    assert audited(session, "contest.edited") == 1


def test_the_version_read_in_one_transaction_is_accepted_in_the_next(engine, world, session):
    """The form opens the draft in one database session and saves it in another (times read back from the
    database, not the values given): an unchanged draft is not taken for a changed one."""
    contest_id = draft(session, world).id
    session.commit()
    with Session(engine) as reading:
        version = setup.open_draft(reading, world["trainer"], contest_id).version
    with Session(engine) as writing:
        setup.update_contest(writing, world["trainer"], contest_id, knowledge(world, title_en="Next cup"),
                             version=version)
        writing.commit()
    with Session(engine) as reading:
        assert reading.get(Contest, contest_id).title_en == "Next cup"


def test_a_started_or_closed_contest_can_be_neither_edited_nor_deleted(session, world):
    contest = draft(session, world)
    opened = setup.open_draft(session, world["trainer"], contest.id)
    setup.start_contest(session, world["trainer"], contest.id)  # started while the editor was open
    for status in ("running", "closed"):
        with pytest.raises(ValidationFailed) as refused:
            setup.update_contest(session, world["trainer"], contest.id, knowledge(world, title_en="Late"),
                                 version=opened.version)
        assert refused.value.key == "contests.error.not_a_draft"
        for service in (setup.open_draft, setup.delete_contest):
            with pytest.raises(ValidationFailed) as refused:
                service(session, world["trainer"], contest.id)
            assert refused.value.key == "contests.error.not_a_draft"
        assert session.get(Contest, contest.id).status == status
        if status == "running":
            setup.close_contest(session, world["trainer"], contest.id, now=T0 + timedelta(days=1))
    assert session.get(Contest, contest.id).title_en == "Billing cup"
    assert len(round_exams(session, contest.id)) == 1


def scenario_settings(world, **overrides) -> ContestSettings:
    settings = ContestSettings(kind="scenario", title_en="Role-play final", title_zh="情景模拟决赛", starts_at=T0,
                               ends_at=T0 + timedelta(days=1), team_ids=[world["a"].id, world["b"].id],
                               rubric_code="roleplay-call", scenarios=[BRIEF],
                               judge_ids=[world["trainer"].id, world["lead_a"].id, world["qa"].id],
                               contestants={world["a1"].id: 1, world["b1"].id: 1})
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


def test_a_scenario_draft_is_corrected_briefs_panel_and_contestants(session, world):
    load_rubric(session)
    contest = setup.create_contest(session, world["trainer"], scenario_settings(world))
    opened = setup.open_draft(session, world["trainer"], contest.id)
    assert opened.settings.scenarios == [BRIEF]
    assert opened.settings.contestants == {world["a1"].id: 1, world["b1"].id: 1}
    second = ScenarioBrief(**{**vars(BRIEF), "title_en": "Lost SIM", "title_zh": "丢失 SIM 卡"})
    changed = scenario_settings(world, scenarios=[BRIEF, second], judge_ids=[world["trainer"].id, world["qa"].id],
                                contestants={world["a1"].id: 2, world["a2"].id: 1, world["b2"].id: 2})
    setup.update_contest(session, world["trainer"], contest.id, changed, version=opened.version)
    saved = setup.open_draft(session, world["trainer"], contest.id).settings
    assert [s.title_zh for s in saved.scenarios] == ["愤怒的漫游用户", "丢失 SIM 卡"]
    assert saved.judge_ids == sorted([world["trainer"].id, world["qa"].id])
    assert saved.contestants == {world["a1"].id: 2, world["a2"].id: 1, world["b2"].id: 2}
    version = setup.open_draft(session, world["trainer"], contest.id).version
    with pytest.raises(ValidationFailed) as refused:  # the scenario rules apply to an edit too
        setup.update_contest(session, world["trainer"], contest.id,
                             scenario_settings(world, judge_ids=[world["qa"].id]), version=version)
    assert refused.value.key == "contests.error.two_judges"


# ------------------------------------------------------------------ deleting


def test_deleting_a_draft_removes_it_with_its_round_exams_once_and_is_audited(session, world):
    contest = draft(session, world, rounds=[RoundSettings(20, [MixEntry(["billing"], 2)]),
                                            RoundSettings(20, [MixEntry(["roaming"], 2)])])
    kept = draft(session, world, title_en="Another cup")
    assert setup.delete_contest(session, world["trainer"], contest.id) is True
    assert session.get(Contest, contest.id) is None
    assert session.exec(select(ContestRound).where(ContestRound.contest_id == contest.id)).first() is None
    assert session.exec(select(ContestTeam).where(ContestTeam.contest_id == contest.id)).first() is None
    assert contest_exams(session) == [f"contest-{kept.id}-round-1"]  # the other draft's round untouched
    assert setup.delete_contest(session, world["trainer"], contest.id) is False  # a second click: nothing more
    entries = session.exec(select(AuditEntry).where(AuditEntry.action == "contest.deleted")).all()
    assert [(e.actor_id, e.target) for e in entries] == [(world["trainer"].id, "Billing cup")]
    assert [c.contest_id for c in setup.list_contests(session, world["trainer"])] == [kept.id]


def test_deleting_a_scenario_draft_removes_its_briefs_panel_and_contestants(session, world):
    load_rubric(session)
    contest = setup.create_contest(session, world["trainer"], scenario_settings(world))
    setup.delete_contest(session, world["trainer"], contest.id)
    for table in (ContestScenario, ContestJudge, ContestMember, ContestTeam):
        assert session.exec(select(table).where(table.contest_id == contest.id)).first() is None, table
    assert session.get(Contest, contest.id) is None


# ------------------------------------------------------------------ who may


def test_only_organisers_edit_or_delete_a_draft_and_any_trainer_organises(session, world):
    contest = draft(session, world)
    version = setup.open_draft(session, world["trainer"], contest.id).version
    admin = make_user(session, "admin1", Role.ADMIN)
    for who in (world["a1"], world["lead_a"], world["qa"], admin):
        with pytest.raises(PermissionDenied):
            setup.open_draft(session, who, contest.id)
        with pytest.raises(PermissionDenied):
            setup.update_contest(session, who, contest.id, knowledge(world, title_en="Hijacked"), version=version)
        with pytest.raises(PermissionDenied):
            setup.delete_contest(session, who, contest.id)
    assert session.get(Contest, contest.id).title_en == "Billing cup"
    other_trainer = make_user(session, "trainer2", Role.TRAINER)  # contests are the trainers' together, as starting
    setup.update_contest(session, other_trainer, contest.id, knowledge(world, title_en="Fixed cup"), version=version)
    assert setup.delete_contest(session, other_trainer, contest.id) is True
