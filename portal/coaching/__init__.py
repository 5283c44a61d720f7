"""One-to-one coaching: sessions, action items, acknowledgements, templates, settings.

Who may do what (checked here, never only in pages):
- write a session: a lead for agents of the teams they lead, a mentor for
  their mentees, a trainer or admin for anyone in training;
- edit a session and read its private notes: its author and the leads of the
  session's team; nobody else, and never the agent;
- read the shared part: those above, trainers, admins, the agent's mentor and
  the agent;
- acknowledge: the agent only.
"""
from portal.coaching.access import coachable_agents, may_coach
from portal.coaching.effect import (
    effect_aggregates,
    effect_query,
    qa_effect_query,
    session_effects,
    with_effect_attempts,
)
from portal.coaching.reading import (
    agent_attempts,
    agent_evaluations,
    attempt_links,
    evaluation_links,
    get_session,
    list_sessions,
    my_open_items,
    my_sessions,
    previous_open_items,
    revisions,
    revisions_of,
)
from portal.coaching.settings import (
    DEFAULT_FOCUS_AREAS,
    EFFECT_KINDS,
    LEARNER_ROLES,
    LINK_KINDS,
    MAX_TEXT,
    CoachingSettings,
    focus_label,
    load_settings,
    update_settings,
)
from portal.coaching.templates import TemplateView, create_template, list_templates
from portal.coaching.views import (
    ActionItemInput,
    ActionItemView,
    Effect,
    LinkInput,
    LinkView,
    SessionDraft,
    SessionView,
)
from portal.coaching.writing import (
    acknowledge,
    set_item_done,
    update_session,
    write_session,
)

__all__ = [
    "CoachingSettings", "DEFAULT_FOCUS_AREAS", "EFFECT_KINDS", "LEARNER_ROLES", "LINK_KINDS",
    "MAX_TEXT", "focus_label", "load_settings", "update_settings", "ActionItemInput", "ActionItemView",
    "Effect", "LinkInput", "LinkView", "SessionDraft", "SessionView", "coachable_agents", "may_coach",
    "acknowledge", "set_item_done", "update_session", "write_session", "agent_attempts", "agent_evaluations", "attempt_links", "evaluation_links",
    "get_session", "list_sessions", "my_open_items", "my_sessions", "previous_open_items", "revisions",
    "revisions_of", "effect_aggregates", "effect_query", "qa_effect_query", "session_effects", "with_effect_attempts",
    "TemplateView", "create_template", "list_templates",
]
