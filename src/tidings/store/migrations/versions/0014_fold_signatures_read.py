"""Fold: how a batch reads the copies of its candidate articles.

- Each copy's count of distinct shingles is kept with its word hashes (`shingle_count`), so that a worker
  comparing a new copy with stored ones need not count them again each time it reads them. Copies stored
  before have none (NULL) and are counted when read.
- `ix_fold_signatures_article` is (article_id) again: key counts are read from the log now, not this
  index, and with the key count in it the copies of an article came out of it out of copy order, to be
  sorted (blobs and all) at every read.

Revision ID: 0014_fold_signatures_read
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_fold_signatures_read"
down_revision = "0012_fold_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("fold_signatures", sa.Column("shingle_count", sa.Integer, nullable=True))
    op.drop_index("ix_fold_signatures_article", table_name="fold_signatures")
    op.create_index("ix_fold_signatures_article", "fold_signatures", ["article_id"])


def downgrade() -> None:
    op.drop_index("ix_fold_signatures_article", table_name="fold_signatures")
    op.create_index("ix_fold_signatures_article", "fold_signatures", ["article_id", "key_count"])
    with op.batch_alter_table("fold_signatures") as batch:
        batch.drop_column("shingle_count")
