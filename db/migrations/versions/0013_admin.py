"""team and cohort: archived_at (issue 18): an archived team or cohort stays in history and
reports but is hidden from the pickers.

Revision ID: 0013_admin
Revises: 0013_teamhist
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013_admin'
down_revision = '0013_teamhist'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not a batch: SQLite adds and drops a column in place, where a batch would copy
# these tables that so many others point at (and trip their foreign keys).
def upgrade() -> None:
    for table in ('team', 'cohort'):
        op.add_column(table, sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    for table in ('team', 'cohort'):
        op.drop_column(table, 'archived_at')
