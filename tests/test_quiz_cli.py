"""`portal quiz import` and `portal quiz export`."""
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session, func, select

from portal.cli import main
from portal.models import Question, QuestionVersion

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "quizbank"
JSON_FIELDS = {"qtype", "name", "questiontext", "questiontextformat", "generalfeedback", "answers", "category",
               "tags", "idnumber"}


def test_dry_run_json_prints_the_questions_with_moodle_field_names(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'untouched.sqlite3'}")
    assert main(["quiz", "import", str(FIXTURES / "good.gift"), "--dry-run", "--json"]) == 0
    questions = json.loads(capsys.readouterr().out)
    assert [q["qtype"] for q in questions] == ["multichoice", "multichoice", "truefalse", "shortanswer", "numerical",
                                               "match", "essay"]
    for question in questions:
        extra = {"single"} if question["qtype"] == "multichoice" else {"subquestions"} if question["qtype"] == "match" \
            else set()
        assert set(question) == JSON_FIELDS | extra
        for answer in question["answers"]:
            assert set(answer) == {"text", "fraction", "feedback"} | ({"tolerance"} if question["qtype"] ==
                                                                     "numerical" else set())
    multi = questions[1]
    assert multi["single"] is False and [a["fraction"] for a in multi["answers"]] == [0.5, 0.5, -1.0]
    assert questions[0]["generalfeedback"] == "Day passes are per zone and per day."
    assert questions[0]["answers"][0]["feedback"].startswith("Right.")
    assert questions[4]["answers"] == [{"text": "250", "fraction": 1.0, "feedback": "Right: 180 to 250 is the target.",
                                        "tolerance": 20.0}]
    assert questions[5]["subquestions"][0] == {"question": "Opening", "answer": "Hello, agent 1024 speaking"}
    assert questions[6]["questiontextformat"] == "html"
    assert questions[0]["category"] == "product/roaming" and questions[0]["tags"] == ["product", "roaming"]
    assert not (tmp_path / "untouched.sqlite3").exists()  # a dry run never touches the database


def test_import_then_export_then_reimport_round_trips(engine, capsys, tmp_path):
    assert main(["quiz", "import", str(FIXTURES / "good.gift")]) == 0
    assert "7 new" in capsys.readouterr().out
    assert main(["quiz", "export", "--format", "gift"]) == 0
    exported = tmp_path / "export.gift"
    exported.write_text(capsys.readouterr().out, encoding="utf-8")
    assert main(["quiz", "import", str(exported), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["created"] == [] and result["updated"] == [] and len(result["unchanged"]) == 7
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(QuestionVersion)).one() == 7

    assert main(["quiz", "import", str(exported), "--language", "zh-CN"]) == 0
    assert main(["quiz", "export", "--format", "aiken", "--tag", "product", "--language", "zh-CN"]) == 0
    captured = capsys.readouterr()
    assert captured.out.count("ANSWER:") == 1 and "skipped:" in captured.err  # the multi-answer one


def test_a_malformed_file_exits_1_with_line_numbers_and_saves_nothing(engine, tmp_path):
    env = {**os.environ, "DATABASE_URL": engine.url.render_as_string(hide_password=False), "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "portal.cli", "quiz", "import", str(FIXTURES / "bad.gift")],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert run.returncode == 1 and run.stdout == ""
    assert "bad.gift:2: The question has no right answer worth 100%." in run.stderr
    assert "bad.gift:9:" in run.stderr and "bad.gift:14:" in run.stderr
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Question)).one() == 0


def test_an_aiken_file_is_read_with_format_aiken(capsys, tmp_path):
    path = tmp_path / "hotline.txt"
    path.write_text("Which number is the hotline?\nA. 10086\nB. 110\nANSWER: A\n", encoding="utf-8")
    assert main(["quiz", "import", str(path), "--format", "aiken", "--dry-run", "--json"]) == 0
    [question] = json.loads(capsys.readouterr().out)
    assert question["qtype"] == "multichoice" and question["single"] is True
    assert [a["fraction"] for a in question["answers"]] == [1.0, 0.0]
