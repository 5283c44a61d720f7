"""auth: login_throttle and trusted_device (slowing password guessing without locking the owner out); cookie_ticket (HttpOnly cookies)

Failed sign-ins are counted per attempted name (hashed, known or not) in
`login_throttle` instead of on the account, and a browser someone signed in
from before is remembered in `trusted_device`. See portal/throttle.py. The
old `user_account.failed_logins` / `locked_until` columns are no longer read;
they stay for now so that a downgrade loses nothing. `cookie_ticket` holds
one-use passes that the browser trades for its HttpOnly sign-in cookie
(portal/ui/web.py): the cookie holds a second token of the same login session
(`auth_session.cookie_token_hash`), so signing out ends both.

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_throttle',
    sa.Column('name_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('last_failure_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('name_hash')
    )
    op.create_table('trusted_device',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('last_used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], ),
    sa.PrimaryKeyConstraint('token_hash')
    )
    with op.batch_alter_table('trusted_device', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trusted_device_user_id'), ['user_id'], unique=False)
    op.create_table('cookie_ticket',
    sa.Column('ticket_hash', sa.String(length=64), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('trust_device', sa.Boolean(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['auth_session.id'], ),
    sa.PrimaryKeyConstraint('ticket_hash')
    )
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cookie_token_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_auth_session_cookie_token_hash', ['cookie_token_hash'])


def downgrade() -> None:
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_constraint('uq_auth_session_cookie_token_hash', type_='unique')
        batch_op.drop_column('cookie_token_hash')
    op.drop_table('cookie_ticket')
    with op.batch_alter_table('trusted_device', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trusted_device_user_id'))
    op.drop_table('trusted_device')
    op.drop_table('login_throttle')
