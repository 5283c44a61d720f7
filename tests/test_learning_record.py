"""The learning record (issue #20): what it holds, who may read it, and what never enters it."""
import io
import zipfile
from datetime import date, timedelta

import pytest

from portal import coaching, learning_record, wellbeing
from portal.certificates import issue_certificate
from portal.clock import today, utcnow
from portal.errors import PermissionDenied
from portal.i18n import Translator
from portal.learning_record.pdf import deferred_record_pdf, record_pdf
from portal.models import Attempt, Exam, ModuleProgress, StageSignoff
from portal.onboarding.programme import current_programme
from portal.roles import SYSTEM, Role
from portal.users import set_team_leads
from tests.test_coaching_pdf import pdf_text
from tests.utils.factories import make_cohort, make_team, make_user
from tests.utils.qa_factories import make_evaluation, make_scorecard

SHARED = "Reread the roaming tariff sheet 共享记录"
PRIVATE = "PRIVATE-stress-at-home-私密"
WELLBEING_COMMENT = "WELLBEING-can-not-sleep-睡不着"


@pytest.fixture
def world(session):
    """Two teams with a lead each; a mentor with a mentee (in team A, in a cohort); agents; a trainer; an admin."""
    team_a, team_b = make_team(session, "Team A"), make_team(session, "Team B")
    cohort = make_cohort(session, "Intake Q4", date(2026, 10, 5))
    lead_a, lead_b = make_user(session, "lead.a", Role.LEAD), make_user(session, "lead.b", Role.LEAD)
    set_team_leads(session, SYSTEM, team_a.id, [lead_a.id])
    set_team_leads(session, SYSTEM, team_b.id, [lead_b.id])
    mentor = make_user(session, "mentor.m", Role.MENTOR, team_id=team_a.id)
    other_mentor = make_user(session, "mentor.o", Role.MENTOR, team_id=team_b.id)
    w = dict(lead_a=lead_a, lead_b=lead_b, mentor=mentor, other_mentor=other_mentor,
             mentee=make_user(session, "mentee.m", Role.NEWHIRE, team_id=team_a.id, mentor_id=mentor.id,
                              cohort_id=cohort.id),
             agent_a=make_user(session, "agent.a", Role.AGENT, team_id=team_a.id),
             colleague_a=make_user(session, "colleague.a", Role.AGENT, team_id=team_a.id),
             agent_b=make_user(session, "agent.b", Role.AGENT, team_id=team_b.id),
             trainer=make_user(session, "trainer.t", Role.TRAINER), admin=make_user(session, "admin.x", Role.ADMIN),
             qa=make_user(session, "qa.q", Role.QA))
    session.flush()
    return w


def graded(session, user_id, kind, percents, grading="highest"):
    exam = Exam(code=f"{kind}-{user_id}", kind=kind, title_en=f"{kind} exam", title_zh=f"{kind}考试", pass_mark=80,
                grading=grading)
    session.add(exam)
    session.flush()
    for number, percent in enumerate(percents, start=1):
        at = utcnow() - timedelta(days=10 - number)
        session.add(Attempt(exam_id=exam.id, user_id=user_id, number=number, status="graded", started_at=at,
                            submitted_at=at, percent=percent, passed=percent >= 80))
    session.flush()
    return exam


@pytest.fixture
def mentee_records(session, world):
    """The mentee's module, a stage signed off, two exams, a coaching session with private notes, a
    QA evaluation and a wellbeing check-in with a comment."""
    mentee, mentor = world["mentee"], world["mentor"]
    stage = current_programme().stages[0]
    module = stage.modules[0]
    session.add(ModuleProgress(user_id=mentee.id, module_id=module.id, opened_at=utcnow(), completed_at=utcnow(),
                               version=module.version, minutes_spent=25))
    session.add(StageSignoff(user_id=mentee.id, stage_key=stage.key, outcome="passed", reason="All done",
                             signed_by_id=mentor.id))
    graded(session, mentee.id, "written", [70, 90])
    graded(session, mentee.id, "practical", [85])
    graded(session, mentee.id, "practice", [40])  # practice quizzes are not exams
    draft = coaching.SessionDraft(agent_id=mentee.id, held_on=today(), focus_area="product_knowledge",
                                  shared_notes=SHARED, private_notes=PRIVATE, follow_up_on=None)
    coaching.write_session(session, world["lead_a"], draft)
    version = make_scorecard(session)
    make_evaluation(session, version, mentee.id, world["qa"].id, {"greet": 2, "verify": 2, "offer": None}, utcnow())
    issue_certificate(session, mentee.id, "onboarding", title_en="New-hire programme completed",
                      title_zh="新员工培训结业", achieved_on=today(), source_key=f"test-graduation:{mentee.id}")
    wellbeing.check_in(session, mentee, wellbeing.CheckIn(who5=[1, 1, 1, 1, 1], pss4=[4, 4, 4, 4],
                                                          comment=WELLBEING_COMMENT))
    session.flush()
    return stage, module


