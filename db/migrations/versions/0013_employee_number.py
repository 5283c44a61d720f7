"""user_account.employee_number: the HR / telephony system's number (工号), unique when given.

Call exports from the telephony platform name agents by it; the users import and the Users page set it.

Revision ID: 0013_employee_number
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_employee_number'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # In place (no table copy on SQLite): every table points at user_account (see 0011).
    with op.batch_alter_table('user_account', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('employee_number', sa.String(length=32), nullable=True))
        batch_op.create_index('ux_user_account_employee_number', ['employee_number'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None, recreate='never') as batch_op:
        batch_op.drop_index('ux_user_account_employee_number')
        batch_op.drop_column('employee_number')
