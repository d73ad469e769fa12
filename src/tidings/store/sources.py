"""Subscriptions in SQL: sources with their fetch status and schedule, and the entries seen in each.

`SourceTables` is mixed into `Transaction` (writes and the look-ups the refresh needs); `list_sources` and
`get_source` are the read queries the CLI and the web share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from tidings.models import Source
from tidings.store import schema as t
from tidings.store.util import key as _key

_SOURCE_FIELDS = frozenset(c.name for c in t.sources.columns) - {"id", "added_at"}


@dataclass(frozen=True, slots=True)
class EntryRecord:
    """An entry as the refresh saves it."""

    url_key: str | None
    guid: str | None
    content_hash: str
    link: str | None
    title: str | None
    published_at: datetime | None
    document_sha256: str | None
    status: str  # ingested, failed, empty
    error: str | None = None


@dataclass(frozen=True, slots=True)
class KnownEntry:
    id: int
    content_hash: str
    status: str


class SourceTables:
    c: Connection

    def add_source(
        self,
        url: str,
        now: datetime,
        *,
        title: str | None = None,
        site_url: str | None = None,
        category: str | None = None,
        hub: str | None = None,
    ) -> int | None:
        """A new source due at once; None when `url` is already a source."""
        if self.source_by_url(url) is not None:
            return None
        try:
            with self.c.begin_nested():
                result = self.c.execute(
                    insert(t.sources).values(
                        url=url,
                        kind="feed",
                        title=title,
                        site_url=site_url,
                        category=category,
                        hub=hub,
                        added_at=now,
                        status="new",
                        failures=0,
                        next_fetch_at=now,
                    )
                )
        except IntegrityError:  # added by someone else meanwhile
            return None
        return _key(result)

    def source(self, source_id: int) -> Source | None:
        row = self.c.execute(select(t.sources).where(t.sources.c.id == source_id)).mappings().first()
        return _source(row) if row else None

    def source_by_url(self, url: str) -> Source | None:
        row = self.c.execute(select(t.sources).where(t.sources.c.url == url)).mappings().first()
        return _source(row) if row else None

    def remove_source(self, source_id: int) -> bool:
        """Forget a source and its entries; the documents and articles it brought stay."""
        self.c.execute(delete(t.feed_entries).where(t.feed_entries.c.source_id == source_id))
        return bool(self.c.execute(delete(t.sources).where(t.sources.c.id == source_id)).rowcount)

    def claim_due_sources(
        self, now: datetime, lease_until: datetime, limit: int | None = None, ids: Sequence[int] = ()
    ) -> list[Source]:
        """Sources due by `now` (or the sources `ids`, due or not), soonest first, each leased until
        `lease_until` so that another refresher running meanwhile leaves them alone."""
        query = select(t.sources).order_by(t.sources.c.next_fetch_at, t.sources.c.id)
        if ids:
            query = query.where(t.sources.c.id.in_(list(ids)))
        else:
            query = query.where(t.sources.c.next_fetch_at <= now)
        if limit is not None:
            query = query.limit(limit)
        sources = [_source(row) for row in self.c.execute(query).mappings()]
        for start in range(0, len(sources), 500):
            chunk = [s.id for s in sources[start : start + 500]]
            self.c.execute(
                update(t.sources)
                .where(t.sources.c.id.in_(chunk), t.sources.c.next_fetch_at.is_not(None))
                .values(next_fetch_at=lease_until)
            )
        return sources

    def update_source(self, source_id: int, **values: Any) -> None:
        unknown = set(values) - _SOURCE_FIELDS
        if unknown:
            raise ValueError(f"not a source field: {', '.join(sorted(unknown))}")
        if values:
            self.c.execute(update(t.sources).where(t.sources.c.id == source_id).values(**values))

    def move_source(self, source_id: int, url: str) -> bool:
        """Point a source at its new URL (a permanent redirect); False when another source has it."""
        if self.source_by_url(url) is not None:
            return False
        self.update_source(source_id, url=url)
        return True

    def known_entries(
        self, source_id: int, keys: Sequence[tuple[str | None, str | None, str]]
    ) -> list[KnownEntry | None]:
        """For each (url_key, guid, content_hash): the stored entry it is, or None.

        An entry is known by its link's key or by its GUID; one with neither, by its content."""
        fe = t.feed_entries
        url_keys = sorted({k for k, _, _ in keys if k})
        guids = sorted({g for _, g, _ in keys if g})
        hashes = sorted({h for k, g, h in keys if not k and not g})
        clauses: list[ColumnElement[bool]] = []
        if url_keys:
            clauses.append(fe.c.url_key.in_(url_keys))
        if guids:
            clauses.append(fe.c.guid.in_(guids))
        if hashes:
            clauses.append(and_(fe.c.url_key.is_(None), fe.c.guid.is_(None), fe.c.content_hash.in_(hashes)))
        if not clauses:
            return [None] * len(keys)
        rows = self.c.execute(
            select(fe.c.id, fe.c.url_key, fe.c.guid, fe.c.content_hash, fe.c.status)
            .where(fe.c.source_id == source_id, or_(*clauses))
            .order_by(fe.c.id)
        ).all()
        known = {r.id: KnownEntry(r.id, r.content_hash, r.status) for r in rows}
        by_key = {r.url_key: known[r.id] for r in rows if r.url_key}
        by_guid = {r.guid: known[r.id] for r in rows if r.guid}
        by_hash = {r.content_hash: known[r.id] for r in rows if not r.url_key and not r.guid}
        found: list[KnownEntry | None] = []
        for url_key, guid, content_hash in keys:
            match = (url_key and by_key.get(url_key)) or (guid and by_guid.get(guid)) or None
            if match is None and not url_key and not guid:
                match = by_hash.get(content_hash)
            found.append(match)
        return found

    def list_sources(self, ids: Sequence[int] = ()) -> list[Source]:
        """Every source (or those in `ids`) with its status and counts (see `list_sources`)."""
        return list_sources(self.c, ids)

    def save_entries(
        self, source_id: int, entries: Sequence[tuple[EntryRecord, int | None]], now: datetime
    ) -> None:
        """Record entries: (record, id of the stored entry it updates, or None for a new one)."""
        fresh = [
            _entry_values(record, now) | {"source_id": source_id, "first_seen_at": now}
            for record, entry_id in entries
            if entry_id is None
        ]
        if fresh:
            self.c.execute(insert(t.feed_entries), fresh)
        for record, entry_id in entries:
            if entry_id is not None:
                self.c.execute(
                    update(t.feed_entries)
                    .where(t.feed_entries.c.id == entry_id)
                    .values(_entry_values(record, now))
                )


