"""The roles a person can hold, and the acting user as services see it."""
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    TRAINER = "trainer"
    MENTOR = "mentor"
    LEAD = "lead"
    NEWHIRE = "newhire"
    AGENT = "agent"
    QA = "qa"  # quality analyst (质检员)


ALL_ROLES = tuple(Role)
#: Who learns (sits exams, practises, is coached): the one definition of "learner".
LEARNERS = (Role.NEWHIRE, Role.AGENT)


@dataclass(frozen=True)
class Actor:
    """The signed-in user, as a plain object passed to every service."""

    id: int
    username: str
    display_name: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    team_id: int | None = None
    cohort_id: int | None = None
    language: str | None = None
    must_change_password: bool = False

    def has(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)


#: The command line and the seed loader: an explicit actor holding every role, never `None`.
#: It is no one in `user_account`, so its id is None (an audit entry by the system has no actor).
SYSTEM = Actor(id=None, username="system", display_name="system", roles=frozenset(Role))

