"""The question bank (quizzes/<language>/*.gift), the practice quizzes, and a new hire's practice history.

Li Na (`newhire`) has practised twice: etiquette went well; the product
quiz had two misses, so her spaced-review queue has product questions due.
"""
import random
from datetime import timedelta

from sqlmodel import select

from portal.auth import actor_for
from portal.clock import utcnow
from portal.models import Attempt, Exam
from portal.quizzes import bank, practice
from portal.quizzes.detect import parse_question_file
from portal.quizzes.specs import load_quiz_specs
from seed.context import SeedContext

QUIZ_ROOT = practice.QUIZ_ROOT
LANGUAGE_DIRS = ("en", "zh-CN")
# (practice id, days ago, how many answers to get wrong)
NEWHIRE_PRACTICE = (("practice-etiquette", 3, 1), ("practice-product", 2, 2))


def load(ctx: SeedContext) -> None:
    trainer = actor_for(ctx.session, ctx.user("trainer"))
    for language in LANGUAGE_DIRS:
        for path in sorted((QUIZ_ROOT / language).glob("*.gift")):
            questions = parse_question_file(path.read_text(encoding="utf-8"), filename=path.name)
            result = bank.import_questions(ctx.session, trainer, questions, language)
            if result.created:
                ctx.count("questions", len(result.created))
    created = practice.sync_practice_quizzes(ctx.session, trainer, load_quiz_specs(QUIZ_ROOT).practice)
    if created:
        ctx.count("practice quizzes", len(created))
    _newhire_practice(ctx)


def _newhire_practice(ctx: SeedContext) -> None:
    newhire = actor_for(ctx.session, ctx.user("newhire"))
    practice_ids = select(Exam.id).where(Exam.kind == practice.PRACTICE)
    if ctx.session.exec(select(Attempt.id).where(Attempt.user_id == newhire.id,
                                                 Attempt.exam_id.in_(practice_ids))).first() is not None:
        return
    rng = random.Random(4)
    for code, days_ago, misses in NEWHIRE_PRACTICE:
        when = utcnow() - timedelta(days=days_ago)
        attempt_id = practice.start_practice(ctx.session, newhire, code, "en", rng)
        items = practice.get_practice_attempt(ctx.session, newhire, attempt_id).items
        for n, item in enumerate(items):
            wrong = n < misses
            response = wrong_response(item.payload) if wrong else right_response(item.payload)
            practice.answer_practice(ctx.session, newhire, attempt_id, item.slot, response,
                                     now=when + timedelta(minutes=n))
        attempt = practice.finish_practice(ctx.session, newhire, attempt_id, now=when + timedelta(minutes=20))
        attempt.started_at = when
        ctx.session.add(attempt)
        ctx.count("practice attempts")


def right_response(payload: dict):
    """A full-credit response to an auto-marked question."""
    answers = payload.get("answers", [])
    qtype = payload["qtype"]
    if qtype == "multichoice":
        if payload.get("single", True):
            return max(range(len(answers)), key=lambda i: float(answers[i]["fraction"]))
        return [i for i, a in enumerate(answers) if float(a["fraction"]) > 0]
    if qtype == "match":
        return {i: sub["answer"] for i, sub in enumerate(payload.get("subquestions", [])) if sub["question"].strip()}
    best = max(answers, key=lambda a: float(a["fraction"]))
    if qtype == "truefalse":
        return str(best["text"]).lower() == "true"
    if qtype == "shortanswer":
        return str(best["text"]).replace("*", "")
    if qtype == "numerical":
        return str(best["text"])
    return None


def wrong_response(payload: dict):
    """A response that earns less than full credit."""
    answers = payload.get("answers", [])
    qtype = payload["qtype"]
    if qtype == "multichoice":
        worst = min(range(len(answers)), key=lambda i: float(answers[i]["fraction"]))
        return worst if payload.get("single", True) else [worst]
    if qtype == "truefalse":
        return not right_response(payload)
    if qtype == "numerical":
        return "-987654"
    if qtype == "match":
        return {}
    return "I am not sure"
