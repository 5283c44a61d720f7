"""Demo exam history and coaching for the two shift teams.

Six months of monthly written and practical exams (on the 10th and 14th).
Most agents sit around 90; feng.jun stays near 70 (low scores), tang.mei was
about 88 and is falling and has not acknowledged her latest session; song.yu
improved clearly after a coaching session. Scores are fixed lists or drawn
with a fixed seed, so the demo looks the same every time.
"""
import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert
from sqlmodel import select

from portal.models import ActionItem, Attempt, CoachingLink, CoachingSession, CoachingTemplate, Exam
from seed.context import SeedContext

MONTHS = 6
MOBILE = ("agent", "huang.lei", "zheng.xia", "song.yu", "tang.mei", "feng.jun")
BROADBAND = ("qian.lu", "deng.kai", "cao.ying")
# Results in order: month 1 written, month 1 practical, month 2 written, ...
FIXED = {
    "feng.jun": [66, 69, 67, 71, 68, 66, 70, 67, 72, 68, 69, 71],
    "tang.mei": [89, 88, 90, 88, 87, 88, 86, 85, 82, 80, 77, 74],
    "song.yu": [80, 78, 81, 79, 80, 79, 88, 90, 89, 91, 92, 93],
    "deng.kai": [82, 81, 83, 80, 82, 84, 90, 91, 89, 92, 91, 93],
}


def _month_start(today: date, months_back: int) -> date:
    year, month = today.year, today.month - months_back
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def load(ctx: SeedContext) -> None:
    session = ctx.session
    if session.exec(select(Exam.id).where(Exam.code.like("monthly-written-%"))).first() is not None:
        return
    months = [_month_start(ctx.today, back) for back in range(MONTHS, 0, -1)]
    exams = _exams(ctx, months)
    _attempts(ctx, exams)
    _sessions(ctx, months)
    _templates(ctx)


def _exams(ctx: SeedContext, months: list[date]) -> list[tuple[Exam, date]]:
    """(exam, day taken) in the order agents sat them."""
    made = []
    for month in months:
        for kind, day, zh in (("written", 10, "月度笔试"), ("practical", 14, "月度实操考核")):
            exam = Exam(code=f"monthly-{kind}-{month:%Y-%m}", kind=kind, status="archived", pass_mark=80.0,
                        title_en=f"Monthly {kind} exam {month:%Y-%m}", title_zh=f"{month:%Y年%m月}{zh}",
                        grading="highest", attempts_allowed=1)
            ctx.session.add(exam)
            made.append((exam, month.replace(day=day)))
    ctx.session.flush()
    ctx.count("exams", len(made))
    return made


def _attempts(ctx: SeedContext, exams: list[tuple[Exam, date]]) -> None:
    rng = random.Random(20260605)
    rows = []
    for username in MOBILE + BROADBAND:
        user = ctx.user(username)
        scores = FIXED.get(username) or [min(100.0, round(90 + 0.25 * j + rng.gauss(0, 1.2), 0))
                                         for j in range(len(exams))]
        for (exam, day), percent in zip(exams, scores):
            submitted = _at(day, 10 + rng.randint(0, 6))
            rows.append({"exam_id": exam.id, "user_id": user.id, "number": 1, "language": "zh-CN",
                         "status": "graded", "started_at": submitted - timedelta(minutes=40),
                         "submitted_at": submitted, "score": float(percent), "max_score": 100.0,
                         "percent": float(percent), "passed": percent >= exam.pass_mark, "overridden": False,
                         "comment": ""})
    ctx.session.execute(insert(Attempt), rows)
    ctx.count("attempts", len(rows))


def _sessions(ctx: SeedContext, months: list[date]) -> None:
    lead, zhao = ctx.user("lead"), ctx.user("zhao.lei")
    plans = [
        (lead, "song.yu", months[2].replace(day=20), "product_knowledge",
         "我们一起复盘了国际漫游资费的三道错题。Reviewed the roaming questions you missed together.",
         "Confidence was low after the tariff change; pair with huang.lei for a week.", True,
         [("Re-read the roaming tariff sheet 重读漫游资费表", months[2].replace(day=27), True)]),
        (lead, "feng.jun", months[3].replace(day=20), "verification",
         "身份核实步骤要先于查询账户。Verify identity before opening the account.",
         "Third time below 70; consider a spot check every week.", True,
         [("Shadow a senior agent for two verification calls", months[3].replace(day=28), True),
          ("Retake the verification practice quiz 重做核实练习", ctx.day(10), False)]),
        (lead, "agent", months[4].replace(day=20), "call_control",
         "通话控制很好，结束语要标准。Good call control; use the standard closing.",
         "Solid performer; candidate for mentor next quarter.", True, []),
        (lead, "tang.mei", ctx.day(-10), "handling_complaints",
         "最近两次考试分数下降，我们约定每周复习一次投诉处理流程。Scores dropped twice; weekly complaint-handling review.",
         "Mentioned stress at home; offer the EAP hotline if it continues.", False,
         [("Review the complaint escalation flow 复习投诉升级流程", ctx.day(4), False)]),
        (zhao, "deng.kai", months[2].replace(day=20), "system_use",
         "宽带工单系统的操作要点。Key steps in the broadband ticketing system.",
         "Was unsure about ticket categories.", True, []),
    ]
    for author, username, held, focus, shared, private, acknowledged, items in plans:
        agent = ctx.user(username)
        cs = CoachingSession(agent_id=agent.id, author_id=author.id, team_id=agent.team_id, held_on=held,
                             focus_area=focus, shared_notes=shared, private_notes=private,
                             follow_up_on=held + timedelta(days=30), ack_due_on=held + timedelta(days=3),
                             acknowledged_at=_at(held + timedelta(days=1), 9) if acknowledged else None,
                             ack_comment="谢谢，明白了。" if acknowledged else "",
                             created_at=_at(held, 16), updated_at=_at(held, 16))
        ctx.session.add(cs)
        ctx.session.flush()
        for description, due, done in items:
            ctx.session.add(ActionItem(session_id=cs.id, description=description, owner_id=agent.id, due_on=due,
                                       done_at=_at(due, 12) if done else None))
        _link_month_attempts(ctx, cs, agent.id, held)
        ctx.count("coaching_sessions")


def _link_month_attempts(ctx: SeedContext, cs: CoachingSession, user_id: int, held: date) -> None:
    """Link the session to the agent's exams of the month it was held in."""
    rows = ctx.session.exec(select(Attempt.id, Exam.kind).join(Exam, Exam.id == Attempt.exam_id)
                            .where(Attempt.user_id == user_id, Exam.code.like(f"monthly-%-{held:%Y-%m}"))).all()
    for attempt_id, kind in rows:
        ctx.session.add(CoachingLink(session_id=cs.id, kind="practical" if kind == "practical" else "attempt",
                                     ref_id=attempt_id))


def _templates(ctx: SeedContext) -> None:
    lead = ctx.user("lead")
    for name, focus, notes, items in (
            ("Monthly exam review 月度考试复盘", "product_knowledge",
             "Go through the questions missed in this month's exam. 逐题复盘本月考试错题。",
             '["Redo the missed questions in practice mode", "Read the updated product sheet"]'),
            ("Call control refresher 通话控制", "call_control",
             "Listen to one recorded call together; mark where control was lost.",
             '["Use the standard opening and closing on every call"]')):
        ctx.session.add(CoachingTemplate(name=name, focus_area=focus, shared_notes=notes, action_items=items,
                                         created_by=lead.id))
        ctx.count("coaching_templates")
