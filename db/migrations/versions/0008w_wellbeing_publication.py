"""wellbeing: publication of closed periods; wellbeing_aggregate becomes the table of published cells

Cells are published once, after their period has closed, and never change
(portal/wellbeing/publication.py). `wellbeing_publication` lists the weeks
and months published; the audited cells go to `wellbeing_aggregate`, which
until now only held cells archived by the retention purge: those are
published already, so their periods are marked published here. Closed
periods of the retained raw responses are published on the first read after
this upgrade (or by `portal wellbeing publish`).

Revision ID: 0008w
Revises: 0008b
"""
from alembic import op
import sqlalchemy as sa


revision = '0008w'
down_revision = '0008b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wellbeing_publication',
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.PrimaryKeyConstraint('period')
    )
    op.execute("INSERT INTO wellbeing_publication (period) SELECT DISTINCT period FROM wellbeing_aggregate")


def downgrade() -> None:
    op.drop_table('wellbeing_publication')
