"""team membership: dated history of who was in which team (portal/teams/membership.py).

Back-fill: one open row per person with a team. Until now nobody's team had a date, so every past
result counted for the current team; the row starts at the earliest day the person has anything on
record (account created, an exam started, a coaching session, a QA call, a stage sign-off), in the
center's calendar, so no team figure changes by upgrading.

Revision ID: 0013_teamhist
Revises: 0012
"""
from datetime import date, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

from portal.clock import local_date, local_today, utcnow

revision = '0013_teamhist'
down_revision = '0012'
branch_labels = None
depends_on = None

#: (table, person column, dated column, whether the column is a stored UTC time rather than a day)
DATED_RECORDS = (("user_account", "id", "created_at", True), ("attempt", "user_id", "started_at", True),
                 ("coaching_session", "agent_id", "held_on", False), ("qa_call", "agent_id", "started_at", True),
                 ("stage_signoff", "user_id", "signed_at", True))


def upgrade() -> None:
    op.create_table('team_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('team_membership', schema=None) as batch_op:
        batch_op.create_index('ix_team_membership_team_user_start', ['team_id', 'user_id', 'start_date'],
                              unique=False)
        batch_op.create_index('ix_team_membership_user_start', ['user_id', 'start_date'], unique=False)
    _backfill(op.get_bind())


def _first_days(connection) -> dict[int, date]:
    """Each person's earliest day on record, over every dated record kind."""
    first: dict[int, date] = {}
    for table, person, column, is_time in DATED_RECORDS:
        rows = connection.execute(sa.text(f"SELECT {person}, MIN({column}) FROM {table} "
                                          f"WHERE {person} IS NOT NULL GROUP BY {person}")).all()
        for user_id, earliest in rows:
            if earliest is None:
                continue
            day = _day(earliest, is_time)
            first[user_id] = min(day, first.get(user_id, day))
    return first


def _day(value, is_time: bool) -> date:
    if isinstance(value, str):  # SQLite hands back text
        value = datetime.fromisoformat(value) if is_time else date.fromisoformat(value[:10])
    if is_time:
        return local_date(value)
    return value if not isinstance(value, datetime) else value.date()


def _backfill(connection) -> None:
    people = connection.execute(sa.text("SELECT id, team_id FROM user_account WHERE team_id IS NOT NULL")).all()
    if not people:
        return
    first = _first_days(connection)
    membership = sa.table('team_membership', sa.column('user_id', sa.Integer), sa.column('team_id', sa.Integer),
                          sa.column('start_date', sa.Date), sa.column('end_date', sa.Date),
                          sa.column('created_at', sqlmodel.sql.sqltypes.UTCDateTime()))
    now, today = utcnow(), local_today()
    connection.execute(membership.insert(), [
        {"user_id": user_id, "team_id": team_id, "start_date": first.get(user_id, today), "end_date": None,
         "created_at": now} for user_id, team_id in people])


def downgrade() -> None:
    with op.batch_alter_table('team_membership', schema=None) as batch_op:
        batch_op.drop_index('ix_team_membership_user_start')
        batch_op.drop_index('ix_team_membership_team_user_start')
    op.drop_table('team_membership')
