"""exams: submission_key on exam and attempt (one idempotency mechanism)

The exam forms' idempotency key (portal/submissions.py), as 0008b and 0010 did for
the onboarding and coaching forms: "New exam" stores its form's key on the exam
(unique per author), "Add to the marking queue" on the practical attempt it opens
(unique per learner). They used to be looked up in the audit log's JSON instead.
Existing rows keep NULL, which never collides.

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


def downgrade() -> None:
    for table in KEYED:
        # In place (ALTER TABLE ... DROP COLUMN, SQLite 3.35+): copying `attempt` and dropping the old one,
        # as batch mode would by default, is refused while its answers point at it.
        with op.batch_alter_table(table, schema=None, recreate='never') as batch_op:
            batch_op.drop_index(f'ix_{table}_submission')
            batch_op.drop_column('submission_key')
