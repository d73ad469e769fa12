"""The fold signature index in SQL: what `fold.FoldIndex` asks (cluster's counterpart is `story_index`).

Postings (index key, article) live in `fold_anchors`, one clustered B-tree keyed (level, key, article),
organised like a log-structured merge tree: new postings go to level 0, a small range whose pages stay
in cache, so a batch of inserts dirties few pages; when a level outgrows its share (`LEVEL_ROWS` times
`LEVEL_GROWTH` to the level) it is merged, in key order, into the next. Random inserts into one big
B-tree would instead dirty a page per posting and slow down as the index grows; here every posting is
rewritten a few times in sequential batches, and a lookup costs one seek per level per key, all in one
statement. Keys shared by more than `HOT_POSTINGS` articles (boilerplate) are dropped when their level
is merged: they find everything and tell nothing.

Copies' word hashes (`fold_signatures`) are what candidates are verified against.

Most keys looked up are in no article: a worker's in-process filter of the keys ever posted (read from
the key log `fold_keys`, see `keyfilter`) lets only the keys the index may hold reach SQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import Connection, SmallInteger, delete, func, insert, literal, select, update

from tidings.models import Copy
from tidings.store import schema as t
from tidings.store.keyfilter import FoldCache, KeyFilter
from tidings.store.util import driver_many, driver_rows
from tidings.store.util import now as _now

LEVEL_ROWS = 1 << 16  # postings level 0 holds before it is merged into level 1
LEVEL_GROWTH = 8  # each level holds this many times the one above it
HOT_POSTINGS = 256  # a key in more articles than this is boilerplate
_CHUNK = 20_000  # keys per lookup statement
REINDEX_LEVEL = -1  # fold_levels marker: copies stored before the index had word hashes


class FoldTables:
    c: Connection
    fold_cache: FoldCache
    _fold_synced: int | None
    _fold_found: set[int]

    # what fold.FoldIndex asks -------------------------------------------------------------------------------
    def fold_lookup(self, keys: Sequence[int], most: int | None = None) -> list[tuple[int, int]]:
        keys = self._may_be_held(keys) if keys else keys
        levels = self._levels()
        if not keys or not levels:
            return []
        out: list[tuple[int, int]] = []
        for start in range(0, len(keys), _CHUNK):
            params = {"levels": _array(self, levels), "keys": _array(self, keys[start : start + _CHUNK])}
            if most is None:
                out.extend(self._rows(self._lookup_sql(), params))
                continue
            # postings counted first, and read whole only for keys with no more than `most` (one statement
            # joining the counts back made SQLite scan whole levels); a key past it comes back as (key, -1),
            # with its postings of the articles the other keys found
            counts = self._rows(self._count_sql(), {**params, "cap": most + 1})
            cool = [k for k, n in counts if n <= most]
            hot = [k for k, n in counts if n > most]
            found = self._rows(self._lookup_sql(), {**params, "keys": _array(self, cool)}) if cool else []
            out.extend(found)
            out.extend((k, -1) for k in hot)
            if hot and found:
                articles = sorted({a for _, a in found})
                # SQLite: "+" keeps the articles out of the key seeks (which would try every pair)
                unindexed = "+" if self.c.dialect.name == "sqlite" else ""
                out.extend(
                    self._rows(
                        self._lookup_sql() + f" AND {unindexed}article_id {self._any('articles')}",
                        {**params, "keys": _array(self, hot), "articles": _array(self, articles)},
                    )
                )
        self._fold_found.update(k for k, _ in out)
        return out

    def fold_signatures(self, article_ids: Sequence[int]) -> list[tuple[int, int, bytes]]:
        if not article_ids:
            return []
        rows = self._rows(
            f"SELECT article_id, key_count, words FROM fold_signatures WHERE article_id {self._any('ids')} "
            "ORDER BY article_id, copy_id",
            {"ids": _array(self, article_ids)},
        )
        return [(a, k, bytes(w)) for a, k, w in rows]

    def fold_key_counts(self, article_ids: Sequence[int]) -> dict[int, int]:
        out: dict[int, int] = {}
        for start in range(0, len(article_ids), _CHUNK):
            rows = self._rows(
                "SELECT article_id, min(key_count) FROM fold_signatures "
                f"WHERE article_id {self._any('ids')} GROUP BY article_id",
                {"ids": _array(self, article_ids[start : start + _CHUNK])},
            )
            out.update(rows)
        return out

    def fold_new_articles(self, count: int) -> list[int]:
        if count <= 0:
            return []
        moment = _now()
        rows: list[dict[str, Any]] = [{"body": "[]", "created_at": moment, "updated_at": moment}] * count
        if self.c.dialect.name != "sqlite":
            result = self.c.execute(
                insert(t.articles).returning(t.articles.c.id, sort_by_parameter_order=True), rows
            )
            return [int(i) for i in result.scalars()]
        # SQLite hands out max(id) + 1, so the id of an article merged away could come back and be taken
        # for it: ids of merged articles stay spent (PostgreSQL's sequences never go back).
        top = self.c.execute(select(func.max(t.articles.c.id))).scalar() or 0
        gone = self.c.execute(select(func.max(t.fold_merged.c.article_id))).scalar() or 0
        first = max(int(top), int(gone)) + 1
        ids = list(range(first, first + count))
        stamp = t.UTCDateTime().process_bind_param(moment, self.c.dialect)
        self._fold_many(
            "INSERT INTO articles (id, body, created_at, updated_at) VALUES (?, '[]', ?, ?)",
            [(i, stamp, stamp) for i in ids],
        )
        return ids

    def fold_record(
        self, signatures: Sequence[tuple[int, int, int, bytes]], keys: Sequence[tuple[int, int]]
    ) -> None:
        if signatures:
            self._fold_many(
                "INSERT INTO fold_signatures (copy_id, article_id, key_count, words) VALUES (?, ?, ?, ?)",
                signatures,
            )
        if keys:
            self._post(0, keys)
            self._compact()
            self._log_keys(sorted({k for k, _ in keys}.difference(self._fold_found)))

    def fold_merge(self, into: int, absorbed: Sequence[int], keys: Sequence[int]) -> None:
        """Copies, word hashes and postings of `absorbed` move to `into`; the absorbed articles go."""
        gone = list(absorbed)
        self.c.execute(update(t.copies).where(t.copies.c.article_id.in_(gone)).values(article_id=into))
        s = t.fold_signatures
        self.c.execute(update(s).where(s.c.article_id.in_(gone)).values(article_id=into))
        a = t.fold_anchors
        levels = self._levels()
        for start in range(0, len(keys), _CHUNK):
            chunk = list(keys[start : start + _CHUNK])
            self.c.execute(
                delete(a).where(a.c.level.in_(levels), a.c.anchor.in_(chunk), a.c.article_id.in_(gone))
            )
            self._post(0, [(k, into) for k in chunk])
        m = t.fold_merged
        self.c.execute(update(m).where(m.c.into_id.in_(gone)).values(into_id=into))
        self.c.execute(insert(m), [{"article_id": g, "into_id": into} for g in gone])
        self.c.execute(delete(t.articles).where(t.articles.c.id.in_(gone)))

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
        """Empty the index (before rebuilding it from the copies' text). The key log stays: keys it holds
        that the index no longer has cost a worker's filter nothing but a lookup."""
        for table in (t.fold_anchors, t.fold_signatures, t.fold_levels):
            self.c.execute(delete(table))

    def fold_stored_copies(self, batch: int) -> Iterator[list[tuple[int, int, Copy]]]:
        """(copy id, article id, copy text) of every copy in an article, in batches."""
        c = t.copies
        after = 0
        while True:
            rows = self.c.execute(
                select(c.c.id, c.c.article_id, c.c.title, c.c.dek, c.c.body)
                .where(c.c.id > after, c.c.article_id.is_not(None))
                .order_by(c.c.id)
                .limit(batch)
            ).all()
            if not rows:
                return
            yield [
                (int(i), int(a), Copy(title=title, dek=dek, body=tuple(json.loads(body))))
                for i, a, title, dek, body in rows
            ]
            after = int(rows[-1][0])

    def fold_index_stats(self) -> dict[int, int]:
        lv = t.fold_levels
        return {
            int(lvl): int(n) for lvl, n in self.c.execute(select(lv.c.level, lv.c.rows).order_by(lv.c.level))
        }

    def fold_done(self, committed: bool) -> None:
        """The transaction ended: what the filter read or logged in it is the store's now, or not."""
        synced, self._fold_synced = self._fold_synced, None
        self._fold_found = set()
        if committed and synced is not None:
            with self.fold_cache.lock:
                self.fold_cache.tick = max(self.fold_cache.tick, synced)

    # internals ----------------------------------------------------------------------------------------------
    def _may_be_held(self, keys: Sequence[int]) -> Sequence[int]:
        """The keys the index may hold: all of them, or those the worker's filter lets through once it
        has been read (see `FoldCache`), after reading the log rows other workers added."""
        cache = self.fold_cache
        with cache.lock:
            head, total = self._log_head()
            cache.looked += len(keys)
            if cache.filter is None:
                if cache.looked < total * cache.LOAD_SHARE:
                    return keys
                cache.filter, cache.tick = KeyFilter(), 0
            held = max(cache.tick, self._fold_synced or 0)
            if held > head:  # the log is not the one the filter was read from
                cache.filter, cache.tick, held = KeyFilter(), 0, 0
            if held < head:
                for (blob,) in self._rows(
                    "SELECT keys FROM fold_keys WHERE tick > :held ORDER BY tick", {"held": held}
                ):
                    cache.filter.add(np.frombuffer(bytes(blob), dtype="<i8"))
            self._fold_synced = head
            wanted = np.asarray(keys, dtype=np.int64)
            return wanted[cache.filter.may_hold(wanted)].tolist()  # type: ignore[no-any-return]

    def _log_head(self) -> tuple[int, int]:
        """The key log's last tick and how many keys it holds up to it (0, 0 when it is empty)."""
        rows = self._rows("SELECT tick, total FROM fold_keys ORDER BY tick DESC LIMIT 1", {})
        return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)

    def _log_keys(self, keys: Sequence[int]) -> None:
        """Log keys newly posted (the filter of this worker takes them at once)."""
        if not keys:
            return
        cache = self.fold_cache
        with cache.lock:
            head, total = self._log_head()
            packed = np.asarray(keys, dtype="<i8")
            self._fold_many(
                "INSERT INTO fold_keys (tick, total, keys) VALUES (?, ?, ?)",
                [(head + 1, total + len(keys), packed.tobytes())],
            )
            if cache.filter is not None:
                cache.filter.add(packed.astype(np.int64))
                if self._fold_synced == head:
                    self._fold_synced = head + 1

    def _levels(self) -> list[int]:
        lv = t.fold_levels
        return [
            int(v)
            for v in self.c.execute(
                select(lv.c.level).where(lv.c.level >= 0, lv.c.rows > 0).order_by(lv.c.level)
            ).scalars()
        ]

    def _any(self, name: str, kind: str = "bigint") -> str:
        """`IN` the list of integers passed as parameter `name` (see `_array`)."""
        if self.c.dialect.name == "postgresql":
            return f"= ANY(CAST(:{name} AS {kind}[]))"
        return f"IN (SELECT value FROM json_each(:{name}))"

    def _lookup_sql(self) -> str:
        levels, keys = self._any("levels", "smallint"), self._any("keys")
        return f"SELECT anchor, article_id FROM fold_anchors WHERE level {levels} AND anchor {keys}"

    def _count_sql(self) -> str:
        """(key, postings) for each key of :keys that has any, postings counted up to :cap only (a
        boilerplate key's hundreds are not read to learn that it has more than the bound)."""
        levels = self._any("levels", "smallint")
        keys = (
            "unnest(CAST(:keys AS bigint[])) AS k(value)"
            if self.c.dialect.name == "postgresql"
            else "json_each(:keys) AS k"
        )
        postings = f"SELECT 1 FROM fold_anchors a WHERE a.level {levels} AND a.anchor = k.value LIMIT :cap"
        return (
            f"SELECT value, n FROM (SELECT k.value AS value, (SELECT count(*) FROM ({postings}) AS p) AS n "
            f"FROM {keys}) AS c WHERE n > 0"
        )

    def _rows(self, statement: str, params: dict[str, Any]) -> list[Any]:
        """The rows of one statement (`:name` parameters) as the driver's plain tuples: a batch's lookups
        return tens of thousands of rows, and SQLAlchemy's row objects cost more than the query."""
        return driver_rows(self.c, statement, params)

    def _post(self, level: int, postings: Sequence[tuple[int, int]]) -> None:
        """Add postings to a level, ignoring ones it already has."""
        rows = [(level, k, a) for k, a in sorted(postings)]
        if self.c.dialect.name == "postgresql":
            statement = "INSERT INTO fold_anchors (level, anchor, article_id) VALUES (?, ?, ?) "
            statement += "ON CONFLICT DO NOTHING"
        else:
            statement = "INSERT OR IGNORE INTO fold_anchors (level, anchor, article_id) VALUES (?, ?, ?)"
        self._fold_many(statement, rows)
        self._count(level, len(rows))

    def _fold_many(self, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """One statement (`?` marks) for many rows, handed to the driver."""
        driver_many(self.c, statement, rows)

    def _count(self, level: int, added: int) -> None:
        lv = t.fold_levels
        done = self.c.execute(update(lv).where(lv.c.level == level).values(rows=lv.c.rows + added))
        if done.rowcount == 0:
            self.c.execute(insert(lv).values(level=level, rows=added))

    def _compact(self) -> None:
        """Merge every level that outgrew its share into the next, top down."""
        lv, a = t.fold_levels, t.fold_anchors
        sizes = {
            int(k): int(n) for k, n in self.c.execute(select(lv.c.level, lv.c.rows).where(lv.c.level >= 0))
        }
        level = 0
        while sizes.get(level, 0) > LEVEL_ROWS * LEVEL_GROWTH**level:
            target = level + 1
            moved = select(literal(target, SmallInteger), a.c.anchor, a.c.article_id).where(
                a.c.level == level
            )
            columns = ["level", "anchor", "article_id"]
            if self.c.dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert as pg_insert

                added = self.c.execute(pg_insert(a).from_select(columns, moved).on_conflict_do_nothing())
            else:
                added = self.c.execute(insert(a).prefix_with("OR IGNORE").from_select(columns, moved))
            # only the keys that came down can have outgrown the bound: the level is not read whole
            came = select(a.c.anchor).where(a.c.level == level)
            hot = (
                select(a.c.anchor)
                .where(a.c.level == target, a.c.anchor.in_(came))
                .group_by(a.c.anchor)
                .having(func.count() > HOT_POSTINGS)
            )
            dropped = self.c.execute(delete(a).where(a.c.level == target, a.c.anchor.in_(hot)))
            self.c.execute(delete(a).where(a.c.level == level))
            rows = sizes.get(target, 0) + max(0, added.rowcount) - max(0, dropped.rowcount)
            self.c.execute(update(lv).where(lv.c.level == level).values(rows=0))
            self._count(target, 0)
            self.c.execute(update(lv).where(lv.c.level == target).values(rows=rows))
            sizes[level], sizes[target] = 0, rows
            level = target


def _array(tables: FoldTables, values: Sequence[int]) -> Any:
    """A list of integers as one statement parameter: a JSON array for SQLite, an array for PostgreSQL."""
    return list(values) if tables.c.dialect.name == "postgresql" else json.dumps(list(values))
