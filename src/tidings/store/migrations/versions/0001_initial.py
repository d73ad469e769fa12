"""The first schema: documents, copies, articles, stories, the fold index and site templates.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("site", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("path", sa.Text),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("encoding", sa.String(40), nullable=False),
        sa.Column("fetched_at", UTCDateTime, nullable=False),
        sa.Column("ingested_at", UTCDateTime, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.Text),
        sa.Column("first_seen", UTCDateTime),
        sa.Column("last_seen", UTCDateTime),
        sa.Column("article_count", sa.Integer, nullable=False),
    )
    op.create_index("ix_stories_last_seen", "stories", ["last_seen"])
    op.create_table(
        "story_terms",
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("term", sa.String(200), primary_key=True),
        sa.Column("weight", sa.Float, nullable=False),
    )
    op.create_index("ix_story_terms_term", "story_terms", ["term"])
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.Text),
        sa.Column("dek", sa.Text),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("publisher", sa.Text),
        sa.Column("author", sa.Text),
        sa.Column("published_at", UTCDateTime),
        sa.Column("language", sa.String(16)),
        sa.Column("image", sa.Text),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="SET NULL")),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_articles_story", "articles", ["story_id"])
    op.create_index("ix_articles_published", "articles", ["published_at"])
    op.create_table(
        "copies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="SET NULL")),
        sa.Column("title", sa.Text),
        sa.Column("dek", sa.Text),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("author", sa.Text),
        sa.Column("publisher", sa.Text),
        sa.Column("published_at", UTCDateTime),
        sa.Column("language", sa.String(16)),
        sa.Column("image", sa.Text),
        sa.Column("canonical_url", sa.Text),
        sa.Column("truncated", sa.Boolean, nullable=False),
        sa.Column("extract_changes", sa.Text, nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
        sa.Column("shingles", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_copies_article", "copies", ["article_id"])
    op.create_index("ix_copies_document", "copies", ["document_id", "position"], unique=True)
    op.create_table(
        "fold_anchors",
        sa.Column("anchor", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column(
            "article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
        ),
    )
    op.create_index("ix_fold_anchors_article", "fold_anchors", ["article_id"])
    op.create_table(
        "site_lines",
        sa.Column("site", sa.String(200), primary_key=True),
        sa.Column("line", sa.Text, primary_key=True),
        sa.Column("head", sa.Text),
        sa.Column("doc_count", sa.Integer, nullable=False),
    )
    op.create_index("ix_site_lines_head", "site_lines", ["site", "head"])


def downgrade() -> None:
    for table in ("site_lines", "fold_anchors", "copies", "articles", "story_terms", "stories", "documents"):
        op.drop_table(table)
