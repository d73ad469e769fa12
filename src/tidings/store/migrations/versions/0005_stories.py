"""Stories: a vocabulary of document frequencies, a term index that skips stale stories, related stories,
story details (lead publisher, publishers, representative headline, merges), and a copy's record id.

Revision ID: 0005_stories
"""

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0005_stories"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("lead_publisher", sa.Text))
        batch.add_column(sa.Column("publisher_count", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("headline_article_id", sa.Integer))
        batch.add_column(sa.Column("headline_score", sa.Float))
        batch.add_column(sa.Column("merged_into", sa.Integer))
    # The centroids become a clustered table (WITHOUT ROWID on SQLite: a story's terms lie together), with
    # the term index covering what a lookup reads.
    op.create_table(
        "story_terms_new",
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("term", sa.String(200), primary_key=True),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("seen", UTCDateTime),
        sqlite_with_rowid=False,
    )
    op.execute(
        "INSERT INTO story_terms_new (story_id, term, weight, seen) "
        "SELECT story_id, term, weight, "
        "(SELECT last_seen FROM stories WHERE stories.id = story_terms.story_id) FROM story_terms"
    )
    op.drop_index("ix_story_terms_term", table_name="story_terms")
    op.drop_table("story_terms")
    op.rename_table("story_terms_new", "story_terms")
    op.create_index("ix_story_terms_lookup", "story_terms", ["term", "seen", "story_id", "weight"])
    op.create_table(
        "story_vocabulary",
        sa.Column("term", sa.String(200), primary_key=True),
        sa.Column("df", sa.Integer, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "story_related",
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
        sa.Column(
            "related_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("score", sa.Float, nullable=False),
    )
    op.add_column("copies", sa.Column("ref", sa.Text))


def downgrade() -> None:
    op.drop_column("copies", "ref")
    op.drop_table("story_related")
    op.drop_table("story_vocabulary")
    op.drop_index("ix_story_terms_lookup", table_name="story_terms")
    op.create_table(
        "story_terms_old",
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("term", sa.String(200), primary_key=True),
        sa.Column("weight", sa.Float, nullable=False),
    )
    op.execute(
        "INSERT INTO story_terms_old (story_id, term, weight) SELECT story_id, term, weight FROM story_terms"
    )
    op.drop_table("story_terms")
    op.rename_table("story_terms_old", "story_terms")
    op.create_index("ix_story_terms_term", "story_terms", ["term"])
    with op.batch_alter_table("stories") as batch:
        for column in ("merged_into", "headline_score", "headline_article_id"):
            batch.drop_column(column)
        batch.drop_column("publisher_count")
        batch.drop_column("lead_publisher")
