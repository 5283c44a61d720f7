"""Who may do what, over whom: one table that the menu and the services both read.

Each named action (`area:verb`) maps the roles that may take it to the **scope** of people
they may take it over:

- `own`: the person's own records;
- `mentees`: the new hires whose mentor they are;
- `teams_led`: the members of the teams they lead;
- `everyone`: anyone in the center (also used for actions about no one person,
  such as writing a question).

A role's cell is one scope, or a frozenset of them where a role reaches two kinds of people
(a lead opens their own profile and their team members'). A person holding several roles gets
the union. `ensure(session, actor, action,
subject_id)` raises PermissionDenied unless the action is allowed over that
person; `people_query(session, actor, action)` is the SQL set of user ids it is
allowed over, for lists. Nothing is ever skipped by passing `None`: the command
line and the seed loader act as `SYSTEM`, an explicit actor holding every role.

A service names its action with `@permission("area:verb")`: the decorator records it on the
function (`permission_action`, which `tests/test_permission_coverage.py` reads) and refuses at
once when the actor may take the action over no one; the body then checks the person with
`ensure(..., subject_id)` or narrows a list with `people_query`.

The menu (`portal/ui/navigation.py`) shows a page when its action is allowed in
any scope, so a menu and the service behind it cannot disagree.
"""
import functools
import inspect
from enum import StrEnum

from sqlalchemy import false, or_, select, true
from sqlmodel import Session

from portal.errors import PermissionDenied
from portal.models import User
from portal.roles import ALL_ROLES, LEARNERS, SYSTEM, Actor, Role  # noqa: F401  (SYSTEM is part of this module's API)


class Scope(StrEnum):
    OWN = "own"
    MENTEES = "mentees"
    TEAMS_LED = "teams_led"
    EVERYONE = "everyone"


A, T, M, L, N, G, Q = Role.ADMIN, Role.TRAINER, Role.MENTOR, Role.LEAD, Role.NEWHIRE, Role.AGENT, Role.QA
OWN, MENTEES, TEAMS_LED, EVERYONE = Scope.OWN, Scope.MENTEES, Scope.TEAMS_LED, Scope.EVERYONE
LEARNING = {role: OWN for role in LEARNERS}
OWN_AND_MENTEES, OWN_AND_TEAMS_LED = frozenset({OWN, MENTEES}), frozenset({OWN, TEAMS_LED})

