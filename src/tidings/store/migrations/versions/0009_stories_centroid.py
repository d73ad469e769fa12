"""Stories: each story's centroid in one row (`stories.centroid`: JSON, term -> the sum of its articles'
weights), so a transaction writes one row for each story it changed rather than one for each term whose
sum moved (the worker's cache, not SQL, answers lookups); `story_terms` goes.

Revision ID: 0009_stories_centroid
"""

import json

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0009_stories_centroid"
down_revision = "0008_stories_clock"
branch_labels = None
depends_on = None

CHUNK = 1000


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("centroid", sa.Text))
    bind = op.get_bind()
    sums: dict[int, dict[str, float]] = {}
    for story_id, term, weight in bind.execute(sa.text("SELECT story_id, term, weight FROM story_terms")):
        sums.setdefault(int(story_id), {})[str(term)] = float(weight)
    rows = [{"centroid": json.dumps(terms), "id": story_id} for story_id, terms in sums.items()]
    update = sa.text("UPDATE stories SET centroid = :centroid WHERE id = :id")
    for start in range(0, len(rows), CHUNK):
        bind.execute(update, rows[start : start + CHUNK])
    op.drop_table("story_terms")


def downgrade() -> None:
    bind = op.get_bind()
    found = bind.execute(sa.text("SELECT id, centroid FROM stories WHERE centroid IS NOT NULL")).fetchall()
    rows = [
        {"story_id": int(story_id), "term": term, "weight": float(weight)}
        for story_id, centroid in found
        for term, weight in json.loads(centroid).items()
    ]
    # The column goes first: on SQLite that rebuilds `stories`, which would empty a table referring to it.
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("centroid")
    op.create_table(
        "story_terms",
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("term", sa.String(200), primary_key=True),
        sa.Column("weight", sa.Float, nullable=False),
        sa.Column("seen", UTCDateTime),
        sqlite_with_rowid=False,
    )
    insert = sa.text("INSERT INTO story_terms (story_id, term, weight) VALUES (:story_id, :term, :weight)")
    for start in range(0, len(rows), CHUNK):
        bind.execute(insert, rows[start : start + CHUNK])
