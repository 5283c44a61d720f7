"""Item analysis as people read it: undefined figures say so, practical items by their text (issue 12, item 16)."""
import csv
import io
import re

from sqlmodel import Session, select

from portal.cli import main
from portal.models import Exam
from portal.quizzes import analysis, attempts, marking
from portal.roles import Role
from tests.test_item_analysis_db import sit_many
from tests.utils.apptest import app_as, errors_of
from tests.utils.factories import make_cohort, make_user
from tests.utils.quiz_factories import at, make_practical_exam


def test_cli_prints_n_a_not_none_for_undefined_figures(session, capsys):
    sit_many(session, people=1, tries=1)  # one attempt: SD, alpha, skewness... are undefined
    session.commit()
    assert main(["report", "item-analysis", _code(session)]) == 0
    out = capsys.readouterr().out
    assert "None" not in out and "NaN" not in out and "nan" not in out
    assert "n/a" in out and "not defined for these attempts" in out


def test_csv_leaves_undefined_figures_empty_in_both_parts(session, capsys):
    sit_many(session, people=1, tries=1)
    session.commit()
    assert main(["report", "item-analysis", _code(session), "--csv"]) == 0
    slots_part, test_part = re.split(r"\r?\n\r?\n", capsys.readouterr().out)
    slots = list(csv.DictReader(io.StringIO(slots_part)))
    figures = dict(list(csv.reader(io.StringIO(test_part)))[1:])
    assert {row["discrimination_index"] for row in slots} == {""}
    assert figures["sd"] == "" and figures["cronbach_alpha"] == "" and figures["count"] == "1"
    assert "None" not in slots_part + test_part and "nan" not in (slots_part + test_part).lower()


def _code(session) -> str:
    return session.exec(select(Exam.code)).one()


def marked_practical(session):
    cohort = make_cohort(session, "Intake A")
    trainer = make_user(session, "trainer1", Role.TRAINER)
    exam = make_practical_exam(session, trainer)
    for n in range(2):
        learner = make_user(session, f"newhire{n}", Role.NEWHIRE, cohort_id=cohort.id)
        attempt_id = attempts.open_practical(session, trainer, exam.id, learner.id, now=at("2026-11-03 09:00"))
        sheet = marking.marking_sheet(session, trainer, attempt_id)
        points = {item.id: item.max_points for _, item in sheet.rubric.items()}
        marking.mark_practical(session, trainer, attempt_id, points, {}, "")
    return trainer, exam, sheet.rubric


def test_practical_items_are_titled_in_the_readers_language(session):
    trainer, exam, rubric = marked_practical(session)
    first = next(iter(rubric.items()))[1]
    english = analysis.item_titles(session, trainer, exam.id, "en")
    chinese = analysis.item_titles(session, trainer, exam.id, "zh-CN")
    assert english[first.id] == first.text.en and chinese[first.id] == first.text.zh_CN
    assert set(english) == {item.id for _, item in rubric.items()}
    _, result, _ = analysis.exam_item_analysis(session, trainer, exam.id)
    assert all(slot.label in english for slot in result.slots)  # CSV labels stay the stable ids


def test_written_exams_keep_their_question_ids(session):
    trainer, exam = sit_many(session, people=2, tries=1)
    assert analysis.item_titles(session, trainer, exam.id, "en") == {}


def test_the_page_shows_practical_item_titles_not_slugs(demo_engine):
    with Session(demo_engine) as session:
        practical = session.exec(select(Exam).where(Exam.code == "practical-roleplay-q1")).one()
    for language in ("en", "zh-CN"):
        at_ = app_as(demo_engine, "trainer", language=language).run()
        at_.switch_page("pages/authoring_item_analysis.py").run()
        at_.selectbox(key="analysis_exam").set_value(practical.id).run()
        assert not errors_of(at_)
        table = at_.dataframe[0].value
        labels = list(table["label"])
        assert "—" in list(table["discrimination_index"])  # an item everyone got right: undefined, not "None"
        assert not table.isna().any().any()
        assert "verify-before-details" not in labels
        assert all(not label.replace("-", "").isascii() or " " in label for label in labels), labels
        if language == "zh-CN":
            assert any(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in labels)
        texts = " ".join(m.value for m in at_.metric) + " ".join(c.value for c in at_.caption)
        assert "None" not in texts


def test_a_link_with_exam_opens_that_exam_and_choosing_another_updates_the_link(demo_engine):
    """Home's "questions flagged" item links to ?exam=<id>; a reload of that link shows the same exam."""
    with Session(demo_engine) as session:
        practical = session.exec(select(Exam).where(Exam.code == "practical-roleplay-q1")).one()
        written = session.exec(select(Exam).where(Exam.code == "written-etiquette-q1")).one()
    at_ = app_as(demo_engine, "trainer").run()
    at_.switch_page("pages/authoring_item_analysis.py")
    at_.query_params["exam"] = str(practical.id)
    at_.run()
    assert not errors_of(at_) and at_.selectbox(key="analysis_exam").value == practical.id
    at_.selectbox(key="analysis_exam").set_value(written.id).run()
    assert at_.query_params["exam"] == str(written.id)
    at_.run()
    assert at_.selectbox(key="analysis_exam").value == written.id
