"""attempt: indexes for the center-wide lookups by state (issue 15)

- `ix_attempt_status_deadline` (status, deadline_at): `attempts.finalise_expired`
  and `has_expired` without a person or exam (the marking queue runs them on
  every view) read only the in-progress attempts past their deadline instead
  of scanning every attempt.
- `ix_attempt_status_submitted` (status, submitted_at): the marking queue's
  needs-marking attempts, oldest first, read in index order.

tests/test_query_plans.py checks both plans on SQLite and PostgreSQL.

Revision ID: 0009
Revises: 0008w
"""
from alembic import op


revision = '0009'
down_revision = '0008w'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index('ix_attempt_status_deadline', ['status', 'deadline_at'], unique=False)
        batch_op.create_index('ix_attempt_status_submitted', ['status', 'submitted_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_status_submitted')
        batch_op.drop_index('ix_attempt_status_deadline')
