"""notifications: the in-app inbox (one row per message, deduplicated per person) and e-mail
preferences (address, none / digest / immediate, the weekly wellbeing reminder opt-in).

Revision ID: 0011n
Revises: 0011qa
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011n'
down_revision = '0011qa'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('page', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('query', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('emailed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_unsent', ['emailed_at', 'user_id'], unique=False)
        batch_op.create_index('ix_notification_user_dedupe', ['user_id', 'dedupe_key'], unique=True)
        batch_op.create_index('ix_notification_user_read', ['user_id', 'read_at'], unique=False)

    op.create_table('notification_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('mode', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('wellbeing_reminder', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('user_id')
    )



def downgrade() -> None:
    
    op.drop_table('notification_preference')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_read')
        batch_op.drop_index('ix_notification_user_dedupe')
        batch_op.drop_index('ix_notification_unsent')

    op.drop_table('notification')

