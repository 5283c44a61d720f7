"""The QA part of `portal seed large`: two years of live-call evaluations for every learner.

4 evaluations per learner per month for 24 months (192,000 at scale 1), on a 20-item
voice-call scorecard (3.84 M item scores), with disputes (about 2%, a third of them
changed: revision 1) and two published quality-focus items a month. Written with
`portal.bulk.bulk_insert` like the rest of `seed/large.py`; `add_qa` adds it to a
center built before QA existed.
"""
import math
from datetime import UTC, datetime

import numpy as np
from sqlalchemy import Engine, text

from portal.bulk import bulk_insert, reset_sequences
from portal.clock import center_time, center_zone, utcnow
from portal.errors import PortalError
from portal.quizzes.specs import RubricSpec
from portal.security import hash_password

PASSWORD = "academy-demo"

VERIFY = "verify-before-details"  # ids shared with the demo voice-call scorecard (qa/scorecards/voice-call.yaml)
OFFERS = "at-most-two-offers"

# section id, weight, title (en, zh), items: (id, en, zh, max points, critical, allow N/A)
VOICE_CALL_SECTIONS = (
    ("opening", 15, ("Opening", "开场"), (
        ("standard-greeting", "Standard greeting within 3 seconds", "3 秒内使用标准问候语", 1, False, False),
        ("introduce-self", "Gives name and job number", "报出姓名和工号", 1, False, False),
        (VERIFY, "Verifies identity before any account detail", "核实身份后再谈账户信息", 2, True, False),
        ("state-purpose", "Confirms the reason for the call", "确认来电目的", 1, False, False),
    )),
    ("needs", 25, ("Understanding the need", "需求理解"), (
        ("listens-without-interrupting", "Lets the customer finish", "让客户说完", 1, False, False),
        ("clarifying-questions", "Asks open questions to find the need", "用开放式问题了解需求", 2, False, False),
        ("confirms-need", "Restates the need in own words", "复述客户需求", 1, False, False),
        ("empathy", "Acknowledges the customer's feelings", "体谅客户感受", 1, False, False),
        ("no-interrupting", "Does not interrupt", "不打断客户", 1, False, False),
    )),
    ("solution", 30, ("Solution", "解决方案"), (
        ("accurate-information", "Information given is correct", "提供的信息准确", 2, False, False),
        ("policy", "Follows the tariff and refund policy", "遵守资费和退费政策", 2, False, False),
        (OFFERS, "At most two offers per call", "营销不超过两次", 1, False, True),
        ("system-use", "Uses the CRM correctly", "正确使用客户系统", 1, False, False),
        ("first-contact-resolution", "Resolves the need on this call", "本次通话解决问题", 2, False, False),
        ("expectations", "Sets clear next steps and times", "说明后续步骤和时限", 1, False, False),
    )),
    ("closing", 15, ("Closing", "结束"), (
        ("recap", "Recaps what was agreed", "总结约定事项", 1, False, False),
        ("anything-else", "Asks if anything else is needed", "询问是否还有其他需要", 1, False, False),
        ("standard-closing", "Standard closing", "标准结束语", 1, False, False),
    )),
    ("compliance", 15, ("Compliance", "合规"), (
        ("no-data-disclosure", "Reads no data aloud that was not asked for", "不主动念出客户信息", 2, False, False),
        ("ticket-logged", "Writes the ticket note", "填写工单备注", 1, False, True),
    )),
)

def _spec(code: str, title: tuple[str, str], sections) -> RubricSpec:
    return RubricSpec.model_validate({
        "id": code, "title": {"en": title[0], "zh-CN": title[1]}, "critical_miss": "fail_exam",
        "sections": [{"id": sid, "weight": weight, "title": {"en": en, "zh-CN": zh},
                      "items": [{"id": iid, "text": {"en": ien, "zh-CN": izh}, "max_points": points,
                                 "critical": critical, "allow_na": na}
                                for iid, ien, izh, points, critical, na in items]}
                     for sid, weight, (en, zh), items in sections]})


def large_scorecard() -> RubricSpec:
    return _spec("voice-call-large", ("Voice call", "语音通话"), VOICE_CALL_SECTIONS)


QA_TABLES = ("qa_scorecard", "qa_scorecard_version", "qa_call", "qa_evaluation", "qa_dispute", "qa_focus_item")


