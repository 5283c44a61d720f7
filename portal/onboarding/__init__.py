"""The onboarding journey: stages, modules read, calls logged and reviewed, sign-offs, the cohort board.

Public API (services take a session and the acting user and check permissions first):

- `journey(session, actor, user_id) -> Journey`: one new hire's stages, status, flags.
- `cohort_board(session, actor, cohort_id=None, team_id=None) -> DataFrame`: one row per new hire;
  columns documented on `portal.onboarding.board.cohort_board`. `board_page(...)`: one page of it
  (only that page's journeys built) and the total, for the Cohort board page.
- Reading: `open_module`, `complete_module`.
- On the floor: `record_shadowing_call`, `record_supervised_call`, `review_ticket`, `review_queue`.
- Sign-off: `sign_off` (passed / repeat / withdrawn).
- Requirements: `requirement_settings`, `set_requirements`, `reset_requirements`.
- `quiz_scores_for(session, user_id)`: the one door to quiz results (best practice score per quiz).

The rules themselves (requirements, checklist, pass mark, critical areas,
working-day schedule, stalled) are pure functions in `portal.onboarding.rules`.
"""
from portal.onboarding.board import (BOARD_COLUMNS, BoardPage, awaiting_signoff, board_frame, board_page, board_teams,
                                     cohort_board, count_new_hires, is_flagged, mentee_journeys, visible_journeys)
from portal.onboarding.floor import (PendingTicket, record_shadowing_call, record_supervised_call, review_queue,
                                     review_ticket, shadowing_log, supervised_calls, unchosen_areas)
from portal.onboarding.journey import (QUIZ_RESULTS_WIRED, Journey, JourneyStatus, ModuleState, SignoffRecord,
                                       StageState, journey, quiz_scores_for)
from portal.onboarding.modules import complete_module, open_module, suggested_minutes
from portal.onboarding.programme import (RequirementSetting, current_programme, requirement_settings,
                                         reset_requirements, set_requirements)
from portal.onboarding.signoff import RequirementsNotMet, sign_off

__all__ = [
    "BOARD_COLUMNS", "QUIZ_RESULTS_WIRED", "BoardPage", "Journey", "JourneyStatus", "ModuleState", "PendingTicket",
    "RequirementSetting", "RequirementsNotMet", "SignoffRecord", "StageState", "awaiting_signoff", "board_frame",
    "board_page", "board_teams", "cohort_board", "count_new_hires", "is_flagged",
    "complete_module", "current_programme", "journey", "mentee_journeys", "open_module", "quiz_scores_for",
    "record_shadowing_call", "record_supervised_call", "requirement_settings", "reset_requirements",
    "review_queue", "review_ticket", "set_requirements", "shadowing_log", "sign_off", "suggested_minutes",
    "supervised_calls", "unchosen_areas", "visible_journeys",
]
