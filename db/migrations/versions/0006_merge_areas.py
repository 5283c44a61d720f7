"""Join the areas' migration branches (onboarding, exams, wellbeing, coaching) into one head.

Revision ID: 0006
Revises: 0002, 0003b, 0004, 0005
"""

revision = "0006"
down_revision = ("0002", "0003b", "0004", "0005")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
