"""The database: an engine from a URL, migrations, and one transaction object per unit of work.

`Transaction` implements the small interfaces the stages ask for (fold's `FoldIndex`, cluster's
`StoryIndex`, the site-template counts) on top of SQL that runs on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    event,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url

from tidings.models import CanonicalArticle, Copy, Document, StoredCopy
from tidings.store import schema as t
from tidings.store.enrichment import EnrichTables
from tidings.store.fold_index import FoldTables
from tidings.store.fold_mirror import FoldMirror, Pending
from tidings.store.sources import SourceTables
from tidings.store.story_index import StoryCache, StoryTables
from tidings.store.util import key as _key
from tidings.store.util import now as _now

_MIGRATIONS = Path(__file__).parent / "migrations"
# The advisory lock ingesting workers take on PostgreSQL (any fixed number; "tidings" in ASCII).
_WRITER_LOCK_KEY = 0x74696469_6E6773


class StoreError(Exception):
    pass


class Store:
    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self.url = url
        self.engine: Engine = create_engine(url)
        self.story_cache = StoryCache()  # this worker's copy of what clustering reads (story_index)
        self.fold_mirror = FoldMirror()  # this worker's copy of the fold index (fold_index)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)

    def migrate(self) -> None:
        """Bring the schema up to date (idempotent). Areas (fold, feeds, stories, reader, enrich) keep
        their own migration branches from 0001, so all heads are applied."""
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")  # each area keeps its own branch from 0001

    @contextmanager
    def begin(self) -> Iterator[Transaction]:
        """One unit of work: everything in it is saved together, or nothing is."""
        tx: Transaction | None = None
        try:
            with self.engine.begin() as connection:
                tx = Transaction(connection, self.story_cache, self.fold_mirror)
                yield tx
                tx.flush_stories()  # clustering's writes, batched to the end of the transaction
        except BaseException:
            if tx is not None:
                tx.stories_done(committed=False)
                tx.fold_done(committed=False)
            raise
        assert tx is not None
        tx.stories_done(committed=True)
        tx.fold_done(committed=True)

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # A new store's pages are 16 KiB (SQLite's default is 4): an article's body, a copy's text and word
    # hashes stay within one page, and a commit writes a quarter as many log frames (a system call each).
    # Folding costs 2-5% less; the reader's pages are served as fast (`tidings bench web`). It can
    # only be set before the first table is made: a store made with other pages keeps them.
    cursor.execute("PRAGMA page_size=16384")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Writers queue for the write lock (an ingesting worker holds it for a document at a time). SQLite's
    # busy handler is not fair: a waiting worker may wait through several of another's documents, the
    # more so on a busy machine, so it waits up to a minute before a write fails as "database is locked".
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()


def _dump(body: Sequence[str]) -> str:
    return json.dumps(list(body), ensure_ascii=False)


class Transaction(FoldTables, StoryTables, SourceTables, EnrichTables):
    """One unit of work. Documents, copies, articles and site templates live here; the fold index and
    the story index each keep their SQL in their own module (`fold_index`, `story_index`)."""

    def __init__(
        self,
        connection: Connection,
        story_cache: StoryCache | None = None,
        fold_mirror: FoldMirror | None = None,
    ) -> None:
        self.c = connection
        self.story_cache = story_cache if story_cache is not None else StoryCache()
        self.fold_mirror = fold_mirror if fold_mirror is not None else FoldMirror()
        self._fold_pending = Pending()  # what this transaction wrote to the fold log
        self._fold_seen: int | None = None  # the log row the worker's copy held when this tx read it
        self._work = None

    def take_writer_turn(self) -> None:
        """Wait until no other worker is ingesting, and keep the turn until this transaction ends: called
        first in an ingestion transaction, so that two workers never fold copies of one article side by side
        unseen by each other, nor store one document twice. PostgreSQL: a transaction-level advisory lock.
        SQLite: a first statement that writes, which takes the database's write lock (waiting for it, where
        a transaction that read first would fail on another's commit)."""
        if self.c.dialect.name == "postgresql":
            self.c.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _WRITER_LOCK_KEY})
        elif self.c.dialect.name == "sqlite":
            self.c.execute(text("DELETE FROM documents WHERE 0"))

    # documents -------------------------------------------------------------------------------------------
    def has_document(self, sha256: str) -> bool:
        return (
            self.c.execute(select(t.documents.c.id).where(t.documents.c.sha256 == sha256)).first() is not None
        )

    def add_document(self, doc: Document) -> int:
        result = self.c.execute(
            insert(t.documents).values(
                sha256=doc.sha256,
                site=doc.site,
                url=doc.url,
                path=doc.path,
                kind=doc.kind.value,
                encoding=doc.encoding,
                fetched_at=doc.fetched_at,
                ingested_at=_now(),
                content=doc.content,
            )
        )
        return _key(result)

    # site templates ---------------------------------------------------------------------------------------
    def observe_site_lines(self, site: str, lines: dict[str, str | None]) -> None:
        """Count, once per document, the lines (normalised line -> head key) a site's page shows."""
        if not lines:
            return
        table = t.site_lines
        known = set(
            self.c.execute(
                select(table.c.line).where(table.c.site == site, table.c.line.in_(list(lines)))
            ).scalars()
        )
        if known:
            self.c.execute(
                update(table)
                .where(table.c.site == site, table.c.line.in_(known))
                .values(doc_count=table.c.doc_count + 1)
            )
        fresh = [
            {"site": site, "line": line, "head": head, "doc_count": 1}
            for line, head in lines.items()
            if line not in known
        ]
        if fresh:
            self.c.execute(insert(table), fresh)

    def site_line_stats(self, site: str, heads: Sequence[str]) -> tuple[set[str], list[list[str]]]:
        """(lines seen on two or more pages, groups of lines sharing each of `heads`)."""
        table = t.site_lines
        recurring = set(
            self.c.execute(select(table.c.line).where(table.c.site == site, table.c.doc_count >= 2)).scalars()
        )
        groups: dict[str, list[str]] = {}
        if heads:
            rows = self.c.execute(
                select(table.c.head, table.c.line).where(table.c.site == site, table.c.head.in_(list(heads)))
            )
            for head, line in rows:
                groups.setdefault(head, []).append(line)
        return recurring, [g for g in groups.values() if len(g) >= 2]

    # copies -------------------------------------------------------------------------------------------------
    def add_copy(self, document_id: int, position: int, copy: Copy, shingles: bytes) -> int:
        result = self.c.execute(
            insert(t.copies).values(
                document_id=document_id,
                position=position,
                title=copy.title,
                dek=copy.dek,
                body=_dump(copy.body),
                author=copy.author,
                publisher=copy.publisher,
                published_at=copy.published_at,
                language=copy.language,
                image=copy.image,
                canonical_url=copy.canonical_url,
                truncated=copy.truncated,
                extract_changes=json.dumps(list(copy.changes)),
                changes="[]",
                shingles=shingles,
                ref=copy.ref,
            )
        )
        return _key(result)

    # articles ---------------------------------------------------------------------------------------------
    def new_article(self) -> int:
        now = _now()
        result = self.c.execute(insert(t.articles).values(body="[]", created_at=now, updated_at=now))
        return _key(result)

    def attach_copy(self, copy_id: int, article_id: int) -> None:
        self.c.execute(update(t.copies).where(t.copies.c.id == copy_id).values(article_id=article_id))

    def article_copies(self, article_id: int) -> list[StoredCopy]:
        c, d = t.copies, t.documents
        rows = self.c.execute(
            select(c, d.c.site, d.c.url, d.c.path, d.c.fetched_at, d.c.sha256)
            .join(d, d.c.id == c.c.document_id)
            .where(c.c.article_id == article_id)
            .order_by(c.c.id)
        ).mappings()
        return [_stored_copy(row) for row in rows]

    def save_article(self, article_id: int, article: CanonicalArticle) -> None:
        self.c.execute(
            update(t.articles)
            .where(t.articles.c.id == article_id)
            .values(
                title=article.title,
                dek=article.dek,
                body=_dump(article.body),
                publisher=article.publisher,
                author=article.author,
                published_at=article.published_at,
                language=article.language,
                image=article.image,
                updated_at=_now(),
            )
        )
        for copy_id, changes in article.copy_changes.items():
            self.c.execute(
                update(t.copies).where(t.copies.c.id == copy_id).values(changes=json.dumps(changes))
            )


def _stored_copy(row: Any) -> StoredCopy:
    copy = Copy(
        title=row["title"],
        dek=row["dek"],
        body=tuple(json.loads(row["body"])),
        author=row["author"],
        publisher=row["publisher"],
        published_at=row["published_at"],
        language=row["language"],
        image=row["image"],
        canonical_url=row["canonical_url"],
        changes=tuple(json.loads(row["extract_changes"])),
        truncated=bool(row["truncated"]),
        ref=row["ref"],
    )
    return StoredCopy(
        id=row["id"],
        copy=copy,
        site=row["site"],
        url=row["url"],
        path=row["path"],
        fetched_at=row["fetched_at"],
        document_sha256=row["sha256"],
    )