def test_the_record_holds_every_part(session, world, mentee_records):
    stage, module = mentee_records
    record = learning_record.learning_record(session, world["mentee"], world["mentee"].id)
    assert record.person.display_name == world["mentee"].display_name and record.person.team == "Team A"
    first = record.stages[0]
    assert (first.stage_key, first.status, first.outcome, first.signed_by) == (
        stage.key, "passed", "passed", world["mentor"].display_name)
    assert first.signed_on == today()
    assert [(m.module_id, m.completed_version, m.minutes_spent) for m in record.modules] == [
        (module.id, module.version, 25)]
    assert [(e.kind, e.attempts, e.percent, e.passed) for e in record.exams] == [  # by the last grading
        ("practical", 1, 85.0, True), ("written", 2, 90.0, True)]
    assert [(c.shared_notes, c.coach) for c in record.coaching] == [(SHARED, world["lead_a"].display_name)]
    assert record.qa is not None and record.qa.evaluations == 1
    assert [(c.title_en, c.issued_on) for c in record.certificates] == [("New-hire programme completed", today())]
    assert record.certificates[0].reference  # the verification code, for HR to check


def test_an_exam_graded_by_average_counts_the_mean(session, world):
    graded(session, world["agent_a"].id, "written", [70, 90], grading="average")
    record = learning_record.learning_record(session, world["agent_a"], world["agent_a"].id)
    assert [(e.percent, e.passed) for e in record.exams] == [(80.0, True)]


def test_an_agent_outside_onboarding_has_no_stages(session, world):
    record = learning_record.learning_record(session, world["agent_a"], world["agent_a"].id)
    assert record.stages == () and record.modules == () and record.exams == ()


def test_an_agent_who_read_a_module_again_has_it_in_the_record_but_no_stages(session, world):
    module = current_programme().stages[1].modules[0]
    session.add(ModuleProgress(user_id=world["agent_a"].id, module_id=module.id, opened_at=utcnow(),
                               completed_at=utcnow(), version="older", minutes_spent=10))
    session.flush()
    record = learning_record.learning_record(session, world["agent_a"], world["agent_a"].id)
    assert record.stages == ()
    assert [(m.module_id, m.completed_version, m.outdated) for m in record.modules] == [(module.id, "older", True)]


def everything_written(session, record, language) -> str:
    """The record as every output holds it: the object, the tables, the PDF's text, the CSV and the XLSX."""
    t = Translator(language)
    frames = learning_record.record_frames(record, t)
    with zipfile.ZipFile(io.BytesIO(learning_record.record_workbook(record, t))) as workbook:
        xlsx = "".join(workbook.read(name).decode() for name in workbook.namelist() if name.endswith(".xml"))
    return "\n".join([repr(record), *(f.to_csv() for f in frames.values()), pdf_text(record_pdf(record, t)),
                      learning_record.record_csv(record, t).decode("utf-8-sig"), xlsx])


@pytest.mark.parametrize("reader", ["mentee", "lead_a", "mentor", "admin", "trainer"])
@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_private_notes_and_wellbeing_never_appear_anywhere(session, world, mentee_records, reader, language):
    record = learning_record.learning_record(session, world[reader], world["mentee"].id)
    written = everything_written(session, record, language)
    assert "Reread the roaming tariff sheet" in written  # the shared notes are there: the search is real
    assert "共享记录" in written and ("新员工培训结业" in written or "New-hire programme completed" in written)
    for secret in ("PRIVATE-stress-at-home", "私密", "WELLBEING-can-not-sleep", "睡不着"):
        assert secret not in written


def test_the_pdf_is_in_the_readers_language(session, world, mentee_records):
    record = learning_record.learning_record(session, world["mentee"], world["mentee"].id)
    english = pdf_text(record_pdf(record, Translator("en")))
    chinese = pdf_text(record_pdf(record, Translator("zh-CN")))
    assert "Learning record" in english and "Exams and practicals" in english and "written exam" in english
    assert "学习档案" in chinese and "笔试与实操" in chinese and "written考试" in chinese
    assert callable(deferred_record_pdf(record, Translator("zh-CN")))


