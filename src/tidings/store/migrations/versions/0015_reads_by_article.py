"""Reader: saves and reads indexed by article. A fold join moves the absorbed articles' saves and reads to
the article kept, and deleting an article looks up its saves and reads for the cascade; by their primary
keys (user first) both were a scan of the whole table.

Revision ID: 0015_reads_by_article
"""

from alembic import op

revision = "0015_reads_by_article"
down_revision = "0013_search_skips_empty"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_article_reads_article", "article_reads", ["article_id"])
    op.create_index("ix_saved_articles_article", "saved_articles", ["article_id"])


def downgrade() -> None:
    op.drop_index("ix_saved_articles_article", table_name="saved_articles")
    op.drop_index("ix_article_reads_article", table_name="article_reads")