#: action -> {role: scope or scopes}. The one place a permission is written down.
PERMISSIONS: dict[str, dict[Role, Scope | frozenset[Scope]]] = {
    # every signed-in person
    "home:view": {r: OWN for r in ALL_ROLES},
    "account:manage_own": {r: OWN for r in ALL_ROLES},
    "notifications:read_own": {r: OWN for r in ALL_ROLES},
    "wellbeing:check_in": {r: OWN for r in ALL_ROLES},
    "wellbeing:resources_read": {r: OWN for r in ALL_ROLES},
    # learners
    "onboarding:follow_own": {N: OWN},
    "onboarding:log_calls": {N: OWN},
    "quizzes:practice": LEARNING,
    "exams:sit": LEARNING,
    "exams:attempt_read": {**LEARNING, T: EVERYONE},
    "coaching:read_own": LEARNING,
    # reading a person's results and journey
    "exams:results_read": {**LEARNING, M: MENTEES, L: TEAMS_LED, T: EVERYONE, A: EVERYONE},
    "onboarding:view": {N: OWN, M: MENTEES, L: TEAMS_LED, T: EVERYONE, A: EVERYONE},
    "onboarding:review_tickets": {M: MENTEES, T: EVERYONE},
    "onboarding:board": {L: TEAMS_LED, T: EVERYONE},
    "onboarding:mentees": {M: MENTEES},
    # lists of journeys (the board's and the mentees' services); the board page itself is onboarding:board
    "onboarding:journeys": {M: MENTEES, L: TEAMS_LED, T: EVERYONE, A: EVERYONE},
    "onboarding:sign_off": {M: MENTEES, T: EVERYONE},
    "onboarding:requirements_read": {T: EVERYONE, A: EVERYONE},
    "coaching:write": {M: MENTEES, L: TEAMS_LED, T: EVERYONE},
    "coaching:read": {**LEARNING, M: MENTEES, L: TEAMS_LED, T: EVERYONE, A: EVERYONE},
    "coaching:list": {M: MENTEES, L: TEAMS_LED, T: EVERYONE, A: EVERYONE},  # sessions held with others
    # a person's learning record (issue #20): each reader already reaches every part of it through
    # onboarding:view, exams:results_read and coaching:read; QA is added only where qa:evaluations_read allows.
    # One scope per role: a mentor or lead reads their own record through a learner role (agent, new hire).
    "record:read": {**LEARNING, Q: OWN, M: MENTEES, L: TEAMS_LED, T: EVERYONE, A: EVERYONE},
    # a session's private notes and its edits: its author, and the leads of the team it was held in
    "coaching:private_notes": {L: TEAMS_LED},
    "analytics:team_dashboard": {L: TEAMS_LED, T: EVERYONE, A: EVERYONE},
    "wellbeing:aggregates_read": {L: TEAMS_LED, A: EVERYONE},
    "wellbeing:resources_manage": {A: EVERYONE},
    # authoring
    "courses:author": {T: EVERYONE},
    "questions:author": {T: EVERYONE},
    # the bank's services: admins too, for imports and exports (the page is the trainers')
    "questions:bank": {T: EVERYONE, A: EVERYONE},
    # a question's images: the bank's people, and learners for the versions served to them
    "questions:images": {**LEARNING, T: EVERYONE, A: EVERYONE},
    "exams:author": {T: EVERYONE},
    "exams:mark": {T: EVERYONE},
    "exams:item_analysis": {T: EVERYONE},
    # administration
    "users:manage": {A: EVERYONE},
    "teams:manage": {A: EVERYONE},
    "cohorts:list": {A: EVERYONE, T: EVERYONE, L: EVERYONE},
    "users:import": {A: EVERYONE},
    "coaching:settings": {A: EVERYONE},
    "audit:read": {A: EVERYONE},
    "settings:read": {A: EVERYONE},  # the retention, anonymity and e-mail settings in force (read-only)
    # quality assurance (qa: the quality analyst; leads and trainers evaluate when also given the qa role)
    "qa:calls_manage": {Q: EVERYONE, A: EVERYONE},  # import and enter calls
    "qa:sample": {Q: EVERYONE},  # monthly sampling plans and draws
    "qa:scorecards_author": {Q: EVERYONE, T: EVERYONE},
    "qa:evaluate": {Q: EVERYONE},  # score a call of anyone (the queue)
    "qa:evaluations_read": {G: OWN, N: OWN, L: TEAMS_LED, Q: EVERYONE, T: EVERYONE, A: EVERYONE},
    "qa:acknowledge": {G: OWN, N: OWN},  # acknowledge and dispute one's own evaluations
    "qa:disputes_resolve": {L: TEAMS_LED, Q: EVERYONE},  # never the original evaluator (checked by the service)
    "qa:calibrate": {Q: EVERYONE, L: EVERYONE, T: EVERYONE},  # facilitate or take part in calibration
    "qa:dashboard": {L: TEAMS_LED, Q: EVERYONE, T: EVERYONE, A: EVERYONE},
    "qa:focus_publish": {Q: EVERYONE, T: EVERYONE},
    # recognition: thanks go to anyone and the wall is the whole center's; a lead sees counts per team only
    "recognition:thank": {r: EVERYONE for r in ALL_ROLES},
    "recognition:wall": {r: EVERYONE for r in ALL_ROLES},
    "recognition:team_counts": {L: TEAMS_LED, A: EVERYONE},
    "recognition:compliment": {L: TEAMS_LED, Q: EVERYONE, A: EVERYONE},  # record a customer's compliment
    "recognition:nominate": {L: TEAMS_LED},  # put a member forward as service star of the month
    "recognition:confirm_star": {A: EVERYONE},
    # badges and certificates: one's own, a mentee's or a team member's (the certificates only where download allows)
    "recognition:profile": {**{r: OWN for r in ALL_ROLES}, M: OWN_AND_MENTEES, L: OWN_AND_TEAMS_LED, A: EVERYONE},
    # certificates: one's own to download; an admin looks a verification code up
    "certificates:download": {**{r: OWN for r in ALL_ROLES}, A: EVERYONE},
    "certificates:verify": {A: EVERYONE},
    "certificates:recert_read": {L: TEAMS_LED, T: EVERYONE, A: EVERYONE},  # who must read a changed module again
    "certificates:recert_policy": {T: EVERYONE},  # per module: required or optional, and the days given
    "certificates:recert_own": LEARNING,  # read a changed module again
    # contests (portal/contests): trainers organise; the learners of a team taking part take part; judges are the
    # people an organiser names (the service checks the name); a board is read by its contestants (their own
    # position), the leads of the teams taking part and the organisers
    "contests:organise": {T: EVERYONE},  # set up, correct or delete a draft, start, close: any trainer, any contest
    "contests:take_part": LEARNING,
    "contests:board": {**LEARNING, L: TEAMS_LED, T: EVERYONE, A: EVERYONE},
    "contests:team_board": {L: TEAMS_LED},
    "contests:judge": {T: EVERYONE, L: EVERYONE, Q: EVERYONE, M: EVERYONE, A: EVERYONE},
}



