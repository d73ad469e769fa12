"""Feeds: subscriptions (`sources`) with their fetch status and schedule, and the entries seen in each.

Revision ID: 0004_feeds
"""

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0004_feeds"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.Text, nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("site_url", sa.Text),
        sa.Column("category", sa.Text),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("last_result", sa.Text),
        sa.Column("last_error", sa.Text),
        sa.Column("last_http_status", sa.Integer),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_fetch_at", UTCDateTime),
        sa.Column("last_success_at", UTCDateTime),
        sa.Column("last_change_at", UTCDateTime),
        sa.Column("next_fetch_at", UTCDateTime),
        sa.Column("interval_seconds", sa.Float),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("body_hash", sa.String(64)),
        sa.Column("hub", sa.Text),
    )
    op.create_index("ix_sources_next_fetch", "sources", ["next_fetch_at"])
    op.create_table(
        "feed_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
        sa.Column("url_key", sa.Text),
        sa.Column("guid", sa.Text),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("link", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("published_at", UTCDateTime),
        sa.Column("document_sha256", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("first_seen_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_feed_entries_url", "feed_entries", ["source_id", "url_key"])
    op.create_index("ix_feed_entries_guid", "feed_entries", ["source_id", "guid"])
    op.create_index("ix_feed_entries_document", "feed_entries", ["document_sha256"])


def downgrade() -> None:
    op.drop_table("feed_entries")
    op.drop_table("sources")
