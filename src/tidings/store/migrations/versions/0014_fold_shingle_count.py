"""Fold: each copy's count of distinct shingles is kept with its word hashes (`shingle_count`), so that
a worker comparing a new copy with stored ones need not count them again every time it reads them.
Copies stored before have none (NULL) and are counted when read.

Revision ID: 0014_fold_shingle_count
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_fold_shingle_count"
down_revision = "0012_fold_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("fold_signatures", sa.Column("shingle_count", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("fold_signatures") as batch:
        batch.drop_column("shingle_count")
