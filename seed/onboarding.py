"""Demo onboarding records for the 2026 Q4 intake (seed/demo/onboarding.yaml).

Records are written directly, with the times they would have had, on the
programme's working days counted from the cohort's start. A new hire who
already has any onboarding record is left alone, so loading twice changes
nothing. tests/test_onboarding_demo.py checks that every passed stage met
its requirements and that the board shows the intended flags.
"""
import random
from datetime import UTC, date, datetime, time, timedelta

import yaml
from sqlmodel import select

from portal.models import Attempt, Cohort, Exam, ModuleProgress, ShadowingCall, StageSignoff, SupervisedCall, Team, TicketReview, User
from portal.onboarding.programme import current_programme
from portal.onboarding.rules import (CHECKLIST, MET, MISSED, PARTLY, SignoffOutcome, add_working_days,
                                     is_working_day)
from seed.context import SeedContext

TRAINER = "trainer"
CHINESE_TEAMS = {"Broadband Team B"}


def load(ctx: SeedContext) -> None:
    data = yaml.safe_load((ctx.data_dir / "onboarding.yaml").read_text(encoding="utf-8"))
    programme = current_programme()
    for username, plan in data["new_hires"].items():
        user = ctx.user(username)
        if _has_records(ctx, user.id):
            continue
        team = ctx.session.get(Team, user.team_id) if user.team_id else None
        language = "zh-CN" if team and team.name in CHINESE_TEAMS else "en"
        _NewHire(ctx, programme, user, plan, data["notes"][language]).write()


def _has_records(ctx: SeedContext, user_id: int) -> bool:
    return any(ctx.session.exec(select(table.id).where(table.user_id == user_id)).first() is not None
               for table in (ModuleProgress, ShadowingCall, SupervisedCall, StageSignoff))


