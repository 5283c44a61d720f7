"""attempt answers keep the feedback their response earned when graded (attempt_answer.feedback,
a JSON list), so that a practice attempt is never graded again to be shown.

Answers graded before this revision have none (NULL): their review shows the verdict and the
right answer, without the per-answer feedback lines.

Revision ID: 0013_attempt
Revises: 0013_moodlexml
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_attempt'
down_revision = '0013_moodlexml'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN, not a batch rebuild: SQLite would drop attempt_answer's triggers (see 0007)
    op.add_column('attempt_answer', sa.Column('feedback', sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column('attempt_answer', 'feedback')  # plain DROP COLUMN (SQLite 3.35+): the triggers stay
