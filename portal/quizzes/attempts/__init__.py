"""One attempt engine for written exams and practice quizzes.

- `engine.py`: the modes (`WRITTEN`, `PRACTICE`), the questions served, the server-side clock,
  ownership, cleaning and storing a response, grading one answer and the totals;
- `exam.py`: starting, saving and submitting an exam attempt; a trainer opening a practical one;
- `practice.py`: the practice mode (graded per answer as saved);
- `review.py`: reading an attempt, as its review options allow.

Every public name is re-exported here: callers keep `from portal.quizzes import attempts` and
`attempts.start_attempt(...)`. To replace a function in a test, patch the module that calls it
(e.g. `attempts.engine.grade_answer`).
"""

from portal.quizzes.attempts import engine, exam, practice, review
from portal.quizzes.attempts.engine import (MAX_SHORT_TEXT, MAX_TEXT, PRACTICE, WRITTEN, Mode, attempts_used,
                                            clean_response, finalise_expired, grade, grade_answer, grade_attempt,
                                            has_expired, is_expired, question_payload, running_attempt_id,
                                            seconds_left, serve_version, stored_grade, stored_response,
                                            update_totals)
from portal.quizzes.attempts.exam import (SaveOutcome, SubmitOutcome, open_practical, save_answers, start_attempt,
                                          start_drawn_attempt, submit_attempt)
from portal.quizzes.attempts.practice import (answer_in_practice, finish_practice, practice_answers,
                                              require_complete, start_practice_attempt)
from portal.quizzes.attempts.review import AttemptQuestion, AttemptView, attempt_view, own_attempt_view, review_allows

__all__ = [
    "MAX_SHORT_TEXT", "MAX_TEXT", "PRACTICE", "WRITTEN", "AttemptQuestion", "AttemptView", "Mode", "SaveOutcome",
    "SubmitOutcome", "answer_in_practice", "attempt_view", "attempts_used", "clean_response", "engine", "exam",
    "finalise_expired", "finish_practice", "grade", "grade_answer", "grade_attempt", "has_expired", "is_expired",
    "open_practical", "own_attempt_view", "practice", "practice_answers", "question_payload", "require_complete",
    "review", "review_allows", "running_attempt_id", "save_answers", "seconds_left", "serve_version",
    "start_attempt", "start_drawn_attempt", "start_practice_attempt", "stored_grade", "stored_response",
    "submit_attempt", "update_totals",
]