class _NewHire:
    def __init__(self, ctx: SeedContext, programme, user: User, plan: dict, notes: dict):
        self.ctx, self.programme, self.user, self.plan, self.notes = ctx, programme, user, plan, notes
        self.start = ctx.session.get(Cohort, user.cohort_id).start_date
        self.rng = random.Random(user.username)
        self.mentor_id = user.mentor_id
        self.trainer_id = ctx.user(TRAINER).id
        self.tickets = 0

    def day(self, when) -> date:
        """A working day of the programme (1 = the first), "last" (the last working day before today),
        or "yesterday"; always before today."""
        if when == "yesterday":
            day = self.ctx.day(-1)
        elif when == "last":
            day = self.ctx.day(-1)
            while not is_working_day(day):
                day -= timedelta(days=1)
        else:
            day = add_working_days(self.start, int(when))
        assert day < self.ctx.today, f"{self.user.username}: demo day {when} is not in the past"
        return day

    def at(self, when, slot: int) -> datetime:
        """A moment during the office day (09:00-17:00 in Beijing is 01:00-09:00 UTC)."""
        return datetime.combine(self.day(when), time(1 + slot % 8, (slot * 7) % 60), tzinfo=UTC)

    def pass_practice_quiz(self, code: str, when) -> None:
        """A practice attempt at or above the pass mark before the stage's sign-off (its quiz requirement)."""
        exam = self.ctx.session.exec(select(Exam).where(Exam.code == code)).one()
        finished = self.at(when, slot=0)
        percent = float(self.rng.choice([82, 85, 88, 90, 92, 95, 100]))
        self.ctx.session.add(Attempt(exam_id=exam.id, user_id=self.user.id, status="graded",
                                     started_at=finished - timedelta(minutes=12), submitted_at=finished,
                                     score=percent, max_score=100.0, percent=percent, passed=True))

    def write(self) -> None:
        plan = self.plan
        previous_day = 0
        for stage in self.programme.stages:
            signed = plan.get("passed", {}).get(stage.key)
            if signed is None:
                continue
            for i, module in enumerate(stage.modules):
                self.complete(module, previous_day + 1 + i % max(1, signed - previous_day), slot=i)
            for quiz in dict.fromkeys(m.quiz for m in stage.modules if m.quiz):
                self.pass_practice_quiz(quiz, signed)
            previous_day = signed
        for module_id, when in plan.get("modules", {}).get("done", {}).items():
            self.complete(self.programme.module(module_id), when, slot=3)
        for module_id, when in plan.get("modules", {}).get("opened", {}).items():
            self.add(ModuleProgress(user_id=self.user.id, module_id=module_id, opened_at=self.at(when, 6)))
        if "shadowing" in plan:
            self.shadowing(**plan["shadowing"])
        if "supervised" in plan:
            self.supervised(**plan["supervised"])
        for stage_key, day in plan.get("passed", {}).items():
            self.signoff(stage_key, SignoffOutcome.PASSED, day)
        for outcome in (SignoffOutcome.REPEAT, SignoffOutcome.WITHDRAWN):
            if decision := plan.get(outcome.value):
                self.signoff(decision["stage"], outcome, decision["day"], decision["reason"])
        if "after_repeat" in plan:
            self.supervised(**plan["after_repeat"])

    def add(self, row) -> None:
        self.ctx.session.add(row)

    def complete(self, module, when, slot: int) -> None:
        minutes = module.minutes + self.rng.randint(-2, 6)
        done = self.at(when, slot)
        self.add(ModuleProgress(user_id=self.user.id, module_id=module.id, opened_at=done - timedelta(minutes=minutes),
                                completed_at=done, version=module.version, minutes_spent=minutes))
        self.ctx.count("modules read")

    def shadowing(self, *, calls: int, **days) -> None:
        span = range(days["from"], days["to"] + 1)
        for i in range(calls):
            day = span[i * len(span) // calls]
            call_type, did_well, learned, questions = self.notes["shadowing"][i % len(self.notes["shadowing"])]
            self.add(ShadowingCall(user_id=self.user.id, call_date=self.day(day), call_type=call_type,
                                   did_well=did_well, learned=learned, questions=questions,
                                   created_at=self.at(day, i) + timedelta(minutes=i % 5)))
        self.ctx.count("shadowing calls", calls)

    def supervised(self, *, days: list[int], calls: str) -> None:
        for i, letter in enumerate(calls):
            day = days[i * len(days) // len(calls)]
            call_type, summary = self.notes["supervised_summary"][i % len(self.notes["supervised_summary"])]
            self.tickets += 1
            call = SupervisedCall(user_id=self.user.id, call_date=self.day(day), call_type=call_type,
                                  ticket_ref=f"{self.day(day):%y%m}-{self.user.id:02d}{self.tickets:02d}",
                                  summary=summary, created_at=self.at(day, i))
            self.add(call)
            self.ctx.session.flush()
            self.ctx.count("supervised calls")
            if letter != "-":
                self.review(call, letter, self.at(day, i) + timedelta(minutes=20))

    def review(self, call: SupervisedCall, letter: str, at: datetime) -> None:
        marks = {area: MET for area in CHECKLIST}
        if letter == "P":
            marks[self.rng.choice(CHECKLIST)] = self.rng.choice((MET, MET, PARTLY))
            comments, outcome = self.notes["review_pass"], "passed"
        elif letter == "R":
            marks.update(accuracy=MISSED, resolution=PARTLY)
            comments, outcome = self.notes["review_rework"], "rework"
        else:
            marks.update(verification=MISSED)
            comments, outcome = self.notes["review_critical"], "rework"
        self.add(TicketReview(call_id=call.id, reviewer_id=self.mentor_id, reviewed_at=at, outcome=outcome,
                              comment=self.rng.choice(comments), **marks))
        self.ctx.count("ticket reviews")

    def signoff(self, stage_key: str, outcome: SignoffOutcome, day: int, reason: str = "") -> None:
        """Floor stages are decided by the mentor, classroom stages by the trainer."""
        signer = self.mentor_id if "mentor" in self.programme.stage(stage_key).signoff_by else self.trainer_id
        self.add(StageSignoff(user_id=self.user.id, stage_key=stage_key, outcome=outcome.value, reason=reason,
                              signed_by_id=signer, signed_at=self.at(day, 7) + timedelta(minutes=45)))
        self.ctx.count("sign-offs")
