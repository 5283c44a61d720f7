"""question images: the pictures a question version shows (Moodle XML's embedded files).

Revision ID: 0013_moodlexml
Revises: 0013_auth
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0013_moodlexml'
down_revision = '0013_auth'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'question_image',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_version_id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column('mime_type', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['question_version_id'], ['question_version.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('question_version_id', 'name'),
    )
    with op.batch_alter_table('question_image', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_image_question_version_id'), ['question_version_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('question_image', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_image_question_version_id'))
    op.drop_table('question_image')
