"""recognition and certificates: thanks, compliments, star nominations, the service star of the
month, badges, certificates with verification codes, recertification policies, re-reads and module versions seen.

Revision ID: 0013_recog
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013_recog'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('module_version_seen',
    sa.Column('module_id', sa.String(length=80), nullable=False),
    sa.Column('version', sa.String(length=12), nullable=False),
    sa.Column('first_seen_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('module_id', 'version')
    )
    op.create_table('recert_policy',
    sa.Column('module_id', sa.String(length=80), nullable=False),
    sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('due_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('module_id')
    )
    op.create_table('recert_reread',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=80), nullable=False),
    sa.Column('version', sa.String(length=12), nullable=False),
    sa.Column('previous_version', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('user_id', 'module_id', 'version')
    )
    op.create_table('certificate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('title_en', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('title_zh', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('achieved_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('source_key', sa.String(length=120), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('issued_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('reminded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code'),
    sa.UniqueConstraint('source_key')
    )
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_user_id'), ['user_id'], unique=False)

    op.create_table('recog_badge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('source_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('awarded_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'code', 'source_key')
    )
    with op.batch_alter_table('recog_badge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recog_badge_user_id'), ['user_id'], unique=False)

    op.create_table('recog_star_nomination',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('nominated_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('qa_percent', sa.Float(), nullable=True),
    sa.Column('exam_percent', sa.Float(), nullable=True),
    sa.Column('compliments', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['nominated_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('month', 'user_id', 'nominated_by_id')
    )
    with op.batch_alter_table('recog_star_nomination', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recog_star_nomination_user_id'), ['user_id'], unique=False)

    op.create_table('recog_thanks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_user_id', sa.Integer(), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('submission_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['from_user_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['to_user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recog_thanks', schema=None) as batch_op:
        batch_op.create_index('ix_recog_thanks_created', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_recog_thanks_from_user_id'), ['from_user_id'], unique=False)
        batch_op.create_index('ix_recog_thanks_submission', ['from_user_id', 'submission_key'], unique=True)
        batch_op.create_index(batch_op.f('ix_recog_thanks_to_user_id'), ['to_user_id'], unique=False)

    op.create_table('recog_compliment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('submission_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['qa_call.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recog_compliment', schema=None) as batch_op:
        batch_op.create_index('ix_recog_compliment_submission', ['recorded_by_id', 'submission_key'], unique=True)
        batch_op.create_index(batch_op.f('ix_recog_compliment_user_id'), ['user_id'], unique=False)

    op.create_table('recog_service_star',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('nomination_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'], ),
    sa.ForeignKeyConstraint(['nomination_id'], ['recog_star_nomination.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('month')
    )


def downgrade() -> None:
    op.drop_table('recog_service_star')
    with op.batch_alter_table('recog_compliment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recog_compliment_user_id'))
        batch_op.drop_index('ix_recog_compliment_submission')

    op.drop_table('recog_compliment')
    with op.batch_alter_table('recog_thanks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recog_thanks_to_user_id'))
        batch_op.drop_index('ix_recog_thanks_submission')
        batch_op.drop_index(batch_op.f('ix_recog_thanks_from_user_id'))
        batch_op.drop_index('ix_recog_thanks_created')

    op.drop_table('recog_thanks')
    with op.batch_alter_table('recog_star_nomination', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recog_star_nomination_user_id'))

    op.drop_table('recog_star_nomination')
    with op.batch_alter_table('recog_badge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recog_badge_user_id'))

    op.drop_table('recog_badge')
    with op.batch_alter_table('certificate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_user_id'))

    op.drop_table('certificate')
    op.drop_table('recert_reread')
    op.drop_table('recert_policy')
    op.drop_table('module_version_seen')