def _entry_values(entry: EntryRecord, now: datetime) -> dict[str, Any]:
    return {
        "url_key": entry.url_key,
        "guid": entry.guid,
        "content_hash": entry.content_hash,
        "link": entry.link,
        "title": entry.title,
        "published_at": entry.published_at,
        "document_sha256": entry.document_sha256,
        "status": entry.status,
        "error": entry.error,
        "updated_at": now,
    }


def _source(row: Any, entry_count: int = 0, article_count: int = 0) -> Source:
    return Source(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        site_url=row["site_url"],
        category=row["category"],
        added_at=row["added_at"],
        status=row["status"],
        last_result=row["last_result"],
        last_error=row["last_error"],
        last_http_status=row["last_http_status"],
        failures=row["failures"],
        last_fetch_at=row["last_fetch_at"],
        last_success_at=row["last_success_at"],
        last_change_at=row["last_change_at"],
        next_fetch_at=row["next_fetch_at"],
        interval_seconds=row["interval_seconds"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        body_hash=row["body_hash"],
        hub=row["hub"],
        entry_count=entry_count,
        article_count=article_count,
    )


# Read queries for the CLI and the web ------------------------------------------------------------------


def list_sources(connection: Connection, ids: Sequence[int] = ()) -> list[Source]:
    """Every source (or those in `ids`) with its entry and article counts, by category then title."""
    fe, d, c, s = t.feed_entries, t.documents, t.copies, t.sources
    entries = (
        select(fe.c.source_id, func.count().label("n")).group_by(fe.c.source_id).subquery("entry_counts")
    )
    articles = (
        select(fe.c.source_id, func.count(func.distinct(c.c.article_id)).label("n"))
        .join(d, d.c.sha256 == fe.c.document_sha256)
        .join(c, c.c.document_id == d.c.id)
        .group_by(fe.c.source_id)
        .subquery("article_counts")
    )
    query = (
        select(s, entries.c.n.label("entry_count"), articles.c.n.label("article_count"))
        .outerjoin(entries, entries.c.source_id == s.c.id)
        .outerjoin(articles, articles.c.source_id == s.c.id)
        .order_by(func.coalesce(s.c.category, ""), func.lower(func.coalesce(s.c.title, s.c.url)), s.c.id)
    )
    if ids:
        query = query.where(s.c.id.in_(list(ids)))
    return [
        _source(row, row["entry_count"] or 0, row["article_count"] or 0)
        for row in connection.execute(query).mappings()
    ]
