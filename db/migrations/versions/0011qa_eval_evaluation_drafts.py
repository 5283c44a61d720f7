"""qa evaluations: a draft column (what the analyst marked so far, kept across reloads) and one
evaluation per analyst and call outside calibration (opening a call again finds the same draft)

Revision ID: 0011qa_eval
Revises: 0011qa
"""
from alembic import op
import sqlalchemy as sa


revision = '0011qa_eval'
down_revision = '0011qa'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('qa_evaluation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index('ix_qa_evaluation_evaluator_call', ['evaluator_id', 'call_id'], unique=True,
                              sqlite_where=sa.text('calibration_id IS NULL'),
                              postgresql_where=sa.text('calibration_id IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('qa_evaluation', schema=None) as batch_op:
        batch_op.drop_index('ix_qa_evaluation_evaluator_call')
        batch_op.drop_column('draft')
