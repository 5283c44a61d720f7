"""Correcting and deleting a draft contest on the organiser's page, through AppTest on the demo center."""
from datetime import date

import pytest
from sqlmodel import Session, select

from portal import auth
from portal.clock import center_day_start
from portal.contests import setup
from portal.contests.setup import ContestSettings, MixEntry, RoundSettings
from portal.models import AuditEntry, Contest, ContestRound, Exam, Team
from tests.test_contests_pages import ORGANISE, keyed
from tests.utils.apptest import app_as, errors_of, problems_of

LABELS = {"en": {"edit": "Edit the draft", "delete": "Delete the draft", "save": "Save changes"},
          "zh-CN": {"edit": "编辑草稿", "delete": "删除草稿", "save": "保存修改"}}


def make_draft(engine, title_en: str = "Spring draft", title_zh: str = "春季草稿") -> int:
    with Session(engine) as session:
        trainer = auth.actor_for(session, auth.find_user(session, "trainer"))
        teams = session.exec(select(Team.id).where(Team.name.in_(["Mobile Team A", "Broadband Team B"]))).all()
        contest = setup.create_contest(session, trainer, ContestSettings(
            kind="knowledge", title_en=title_en, title_zh=title_zh, starts_at=center_day_start(date(2026, 12, 14)),
            ends_at=center_day_start(date(2026, 12, 21)), team_ids=sorted(teams),
            rounds=[RoundSettings(15, [MixEntry(["product"], 3)])]))
        session.commit()
        return contest.id


def organiser_page(engine, contest_id: int, language: str | None = None):
    at = app_as(engine, "trainer", language=language)
    at.query_params["contest"] = str(contest_id)
    at.run()
    at.switch_page(ORGANISE)
    at.query_params["contest"] = str(contest_id)
    at.run()
    assert not errors_of(at), errors_of(at)
    return at


def click(at, label: str):
    next(b for b in at.button if b.label == label).click().run()
    assert not errors_of(at), errors_of(at)
    return at


def field(at, kind: str, name: str, contest_id: int):
    return keyed(getattr(at, kind), name, form=f"contest_edit_{contest_id}")


def stored(engine, contest_id: int) -> tuple[Contest | None, list[int]]:
    with Session(engine) as session:
        limits = session.exec(select(Exam.time_limit_minutes).join(ContestRound, ContestRound.exam_id == Exam.id)
                              .where(ContestRound.contest_id == contest_id)).all()
        return session.get(Contest, contest_id), list(limits)


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_a_draft_offers_edit_and_delete_and_opens_filled_with_what_was_saved(demo_engine, language):
    contest_id = make_draft(demo_engine)
    at = organiser_page(demo_engine, contest_id, language)
    assert not problems_of(at), problems_of(at)
    assert {LABELS[language]["edit"], LABELS[language]["delete"]} <= {b.label for b in at.button}
    click(at, LABELS[language]["edit"])
    assert not problems_of(at), problems_of(at)
    assert field(at, "text_input", "title_en", contest_id).value == "Spring draft"
    assert field(at, "text_input", "title_zh", contest_id).value == "春季草稿"
    assert field(at, "date_input", "start", contest_id).value == date(2026, 12, 14)
    assert field(at, "date_input", "end", contest_id).value == date(2026, 12, 20)  # the last day, as entered
    assert len(field(at, "multiselect", "teams", contest_id).value) == 2
    assert field(at, "number_input", "r1.minutes", contest_id).value == 15
    assert field(at, "multiselect", "r1.tags1", contest_id).value == ["product"]
    assert field(at, "number_input", "r1.count1", contest_id).value == 3
    assert field(at, "slider", "share", contest_id).value == 60
    assert at.query_params.get("edit") in ([str(contest_id)], str(contest_id))  # a reload returns to the form


def test_a_wrong_value_is_refused_beside_its_field_then_the_fix_is_saved(demo_engine):
    contest_id = make_draft(demo_engine)
    at = click(organiser_page(demo_engine, contest_id), "Edit the draft")
    field(at, "text_input", "title_en", contest_id).input("Spring cup")
    field(at, "text_input", "title_zh", contest_id).input("")
    field(at, "number_input", "r1.minutes", contest_id).set_value(25)
    click(at, "Save changes")
    assert [e.value for e in at.error] == ["Give the title in both languages."]
    assert stored(demo_engine, contest_id)[0].title_en == "Spring draft"  # nothing saved
    assert field(at, "text_input", "title_en", contest_id).value == "Spring cup"  # what was typed is kept
    assert field(at, "number_input", "r1.minutes", contest_id).value == 25
    field(at, "text_input", "title_zh", contest_id).input("春季知识杯")
    click(at, "Save changes")
    contest, limits = stored(demo_engine, contest_id)
    assert (contest.title_en, contest.title_zh, contest.status) == ("Spring cup", "春季知识杯", "draft")
    assert limits == [25]
    assert "Save changes" not in {b.label for b in at.button}  # back to the contest
    assert any("Spring cup" in str(m.value) for m in at.markdown)


def test_saving_over_someone_elses_change_is_refused(demo_engine):
    contest_id = make_draft(demo_engine)
    at = click(organiser_page(demo_engine, contest_id), "Edit the draft")
    with Session(demo_engine) as session:  # a colleague corrects it meanwhile
        trainer = auth.actor_for(session, auth.find_user(session, "sun.li"))
        opened = setup.open_draft(session, trainer, contest_id)
        setup.update_contest(session, trainer, contest_id, ContestSettings(**{**vars(opened.settings),
                                                                              "title_en": "Their title"}),
                             version=opened.version)
        session.commit()
    field(at, "text_input", "title_en", contest_id).input("My title")
    click(at, "Save changes")
    assert any("changed this draft since you opened it" in str(e.value) for e in at.error)
    assert stored(demo_engine, contest_id)[0].title_en == "Their title"


def test_deleting_asks_first_and_deletes_once(demo_engine):
    contest_id = make_draft(demo_engine)
    at = click(organiser_page(demo_engine, contest_id), "Delete the draft")
    assert stored(demo_engine, contest_id)[0] is not None  # asked first
    click(at, "Delete it")
    assert stored(demo_engine, contest_id) == (None, [])
    assert not at.query_params.get("contest")
    with Session(demo_engine) as session:
        assert len(session.exec(select(AuditEntry).where(AuditEntry.action == "contest.deleted")).all()) == 1


def test_a_running_contest_offers_neither_edit_nor_delete(demo_engine):
    with Session(demo_engine) as session:
        running = session.exec(select(Contest.id).where(Contest.title_en == "December roaming sprint")).one()
    at = organiser_page(demo_engine, running)
    assert not {"Edit the draft", "Delete the draft"} & {b.label for b in at.button}
