"""`portal seed large`: a center at scale, for benchmarks and load tests.

2,000 agents in 100 teams with cohorts, 200 questions (English and Chinese),
50 written exams, about 50,000 attempts with 1,000,000 answer rows, and
100,000 anonymous check-ins, with realistic distributions: most agents score
around 90, a few sit near 70; item difficulty varies so item analysis shows
easy, hard and weakly discriminating questions. Quality assurance: two years of
live-call evaluations, 4 per agent per month (about 190,000 evaluations and
3.8 million item scores), with disputes and a monthly quality focus (`_qa`).

Everything is generated with numpy and written with bulk inserts
(portal.bulk) in one transaction, with explicit ids, into a fresh database;
that includes each attempt's packed marks (`attempt_marks`), which the app
writes when it grades.
"""
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from sqlalchemy import Engine, text

from portal.bulk import bulk_insert, reset_sequences
from portal.clock import utcnow
from portal.coaching import DEFAULT_FOCUS_AREAS
from portal.errors import PortalError
from portal.security import hash_password
from portal.wellbeing import iso_week
from seed import qa_large

PASSWORD = "academy-demo"


@dataclass(frozen=True)
class Scale:
    """Sizes of the generated center; `Scale()` is the issue's `large`."""

    teams: int = 100
    agents: int = 2000
    newhires: int = 300  # of the agents, still in onboarding (recent cohorts)
    cohorts: int = 20
    questions: int = 200
    exams: int = 50
    slots: int = 20
    answers: int = 1_000_000
    coaching_sessions: int = 20_000
    checkins: int = 100_000
    qa_months: int = 24
    qa_per_agent: int = 4  # evaluations per agent per month

    @classmethod
    def fraction(cls, share: float) -> "Scale":
        full = cls()
        return cls(teams=max(2, int(full.teams * share)), agents=max(20, int(full.agents * share)),
                   newhires=max(4, int(full.newhires * share)), cohorts=4, questions=40, exams=5, slots=10,
                   answers=max(200, int(full.answers * share)),
                   coaching_sessions=max(20, int(full.coaching_sessions * share)),
                   checkins=max(50, int(full.checkins * share)))

    @classmethod
    def times(cls, factor: float) -> "Scale":
        """The center `factor` times the size of `large` in people and what they produce (teams, agents,
        new hires, answers, coaching sessions, check-ins); the catalogue (cohorts, questions, exams) stays,
        so each person's own data (about 25 attempts, a team of 20) is the same at every factor.
        `times(5)` is issue 15's 5x center: 10,000 agents in 500 teams, 5,000,000 answers."""
        if factor <= 0:
            raise ValueError("a scale factor is positive")
        full = cls()
        if factor == 1:
            return full
        grown = {name: max(1, round(getattr(full, name) * factor))
                 for name in ("teams", "agents", "newhires", "answers", "coaching_sessions", "checkins")}
        grown["agents"] = max(grown["agents"], grown["newhires"] + 1, grown["teams"])
        grown["answers"] = max(grown["answers"], full.slots)
        return cls(**grown)


Progress = Callable[[str, float], None]


def _quiet(step: str, fraction: float) -> None:
    pass


def build_large(engine: Engine, progress: Progress = _quiet, seed: int = 20261122,
                scale: Scale = Scale()) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    random.seed(seed)
    now = utcnow()
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        if connection.execute(text("SELECT count(*) FROM user_account")).scalar():
            raise PortalError("seed.error.not_empty")
        steps = [("people", _people), ("onboarding", _onboarding), ("questions", _questions), ("exams", _exams),
                 ("attempts and answers", _attempts), ("coaching", _coaching), ("check-ins", _checkins),
                 ("quality assurance", qa_large.add_evaluations)]
        for number, (name, step) in enumerate(steps):
            progress(name, number / len(steps))
            counts.update(step(connection, rng, now, scale))
        reset_sequences(connection, ["team", "cohort", "user_account", "module_progress", "shadowing_call",
                                     "stage_signoff", "question", "question_version", "exam", "attempt",
                                     "attempt_answer", "coaching_session", "coaching_action_item", *qa_large.QA_TABLES])
        progress("done", 1.0)
    return counts


