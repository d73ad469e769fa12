"""The tables. Changes to them go through a migration in `migrations/versions`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as ISO-8601 UTC text: sorts correctly and reads the same on every database."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC).isoformat(timespec="seconds")

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return datetime.fromisoformat(value) if value else None


metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("site", Text),
    Column("url", Text),
    Column("path", Text),
    Column("kind", String(8), nullable=False),
    Column("encoding", String(40), nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False),
    Column("ingested_at", UTCDateTime, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text),
    Column("first_seen", UTCDateTime),
    Column("last_seen", UTCDateTime),
    Column("article_count", Integer, nullable=False, default=0),
    Index("ix_stories_last_seen", "last_seen"),
)

story_terms = Table(
    "story_terms",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("term", String(200), primary_key=True),
    Column("weight", Float, nullable=False),
    Index("ix_story_terms_term", "term"),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("title", Text),
    Column("dek", Text),
    Column("body", Text, nullable=False),  # JSON list of paragraphs
    Column("publisher", Text),
    Column("author", Text),
    Column("published_at", UTCDateTime),
    Column("language", String(16)),
    Column("image", Text),
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_articles_story", "story_id"),
    Index("ix_articles_published", "published_at"),
)

copies = Table(
    "copies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("document_id", Integer, ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="SET NULL")),
    Column("title", Text),
    Column("dek", Text),
    Column("body", Text, nullable=False),  # JSON list of paragraphs
    Column("author", Text),
    Column("publisher", Text),
    Column("published_at", UTCDateTime),
    Column("language", String(16)),
    Column("image", Text),
    Column("canonical_url", Text),
    Column("truncated", Boolean, nullable=False, default=False),
    Column("extract_changes", Text, nullable=False, default="[]"),  # JSON: what extraction removed
    Column("changes", Text, nullable=False, default="[]"),  # JSON: what this copy did to the article
    Column("shingles", LargeBinary, nullable=False),
    Index("ix_copies_article", "article_id"),
    Index("ix_copies_document", "document_id", "position", unique=True),
)

fold_anchors = Table(
    "fold_anchors",
    metadata,
    Column("anchor", BigInteger, primary_key=True, autoincrement=False),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_fold_anchors_article", "article_id"),
)

site_lines = Table(
    "site_lines",
    metadata,
    Column("site", String(200), primary_key=True),
    Column("line", Text, primary_key=True),  # normalised
    Column("head", Text),  # first words, to find lines of one shape with a variable slot
    Column("doc_count", Integer, nullable=False),
    Index("ix_site_lines_head", "site", "head"),
)
