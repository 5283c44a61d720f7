"""Demo accounts, teams and the cohort (seed/demo/core.yaml)."""
import yaml
from sqlmodel import select

from portal import users
from portal.models import Cohort, Team, TeamLead, User, UserRole
from portal.roles import SYSTEM
from portal.security import hash_password
from seed.context import SeedContext


def load(ctx: SeedContext) -> None:
    data = yaml.safe_load((ctx.data_dir / "core.yaml").read_text(encoding="utf-8"))
    session = ctx.session
    for team in data["teams"]:
        if session.exec(select(Team.id).where(Team.name == team["name"])).first() is None:
            users.create_team(session, SYSTEM, team["name"])
            ctx.count("teams")
    for cohort in data["cohorts"]:
        if session.exec(select(Cohort.id).where(Cohort.name == cohort["name"])).first() is None:
            users.create_cohort(session, SYSTEM, cohort["name"], ctx.day(cohort["start_offset_days"]))
            ctx.count("cohorts")
    password_hash = None
    for spec in data["users"]:
        if session.exec(select(User.id).where(User.username == spec["username"])).first() is not None:
            continue
        password_hash = password_hash or hash_password(data["password"])  # one bcrypt run for all demo users
        _add_user(ctx, spec, password_hash)
    for team in data["teams"]:
        team_id = ctx.team(team["name"]).id
        for username in team.get("leads", []):
            lead_id = ctx.user(username).id
            if session.get(TeamLead, (team_id, lead_id)) is None:
                session.add(TeamLead(team_id=team_id, user_id=lead_id))


def _add_user(ctx: SeedContext, spec: dict, password_hash: str) -> None:
    user = User(username=spec["username"], display_name=spec["name"], password_hash=password_hash,
                employee_number=spec.get("employee_number"),
                team_id=ctx.team(spec["team"]).id if spec.get("team") else None,
                cohort_id=ctx.cohort(spec["cohort"]).id if spec.get("cohort") else None,
                mentor_id=ctx.user(spec["mentor"]).id if spec.get("mentor") else None)
    ctx.session.add(user)
    ctx.session.flush()
    for role in spec["roles"]:
        ctx.session.add(UserRole(user_id=user.id, role=role))
    ctx.session.flush()
    ctx.count("users")