def _people(connection, rng, now, scale: Scale) -> dict[str, int]:
    password_hash = hash_password(PASSWORD)
    created = now
    bulk_insert(connection, "team", ["id", "name", "created_at"],
                [(i, f"Team {i:03d}", created) for i in range(1, scale.teams + 1)])
    cohort_starts = [(now - timedelta(days=91 * (scale.cohorts - i))).date() for i in range(scale.cohorts)]
    bulk_insert(connection, "cohort", ["id", "name", "start_date", "created_at"],
                [(i + 1, f"Intake {start:%Y-%m}", start, created) for i, start in enumerate(cohort_starts)])
    users, roles, leads = [], [], []
    columns = ["id", "username", "display_name", "password_hash", "active", "must_change_password", "language",
               "team_id", "cohort_id", "mentor_id", "created_at"]
    staff = [("admin", "admin", None)] + [(f"trainer{i:02d}", "trainer", None) for i in range(1, 21)]
    staff += [(f"lead{t:03d}", "lead", t) for t in range(1, scale.teams + 1)]
    staff += [(f"mentor{t:03d}", "mentor", t) for t in range(1, scale.teams + 1)]
    for index, (username, role, team) in enumerate(staff, start=1):
        users.append((index, username, username.title(), password_hash, True, False, None, team, None, None,
                      created))
        roles.append((index, role))
        if role == "lead":
            leads.append((team, index))
    mentor_of_team = {team: uid for uid, (_, role, team) in enumerate(staff, start=1) if role == "mentor"}
    first_agent = len(staff) + 1
    for n in range(scale.agents):
        uid = first_agent + n
        team = n % scale.teams + 1
        newhire = n >= scale.agents - scale.newhires
        cohort = scale.cohorts - (n % 2) if newhire else int(rng.integers(1, scale.cohorts - 1))
        users.append((uid, f"agent{n + 1:04d}", f"Agent {n + 1:04d}", password_hash, True, False,
                      "zh-CN" if n % 3 else "en", team, cohort, mentor_of_team[team] if newhire else None, created))
        roles.append((uid, "newhire" if newhire else "agent"))
    bulk_insert(connection, "user_account", columns, users)
    bulk_insert(connection, "user_role", ["user_id", "role"], roles)
    bulk_insert(connection, "team_lead", ["team_id", "user_id"], leads)
    return {"teams": scale.teams, "cohorts": scale.cohorts, "users": len(users)}


def _onboarding(connection, rng, now, scale: Scale) -> dict[str, int]:
    """New hires spread along the programme: modules read, shadowing calls, stage sign-offs."""
    from portal.onboarding.programme import current_programme

    stages = current_programme().stages
    new_hires = connection.execute(text(
        "SELECT u.id, u.mentor_id FROM user_account u JOIN user_role r ON r.user_id = u.id "
        "WHERE r.role = 'newhire' ORDER BY u.id")).all()
    trainer_id = connection.execute(text("SELECT id FROM user_account WHERE username = 'trainer01'")).scalar()
    progress, calls, signoffs = [], [], []
    reached = rng.integers(0, len(stages) + 1, len(new_hires))  # stages passed so far
    for (user_id, mentor_id), passed in zip(new_hires, reached):
        day = now - timedelta(days=40)
        for index, stage in enumerate(stages[:min(int(passed) + 1, len(stages))]):
            for module in stage.modules:
                day += timedelta(hours=3)
                progress.append((len(progress) + 1, user_id, module.id, day - timedelta(minutes=module.minutes),
                                 day, module.version, module.minutes))
            if stage.key == "shadowing":
                for n in range(30 if index < passed else int(rng.integers(0, 30))):
                    calls.append((len(calls) + 1, user_id, (day + timedelta(hours=n)).date(), "billing",
                                  "Verified identity first.", "Listen to the problem, not the tone.", "", day))
            if index < passed:
                signer = mentor_id if "mentor" in stage.signoff_by and mentor_id else trainer_id
                signoffs.append((len(signoffs) + 1, user_id, stage.key, "passed", "", signer, day))
    bulk_insert(connection, "module_progress", ["id", "user_id", "module_id", "opened_at", "completed_at",
                                                "version", "minutes_spent"], progress)
    bulk_insert(connection, "shadowing_call", ["id", "user_id", "call_date", "call_type", "did_well", "learned",
                                               "questions", "created_at"], calls)
    bulk_insert(connection, "stage_signoff", ["id", "user_id", "stage_key", "outcome", "reason", "signed_by_id",
                                              "signed_at"], signoffs)
    return {"modules_read": len(progress), "shadowing_calls": len(calls), "stage_signoffs": len(signoffs)}


TOPICS = ["roaming day pass", "data plan", "bundle discount", "billing cycle", "SIM loss report",
          "identity verification", "speech rate", "promotion offers", "complaint handling", "ticket writing"]


