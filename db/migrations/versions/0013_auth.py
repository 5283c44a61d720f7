"""auth: password_reset_token, the single-use links of self-service password reset (portal/password_reset.py);
sign_in_setting, what an administrator decides about signing in (single sign-on accounts, portal/sso.py)

Only a SHA-256 of each token is stored; a link is good for 30 minutes and once.

Revision ID: 0013_auth
Revises: 0013_employee_number
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013_auth'
down_revision = '0013_employee_number'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('password_reset_token',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    op.create_index(op.f('ix_password_reset_token_user_id'), 'password_reset_token', ['user_id'], unique=False)
    op.create_table('sign_in_setting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sso_create_accounts', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('id')
    )


def downgrade() -> None:
    op.drop_table('sign_in_setting')
    op.drop_index(op.f('ix_password_reset_token_user_id'), table_name='password_reset_token')
    op.drop_table('password_reset_token')
