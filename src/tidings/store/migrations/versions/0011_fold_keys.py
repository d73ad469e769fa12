"""Fold: a log of the index keys ever posted (`fold_keys`), from which each worker keeps an in-process
filter of the keys the index may hold (`store/keyfilter.py`); the copies' key counts read from an index
alone (`ix_fold_signatures_article` becomes (article_id, key_count)).

The keys already posted are logged as the first row.

Revision ID: 0011_fold_keys
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_fold_keys"
down_revision = "0003_fold"
branch_labels = None
depends_on = None


def upgrade() -> None:
    log = op.create_table(
        "fold_keys",
        sa.Column("tick", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("total", sa.BigInteger, nullable=False),
        sa.Column("keys", sa.LargeBinary, nullable=False),
    )
    op.drop_index("ix_fold_signatures_article", table_name="fold_signatures")
    op.create_index("ix_fold_signatures_article", "fold_signatures", ["article_id", "key_count"])
    posted = [int(k) for (k,) in op.get_bind().execute(sa.text("SELECT DISTINCT anchor FROM fold_anchors"))]
    if posted:
        packed = b"".join(k.to_bytes(8, "little", signed=True) for k in sorted(posted))
        op.bulk_insert(log, [{"tick": 1, "total": len(posted), "keys": packed}])


def downgrade() -> None:
    op.drop_index("ix_fold_signatures_article", table_name="fold_signatures")
    op.create_index("ix_fold_signatures_article", "fold_signatures", ["article_id"])
    op.drop_table("fold_keys")