def _questions(connection, rng, now, scale: Scale) -> dict[str, int]:
    questions, versions, tags = [], [], []
    qid = 0
    for n in range(scale.questions):
        idnumber = f"LRG-{n + 1:03d}"
        topic = TOPICS[n % len(TOPICS)]
        tag = "etiquette" if topic in {"identity verification", "speech rate", "promotion offers",
                                       "complaint handling"} else "product"
        payload = json.dumps({"qtype": "multichoice", "single": True, "answers": [
            {"text": f"Correct handling of {topic} #{n + 1}", "fraction": 1.0, "feedback": ""},
            *({"text": f"Plausible mistake {k} about {topic}", "fraction": 0.0, "feedback": ""}
              for k in range(1, 4))]})
        for language, text_ in (("en", f"Which is right about the {topic}? (case {n + 1})"),
                                ("zh-CN", f"关于“{topic}”，下列哪项正确？（第 {n + 1} 题）")):
            qid += 1
            questions.append((qid, idnumber, language, "multichoice", f"large/{tag}", qid, False, None, now))
            versions.append((qid, qid, 1, "published", f"{idnumber} {language}", text_, "moodle", "", payload,
                             1.0, None, now))
            tags.extend([(qid, tag), (qid, f"topic:{topic.replace(' ', '-')}")])
    bulk_insert(connection, "question", ["id", "idnumber", "language", "qtype", "category", "current_version_id",
                                         "archived", "created_by", "created_at"], questions)
    bulk_insert(connection, "question_version", ["id", "question_id", "version", "status", "name", "questiontext",
                                                 "questiontextformat", "generalfeedback", "payload", "default_mark",
                                                 "created_by", "created_at"], versions)
    bulk_insert(connection, "question_tag", ["question_id", "tag"], tags)
    return {"questions": len(questions)}


def _exams(connection, rng, now, scale: Scale) -> dict[str, int]:
    exams, slots = [], []
    for e in range(1, scale.exams + 1):
        opened = now - timedelta(days=15 * (scale.exams - e) + 20)
        exams.append((e, f"large-written-{e:02d}", "written", f"Monthly written exam {e:02d}",
                      f"月度笔试 {e:02d}", "", "", "published", 30, 80.0, 2, "highest", True, opened,
                      opened + timedelta(days=14), "immediately", "after_close", "[]", "any", None, None,
                      "fail_exam", None, opened))
        chosen = rng.choice(scale.questions, size=scale.slots, replace=False)
        slots.extend((e, s + 1, f"LRG-{q + 1:03d}", 1.0) for s, q in enumerate(chosen))
    bulk_insert(connection, "exam", ["id", "code", "kind", "title_en", "title_zh", "description_en", "description_zh",
                                     "status", "time_limit_minutes", "pass_mark", "attempts_allowed", "grading",
                                     "shuffle_answers", "open_at", "close_at", "review_marks", "review_answers",
                                     "pool_tags", "pool_match", "pool_count", "rubric_id", "critical_miss",
                                     "created_by", "created_at"], exams)
    bulk_insert(connection, "exam_slot", ["exam_id", "slot", "idnumber", "mark"], slots)
    return {"exams": scale.exams}


def _attempts(connection, rng, now, scale: Scale) -> dict[str, int]:
    """Abilities: most agents high, about 5% low; questions of varying difficulty."""
    attempts_total = scale.answers // scale.slots
    first_agent = connection.execute(text("SELECT min(u.id) FROM user_account u JOIN user_role r "
                                          "ON r.user_id = u.id WHERE r.role IN ('agent','newhire')")).scalar()
    ability = rng.normal(3.0, 0.8, scale.agents)
    low = rng.random(scale.agents) < 0.05
    ability[low] = rng.normal(1.0, 0.3, low.sum())
    difficulty = rng.normal(0.0, 1.0, scale.questions)
    discrimination = rng.uniform(0.3, 1.6, scale.questions)
    slot_questions = {e: rng.choice(scale.questions, size=scale.slots, replace=False) for e in range(1, scale.exams + 1)}
    rows = connection.execute(text("SELECT exam_id, slot, idnumber FROM exam_slot ORDER BY exam_id, slot")).all()
    for exam_id, slot, idnumber in rows:
        slot_questions[exam_id][slot - 1] = int(idnumber.split("-")[1]) - 1
    agent_of = rng.integers(0, scale.agents, attempts_total)
    exam_of = rng.integers(1, scale.exams + 1, attempts_total)
    q_index = np.stack([slot_questions[e] for e in exam_of])  # attempts x slots
    logits = discrimination[q_index] * (ability[agent_of][:, None] - difficulty[q_index])
    marks = (rng.random(logits.shape) < 1 / (1 + np.exp(-logits))).astype(float)
    percent = marks.mean(axis=1) * 100
    started = [now - timedelta(days=15 * (scale.exams - int(e)) + 20) + timedelta(days=float(d))
               for e, d in zip(exam_of, rng.uniform(0, 14, attempts_total))]
    attempts = [(i + 1, int(exam_of[i]), int(first_agent + agent_of[i]), 1, "en", "graded", started[i],
                 started[i] + timedelta(minutes=30), started[i] + timedelta(minutes=float(rng.uniform(8, 29))),
                 float(marks[i].sum()), float(scale.slots), float(percent[i]), bool(percent[i] >= 80), False, None, "")
                for i in range(attempts_total)]
    bulk_insert(connection, "attempt", ["id", "exam_id", "user_id", "number", "language", "status", "started_at",
                                        "deadline_at", "submitted_at", "score", "max_score", "percent", "passed",
                                        "overridden", "marked_by", "comment"], attempts)
    version_of = 2 * q_index + 1  # the English version id of each question
    chosen = np.where(marks > 0, 0, rng.integers(1, 4, marks.shape))
    answers = ((i * scale.slots + s + 1, i + 1, s + 1, f"LRG-{q_index[i, s] + 1:03d}", int(version_of[i, s]), "{}",
                str(int(chosen[i, s])), float(marks[i, s]), 1.0, "")
               for i in range(attempts_total) for s in range(scale.slots))
    bulk_insert(connection, "attempt_answer", ["id", "attempt_id", "slot", "idnumber", "question_version_id",
                                               "layout", "response", "mark", "max_mark", "comment"], answers)
    # item analysis reads these (portal/quizzes/attempt_marks.py); after the answers, whose insert trigger clears them
    packed = marks.astype("<f8")
    max_marks = np.ones(scale.slots, dtype="<f8").tobytes()
    bulk_insert(connection, "attempt_marks", ["attempt_id", "marks", "max_marks"],
                ((i + 1, packed[i].tobytes(), max_marks) for i in range(attempts_total)))
    return {"attempts": attempts_total, "answers": attempts_total * scale.slots}


