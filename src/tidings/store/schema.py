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
    SmallInteger,
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
    # Stories (store/story_index.py): the publisher of the earliest article, how many publishers, the
    # article whose headline represents the story (and how close it is to the centroid), and for a story
    # merged into another, which one.
    Column("lead_publisher", Text),
    Column("publisher_count", Integer, nullable=False, default=0),
    Column("headline_article_id", Integer),
    Column("headline_score", Float),
    Column("merged_into", Integer),
    Column("rev", Integer),  # the story clock's tick at the story's last change (story_clock)
    # The story's centroid as JSON, term -> the sum of its articles' weights (divided by article_count, the
    # mean); one row written per changed story. Clustering looks terms up in each worker's cache.
    Column("centroid", Text),
    Index("ix_stories_last_seen", "last_seen"),
    Index("ix_stories_rev", "rev"),
    Index("ix_stories_merged_into", "merged_into"),
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
    Column("ref", Text),  # the record id of a copy ingested as a JSON record
    Index("ix_copies_article", "article_id"),
    Index("ix_copies_document", "document_id", "position", unique=True),
)

# The fold index (see store/fold_index.py): a log of the postings (index key, article) each transaction
# made, of articles joined and of the index emptied, which workers replay into memory (store/fold_mirror.py);
# the copies' word hashes to verify candidates; the marker of an index to rebuild; articles merged into
# others.
fold_log = Table(
    "fold_log",
    metadata,
    Column("tick", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", SmallInteger, nullable=False),  # 0 postings, 1 articles joined, 2 index emptied
    Column("data", LargeBinary, nullable=False),  # packed little-endian int64 (fold_mirror)
)

fold_signatures = Table(
    "fold_signatures",
    metadata,
    Column("copy_id", Integer, primary_key=True, autoincrement=False),
    Column("article_id", Integer, nullable=False),
    Column("key_count", Integer, nullable=False),  # how many index keys the copy has
    Column("words", LargeBinary, nullable=False),  # word hashes (fold.fingerprint.pack)
    # how many distinct shingles the copy's text has (NULL: not worked out, for copies stored before)
    Column("shingle_count", Integer, nullable=True),
    Index("ix_fold_signatures_article", "article_id"),  # in copy order (rowid) within an article
)

# Only the marker row (level -1) is left of the levels of the postings table the log replaced.
fold_levels = Table(
    "fold_levels",
    metadata,
    Column("level", SmallInteger, primary_key=True, autoincrement=False),
    Column("rows", BigInteger, nullable=False),
)

fold_merged = Table(
    "fold_merged",
    metadata,
    Column("article_id", Integer, primary_key=True, autoincrement=False),
    Column("into_id", Integer, nullable=False),
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

# The reader (issue 7, migration 0006_reader): accounts, sessions, per-user state, comments. -------------
# On SQLite the migration also makes `article_search`, an FTS5 table over articles' title, dek, body text,
# publisher and author, kept in step by triggers on `articles` (virtual tables have no SQLAlchemy form);
# on PostgreSQL a GIN index over the same text's tsvector takes its place (see store/search.py).

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(40), nullable=False),
    Column("username_key", String(40), nullable=False, unique=True),  # case-folded, for look-up
    Column("password_hash", Text, nullable=False),  # argon2id, PHC string
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # sha256 of the cookie's token, never the token
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index("ix_sessions_user", "user_id"),
)

login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username_key", String(40), nullable=False),
    Column("client", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_login_failures_user", "username_key", "at"),
    Index("ix_login_failures_client", "client", "at"),
)

reader_keys = Table(
    "reader_keys",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", Text, nullable=False),
)

article_reads = Table(
    "article_reads",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("read_at", UTCDateTime, nullable=False),
    Index("ix_article_reads_article", "article_id"),  # a join moves an article's reads (and deletes)
)

