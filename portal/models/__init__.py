"""All tables, imported here so `SQLModel.metadata` is complete for Alembic."""
from portal.models.core import AuditEntry, AuthSession, Cohort, Team, TeamLead, User, UserRole
from portal.models.onboarding import (ModuleProgress, ShadowingCall, StageRequirementOverride, StageSignoff,
                                      SupervisedCall, TicketReview)

__all__ = ["AuditEntry", "AuthSession", "Cohort", "ModuleProgress", "ShadowingCall", "StageRequirementOverride",
           "StageSignoff", "SupervisedCall", "Team", "TeamLead", "TicketReview", "User", "UserRole"]
