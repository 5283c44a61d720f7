"""quality assurance: calls, monthly samples, versioned scorecards, evaluations with
revisions, disputes, calibration sessions and the monthly quality focus
(portal/models/qa.py says how they fit together).

Revision ID: 0011qa
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011qa'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('qa_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=80), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('duration_seconds', sa.Integer(), nullable=False),
    sa.Column('queue', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('direction', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('satisfaction', sa.Float(), nullable=True),
    sa.Column('complaint', sa.Boolean(), nullable=False),
    sa.Column('recording_url', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('ticket_ref', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('external_id')
    )
    with op.batch_alter_table('qa_call', schema=None) as batch_op:
        batch_op.create_index('ix_qa_call_agent_started', ['agent_id', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_call_started_at'), ['started_at'], unique=False)

    op.create_table('qa_focus_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('title_en', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('title_zh', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('scorecard_item_ids', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('module_codes', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('quiz_tags', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('published_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('qa_focus_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_focus_item_month'), ['month'], unique=False)

    op.create_table('qa_sample_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('per_agent', sa.Integer(), nullable=False),
    sa.Column('extra_new_graduates', sa.Integer(), nullable=False),
    sa.Column('extra_low_satisfaction', sa.Integer(), nullable=False),
    sa.Column('low_satisfaction_below', sa.Float(), nullable=True),
    sa.Column('extra_complaints', sa.Integer(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=True),
    sa.Column('drawn_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('drawn_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['drawn_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('team_id', 'month')
    )
    with op.batch_alter_table('qa_sample_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_sample_plan_team_id'), ['team_id'], unique=False)

    op.create_table('qa_scorecard',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=80), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('qa_sample',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['qa_call.id'], ),
    sa.ForeignKeyConstraint(['plan_id'], ['qa_sample_plan.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('plan_id', 'call_id')
    )
    with op.batch_alter_table('qa_sample', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_sample_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_sample_plan_id'), ['plan_id'], unique=False)

    op.create_table('qa_scorecard_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('spec', sa.Text(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['scorecard_id'], ['qa_scorecard.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('scorecard_id', 'version')
    )
    with op.batch_alter_table('qa_scorecard_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_scorecard_version_scorecard_id'), ['scorecard_id'], unique=False)

    op.create_table('qa_calibration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('facilitator_id', sa.Integer(), nullable=False),
    sa.Column('scorecard_version_id', sa.Integer(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('revealed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('submission_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['facilitator_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['scorecard_version_id'], ['qa_scorecard_version.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('qa_calibration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_calibration_facilitator_id'), ['facilitator_id'], unique=False)

    op.create_table('qa_calibration_call',
    sa.Column('calibration_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['calibration_id'], ['qa_calibration.id'], ),
    sa.ForeignKeyConstraint(['call_id'], ['qa_call.id'], ),
    sa.PrimaryKeyConstraint('calibration_id', 'call_id')
    )
    op.create_table('qa_calibration_participant',
    sa.Column('calibration_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['calibration_id'], ['qa_calibration.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('calibration_id', 'user_id')
    )
    with op.batch_alter_table('qa_calibration_participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_calibration_participant_user_id'), ['user_id'], unique=False)

    op.create_table('qa_evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=False),
    sa.Column('scorecard_version_id', sa.Integer(), nullable=False),
    sa.Column('calibration_id', sa.Integer(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Float(), nullable=True),
    sa.Column('failed_by_critical', sa.Boolean(), nullable=False),
    sa.Column('critical_missed', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('seconds_spent', sa.Integer(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('submitted_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('acknowledged_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('submission_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['agent_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['calibration_id'], ['qa_calibration.id'], ),
    sa.ForeignKeyConstraint(['call_id'], ['qa_call.id'], ),
    sa.ForeignKeyConstraint(['evaluator_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['scorecard_version_id'], ['qa_scorecard_version.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('qa_evaluation', schema=None) as batch_op:
        batch_op.create_index('ix_qa_evaluation_agent_submitted', ['agent_id', 'submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_evaluation_calibration_id'), ['calibration_id'], unique=False)
        batch_op.create_index('ix_qa_evaluation_call', ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_evaluation_evaluator_id'), ['evaluator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_evaluation_scorecard_version_id'), ['scorecard_version_id'], unique=False)
        batch_op.create_index('ix_qa_evaluation_submission', ['evaluator_id', 'submission_key'], unique=True)

    op.create_table('qa_dispute',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('raised_by', sa.Integer(), nullable=False),
    sa.Column('raised_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('submission_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['evaluation_id'], ['qa_evaluation.id'], ),
    sa.ForeignKeyConstraint(['raised_by'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('evaluation_id', 'round')
    )
    with op.batch_alter_table('qa_dispute', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_dispute_evaluation_id'), ['evaluation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_dispute_status'), ['status'], unique=False)

    op.create_table('qa_item_score',
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('item_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('points', sa.Float(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['qa_evaluation.id'], ),
    sa.PrimaryKeyConstraint('evaluation_id', 'revision', 'item_id')
    )
    op.create_table('qa_dispute_item',
    sa.Column('dispute_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('new_points', sa.Float(), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['dispute_id'], ['qa_dispute.id'], ),
    sa.PrimaryKeyConstraint('dispute_id', 'item_id')
    )



def downgrade() -> None:
    
    op.drop_table('qa_dispute_item')
    op.drop_table('qa_item_score')
    with op.batch_alter_table('qa_dispute', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_dispute_status'))
        batch_op.drop_index(batch_op.f('ix_qa_dispute_evaluation_id'))

    op.drop_table('qa_dispute')
    with op.batch_alter_table('qa_evaluation', schema=None) as batch_op:
        batch_op.drop_index('ix_qa_evaluation_submission')
        batch_op.drop_index(batch_op.f('ix_qa_evaluation_scorecard_version_id'))
        batch_op.drop_index(batch_op.f('ix_qa_evaluation_evaluator_id'))
        batch_op.drop_index('ix_qa_evaluation_call')
        batch_op.drop_index(batch_op.f('ix_qa_evaluation_calibration_id'))
        batch_op.drop_index('ix_qa_evaluation_agent_submitted')

    op.drop_table('qa_evaluation')
    with op.batch_alter_table('qa_calibration_participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_calibration_participant_user_id'))

    op.drop_table('qa_calibration_participant')
    op.drop_table('qa_calibration_call')
    with op.batch_alter_table('qa_calibration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_calibration_facilitator_id'))

    op.drop_table('qa_calibration')
    with op.batch_alter_table('qa_scorecard_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_scorecard_version_scorecard_id'))

    op.drop_table('qa_scorecard_version')
    with op.batch_alter_table('qa_sample', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_sample_plan_id'))
        batch_op.drop_index(batch_op.f('ix_qa_sample_call_id'))

    op.drop_table('qa_sample')
    op.drop_table('qa_scorecard')
    with op.batch_alter_table('qa_sample_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_sample_plan_team_id'))

    op.drop_table('qa_sample_plan')
    with op.batch_alter_table('qa_focus_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_focus_item_month'))

    op.drop_table('qa_focus_item')
    with op.batch_alter_table('qa_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qa_call_started_at'))
        batch_op.drop_index('ix_qa_call_agent_started')

    op.drop_table('qa_call')

