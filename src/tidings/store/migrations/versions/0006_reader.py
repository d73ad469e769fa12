"""The reader: accounts, sessions, login failures, per-user read and saved articles, comments, and the
full-text search index (FTS5 on SQLite, a tsvector GIN index on PostgreSQL).

Revision ID: 0006_reader
"""

import sqlalchemy as sa
from alembic import op

from tidings.store.schema import UTCDateTime

revision = "0006_reader"
down_revision = "0001"
branch_labels = None
depends_on = None

# The text an article is found by. The body is a JSON list of paragraphs: its strings, one a line.
_SQLITE_BODY = (
    "CASE WHEN json_valid({row}.body) THEN "
    "(SELECT group_concat(value, char(10)) FROM json_each({row}.body)) ELSE {row}.body END"
)
_SQLITE_INSERT = (
    "INSERT INTO article_search(rowid, title, dek, body, publisher, author) "
    "VALUES (new.id, new.title, new.dek, " + _SQLITE_BODY.format(row="new") + ", new.publisher, new.author);"
)
# Keep in step with store/search.py, which must use the same expression for PostgreSQL to use the index.
_PG_DOCUMENT = (
    "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(dek, '') || ' ' || "
    "coalesce(publisher, '') || ' ' || coalesce(author, '') || ' ' || body)"
)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(40), nullable=False),
        sa.Column("username_key", sa.String(40), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("is_admin", sa.Boolean, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_sessions_user", "sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username_key", sa.String(40), nullable=False),
        sa.Column("client", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_login_failures_user", "login_failures", ["username_key", "at"])
    op.create_index("ix_login_failures_client", "login_failures", ["client", "at"])
    op.create_table(
        "reader_keys",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    for name, column in (("article_reads", "read_at"), ("saved_articles", "saved_at")):
        op.create_table(
            name,
            sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
            sa.Column(
                "article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
            ),
            sa.Column(column, UTCDateTime, nullable=False),
        )
    op.create_index("ix_saved_articles_user", "saved_articles", ["user_id", "saved_at"])
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("edited_at", UTCDateTime),
        sa.Column("hidden", sa.Boolean, nullable=False),
    )
    op.create_index("ix_comments_article", "comments", ["article_id", "created_at"])
    op.create_index("ix_comments_user", "comments", ["user_id"])
    # Source pages and the site filter look articles up by site; publisher pages by publisher.
    op.create_index("ix_documents_site", "documents", ["site"])
    op.create_index("ix_articles_publisher", "articles", ["publisher", "published_at"])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _sqlite_search()
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX ix_articles_search ON articles USING gin ({_PG_DOCUMENT})")


def _sqlite_search() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE article_search USING fts5("
        "title, dek, body, publisher, author, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        "INSERT INTO article_search(rowid, title, dek, body, publisher, author) "
        "SELECT id, title, dek, " + _SQLITE_BODY.format(row="articles") + ", publisher, author FROM articles"
    )
    op.execute(f"CREATE TRIGGER article_search_insert AFTER INSERT ON articles BEGIN {_SQLITE_INSERT} END")
    op.execute(
        "CREATE TRIGGER article_search_update AFTER UPDATE OF title, dek, body, publisher, author "
        f"ON articles BEGIN DELETE FROM article_search WHERE rowid = old.id; {_SQLITE_INSERT} END"
    )
    op.execute(
        "CREATE TRIGGER article_search_delete AFTER DELETE ON articles BEGIN "
        "DELETE FROM article_search WHERE rowid = old.id; END"
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("article_search_insert", "article_search_update", "article_search_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS article_search")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_search")
    op.drop_index("ix_articles_publisher", table_name="articles")
    op.drop_index("ix_documents_site", table_name="documents")
    for table in (
        "comments",
        "saved_articles",
        "article_reads",
        "reader_keys",
        "login_failures",
        "sessions",
        "users",
    ):
        op.drop_table(table)
