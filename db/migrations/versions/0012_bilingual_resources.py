"""support resources: one resource with English and Chinese texts (name_zh, description_zh,
hours_zh) instead of one row per language; the per-row `language` goes.

Existing rows are joined: a Chinese row whose kind, phone and order match an English one gives
that row its Chinese texts and goes; a Chinese row without an English twin keeps its texts in both.

Revision ID: 0012
Revises: 0011qa_eval
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0012'
down_revision = '0011qa_eval'
branch_labels = None
depends_on = None

resource = sa.table('support_resource', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                    sa.column('name', sa.String), sa.column('name_zh', sa.String),
                    sa.column('description', sa.Text), sa.column('description_zh', sa.Text),
                    sa.column('phone', sa.String), sa.column('hours', sa.String), sa.column('hours_zh', sa.String),
                    sa.column('sort_order', sa.Integer), sa.column('language', sa.String))


def upgrade() -> None:
    with op.batch_alter_table('support_resource', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_zh', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('description_zh', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('hours_zh', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False,
                                      server_default=''))
    connection = op.get_bind()
    rows = connection.execute(sa.select(resource)).mappings().all()
    english = {(r['kind'], r['phone'], r['sort_order']): r for r in rows if r['language'] != 'zh-CN'}
    for row in (r for r in rows if r['language'] == 'zh-CN'):
        twin = english.get((row['kind'], row['phone'], row['sort_order']))
        target = twin['id'] if twin is not None else row['id']
        connection.execute(resource.update().where(resource.c.id == target).values(
            name_zh=row['name'], description_zh=row['description'], hours_zh=row['hours']))
        if twin is not None:
            connection.execute(resource.delete().where(resource.c.id == row['id']))
    with op.batch_alter_table('support_resource', schema=None) as batch_op:
        batch_op.drop_column('language')


def downgrade() -> None:
    with op.batch_alter_table('support_resource', schema=None) as batch_op:
        # a joined resource comes back as one row for every language (NULL): its Chinese twin is not re-made
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True))
        batch_op.drop_column('hours_zh')
        batch_op.drop_column('description_zh')
        batch_op.drop_column('name_zh')
