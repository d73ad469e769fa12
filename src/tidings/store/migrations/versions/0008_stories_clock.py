"""Stories: a change clock, so a worker's in-process cache of stories catches up with other workers' changes
(each story remembers the clock tick of its last change); centroids kept as sums (weight times the
story's articles), so an article joining rewrites only its own terms' rows; the term index over centroids
goes (lookups run in process).

Revision ID: 0008_stories_clock
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_stories_clock"
down_revision = "0005_stories"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("rev", sa.Integer))
    op.create_index("ix_stories_rev", "stories", ["rev"])
    op.create_table(
        "story_clock",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rev", sa.Integer, nullable=False),
    )
    op.execute("INSERT INTO story_clock (id, rev) VALUES (1, 0)")
    op.drop_index("ix_story_terms_lookup", table_name="story_terms")
    op.execute(
        "UPDATE story_terms SET seen = NULL, weight = weight * "
        "(SELECT CASE WHEN article_count > 0 THEN article_count ELSE 1 END FROM stories "
        "WHERE stories.id = story_terms.story_id)"
    )


def downgrade() -> None:
    op.execute(
        "UPDATE story_terms SET weight = weight / "
        "(SELECT CASE WHEN article_count > 0 THEN article_count ELSE 1 END FROM stories "
        "WHERE stories.id = story_terms.story_id), "
        "seen = (SELECT last_seen FROM stories WHERE stories.id = story_terms.story_id)"
    )
    op.create_index("ix_story_terms_lookup", "story_terms", ["term", "seen", "story_id", "weight"])
    op.drop_table("story_clock")
    op.drop_index("ix_stories_rev", table_name="stories")
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("rev")
