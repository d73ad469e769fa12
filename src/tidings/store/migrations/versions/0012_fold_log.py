"""Fold: the index becomes a log that workers replay into memory (`fold_log`, see store/fold_mirror.py)
in place of the levelled postings table (`fold_anchors`) and the key log of its filter (`fold_keys`).

The postings already stored are carried over as the log's first rows, in key order, then the copies'
key counts (each article's fewest). Downgrading empties
the index and marks it to be rebuilt from the copies' text.

Revision ID: 0012_fold_log
"""

import numpy as np
import sqlalchemy as sa
from alembic import op

revision = "0012_fold_log"
down_revision = "0011_fold_keys"
branch_labels = None
depends_on = None

ROW_POSTINGS = 1 << 20  # postings per log row carried over


def upgrade() -> None:
    log = op.create_table(
        "fold_log",
        sa.Column("tick", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.SmallInteger, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    bind = op.get_bind()
    postings = bind.execute(
        sa.text("SELECT DISTINCT anchor, article_id FROM fold_anchors ORDER BY anchor, article_id")
    )
    tick = 0
    while True:
        rows = postings.fetchmany(ROW_POSTINGS)
        if not rows:
            break
        pairs = np.array([(int(k), int(a)) for k, a in rows], dtype="<i8")
        tick += 1
        op.bulk_insert(log, [{"tick": tick, "kind": 0, "data": pairs.T.copy().tobytes()}])
    counted = bind.execute(
        sa.text(
            "SELECT article_id, min(key_count) FROM fold_signatures GROUP BY article_id ORDER BY article_id"
        )
    ).all()
    if counted:
        pairs = np.array([(int(a), int(n)) for a, n in counted], dtype="<i8")
        tick += 1
        op.bulk_insert(log, [{"tick": tick, "kind": 3, "data": pairs.T.copy().tobytes()}])
    op.drop_table("fold_keys")
    op.drop_table("fold_anchors")
    op.execute("DELETE FROM fold_levels WHERE level >= 0")


def downgrade() -> None:
    op.create_table(
        "fold_anchors",
        sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("anchor", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("article_id", sa.Integer, primary_key=True, autoincrement=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "fold_keys",
        sa.Column("tick", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column("keys", sa.LargeBinary, nullable=False),
    )
    op.drop_table("fold_log")
    stored = op.get_bind().execute(sa.text("SELECT count(*) FROM fold_signatures")).scalar() or 0
    op.execute("DELETE FROM fold_signatures")
    op.execute("DELETE FROM fold_levels")
    if stored:
        op.execute(f"INSERT INTO fold_levels (level, rows) VALUES (-1, {int(stored)})")
