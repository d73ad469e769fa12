"""The fold signature index in the store: what `fold.FoldIndex` asks (cluster's counterpart is
`story_index`).

Postings (index key, article) are kept as a log (`fold_log`, one row per transaction that posted keys,
joined articles or emptied the index); each worker holds the index in memory and replays the rows other
workers added before it looks anything up (`fold_mirror`). A lookup is then a few searches in
memory rather than a B-tree seek per key in SQL, and writing a batch's postings is one row.

Copies' word hashes (`fold_signatures`) are what candidates are verified against; they stay in SQL and
are read only for the candidates.
"""

from __future__ import annotations

import itertools
import json
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, insert, select

from tidings.models import Copy
from tidings.store import reading
from tidings.store import schema as t
from tidings.store.fold_mirror import (
    CLEARED,
    COUNTED,
    JOINED,
    POSTED,
    FoldMirror,
    Pending,
    Signature,
    pack_join,
    pack_pairs,
)
from tidings.store.util import driver_many, driver_rows
from tidings.store.util import now as _now

_LOG_ROWS = 64  # log rows read per statement when catching up
REINDEX_LEVEL = -1  # fold_levels marker: copies stored before the index had word hashes


class FoldLogError(Exception):
    """The store's fold log cannot be replayed (rows missing)."""