def add_qa(engine: Engine, progress=lambda step, fraction: None, seed: int = 20261203, months: int = 24,
           per_agent: int = 4) -> dict[str, int]:
    """Add the QA part to a large center built before QA existed (its schema migrated to head first)."""
    rng = np.random.default_rng(seed)
    with engine.begin() as connection:
        progress("quality assurance", 0.0)
        counts = _evaluations(connection, rng, utcnow(), months, per_agent, analysts=10)
        reset_sequences(connection, QA_TABLES)
        progress("done", 1.0)
    return counts


def _qa_months(now, months: int) -> list[tuple[str, datetime, datetime]]:
    """The last `months` calendar months of the center's zone as (YYYY-MM, start UTC, end UTC), oldest first;
    the current month ends now."""
    local = center_time(now)
    year, month = local.year, local.month
    found = []
    for _ in range(months):
        start = datetime(year, month, 1, tzinfo=center_zone())
        end_year, end_month = (year + 1, 1) if month == 12 else (year, month + 1)
        end = min(datetime(end_year, end_month, 1, tzinfo=center_zone()).astimezone(UTC), now)
        found.append((f"{year:04d}-{month:02d}", start.astimezone(UTC), end))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return found[::-1]


def _qa_percent(points: np.ndarray, spec) -> tuple[np.ndarray, np.ndarray]:
    """`RubricSpec.score` over many evaluations at once: points is evaluations x items (NaN: N/A), in
    `spec.items()` order. Returns (percent, critical missed) per evaluation."""
    items = [item for _, item in spec.items()]
    maxima = np.array([item.max_points for item in items], dtype=float)
    scored = ~np.isnan(points)
    got = np.where(scored, points, 0.0)
    weighted = np.zeros(points.shape[0])
    weights = np.zeros(points.shape[0])
    column = 0
    for section in spec.sections:
        span = slice(column, column + len(section.items))
        column += len(section.items)
        possible = (scored[:, span] * maxima[span]).sum(axis=1)
        present = possible > 0
        fraction = np.divide(got[:, span].sum(axis=1), possible, out=np.zeros_like(possible), where=present)
        weighted += np.where(present, section.weight * fraction, 0.0)
        weights += np.where(present, section.weight, 0.0)
    percent = np.divide(100 * weighted, weights, out=np.full_like(weights, 100.0), where=weights > 0)
    critical = np.array([item.critical for item in items])
    missed = (scored & (got < maxima) & critical).any(axis=1)
    return percent.round(4), missed


