"""All tables, imported here so `SQLModel.metadata` is complete for Alembic."""
from portal.models.coaching import (ActionItem, CoachingLink, CoachingRevision, CoachingSession,
                                    CoachingSetting, CoachingTemplate)
from portal.models.contests import (Contest, ContestJudge, ContestMark, ContestMember, ContestRound,
                                      ContestScenario, ContestTeam)
from portal.models.core import (AuditEntry, AuthSession, Cohort, CookieTicket, LoginThrottle, PasswordResetToken, SignInSetting, Team, TeamLead, TrustedDevice, User,
                                UserRole)
from portal.models.onboarding import (ModuleProgress, ShadowingCall, StageRequirementOverride, StageSignoff,
                                      SupervisedCall, TicketReview)
from portal.models.notifications import Notification, NotificationPreference
from portal.models.qa import (QaCalibration, QaCalibrationCall, QaCalibrationParticipant, QaCall, QaDispute,
                               QaDisputeItem, QaEvaluation, QaFocusItem, QaItemScore, QaSample, QaSamplePlan,
                               QaScorecard, QaScorecardVersion)
from portal.models.recognition import (Badge, Certificate, Compliment, ModuleVersionSeen, RecertPolicy,
                                       RecertReread, ServiceStar, StarNomination, Thanks)
from portal.models.teams import TeamMembership
from portal.models.quizzes import (Attempt, AttemptAnswer, AttemptMarks, Exam, ExamCohort, ExamSlot, GradeOverride,
                                   Question, QuestionImage, QuestionTag, QuestionVersion, ReviewCard,
                                   Rubric)
from portal.models.wellbeing import (SupportResource, WellbeingAggregate, WellbeingDataVersion, WellbeingParticipation,
                                     WellbeingPublication, WellbeingResponse)

__all__ = ["AuditEntry", "AuthSession", "Cohort", "CookieTicket", "LoginThrottle", "PasswordResetToken", "SignInSetting", "Team", "TeamLead", "TeamMembership", "TrustedDevice", "User", "UserRole",
           "ModuleProgress", "ShadowingCall", "StageRequirementOverride", "StageSignoff", "SupervisedCall",
           "TicketReview",
           "Attempt", "AttemptAnswer", "AttemptMarks", "Exam", "ExamCohort", "ExamSlot", "GradeOverride", "Question", "QuestionImage",
           "QuestionTag", "QuestionVersion", "ReviewCard", "Rubric",
           "SupportResource", "WellbeingAggregate", "WellbeingDataVersion", "WellbeingParticipation",
           "WellbeingPublication", "WellbeingResponse",
           "QaCalibration", "QaCalibrationCall", "QaCalibrationParticipant", "QaCall", "QaDispute", "QaDisputeItem",
           "QaEvaluation", "QaFocusItem", "QaItemScore", "QaSample", "QaSamplePlan", "QaScorecard", "QaScorecardVersion",
           "Notification", "NotificationPreference",
           "Contest", "ContestJudge", "ContestMark", "ContestMember", "ContestRound", "ContestScenario",
           "ContestTeam",
           "Badge", "Certificate", "Compliment", "ModuleVersionSeen", "RecertPolicy", "RecertReread", "ServiceStar",
           "StarNomination", "Thanks",
           "ActionItem", "CoachingLink", "CoachingRevision", "CoachingSession", "CoachingSetting", "CoachingTemplate"]
