"""Enrich: each article's key points, keywords and reading time; entities and their mentions; quotes.

Revision ID: 0007_enrich
"""

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0007_enrich"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_enrichments",
        sa.Column(
            "article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("source_key", sa.String(64), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("reading_minutes", sa.Integer, nullable=False),
        sa.Column("key_points", sa.Text, nullable=False),
        sa.Column("candidates", sa.Text, nullable=False),
        sa.Column("keywords", sa.Text, nullable=False),
        sa.Column("engine", sa.String(100), nullable=False),
        sa.Column("truncated", sa.Boolean, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("enriched_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "entities",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("last_word", sa.String(200)),
    )
    op.create_index("ix_entities_kind", "entities", ["kind"])
    op.create_index("ix_entities_last_word", "entities", ["kind", "last_word"])
    op.create_table(
        "entity_mentions",
        sa.Column(
            "article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "entity_id", sa.Integer, sa.ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("mentions", sa.Text, nullable=False),
    )
    op.create_index("ix_entity_mentions_entity", "entity_mentions", ["entity_id"])
    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("entity_id", sa.Integer, sa.ForeignKey("entities.id", ondelete="SET NULL")),
        sa.Column("speaker", sa.Text),
        sa.Column("speaker_text", sa.Text),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("cue", sa.String(40)),
        sa.Column("nested", sa.Boolean, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("paragraph", sa.Integer, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
    )
    op.create_index("ix_quotes_article", "quotes", ["article_id", "position"])
    op.create_index("ix_quotes_entity", "quotes", ["entity_id"])


def downgrade() -> None:
    for table in ("quotes", "entity_mentions", "entities", "article_enrichments"):
        op.drop_table(table)
