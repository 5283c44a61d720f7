"""All tables, imported here so `SQLModel.metadata` is complete for Alembic."""
from portal.models.core import AuditEntry, AuthSession, Cohort, Team, TeamLead, User, UserRole
from portal.models.wellbeing import SupportResource, WellbeingAggregate, WellbeingParticipation, WellbeingResponse

__all__ = ["AuditEntry", "AuthSession", "Cohort", "Team", "TeamLead", "User", "UserRole",
           "SupportResource", "WellbeingAggregate", "WellbeingParticipation", "WellbeingResponse"]
