"""wellbeing: covering index for per-team-week sums; data-version token renewed by triggers (merge point)

The team wellbeing page's aggregates are computed in SQL from the covering
index and cached in memory under `wellbeing_data_version.token`. Triggers
replace the token with a fresh random one on every INSERT, UPDATE or DELETE
(and TRUNCATE on PostgreSQL) of `wellbeing_response` and
`wellbeing_aggregate`, whoever writes (the app, the seed loader, a console),
so a cached aggregate can never outlive the data it came from. The token is
random: no counter, no time. SQLite drops a table's triggers with the table:
a later migration that rebuilds wellbeing_response or wellbeing_aggregate
in batch mode must create them again (tests/test_wellbeing_aggregates.py
would fail).

Revision ID: 0006b
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006b'
down_revision = '0006'
branch_labels = None
depends_on = None

WATCHED = ('wellbeing_response', 'wellbeing_aggregate')
CELL_COLUMNS = ['iso_week', 'team_id', *(f'who5_{i}' for i in range(1, 6)), *(f'pss4_{i}' for i in range(1, 5))]


def upgrade() -> None:
    with op.batch_alter_table('wellbeing_response', schema=None,
                              table_kwargs={'sqlite_with_rowid': False}) as batch_op:
        batch_op.create_index('ix_wellbeing_response_cells', CELL_COLUMNS, unique=False)
    op.create_table('wellbeing_data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("INSERT INTO wellbeing_data_version (id, token) VALUES (1, replace(gen_random_uuid()::text, '-', ''))")
        op.execute("""
            CREATE FUNCTION wellbeing_renew_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE wellbeing_data_version SET token = replace(gen_random_uuid()::text, '-', '') WHERE id = 1;
                RETURN NULL;
            END $$""")
        for table in WATCHED:
            op.execute(f"""CREATE TRIGGER {table}_renew_data_version
                AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                FOR EACH STATEMENT EXECUTE FUNCTION wellbeing_renew_data_version()""")
    else:
        op.execute("INSERT INTO wellbeing_data_version (id, token) VALUES (1, lower(hex(randomblob(16))))")
        for table in WATCHED:
            for event in ('INSERT', 'UPDATE', 'DELETE'):
                # SQLite has row triggers only; one UPDATE of a one-row table per row written
                op.execute(f"""CREATE TRIGGER {table}_renew_data_version_{event.lower()}
                    AFTER {event} ON {table} FOR EACH ROW BEGIN
                        UPDATE wellbeing_data_version SET token = lower(hex(randomblob(16))) WHERE id = 1;
                    END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_renew_data_version ON {table}")
        op.execute("DROP FUNCTION IF EXISTS wellbeing_renew_data_version()")
    else:
        for table in WATCHED:
            for event in ('insert', 'update', 'delete'):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_renew_data_version_{event}")
    op.drop_table('wellbeing_data_version')
    with op.batch_alter_table('wellbeing_response', schema=None,
                              table_kwargs={'sqlite_with_rowid': False}) as batch_op:
        batch_op.drop_index('ix_wellbeing_response_cells')
