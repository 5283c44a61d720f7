"""Quality assurance (质检): live calls, monthly samples, scorecards, evaluations, disputes, calibration.

- `calls`: import the telephony/CRM export (preview, errors by row, all or nothing, idempotent) and typed calls;
- `sampling`: a team's monthly plan and its reproducible, stratified draw; the analyst's queue;
- `scorecards`: versioned scorecards on the one rubric engine (`portal.quizzes.specs.RubricSpec`);
- `evaluations`: scoring a call on a blank scorecard; the agent's acknowledgement;
- `disputes`: an agent's dispute of chosen items, decided by someone other than the evaluator (two rounds);
- `calibration`: blind scoring sessions, reveal, alignment and Krippendorff's alpha;
- `dashboards` and `focus`: what QA feeds (trends, failure rates, the monthly quality focus).

Tables: `portal/models/qa.py`. Permissions: the `qa:*` actions of `portal/permissions.py`.
"""
