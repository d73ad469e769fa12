"""Search (SQLite): an article is put into `article_search` when it is inserted only if it has text to
find. Fold inserts each new article empty (its text comes with the update that saves its canonical
text, which the update trigger indexes), and indexing those empty rows cost as much as inserting them.

Revision ID: 0013_search_skips_empty
"""

from alembic import op

revision = "0013_search_skips_empty"
down_revision = "0008_reader_stemming"
branch_labels = None
depends_on = None

_SQLITE_BODY = (
    "CASE WHEN json_valid({row}.body) THEN "
    "(SELECT group_concat(value, char(10)) FROM json_each({row}.body)) ELSE {row}.body END"
)
_SQLITE_INSERT = (
    "INSERT INTO article_search(rowid, title, dek, body, publisher, author) "
    "VALUES (new.id, new.title, new.dek, " + _SQLITE_BODY.format(row="new") + ", new.publisher, new.author);"
)
_HAS_TEXT = (
    "new.title IS NOT NULL OR new.dek IS NOT NULL OR new.publisher IS NOT NULL "
    "OR new.author IS NOT NULL OR new.body NOT IN ('[]', '')"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS article_search_insert")
    op.execute(
        f"CREATE TRIGGER article_search_insert AFTER INSERT ON articles WHEN {_HAS_TEXT} "
        f"BEGIN {_SQLITE_INSERT} END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER IF EXISTS article_search_insert")
    op.execute(f"CREATE TRIGGER article_search_insert AFTER INSERT ON articles BEGIN {_SQLITE_INSERT} END")
    op.execute(  # the empty articles inserted meanwhile, as the old trigger would have indexed them
        "INSERT INTO article_search(rowid, title, dek, body, publisher, author) "
        "SELECT id, title, dek, " + _SQLITE_BODY.format(row="articles") + ", publisher, author FROM articles "
        "WHERE id NOT IN (SELECT rowid FROM article_search)"
    )
