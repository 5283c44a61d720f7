"""exams: submission_key on exam and attempt (one idempotency mechanism); user_account: drop failed_logins, locked_until

The exam forms' idempotency key (portal/submissions.py), as 0008b and 0010 did for
the onboarding and coaching forms: "New exam" stores its form's key on the exam
(unique per author), "Add to the marking queue" on the practical attempt it opens
(unique per learner). They used to be looked up in the audit log's JSON instead.
Existing rows keep NULL, which never collides.

`user_account.failed_logins` and `locked_until` have not been read since 0008
(portal/throttle.py counts failures per name in `login_throttle`). A downgrade
brings them back empty (0 and NULL), which is what 0008's code never read anyway.

Columns are dropped in place (ALTER TABLE ... DROP COLUMN, SQLite 3.35+ or
PostgreSQL): batch mode's default on SQLite copies the table and drops the old
one, which is refused (or cascades) while other rows point at it, and every
table points at `user_account`.

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

KEYED = {'exam': 'created_by', 'attempt': 'user_id'}  # table -> the owner the key is unique for


def upgrade() -> None:
    for table, owner in KEYED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('submission_key', sqlmodel.sql.sqltypes.AutoString(length=64),
                                          nullable=True))
            batch_op.create_index(f'ix_{table}_submission', [owner, 'submission_key'], unique=True)
    with op.batch_alter_table('user_account', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('locked_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    for table in KEYED:
        with op.batch_alter_table(table, schema=None, recreate='never') as batch_op:
            batch_op.drop_index(f'ix_{table}_submission')
            batch_op.drop_column('submission_key')
