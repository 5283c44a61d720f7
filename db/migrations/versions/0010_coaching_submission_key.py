"""coaching: submission_key on coaching_session, unique per author

The coaching form's idempotency key (portal/submissions.py): the same form sent
twice (a double click, a resubmit) finds the session the first one recorded.
Existing rows keep NULL, which never collides.

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('coaching_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.create_index('ix_coaching_session_submission', ['author_id', 'submission_key'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('coaching_session', schema=None) as batch_op:
        batch_op.drop_index('ix_coaching_session_submission')
        batch_op.drop_column('submission_key')