class FoldTables:
    c: Connection
    fold_mirror: FoldMirror
    _fold_pending: Pending
    _fold_seen: int | None
    stories_follow_join: Callable[[int, Sequence[int]], None]  # the story index's (`story_index`)

    # what fold.FoldIndex asks -------------------------------------------------------------------------------
    def fold_lookup(self, keys: np.ndarray, most: int | None = None) -> np.ndarray:
        with self.fold_mirror.lock:
            self._fold_sync()
            return self.fold_mirror.lookup(keys, most, self._fold_pending)

    def fold_signatures(self, article_ids: Sequence[int]) -> list[Signature]:
        """From the worker's recent articles (`Signatures`) when it holds them as the log stands for this
        transaction, else from SQL (and kept, if nothing was taken into the worker's copy meanwhile)."""
        if not article_ids:
            return []
        pending, mirror = self._fold_pending, self.fold_mirror
        with mirror.lock:
            self._fold_sync()
            seen = self._fold_seen
            recent = None if pending.cleared else mirror.signatures
            found: list[Signature] = []
            missing: list[int] = []
            touched = pending.touched
            for article in article_ids:
                rows = None if recent is None or article in touched else recent.get(article)
                if rows is None:
                    missing.append(article)
                else:
                    found.extend(rows)
        if missing:
            read = self._rows(
                "SELECT article_id, key_count, coalesce(shingle_count, -1), words FROM fold_signatures "
                f"WHERE article_id {self._any('ids')} ORDER BY article_id, copy_id",
                {"ids": _array(self, missing)},
            )
            fetched = [(int(a), int(k), int(n), bytes(w)) for a, k, n, w in read]
            with mirror.lock:
                if recent is not None and recent is mirror.signatures and mirror.tick == seen:
                    grouped = itertools.groupby(fetched, key=operator.itemgetter(0))
                    recent.put_many((a, tuple(rows)) for a, rows in grouped if a not in touched)
            found.extend(fetched)
        found.sort(key=operator.itemgetter(0))  # stable: each article's copies stay in copy order
        return found

    def fold_key_counts(self, article_ids: np.ndarray) -> np.ndarray:
        with self.fold_mirror.lock:
            self._fold_sync()
            return self.fold_mirror.key_counts_of(article_ids, self._fold_pending)

    def fold_new_articles(self, count: int) -> list[int]:
        if count <= 0:
            return []
        moment = _now()
        rows: list[dict[str, Any]] = [{"body": "[]", "created_at": moment, "updated_at": moment}] * count
        if self.c.dialect.name != "sqlite":
            result = self.c.execute(
                insert(t.articles).returning(t.articles.c.id, sort_by_parameter_order=True), rows
            )
            ids = [int(i) for i in result.scalars()]
            self._fold_pending.started.update((i, []) for i in ids)
            return ids
        # SQLite hands out max(id) + 1, so the id of an article merged away could come back and be taken
        # for it: ids of merged articles stay spent (PostgreSQL's sequences never go back).
        (top, gone), *_ = self._rows(
            "SELECT (SELECT max(id) FROM articles), (SELECT max(article_id) FROM fold_merged)", {}
        )
        first = max(int(top or 0), int(gone or 0)) + 1
        ids = list(range(first, first + count))
        stamp = t.UTCDateTime().process_bind_param(moment, self.c.dialect)
        self._fold_many(  # one statement: the ids counted out by SQLite, not bound one row at a time
            "WITH RECURSIVE fresh(id) AS (SELECT ? UNION ALL SELECT id + 1 FROM fresh WHERE id < ?) "
            "INSERT INTO articles (id, body, created_at, updated_at) SELECT id, '[]', ?, ? FROM fresh",
            [(first, first + count - 1, stamp, stamp)],
        )
        self._fold_pending.started.update((i, []) for i in ids)
        return ids

    def fold_record(self, signatures: Sequence[tuple[int, int, int, int, bytes]], keys: np.ndarray) -> None:
        if signatures:
            self._fold_many(
                "INSERT INTO fold_signatures (copy_id, article_id, key_count, shingle_count, words) "
                "VALUES (?, ?, ?, ?, ?)",
                signatures,
            )
            n = len(signatures)
            articles = np.fromiter(map(operator.itemgetter(1), signatures), dtype=np.int64, count=n)
            counts = np.fromiter(map(operator.itemgetter(2), signatures), dtype=np.int64, count=n)
            self._fold_log(COUNTED, pack_pairs(articles, counts))
            started = self._fold_pending.started
            if started:
                for copy, article, count, shingles, words in signatures:
                    if article in started:
                        started[article].append((copy, (article, count, shingles, words)))
        if len(keys):
            pairs = np.asarray(keys, dtype=np.int64).reshape(-1, 2)
            self._fold_log(POSTED, pack_pairs(pairs[:, 0], pairs[:, 1]))

    def fold_merge(self, into: int, absorbed: Sequence[int]) -> None:
        """Copies and word hashes of `absorbed` move to `into`, and their readers' comments, saves and
        reads; the absorbed articles leave their stories and go (their postings are read as `into`'s from
        now on)."""
        gone = list(absorbed)
        # by the driver: SQLAlchemy's building of these statements cost ten times their running
        ids, among = {"into": into, "gone": _array(self, gone)}, self._any("gone")
        self._rows(f"UPDATE copies SET article_id = :into WHERE article_id {among}", ids)
        self._rows(f"UPDATE fold_signatures SET article_id = :into WHERE article_id {among}", ids)
        self._rows(f"UPDATE fold_merged SET into_id = :into WHERE into_id {among}", ids)
        self._fold_many(
            "INSERT INTO fold_merged (article_id, into_id) VALUES (?, ?)", [(a, into) for a in gone]
        )
        reading.follow_join(self.c, among, ids)  # readers' comments, saves and reads, before the delete
        self.stories_follow_join(into, gone)
        self._rows(f"DELETE FROM articles WHERE id {among}", ids)
        counts = self.fold_key_counts(np.array([into, *gone], dtype=np.int64))
        self._fold_log(JOINED, pack_join(into, gone))
        pending = self._fold_pending
        for article in gone:
            pending.counts.pop(article, None)
        known = counts[counts >= 0]
        if len(known):
            pending.counts[into] = int(known.min())

    # maintenance --------------------------------------------------------------------------------------------
    def fold_merged_into(self, article_id: int) -> int | None:
        """The article an article was merged into (for links to an id that is gone)."""
        m = t.fold_merged
        value = self.c.execute(select(m.c.into_id).where(m.c.article_id == article_id)).scalar()
        return int(value) if value is not None else None

    def fold_copy_articles(self) -> list[tuple[int, int]]:
        """(copy id, article id) of every indexed copy."""
        s = t.fold_signatures
        return [(int(c), int(a)) for c, a in self.c.execute(select(s.c.copy_id, s.c.article_id))]

    def fold_needs_reindex(self) -> bool:
        lv = t.fold_levels
        row = self.c.execute(select(lv.c.rows).where(lv.c.level == REINDEX_LEVEL)).first()
        return row is not None

    def fold_clear(self) -> None:
        """Empty the index (before rebuilding it from the copies' text): the log's rows go, and one
        saying so takes their place (workers that read it empty their copy)."""
        self.c.execute(delete(t.fold_signatures))
        self.c.execute(delete(t.fold_levels))  # the marker of an index to rebuild
        tick = self._fold_head() + 1
        self.c.execute(delete(t.fold_log))
        self._fold_append(tick, CLEARED, b"")

    def fold_stored_copies(self, batch: int) -> Iterator[list[tuple[int, int, Copy]]]:
        """(copy id, article id, copy text) of every copy in an article, in batches of about `batch`
        copies, article by article: an article's copies are never split between two batches (so a batch
        that posts its copies' keys posts each (key, article) once, and no other batch posts it)."""
        c = t.copies
        columns = select(c.c.id, c.c.article_id, c.c.title, c.c.dek, c.c.body)
        after = 0
        while True:
            rows = list(
                self.c.execute(
                    columns.where(c.c.article_id > after).order_by(c.c.article_id, c.c.id).limit(batch)
                )
            )
            if not rows:
                return
            last, last_copy = int(rows[-1][1]), int(rows[-1][0])
            rows.extend(  # the rest of the last article's copies
                self.c.execute(columns.where(c.c.article_id == last, c.c.id > last_copy).order_by(c.c.id))
            )
            yield [
                (int(i), int(a), Copy(title=title, dek=dek, body=tuple(json.loads(body))))
                for i, a, title, dek, body in rows
            ]
            after = last

    def fold_index_stats(self) -> dict[str, int]:
        """The worker's copy of the index, as this transaction sees it: the last log row it holds,
        postings, sorted runs, boilerplate keys."""
        with self.fold_mirror.lock:
            self._fold_sync()
            mirror, pending = self.fold_mirror, self._fold_pending
            held = [pending.postings] if pending.cleared else [mirror.postings, pending.postings]
            return {
                "tick": max([mirror.tick, *(tick for tick, _, _ in pending.rows)]),
                "postings": sum(p.size for p in held),
                "runs": sum(len(p.runs) for p in held),
                "boilerplate": len(np.unique(np.concatenate([p.hot for p in held]))),
            }

    def fold_done(self, committed: bool) -> None:
        """The transaction ended: what it wrote to the log is the store's now (and the worker's copy takes
        it in, if nothing came between), or it is forgotten."""
        pending, self._fold_pending, self._fold_seen = self._fold_pending, Pending(), None
        if not committed or not pending.rows:
            return
        mirror = self.fold_mirror
        with mirror.lock:
            if mirror.tick == pending.base:
                for tick, kind, data in pending.rows:
                    mirror.apply(tick, kind, data)
                mirror.signatures.put_many(pending.kept())

    # internals ----------------------------------------------------------------------------------------------
    def _fold_sync(self) -> None:
        """Bring the worker's copy up to the log (the caller holds its lock), once a transaction: its
        lookups and key counts all answer from the same log row, and its own rows are in
        `_fold_pending` (no other worker writes in its turn)."""
        mirror = self.fold_mirror
        if self._fold_pending.rows or self._fold_seen is not None:
            return
        head = self._fold_head()
        if head < mirror.tick:  # not the log this copy was read from
            mirror.reset()
        while head > mirror.tick:
            rows = self._rows(
                "SELECT tick, kind, data FROM fold_log WHERE tick > :held ORDER BY tick LIMIT :n",
                {"held": mirror.tick, "n": _LOG_ROWS},
            )
            if not rows:
                break
            if int(rows[0][0]) != mirror.tick + 1 and int(rows[0][1]) != CLEARED:
                if mirror.tick == 0:
                    raise FoldLogError(f"the fold log starts at row {rows[0][0]}: rows before it are missing")
                mirror.reset()  # rows this copy needs are gone: read the log again from its start
                continue
            for tick, kind, data in rows:
                mirror.apply(int(tick), int(kind), bytes(data))
        self._fold_seen = mirror.tick

    def _fold_head(self) -> int:
        rows = self._rows("SELECT max(tick) FROM fold_log", {})
        return int(rows[0][0] or 0) if rows else 0

    def _fold_log(self, kind: int, data: bytes) -> None:
        """Append a row to the log; this transaction sees it at once."""
        if not self._fold_pending.rows and self._fold_seen is None:
            with self.fold_mirror.lock:  # what it writes goes on top of what the store holds
                self._fold_sync()
        rows = self._fold_pending.rows  # after its own first row, nobody else can write the next one
        self._fold_append(rows[-1][0] + 1 if rows else self._fold_head() + 1, kind, data)

    def _fold_append(self, tick: int, kind: int, data: bytes) -> None:
        self._fold_many("INSERT INTO fold_log (tick, kind, data) VALUES (?, ?, ?)", [(tick, kind, data)])
        pending = self._fold_pending
        if not pending.rows:
            pending.base = self._fold_seen
        pending.add(tick, kind, data)

    def _any(self, name: str) -> str:
        """`IN` the list of integers passed as parameter `name` (see `_array`)."""
        if self.c.dialect.name == "postgresql":
            return f"= ANY(CAST(:{name} AS bigint[]))"
        return f"IN (SELECT value FROM json_each(:{name}))"

    def _rows(self, statement: str, params: dict[str, Any]) -> list[Any]:
        """The rows of one statement (`:name` parameters) as the driver's plain tuples: SQLAlchemy's row
        objects cost more than the query for the many rows a batch reads."""
        return driver_rows(self.c, statement, params)

    def _fold_many(self, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """One statement (`?` marks) for many rows, handed to the driver."""
        driver_many(self.c, statement, rows)


def _array(tables: FoldTables, values: Sequence[int]) -> Any:
    """A list of integers as one statement parameter: a JSON array for SQLite, an array for PostgreSQL."""
    return list(values) if tables.c.dialect.name == "postgresql" else json.dumps(list(values))
