"""Stories: indexes for what a merge looks up, so a merge costs the same in a store of any size: the
stories already merged into the story that goes (`stories.merged_into`), and the related-story rows that
name it (`story_related.related_id`).

Revision ID: 0010_stories_merge_indexes
"""

from alembic import op

revision = "0010_stories_merge_indexes"
down_revision = "0009_stories_centroid"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_stories_merged_into", "stories", ["merged_into"])
    op.create_index("ix_story_related_related", "story_related", ["related_id"])


def downgrade() -> None:
    op.drop_index("ix_story_related_related", table_name="story_related")
    op.drop_index("ix_stories_merged_into", table_name="stories")
