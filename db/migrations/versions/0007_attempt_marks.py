"""exams: attempt_marks, each attempt's marks as one packed row for item analysis; triggers drop it on change

`attempt_marks` holds, per attempt, its answers' marks and max marks as two
little-endian float64 vectors (element i = slot i + 1; NULL marks and
missing slots are 0). See portal/quizzes/attempt_marks.py. The app writes a
row when it grades or marks an attempt; the triggers below delete it on any
INSERT or DELETE of an answer and any UPDATE of an answer's attempt_id,
slot, mark or max_mark (and TRUNCATE on PostgreSQL), whoever writes, so a
row is never stale; item analysis reads the answers of an attempt without
one. The upgrade packs the rows of every graded attempt that has answers.

PostgreSQL: INSERT and DELETE use statement triggers with transition tables
(a COPY of a million answers fires once); UPDATE a row trigger limited to
the four columns. SQLite has row triggers only. SQLite drops a table's
triggers with the table: a later migration that rebuilds attempt_answer in
batch mode must create them again (tests/test_attempt_marks.py would fail).

Revision ID: 0007
Revises: 0006b
"""
from itertools import chain

from alembic import op
import numpy as np
import sqlalchemy as sa


revision = '0007'
down_revision = '0006b'
branch_labels = None
depends_on = None

WATCHED = "attempt_id, slot, mark, max_mark"
CHANGED = ("OLD.attempt_id IS DISTINCT FROM NEW.attempt_id OR OLD.slot IS DISTINCT FROM NEW.slot"
           " OR OLD.mark IS DISTINCT FROM NEW.mark OR OLD.max_mark IS DISTINCT FROM NEW.max_mark")


def upgrade() -> None:
    op.create_table('attempt_marks',
    sa.Column('attempt_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('marks', sa.LargeBinary(), nullable=False),
    sa.Column('max_marks', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempt.id'], ),
    sa.PrimaryKeyConstraint('attempt_id')
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
            CREATE FUNCTION attempt_marks_forget_rows() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM attempt_marks WHERE attempt_id IN (SELECT attempt_id FROM changed_answers);
                RETURN NULL;
            END $$""")
        op.execute("""
            CREATE FUNCTION attempt_marks_forget_row() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM attempt_marks WHERE attempt_id IN (OLD.attempt_id, NEW.attempt_id);
                RETURN NULL;
            END $$""")
        op.execute("""
            CREATE FUNCTION attempt_marks_forget_all() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM attempt_marks;
                RETURN NULL;
            END $$""")
        op.execute("""CREATE TRIGGER attempt_answer_forget_marks_insert AFTER INSERT ON attempt_answer
            REFERENCING NEW TABLE AS changed_answers FOR EACH STATEMENT EXECUTE FUNCTION attempt_marks_forget_rows()""")
        op.execute("""CREATE TRIGGER attempt_answer_forget_marks_delete AFTER DELETE ON attempt_answer
            REFERENCING OLD TABLE AS changed_answers FOR EACH STATEMENT EXECUTE FUNCTION attempt_marks_forget_rows()""")
        op.execute(f"""CREATE TRIGGER attempt_answer_forget_marks_update AFTER UPDATE OF {WATCHED} ON attempt_answer
            FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION attempt_marks_forget_row()""")
        op.execute("""CREATE TRIGGER attempt_answer_forget_marks_truncate AFTER TRUNCATE ON attempt_answer
            FOR EACH STATEMENT EXECUTE FUNCTION attempt_marks_forget_all()""")
    else:
        op.execute("""CREATE TRIGGER attempt_answer_forget_marks_insert AFTER INSERT ON attempt_answer
            FOR EACH ROW BEGIN DELETE FROM attempt_marks WHERE attempt_id = NEW.attempt_id; END""")
        op.execute("""CREATE TRIGGER attempt_answer_forget_marks_delete AFTER DELETE ON attempt_answer
            FOR EACH ROW BEGIN DELETE FROM attempt_marks WHERE attempt_id = OLD.attempt_id; END""")
        op.execute(f"""CREATE TRIGGER attempt_answer_forget_marks_update AFTER UPDATE OF {WATCHED} ON attempt_answer
            FOR EACH ROW WHEN {CHANGED.replace('IS DISTINCT FROM', 'IS NOT')}
            BEGIN DELETE FROM attempt_marks WHERE attempt_id IN (OLD.attempt_id, NEW.attempt_id); END""")
    _pack_graded_attempts()


def _pack_graded_attempts() -> None:
    """The rows of every graded attempt with answers, as portal/quizzes/attempt_marks.pack_many makes them
    (copied here: a migration must not change when the app does)."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT aa.attempt_id, aa.slot, COALESCE(aa.mark, 0.0), aa.max_mark FROM attempt_answer aa"
        " JOIN attempt a ON a.id = aa.attempt_id WHERE a.status = 'graded'")).all()
    if not rows:
        return
    data = np.fromiter(chain.from_iterable(rows), dtype=float, count=4 * len(rows)).reshape(-1, 4)
    del rows
    attempt_ids, row_index = np.unique(data[:, 0].astype(np.int64), return_inverse=True)
    slot_index = data[:, 1].astype(np.int64) - 1
    sizes = np.zeros(attempt_ids.size, dtype=np.int64)
    np.maximum.at(sizes, row_index, slot_index + 1)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    marks, max_marks = np.zeros(int(ends[-1]), '<f8'), np.zeros(int(ends[-1]), '<f8')
    marks[starts[row_index] + slot_index] = data[:, 2]
    max_marks[starts[row_index] + slot_index] = data[:, 3]
    marks_bytes, max_bytes = marks.tobytes(), max_marks.tobytes()
    table = sa.table('attempt_marks', sa.column('attempt_id', sa.Integer), sa.column('marks', sa.LargeBinary),
                     sa.column('max_marks', sa.LargeBinary))
    packed = [{"attempt_id": attempt_id, "marks": marks_bytes[8 * start:8 * end],
               "max_marks": max_bytes[8 * start:8 * end]}
              for attempt_id, start, end in zip(attempt_ids.tolist(), starts.tolist(), ends.tolist())]
    for first in range(0, len(packed), 10_000):
        bind.execute(table.insert(), packed[first:first + 10_000])


def downgrade() -> None:
    for event in ('insert', 'delete', 'update', 'truncate'):
        if op.get_bind().dialect.name == 'postgresql':
            op.execute(f"DROP TRIGGER IF EXISTS attempt_answer_forget_marks_{event} ON attempt_answer")
        elif event != 'truncate':
            op.execute(f"DROP TRIGGER IF EXISTS attempt_answer_forget_marks_{event}")
    if op.get_bind().dialect.name == 'postgresql':
        for function in ('attempt_marks_forget_rows', 'attempt_marks_forget_row', 'attempt_marks_forget_all'):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    op.drop_table('attempt_marks')
