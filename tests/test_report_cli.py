"""`portal report marks|item-analysis EXAM --csv`: shapes and figures."""
import csv
import io
import re

import pytest

from portal.cli import main
from portal.quizzes import analysis
from tests.test_item_analysis_db import sit_many


@pytest.fixture
def sat_exam(session):
    trainer, exam = sit_many(session, people=6, tries=2)
    session.commit()
    return trainer, exam


def read_csv(text):
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("ref", ["id", "code"])
def test_marks_csv_one_row_per_counted_attempt_one_column_per_slot_and_total(sat_exam, capsys, ref):
    trainer, exam = sat_exam
    assert main(["report", "marks", str(exam.id if ref == "id" else exam.code), "--csv"]) == 0
    rows = read_csv(capsys.readouterr().out)
    header, body = rows[0], rows[1:]
    assert header == ["attempt_id", "username", "attempt", "submitted_at", "percent",
                      "PRD-001", "PRD-002", "PRD-003", "PRD-004", "PRD-005", "total"]
    assert len(body) == 6  # grading highest: one per person
    for row in body:
        marks = [float(x) for x in row[5:10]]
        assert float(row[10]) == pytest.approx(sum(marks))
        assert float(row[4]) == pytest.approx(100 * sum(marks) / 6)


def test_item_analysis_csv_has_slot_rows_then_test_figures(sat_exam, session, capsys):
    trainer, exam = sat_exam
    assert main(["report", "item-analysis", exam.code, "--csv"]) == 0
    out = capsys.readouterr().out
    slots_part, test_part = re.split(r"\r?\n\r?\n", out)
    slots = read_csv(slots_part)
    assert slots[0][:4] == ["slot", "label", "max_mark", "attempts"] and "facility" in slots[0]
    assert "discrimination_index" in slots[0] and "effective_weight" in slots[0]
    assert [r[1] for r in slots[1:]] == ["PRD-001", "PRD-002", "PRD-003", "PRD-004", "PRD-005"]
    figures = dict(read_csv(test_part)[1:])
    _, expected, _ = analysis.exam_item_analysis(session, trainer, exam.id)
    assert float(figures["mean"]) == pytest.approx(expected.test.mean)
    assert float(figures["cronbach_alpha"]) == pytest.approx(expected.test.cronbach_alpha)
    assert int(figures["count"]) == 6
    facility = [float(r[slots[0].index("facility")]) for r in slots[1:]]
    assert facility == pytest.approx([s.facility for s in expected.slots])


def test_unknown_exam_is_a_clear_error(sat_exam, capsys):
    assert main(["report", "marks", "no-such-exam", "--csv"]) == 1
    assert "no-such-exam" in capsys.readouterr().err
