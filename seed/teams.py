"""Team history for the demo: everyone's current team written down as a dated stretch from their first
day on record (portal/teams/membership.py), after every area has added its records."""
from portal.teams.membership import record_current_teams
from seed.context import SeedContext


def load(ctx: SeedContext) -> None:
    if written := record_current_teams(ctx.session):  # loading twice writes nothing
        ctx.count("team_memberships", written)