saved_articles = Table(
    "saved_articles",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("saved_at", UTCDateTime, nullable=False),
    Index("ix_saved_articles_user", "user_id", "saved_at"),
    Index("ix_saved_articles_article", "article_id"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("body", Text, nullable=False),  # as written (markdown-lite); rendered and sanitised when shown
    Column("created_at", UTCDateTime, nullable=False),
    Column("edited_at", UTCDateTime),
    Column("hidden", Boolean, nullable=False, default=False),  # by an admin
    Index("ix_comments_article", "article_id", "created_at"),
    Index("ix_comments_user", "user_id"),
)

# Indexes the reader's pages need on the first schema's tables (made by 0006_reader).
Index("ix_documents_site", documents.c.site)
Index("ix_articles_publisher", articles.c.publisher, articles.c.published_at)

# Feeds (issue 5, migration 0004_feeds): subscriptions with where their fetching stands, and the entries
# seen in each, so an entry is taken in once however its feed re-spells it. ---------------------------------

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),  # the feed, as fetched (clean_url)
    Column("kind", String(16), nullable=False, default="feed"),
    Column("title", Text),
    Column("site_url", Text),
    Column("category", Text),  # folders joined with "/", as OPML has them
    Column("added_at", UTCDateTime, nullable=False),
    Column("status", String(16), nullable=False, default="new"),  # new, ok, error, gone
    Column("last_result", Text),  # one line on the last fetch: "3 new entries", "not modified", the error
    Column("last_error", Text),
    Column("last_http_status", Integer),
    Column("failures", Integer, nullable=False, default=0),  # in a row
    Column("last_fetch_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("last_change_at", UTCDateTime),  # when new entries last appeared
    Column("next_fetch_at", UTCDateTime),  # null: never again (gone)
    Column("interval_seconds", Float),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("body_hash", String(64)),  # of the last feed body, to skip an unchanged 200
    Column("hub", Text),  # WebSub hub the feed advertises
    Index("ix_sources_next_fetch", "next_fetch_at"),
)

feed_entries = Table(
    "feed_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source_id", Integer, ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("url_key", Text),  # fetch.urls.url_key of the entry's link
    Column("guid", Text),
    Column("content_hash", String(32), nullable=False),
    Column("link", Text),
    Column("title", Text),
    Column("published_at", UTCDateTime),
    Column("document_sha256", String(64)),  # the document that carries it
    Column("status", String(16), nullable=False),  # ingested, failed, empty
    Column("error", Text),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_feed_entries_url", "source_id", "url_key"),
    Index("ix_feed_entries_guid", "source_id", "guid"),
    Index("ix_feed_entries_document", "document_sha256"),
)

# enrich (migration 0007_enrich) ----------------------------------------------------------------------------
article_enrichments = Table(
    "article_enrichments",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("source_key", String(64), nullable=False),  # hash of the text, rules version and engine used
    Column("language", String(16)),
    Column("reading_minutes", Integer, nullable=False),
    Column("key_points", Text, nullable=False),  # JSON: [{text, paragraph, start, end, score}]
    Column("candidates", Text, nullable=False),  # JSON: the best sentences, for a story's key points
    Column("keywords", Text, nullable=False),  # JSON: [str]
    Column("engine", String(100), nullable=False),
    Column("truncated", Boolean, nullable=False),
    Column("seconds", Float, nullable=False),
    Column("enriched_at", UTCDateTime, nullable=False),
)

entities = Table(
    "entities",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(8), nullable=False),  # PERSON, PLACE, ORG
    Column("name", Text, nullable=False),
    Column("key", String(300), nullable=False, unique=True),  # kind:casefolded name
    Column("last_word", String(200)),  # casefolded last word of a name of several: a person's surname
    Index("ix_entities_kind", "kind"),
    Index("ix_entities_last_word", "kind", "last_word"),
)

entity_mentions = Table(
    "entity_mentions",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True),
    Column("name", Text, nullable=False),  # the name as this article gives it
    Column("count", Integer, nullable=False),
    Column("mentions", Text, nullable=False),  # JSON: [[surface, paragraph, start, end]]
    Index("ix_entity_mentions_entity", "entity_id"),
)

quotes = Table(
    "quotes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("entity_id", Integer, ForeignKey("entities.id", ondelete="SET NULL")),
    Column("speaker", Text),
    Column("speaker_text", Text),
    Column("kind", String(10), nullable=False),  # direct, indirect
    Column("cue", String(40)),
    Column("nested", Boolean, nullable=False),
    Column("text", Text, nullable=False),
    Column("paragraph", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Index("ix_quotes_article", "article_id", "position"),
    Index("ix_quotes_entity", "entity_id"),
)

# Clustering's vocabulary: in how many articles each term occurs (the row with the empty term counts the
# articles), kept incrementally so every worker weighs terms alike.
story_vocabulary = Table(
    "story_vocabulary",
    metadata,
    Column("term", String(200), primary_key=True),
    Column("df", Integer, nullable=False),
    sqlite_with_rowid=False,
)

# One row: ticks once per transaction that changes stories, so a worker's cache of stories reads only what
# changed since it last looked (stories.rev).
story_clock = Table(
    "story_clock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("rev", Integer, nullable=False),
)

# Each story's nearest other stories (shared names and terms), best first.
story_related = Table(
    "story_related",
    metadata,
    Column("story_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("related_id", Integer, ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True),
    Column("score", Float, nullable=False),
    Index("ix_story_related_related", "related_id"),
)