def add_evaluations(connection, rng, now, scale) -> dict[str, int]:
    """The `seed/large.py` step: `scale.qa_months` months, `scale.qa_per_agent` a month, a tenth as many analysts as
    teams."""
    return _evaluations(connection, rng, now, scale.qa_months, scale.qa_per_agent, max(2, scale.teams // 10))


def _evaluations(connection, rng, now, month_count: int, per_agent: int, analysts: int) -> dict[str, int]:
    """Evaluations by ten analysts of every learner's live calls, `qa_per_agent` a month for `qa_months`.

    Each agent has a skill (most pass ~92% of items, a few ~75%), each item a difficulty (verification
    and the offers limit are missed most); about 2% of evaluations are disputed, a third of those changed
    (revision 1). One scorecard version (the demo's voice call); two published focus items a month.
    """
    if connection.execute(text("SELECT count(*) FROM qa_evaluation")).scalar():
        raise PortalError("seed.error.not_empty")
    spec = large_scorecard()
    items = [item for _, item in spec.items()]
    agents = np.array(connection.execute(text(
        "SELECT u.id, u.team_id FROM user_account u JOIN user_role r ON r.user_id = u.id "
        "WHERE r.role IN ('agent', 'newhire') ORDER BY u.id")).all(), dtype=np.int64)
    analysts = _qa_analysts(connection, now, analysts)
    bulk_insert(connection, "qa_scorecard", ["id", "code", "current_version_id", "archived", "created_by",
                                             "created_at"], [(1, spec.id, 1, False, analysts[0], now)])
    bulk_insert(connection, "qa_scorecard_version", ["id", "scorecard_id", "version", "spec", "created_by",
                                                     "created_at"],
                [(1, 1, 1, spec.model_dump_json(by_alias=True), analysts[0], now)])
    months = _qa_months(now, month_count)
    per_month = len(agents) * per_agent
    total = per_month * len(months)
    agent_index = np.tile(np.repeat(np.arange(len(agents)), per_agent), len(months))
    month_index = np.repeat(np.arange(len(months)), per_month)
    starts = np.array([start.timestamp() for _, start, _ in months])
    spans = np.array([(end - start).total_seconds() for _, start, end in months])
    submitted = starts[month_index] + rng.random(total) * spans[month_index]
    skill = np.where(rng.random(len(agents)) < 0.05, rng.normal(0.75, 0.05, len(agents)),
                     rng.normal(0.92, 0.03, len(agents))).clip(0.4, 0.995)
    hard = {VERIFY: 0.06, OFFERS: 0.08, "probe": 0.05, "resolution": 0.05}
    difficulty = np.array([hard.get(item.id, 0.0) for item in items])
    maxima = np.array([item.max_points for item in items], dtype=float)
    full = rng.random((total, len(items))) < (skill[agent_index][:, None] - difficulty[None, :])
    partial = np.floor(rng.random((total, len(items))) * maxima)  # 0 .. max-1
    points = np.where(full, maxima, partial)
    allow_na = np.array([item.allow_na for item in items])
    points[(rng.random((total, len(items))) < 0.3) & allow_na] = np.nan
    percent, missed = _qa_percent(points, spec)
    seconds = rng.lognormal(np.log(540), 0.35, total).astype(int)
    evaluator = np.array(analysts)[agents[agent_index, 1] % len(analysts)]
    _qa_calls(connection, rng, agents, agent_index, submitted, total)
    ack_cut = now.timestamp() - 5 * 86400
    critical_ids = [item.id for item in items if item.critical]

    bulk_insert(connection, "qa_evaluation", [
        "id", "call_id", "agent_id", "evaluator_id", "scorecard_version_id", "calibration_id", "status", "revision",
        "percent", "failed_by_critical", "critical_missed", "comment", "seconds_spent", "started_at", "submitted_at",
        "acknowledged_at", "submission_key"],
        ((i + 1, i + 1, int(agents[agent_index[i], 0]), int(evaluator[i]), 1, None, "submitted", 0,
          float(percent[i]), bool(missed[i]), ",".join(critical_ids) if missed[i] else "", "", int(seconds[i]),
          datetime_from(submitted[i] - seconds[i]), datetime_from(submitted[i]),
          datetime_from(submitted[i] + 86400) if submitted[i] < ack_cut else None, None) for i in range(total)))
    item_ids = [item.id for item in items]
    bulk_insert(connection, "qa_item_score", ["evaluation_id", "revision", "item_id", "points", "comment"],
                ((i + 1, 0, item_ids[j], None if math.isnan(value) else value, "")
                 for i, row in enumerate(points.tolist()) for j, value in enumerate(row)))
    disputes = _qa_disputes(connection, rng, spec, points, percent, missed, agents, agent_index, evaluator,
                            submitted, analysts)
    focus = _qa_focus(connection, months, analysts[0])
    users = connection.execute(text("SELECT count(*) FROM user_account")).scalar()  # with the analysts
    return {"users": users, "qa_evaluations": total, "qa_item_scores": total * len(items), "qa_disputes": disputes,
            "qa_focus_items": focus}


def datetime_from(timestamp: float) -> datetime:
    return datetime.fromtimestamp(float(timestamp), UTC)


def _qa_analysts(connection, now, count: int) -> list[int]:
    """Quality analysts qa01..qaNN (password as everyone's), after the center's last user."""
    first = connection.execute(text("SELECT max(id) FROM user_account")).scalar() + 1
    password_hash = hash_password(PASSWORD)
    ids = list(range(first, first + count))
    bulk_insert(connection, "user_account", ["id", "username", "display_name", "password_hash", "active",
                                             "must_change_password", "language", "team_id", "cohort_id",
                                             "mentor_id", "created_at"],
                [(uid, f"qa{n:02d}", f"Qa {n:02d}", password_hash, True, False, None, None, None, None, now)
                 for n, uid in enumerate(ids, start=1)])
    bulk_insert(connection, "user_role", ["user_id", "role"], [(uid, "qa") for uid in ids])
    return ids


def _qa_calls(connection, rng, agents, agent_index, submitted, total: int) -> None:
    """One live call per evaluation, a day or so before it was scored."""
    queues = np.array(["billing", "mobile data", "roaming", "broadband", "complaints"])
    queue = queues[rng.integers(0, len(queues), total)]
    started = submitted - rng.uniform(3600, 3 * 86400, total)
    duration = rng.lognormal(np.log(300), 0.5, total).astype(int)
    satisfaction = rng.integers(1, 6, total)
    bulk_insert(connection, "qa_call", ["id", "external_id", "agent_id", "started_at", "duration_seconds", "queue",
                                        "direction", "satisfaction", "complaint", "recording_url", "ticket_ref",
                                        "source", "created_by", "created_at"],
                ((i + 1, f"LRG-CALL-{i + 1:07d}", int(agents[agent_index[i], 0]), datetime_from(started[i]),
                  int(duration[i]), str(queue[i]), "inbound", float(satisfaction[i]), queue[i] == "complaints",
                  None, None, "import", None, datetime_from(started[i] + 600)) for i in range(total)))


def _qa_disputes(connection, rng, spec, points, percent, missed, agents, agent_index, evaluator, submitted,
                 analysts) -> int:
    """About 2% of evaluations with a failed item are disputed (one item, round 1, resolved by another analyst);
    a third of the decisions change the item to full points, which writes revision 1."""
    items = [item for _, item in spec.items()]
    maxima = np.array([item.max_points for item in items], dtype=float)
    failed = np.nan_to_num(points, nan=np.inf) < maxima
    candidates = np.flatnonzero(failed.any(axis=1))
    chosen = np.sort(rng.choice(candidates, size=max(1, len(candidates) // 50), replace=False))
    changed = rng.random(len(chosen)) < 1 / 3
    disputes, dispute_items, revised = [], [], []
    for n, (i, change) in enumerate(zip(chosen.tolist(), changed.tolist()), start=1):
        column = int(np.flatnonzero(failed[i])[0])
        raised = submitted[i] + 2 * 86400
        reviewer = analysts[(analysts.index(int(evaluator[i])) + 1) % len(analysts)]
        disputes.append((n, i + 1, 1, int(agents[agent_index[i], 0]), datetime_from(raised),
                         "I did follow the script here.", "resolved", reviewer, datetime_from(raised + 86400), None))
        dispute_items.append((n, items[column].id, "Listen again at 01:20.", "changed" if change else "upheld",
                              float(maxima[column]) if change else None,
                              "Agreed on a second listen." if change else "The recording confirms the score."))
        if change:
            row = points[i].copy()
            row[column] = maxima[column]
            revised.append((i, row))
    bulk_insert(connection, "qa_dispute", ["id", "evaluation_id", "round", "raised_by", "raised_at", "reason",
                                           "status", "reviewer_id", "resolved_at", "submission_key"], disputes)
    bulk_insert(connection, "qa_dispute_item", ["dispute_id", "item_id", "reason", "decision", "new_points",
                                                "decision_reason"], dispute_items)
    if revised:
        rows = np.array([row for _, row in revised])
        new_percent, new_missed = _qa_percent(rows, spec)
        bulk_insert(connection, "qa_item_score", ["evaluation_id", "revision", "item_id", "points", "comment"],
                    ((i + 1, 1, items[j].id, None if math.isnan(value) else value, "")
                     for (i, row) in revised for j, value in enumerate(row.tolist())))
        critical_ids = ",".join(item.id for item in items if item.critical)
        connection.execute(text("UPDATE qa_evaluation SET revision = 1, percent = :percent, "
                                "failed_by_critical = :failed, critical_missed = :missed WHERE id = :id"),
                           [{"id": i + 1, "percent": float(p), "failed": bool(m), "missed": critical_ids if m else ""}
                            for (i, _), p, m in zip(revised, new_percent, new_missed)])
    return len(disputes)


def _qa_focus(connection, months, author: int) -> int:
    """The month's quality focus, published on its first day: verification, and at most two offers."""
    rows = []
    for month, start, _ in months:
        for title_en, title_zh, item, modules, tags in (
                ("Verification before details", "核实身份后再谈业务", VERIFY, "systems-crm", "topic:identity-verification"),
                ("At most two offers", "营销不超过两次", OFFERS, "product-data-plans", "topic:promotion-offers")):
            rows.append((len(rows) + 1, month, title_en, title_zh, item, modules, tags, start, author, start))
    bulk_insert(connection, "qa_focus_item", ["id", "month", "title_en", "title_zh", "scorecard_item_ids",
                                              "module_codes", "quiz_tags", "published_at", "created_by",
                                              "created_at"], rows)
    return len(rows)
