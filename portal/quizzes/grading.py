"""Grading one response to one question, by question type.

Works on the interchange payload (the Moodle field names of issue 4:
`qtype`, `single`, `answers: [{text, fraction, feedback, tolerance}]`,
`subquestions: [{question, answer}]`). Responses, by type:

- multichoice, single: the index of the chosen answer (int)
- multichoice, multiple: the indexes of the chosen answers (list of int)
- truefalse: True or False
- shortanswer: the text typed
- numerical: the number typed (int, float or text)
- match: {subquestion index: chosen answer text}
- essay: the text written (marked by hand: fraction None)

A missing response (None) scores 0, except essays, which stay unmarked.

A matching question counts as answered only when every pair is matched
(Moodle's `qtype_match_question::is_complete_response`): practice and exams
refuse a partly matched one with "Answer every pair" (`matched_pairs` says how
far it got), so it is never graded as if submitted. `_match` still grades per
pair, as Moodle does, for responses stored before that rule.
"""
import math
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Grade:
    fraction: float | None  # 0..1; None = needs marking by hand
    feedback: list[str] = field(default_factory=list)  # per-answer feedback earned by the response

    @property
    def needs_marking(self) -> bool:
        return self.fraction is None


def grade(payload: dict, response) -> Grade:
    qtype = payload.get("qtype")
    if qtype == "essay":
        return Grade(None)
    if qtype == "description":
        return Grade(0.0)
    if response is None or response == "" or response == [] or response == {}:
        return Grade(0.0)
    grader = _GRADERS.get(qtype)
    if grader is None:
        raise ValueError(f"unknown question type {qtype!r}")
    return grader(payload, response)


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def _multichoice(payload: dict, response) -> Grade:
    answers = payload.get("answers", [])
    chosen = [response] if isinstance(response, int) else list(response)
    chosen = [i for i in dict.fromkeys(chosen) if isinstance(i, int) and 0 <= i < len(answers)]
    if payload.get("single", True) and len(chosen) > 1:
        chosen = chosen[:1]
    fraction = _clamp(sum(float(answers[i]["fraction"]) for i in chosen))
    return Grade(fraction, [answers[i].get("feedback", "") for i in chosen if answers[i].get("feedback")])


def _truefalse(payload: dict, response) -> Grade:
    if isinstance(response, str):
        response = response.strip().lower() in {"true", "t", "1", "yes"}
    answers = payload.get("answers", [])
    for answer in answers:
        if _truth(answer["text"]) == bool(response):
            return Grade(_clamp(float(answer["fraction"])), [answer["feedback"]] if answer.get("feedback") else [])
    return Grade(0.0)


def _truth(text) -> bool:
    return str(text).strip().lower() in {"true", "t", "1", "yes"}


def _normalise(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def shortanswer_matches(pattern: str, given: str) -> bool:
    """Moodle's rule: case-insensitive, `*` matches any run of characters."""
    parts = [re.escape(part) for part in _normalise(pattern).split("*")]
    return re.fullmatch(".*".join(parts), _normalise(given), flags=re.DOTALL) is not None


def _shortanswer(payload: dict, response) -> Grade:
    best = None
    for answer in payload.get("answers", []):
        if shortanswer_matches(answer["text"], str(response)):
            if best is None or float(answer["fraction"]) > float(best["fraction"]):
                best = answer
    if best is None:
        return Grade(0.0)
    return Grade(_clamp(float(best["fraction"])), [best["feedback"]] if best.get("feedback") else [])


def parse_number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    text = str(value).strip().replace(",", ".").replace("，", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _numerical(payload: dict, response) -> Grade:
    number = parse_number(response)
    if number is None:
        return Grade(0.0)
    best = None
    for answer in payload.get("answers", []):
        target = parse_number(answer["text"])
        if target is None:  # Moodle's "*" answer matches anything
            matched = str(answer["text"]).strip() == "*"
        else:
            matched = abs(number - target) <= float(answer.get("tolerance") or 0.0) + 1e-9
        if matched and (best is None or float(answer["fraction"]) > float(best["fraction"])):
            best = answer
    if best is None:
        return Grade(0.0)
    return Grade(_clamp(float(best["fraction"])), [best["feedback"]] if best.get("feedback") else [])


def _scorable_pairs(payload: dict) -> list[int]:
    """Indexes of the real pairs (a pair without a question is a distractor answer)."""
    return [i for i, p in enumerate(payload.get("subquestions", [])) if str(p.get("question", "")).strip()]


def matched_pairs(payload: dict, response) -> tuple[int, int]:
    """(pairs given an answer, pairs to match) of a matching question's response."""
    given = {int(k) for k, v in dict(response or {}).items() if v}
    scorable = _scorable_pairs(payload)
    return sum(1 for i in scorable if i in given), len(scorable)


def is_complete_response(payload: dict, response) -> bool:
    """A response that may be graded: not empty and, for matching, every pair matched."""
    if response is None or response == "" or response == [] or response == {}:
        return False
    if payload.get("qtype") == "match":
        given, total = matched_pairs(payload, response)
        return given == total
    return True


def _match(payload: dict, response) -> Grade:
    pairs = [p for p in payload.get("subquestions", []) if str(p.get("question", "")).strip()]
    if not pairs:
        return Grade(0.0)
    chosen = {int(k): v for k, v in dict(response).items()}
    scorable = _scorable_pairs(payload)
    right = sum(1 for i in scorable if _normalise(chosen.get(i, "")) == _normalise(payload["subquestions"][i]["answer"]))
    return Grade(right / len(scorable))


_GRADERS = {"multichoice": _multichoice, "truefalse": _truefalse, "shortanswer": _shortanswer,
            "numerical": _numerical, "match": _match}
