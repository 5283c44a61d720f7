"""onboarding: submission_key on shadowing_call and supervised_call, unique per new hire

The logging forms' idempotency key (portal/submissions.py): the same form
sent twice (a double click, a resubmit) finds the record the first one made.
Existing rows keep NULL, which never collides.

Revision ID: 0008b
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008b'
down_revision = '0008'
branch_labels = None
depends_on = None

TABLES = ('shadowing_call', 'supervised_call')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('submission_key', sqlmodel.sql.sqltypes.AutoString(length=64),
                                          nullable=True))
            batch_op.create_index(f'ix_{table}_submission', ['user_id', 'submission_key'], unique=True)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f'ix_{table}_submission')
            batch_op.drop_column('submission_key')