def _coaching(connection, rng, now, scale: Scale) -> dict[str, int]:
    """Sessions by each team's lead about its agents over two years, most acknowledged."""
    agents = connection.execute(text(
        "SELECT u.id, u.team_id, l.user_id FROM user_account u JOIN user_role r ON r.user_id = u.id "
        "JOIN team_lead l ON l.team_id = u.team_id WHERE r.role IN ('agent', 'newhire') ORDER BY u.id")).all()
    picks = rng.integers(0, len(agents), scale.coaching_sessions)
    days_ago = rng.integers(1, 730, scale.coaching_sessions)
    sessions, items = [], []
    for i, (pick, ago) in enumerate(zip(picks, days_ago), start=1):
        agent_id, team_id, lead_id = agents[pick]
        held = (now - timedelta(days=int(ago))).date()
        acknowledged = now - timedelta(days=int(ago) - 1) if ago > 3 or rng.random() < 0.5 else None
        focus = DEFAULT_FOCUS_AREAS[i % len(DEFAULT_FOCUS_AREAS)]
        sessions.append((i, agent_id, lead_id, team_id, held, focus, f"Shared notes on {focus} ({i}).",
                         "Private observations.", held + timedelta(days=30), held + timedelta(days=3), acknowledged,
                         "", 1, now, now))
        items.append((i, i, f"Practise {focus} on the next five calls.", agent_id, held + timedelta(days=14),
                      acknowledged))
    bulk_insert(connection, "coaching_session", ["id", "agent_id", "author_id", "team_id", "held_on", "focus_area",
                                                 "shared_notes", "private_notes", "follow_up_on", "ack_due_on",
                                                 "acknowledged_at", "ack_comment", "version", "created_at",
                                                 "updated_at"], sessions)
    bulk_insert(connection, "coaching_action_item", ["id", "session_id", "description", "owner_id", "due_on",
                                                     "done_at"], items)
    return {"coaching_sessions": len(sessions)}


def _checkins(connection, rng, now, scale: Scale) -> dict[str, int]:
    """Anonymous responses over the last 52 weeks; random ids, week only."""
    weeks = [iso_week((now - timedelta(weeks=w)).date()) for w in range(52)]
    mood = rng.normal(3.2, 0.9, (scale.checkins, 5)).round().clip(0, 5).astype(int)
    stress = rng.normal(1.8, 0.9, (scale.checkins, 4)).round().clip(0, 4).astype(int)
    team_of = rng.integers(1, scale.teams + 1, scale.checkins)
    week_of = rng.integers(0, len(weeks), scale.checkins)
    rows = [(uuid.UUID(int=random.getrandbits(128)).hex, weeks[week_of[i]], int(team_of[i]), *map(int, mood[i]),
             *map(int, stress[i]), None) for i in range(scale.checkins)]
    random.shuffle(rows)
    bulk_insert(connection, "wellbeing_response", ["id", "iso_week", "team_id", "who5_1", "who5_2", "who5_3",
                                                   "who5_4", "who5_5", "pss4_1", "pss4_2", "pss4_3", "pss4_4",
                                                   "comment"], rows)
    return {"checkins": scale.checkins}

