"""Fold index at scale: postings in levels (one clustered B-tree), copies' word hashes, merged articles.

The old `fold_anchors` (one row per anchor and article, with a rowid, a second index and a foreign key)
is replaced. Copies stored before this revision have no word hashes yet: a marker row (level -1 in
`fold_levels`) tells the pipeline to rebuild the index from their text on its next run.

Revision ID: 0003_fold
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_fold"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_fold_anchors_article", table_name="fold_anchors")
    op.drop_table("fold_anchors")
    op.create_table(
        "fold_anchors",
        sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("anchor", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("article_id", sa.Integer, primary_key=True, autoincrement=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "fold_signatures",
        sa.Column("copy_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("article_id", sa.Integer, nullable=False),
        sa.Column("key_count", sa.Integer, nullable=False),
        sa.Column("words", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_fold_signatures_article", "fold_signatures", ["article_id"])
    levels = op.create_table(
        "fold_levels",
        sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("rows", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "fold_merged",
        sa.Column("article_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("into_id", sa.Integer, nullable=False),
    )
    stored = op.get_bind().execute(sa.text("SELECT count(*) FROM copies")).scalar() or 0
    if stored:
        op.bulk_insert(levels, [{"level": -1, "rows": int(stored)}])


def downgrade() -> None:
    for table in ("fold_merged", "fold_levels", "fold_signatures", "fold_anchors"):
        op.drop_table(table)
    op.create_table(
        "fold_anchors",
        sa.Column("anchor", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column(
            "article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
        ),
    )
    op.create_index("ix_fold_anchors_article", "fold_anchors", ["article_id"])
