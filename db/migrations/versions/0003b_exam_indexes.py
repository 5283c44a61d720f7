"""exams: pool exclusion tags; indexes for counted attempts and a covering index for marks matrices

Revision ID: 0003b
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0003b'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exam', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pool_exclude_tags', sqlmodel.sql.sqltypes.AutoString(length=500),
                                      nullable=False, server_default='[]'))
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.create_index('ix_attempt_exam_status', ['exam_id', 'status'], unique=False)
    with op.batch_alter_table('attempt_answer', schema=None) as batch_op:
        # covering: the marks matrix reads (attempt_id, slot, mark, max_mark) without touching the table
        batch_op.create_index('ix_attempt_answer_attempt', ['attempt_id', 'slot', 'mark', 'max_mark'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('attempt_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_answer_attempt')
    with op.batch_alter_table('attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_attempt_exam_status')
    with op.batch_alter_table('exam', schema=None) as batch_op:
        batch_op.drop_column('pool_exclude_tags')
