"""Questions, rubrics and exams in a few lines, without the bank's importer."""
import json
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from portal.models import Question, QuestionTag, QuestionVersion
from portal.quizzes import exams as exams_service
from portal.quizzes.specs import load_quiz_specs
from portal.roles import Actor

QUIZ_ROOT = Path(__file__).resolve().parents[2] / "quizzes"

MULTICHOICE = {"single": True, "answers": [
    {"text": "Right", "fraction": 1.0, "feedback": "Yes, right."},
    {"text": "Wrong A", "fraction": 0.0, "feedback": "No."},
    {"text": "Wrong B", "fraction": 0.0, "feedback": ""},
    {"text": "Wrong C", "fraction": 0.0, "feedback": ""}]}
TRUEFALSE = {"answers": [{"text": "true", "fraction": 1.0, "feedback": ""},
                         {"text": "false", "fraction": 0.0, "feedback": ""}]}
ESSAY = {}
PAYLOADS = {"multichoice": MULTICHOICE, "truefalse": TRUEFALSE, "essay": ESSAY,
            "shortanswer": {"answers": [{"text": "PUK", "fraction": 1.0, "feedback": ""}]},
            "numerical": {"answers": [{"text": "180", "fraction": 1.0, "tolerance": 0, "feedback": ""}]}}


def make_question(session: Session, idnumber: str, qtype: str = "multichoice", *, tags=("product",),
                  languages=("en", "zh-CN"), payload: dict | None = None, default_mark: float = 1.0,
                  status: str = "published") -> None:
    for language in languages:
        question = Question(idnumber=idnumber, language=language, qtype=qtype, category="test")
        session.add(question)
        session.flush()
        version = QuestionVersion(question_id=question.id, version=1, status=status, name=f"{idnumber} {language}",
                                  questiontext=f"[{language}] Question {idnumber}?",
                                  payload=json.dumps(payload if payload is not None else PAYLOADS[qtype]),
                                  default_mark=default_mark, generalfeedback=f"About {idnumber}.")
        session.add(version)
        session.flush()
        question.current_version_id = version.id
        session.add(question)
        for tag in tags:
            session.add(QuestionTag(question_id=question.id, tag=tag))
    session.flush()


def make_questions(session: Session, prefix: str, count: int, **kwargs) -> list[str]:
    ids = [f"{prefix}-{n:03d}" for n in range(1, count + 1)]
    for idnumber in ids:
        make_question(session, idnumber, **kwargs)
    return ids


def load_rubric(session: Session, code: str = "roleplay-call"):
    return exams_service.save_rubric(session, load_quiz_specs(QUIZ_ROOT).rubrics[code])


def written_settings(code: str = "written-test", *, questions=(), pool_tags=(), pool_count=None, **overrides):
    settings = exams_service.ExamSettings(code=code, kind="written", title_en=f"Exam {code}", title_zh=f"考试 {code}",
                                          questions=list(questions), pool_tags=list(pool_tags),
                                          pool_count=pool_count, attempts_allowed=0, time_limit_minutes=30)
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


def make_written_exam(session: Session, trainer: Actor | None, code: str = "written-test", **kwargs):
    return exams_service.save_exam(session, trainer, written_settings(code, **kwargs))


def make_practical_exam(session: Session, trainer: Actor | None, code: str = "practical-test",
                        critical_miss: str = "fail_exam", **overrides):
    load_rubric(session)
    settings = exams_service.ExamSettings(code=code, kind="practical", title_en="Practical", title_zh="实操",
                                          rubric_code="roleplay-call", critical_miss=critical_miss,
                                          attempts_allowed=0)
    for key, value in overrides.items():
        setattr(settings, key, value)
    return exams_service.save_exam(session, trainer, settings)


def at(text: str) -> datetime:
    """A UTC time from 'YYYY-MM-DD HH:MM'."""
    from datetime import UTC

    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
