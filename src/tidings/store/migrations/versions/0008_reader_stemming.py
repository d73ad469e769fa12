"""Search on PostgreSQL stems English words, as SQLite's FTS5 (porter) does: "evacuations" finds
"evacuated" on both. The GIN index is rebuilt over the 'english' text search configuration.

Revision ID: 0008_reader_stemming
"""

from alembic import op

revision = "0008_reader_stemming"
down_revision = "0006_reader"
branch_labels = None
depends_on = None

# Keep in step with store/search.py, which must use the same expression for PostgreSQL to use the index.
_DOCUMENT = (
    "to_tsvector('{config}', coalesce(title, '') || ' ' || coalesce(dek, '') || ' ' || "
    "coalesce(publisher, '') || ' ' || coalesce(author, '') || ' ' || body)"
)


def _index(config: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_search")
        op.execute(
            f"CREATE INDEX ix_articles_search ON articles USING gin ({_DOCUMENT.format(config=config)})"
        )


def upgrade() -> None:
    _index("english")


def downgrade() -> None:
    _index("simple")