def scopes(actor: Actor, action: str) -> set[Scope]:
    """The scopes `actor` holds for `action` through any of their roles (empty: not allowed)."""
    try:
        rule = PERMISSIONS[action]
    except KeyError:
        raise KeyError(f"no permission named {action!r} in portal.permissions.PERMISSIONS") from None
    return {scope for role in actor.roles if role in rule for scope in cell_scopes(rule[role])}


def cell_scopes(cell: Scope | frozenset[Scope]) -> frozenset[Scope]:
    """The scopes written in one cell of the table (one scope, or a set of them)."""
    return frozenset({cell}) if isinstance(cell, Scope) else cell


def roles_allowed(action: str) -> frozenset[Role]:
    """The roles that may take `action` over someone."""
    scopes(SYSTEM, action)  # an unknown action is an error, not an empty set
    return frozenset(PERMISSIONS[action])


def allowed_at_all(actor: Actor, action: str) -> bool:
    """May `actor` take `action` over anyone (what a menu asks)?"""
    return bool(scopes(actor, action))


def refuse_unless_allowed_at_all(actor: Actor, action: str) -> None:
    """Raise PermissionDenied, naming the roles that would do, unless `actor` may take `action` over someone."""
    if not allowed_at_all(actor, action):
        raise PermissionDenied("error.permission_denied_roles",
                               roles=", ".join(sorted(str(role) for role in roles_allowed(action))))


def permission(action: str, *, subject: str | None = None, never_own: str | None = None):
    """Declare the action a service takes; refuse before its body runs when no role allows it.

    The decorated function has parameters named `session` and `actor`. With `subject`, the name of
    the parameter holding the person acted on (a user id), the decorator also checks the scope over
    that person; otherwise the body calls `ensure` once it knows whose record it touches.
    `never_own`, an error key, refuses first (with that reason) anyone acting on their own record:
    nobody signs off their own stage, whatever their roles.
    """
    roles_allowed(action)  # a misspelt action fails at import, not at the first call

    def decorate(fn):
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def checked(*args, **kwargs):
            arguments = signature.bind_partial(*args, **kwargs).arguments
            actor = arguments["actor"]
            if never_own is not None and arguments.get(subject) == actor.id:
                raise PermissionDenied(never_own)
            refuse_unless_allowed_at_all(actor, action)
            if subject is not None:
                ensure(arguments["session"], actor, action, arguments.get(subject))
            return fn(*args, **kwargs)

        checked.permission_action = action
        return checked

    return decorate


def answers(action: str):
    """Declare the action a predicate asks about (`may I ...?`): it answers from the table
    (False, an empty list) instead of refusing, so it is not checked on the way in."""
    roles_allowed(action)

    def decorate(fn):
        fn.permission_action = action
        return fn

    return decorate


def _teams_led(session: Session, actor: Actor) -> list[int]:
    from portal.users import teams_led_by

    return teams_led_by(session, actor.id)


_SUBJECTS_TEAM = object()


def may(session: Session, actor: Actor, action: str, subject_id: int | None = None, *,
        record_team: int | None = _SUBJECTS_TEAM) -> bool:
    """May `actor` take `action` over the person `subject_id` (None: an action about no one person)?

    A record that keeps the team it was made in (a coaching session) passes `record_team`: the
    `teams_led` scope then reads that team, not the team the person is in today.
    """
    held = scopes(actor, action)
    if Scope.EVERYONE in held:
        return True
    if subject_id is None:
        return bool(held)
    if Scope.OWN in held and subject_id == actor.id:
        return True
    if not held - {Scope.OWN}:
        return False
    subject = session.get(User, subject_id)
    if subject is None:
        return False
    team_id = subject.team_id if record_team is _SUBJECTS_TEAM else record_team
    return may_over(session, actor, action, subject_id, mentor_id=subject.mentor_id, team_id=team_id)


