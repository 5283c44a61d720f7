"""Small QA worlds: a scorecard, calls and submitted evaluations written through `record_revision`."""
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest

from portal.errors import ValidationFailed
from portal.models import QaCall, QaEvaluation, QaScorecard, QaScorecardVersion
from portal.qa.scoring import record_revision, scorecard_spec
from portal.quizzes.specs import RubricSpec

SPEC = {
    "id": "voice", "title": {"en": "Voice call", "zh-CN": "语音通话"},
    "sections": [
        {"id": "open", "title": {"en": "Opening", "zh-CN": "开场"}, "weight": 1, "items": [
            {"id": "greet", "text": {"en": "Greeting", "zh-CN": "问候"}, "max_points": 2},
            {"id": "verify", "text": {"en": "Verification", "zh-CN": "身份核实"}, "max_points": 2, "critical": True}]},
        {"id": "offer", "title": {"en": "Offers", "zh-CN": "营销"}, "weight": 1, "items": [
            {"id": "offer", "text": {"en": "At most two offers", "zh-CN": "最多两次营销"}, "max_points": 4,
             "allow_na": True}]},
    ],
}
ITEMS = ("greet", "verify", "offer")


def make_scorecard(session, code: str = "voice", spec: dict = SPEC) -> QaScorecardVersion:
    card = QaScorecard(code=code)
    session.add(card)
    session.flush()
    version = QaScorecardVersion(scorecard_id=card.id, version=1,
                                 spec=RubricSpec.model_validate(spec).model_dump_json())
    session.add(version)
    session.flush()
    card.current_version_id = version.id
    session.add(card)
    session.flush()
    return version


_calls = iter(range(1, 1_000_000))


def make_call(session, agent_id: int, started_at: datetime = datetime(2026, 11, 2, 2, tzinfo=UTC)) -> QaCall:
    call = QaCall(external_id=f"C-{next(_calls)}", agent_id=agent_id, started_at=started_at, duration_seconds=300,
                  queue="mobile", direction="inbound")
    session.add(call)
    session.flush()
    return call


def make_evaluation(session, version: QaScorecardVersion, agent_id: int, evaluator_id: int, points: dict,
                    submitted_at: datetime, *, calibration_id: int | None = None, call: QaCall | None = None,
                    comments: dict | None = None) -> QaEvaluation:
    call = call or make_call(session, agent_id)
    evaluation = QaEvaluation(call_id=call.id, agent_id=agent_id, evaluator_id=evaluator_id,
                              scorecard_version_id=version.id, calibration_id=calibration_id, status="submitted",
                              submitted_at=submitted_at)
    session.add(evaluation)
    session.flush()
    record_revision(session, evaluation, scorecard_spec(session, version.id), points, comments or {})
    session.flush()
    return evaluation


@contextmanager
def refused(key: str):
    """The block is refused with the error of i18n key `key`."""
    with pytest.raises(ValidationFailed) as caught:
        yield caught
    assert caught.value.key == key