def test_the_spreadsheet_has_a_sheet_per_section_in_the_readers_language(session, world, mentee_records):
    import openpyxl

    record = learning_record.learning_record(session, world["mentee"], world["mentee"].id)
    book = openpyxl.load_workbook(io.BytesIO(learning_record.record_workbook(record, Translator("zh-CN"))))
    assert book.sheetnames == ["人员", "入职培训阶段", "已完成的课程模块", "笔试与实操", "辅导记录", "质检评分", "证书"]
    exams = [[cell.value for cell in row] for row in book["笔试与实操"].iter_rows()]
    assert exams[0][:4] == ["考试", "类型", "作答次数", "成绩（%）"] and exams[2][2:4] == [2, 90]


def test_a_formula_typed_into_shared_notes_stays_text_in_the_files(session, world):
    draft = coaching.SessionDraft(agent_id=world["agent_a"].id, held_on=today(), focus_area="product_knowledge",
                                  shared_notes='=HYPERLINK("http://evil","x")', private_notes="", follow_up_on=None)
    coaching.write_session(session, world["lead_a"], draft)
    record = learning_record.learning_record(session, world["agent_a"], world["agent_a"].id)
    assert "'=HYPERLINK" in learning_record.record_csv(record, Translator("en")).decode("utf-8-sig")


# --- who may read it ----------------------------------------------------------------------

READERS = {  # subject -> (who may, who may not)
    "mentee": (("mentee", "mentor", "lead_a", "trainer", "admin"),
               ("other_mentor", "lead_b", "agent_a", "colleague_a", "qa")),
    "agent_a": (("agent_a", "lead_a", "trainer", "admin"), ("colleague_a", "lead_b", "mentor", "agent_b", "qa")),
}


@pytest.mark.parametrize("subject", READERS)
def test_who_may_read_a_record(session, world, subject):
    allowed, refused = READERS[subject]
    for reader in allowed:
        assert learning_record.learning_record(session, world[reader], world[subject].id).person.user_id == \
            world[subject].id
    wrongly_served = []
    for reader in refused:
        try:
            learning_record.learning_record(session, world[reader], world[subject].id)
            wrongly_served.append(reader)
        except PermissionDenied:
            pass
    assert wrongly_served == []


def test_a_mentor_reads_their_mentees_record_without_its_quality_evaluations(session, world, mentee_records):
    assert learning_record.learning_record(session, world["mentor"], world["mentee"].id).qa is None
    assert learning_record.learning_record(session, world["lead_a"], world["mentee"].id).qa is not None


def test_the_picker_lists_only_the_people_one_may_read(session, world):
    names = lambda reader: {label.split(" (")[0] for label in  # noqa: E731 (a one-line helper)
                            learning_record.record_people(session, world[reader]).values()}
    assert learning_record.record_people(session, world["agent_a"]) == {
        world["agent_a"].id: f"{world['agent_a'].display_name} (agent.a)"}
    lead_a = names("lead_a")
    assert {world[p].display_name for p in ("mentee", "agent_a", "colleague_a", "mentor")} <= lead_a
    assert world["agent_b"].display_name not in lead_a
    assert names("mentor") == {world["mentee"].display_name}  # a mentor reads their own through a learner role


# --- the command line, for HR -------------------------------------------------------------

def test_the_command_line_writes_a_record_for_hr(session, world, mentee_records, tmp_path, capsys):
    from portal.cli import main

    session.commit()
    for name in ("record.pdf", "record.xlsx", "record.csv"):
        assert main(["record", "mentee.m", str(tmp_path / name), "--language", "zh-CN"]) == 0
    assert "学习档案" in pdf_text((tmp_path / "record.pdf").read_bytes())
    assert "共享记录" in (tmp_path / "record.csv").read_text(encoding="utf-8-sig")
    assert PRIVATE not in (tmp_path / "record.csv").read_text(encoding="utf-8-sig")
    assert "mentee.m" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="nobody.here"):
        main(["record", "nobody.here", str(tmp_path / "x.pdf")])
    with pytest.raises(SystemExit, match=r"\.pdf"):
        main(["record", "mentee.m", str(tmp_path / "x.doc")])