def may_over(session: Session | None, actor: Actor, action: str, subject_id: int, *,
             mentor_id: int | None, team_id: int | None) -> bool:
    """`may` when the caller already holds the person's mentor and team (a journey, a board row).
    `session` is only read for the teams the actor leads; None will do for an action that reaches none."""
    held = scopes(actor, action)
    if Scope.EVERYONE in held or (Scope.OWN in held and subject_id == actor.id):
        return True
    if Scope.MENTEES in held and mentor_id is not None and mentor_id == actor.id:
        return True
    return Scope.TEAMS_LED in held and team_id is not None and team_id in _teams_led(session, actor)


def over_everyone(actor: Actor, action: str) -> bool:
    """Does `actor` hold `action` over the whole center (no list to narrow)?"""
    return Scope.EVERYONE in scopes(actor, action)


def teams_within(session: Session, actor: Actor, action: str) -> list[int] | None:
    """The teams `actor` may take `action` over as a whole: None for every team, else the ids
    (those they lead, if the action reaches the teams they lead; own or mentees reach no team)."""
    held = scopes(actor, action)
    if Scope.EVERYONE in held:
        return None
    return _teams_led(session, actor) if Scope.TEAMS_LED in held else []


def may_over_team(session: Session, actor: Actor, action: str, team_id: int | None) -> bool:
    """May `actor` take `action` over the team `team_id` as a whole (a dashboard, an aggregate)?"""
    teams = teams_within(session, actor, action)
    return teams is None or (team_id is not None and team_id in teams)


def ensure(session: Session, actor: Actor, action: str, subject_id: int | None = None) -> None:
    """Raise PermissionDenied unless `may(...)`."""
    if not may(session, actor, action, subject_id):
        raise PermissionDenied()


def people_filter(session: Session, actor: Actor, action: str):
    """A SQL condition on `User` that holds for exactly the people `actor` may take `action` over."""
    held = scopes(actor, action)
    if Scope.EVERYONE in held:
        return true()
    conditions = []
    if Scope.OWN in held and actor.id is not None:  # SYSTEM is no one: `== None` would be IS NULL
        conditions.append(User.id == actor.id)
    if Scope.MENTEES in held and actor.id is not None:
        conditions.append(User.mentor_id == actor.id)
    if Scope.TEAMS_LED in held:
        conditions.append(User.team_id.in_(_teams_led(session, actor)))
    return or_(*conditions) if conditions else false()


def people_query(session: Session, actor: Actor, action: str):
    """The ids of the people `actor` may take `action` over, as a subquery for `IN (...)`."""
    return select(User.id).where(people_filter(session, actor, action))


def people_condition(session: Session, actor: Actor, action: str, person_column):
    """`person_column` (a user id on another table) limited to the people `actor` may take `action` over.

    For a holder over everyone there is no condition at all: `IN (every user)` filters nothing, and it
    sent SQLite the long way round (every QA evaluation walked by agent for a few disputes, 741 ms at 5x).
    """
    if over_everyone(actor, action):
        return true()
    return person_column.in_(people_query(session, actor, action))


# --- the table for people to read --------------------------------------------------------

SCOPE_WORDS = {Scope.OWN: "own", Scope.MENTEES: "mentees", Scope.TEAMS_LED: "teams led", Scope.EVERYONE: "everyone"}
DOCS_PATH = "docs/permissions.md"


def markdown() -> str:
    """`docs/permissions.md`: the role × action matrix, the scope in each cell (tests check it is current)."""
    roles = list(ALL_ROLES)
    lines = [
        "# Permissions",
        "",
        "Generated from `PERMISSIONS` in `portal/permissions.py` by `python -m portal.permissions --markdown`;",
        "do not edit by hand (`tests/test_permission_docs.py` fails when this file and the table differ).",
        "",
        "Each cell says over whom a role may take the action: **own** (the person's own records),",
        "**mentees** (the new hires they mentor), **teams led** (members of the teams they lead),",
        "**everyone** (anyone in the center, or an action about no one person); — is refused.",
        "Someone holding several roles gets the union. The command line and the seed loader act as",
        "`SYSTEM`, which holds every role.",
        "",
        "| Action | " + " | ".join(str(role) for role in roles) + " |",
        "|---|" + "---|" * len(roles),
    ]
    for action, rule in PERMISSIONS.items():
        cells = [_cell_words(rule[role]) if role in rule else "—" for role in roles]
        lines.append(f"| `{action}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cell_words(cell: Scope | frozenset[Scope]) -> str:
    held = cell_scopes(cell)
    return ", ".join(SCOPE_WORDS[scope] for scope in Scope if scope in held)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--markdown"]:
        sys.exit("usage: python -m portal.permissions --markdown  (prints docs/permissions.md)")
    sys.stdout.write(markdown())
