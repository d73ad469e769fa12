"""Stories in SQL: what `cluster.StoryIndex` asks (vocabulary counts, the term index over story centroids,
centroid writes, merges, related stories), and each story's details once an article is placed in it.

The store is the truth; each worker (each `Store`) keeps a `StoryCache` in process so that placing an
article reads no SQL at all and a transaction writes what it changed once, at its end:

- **Stories**: the centroids and details of the stories a lookup may reach (those last seen since the
  earliest `since` asked, and the undated), with their term index. Every transaction that clusters ticks
  the story clock (`story_clock`, one row: taking it also orders writers) and stamps the stories it
  changed with the tick (`stories.rev`); a worker whose last tick is not the one before reads the stories
  changed since (by other workers), so every worker places against the same stories.
- **Vocabulary**: each term met gets an id in process (`TermTable`: ids are this worker's own, handed
  out as terms come; the store keeps terms as text), by which clustering's vectors, the term index and
  the document frequencies (an array) are kept. Document frequencies are read whole once (term by term
  past `VOCABULARY_HELD` terms), counted in process, and written at the end of the transaction as one
  upsert of the deltas; the article count's upsert returns the store's total. A cached
  count lags the store by what other workers counted since this worker read it; the whole vocabulary cache
  is dropped once other workers have counted more than `DF_REFRESH_SHARE` of the store's articles since,
  so no count used lags by more than that share of the corpus.
- Stories quiet for longer than lookups reach are forgotten once the cache holds `EVICT_STORIES`, so a
  long-running worker's lookups cost what the window holds, not what the store does.
- A transaction that rolls back drops the whole cache (it held the transaction's own changes): the next
  one reads again from the store, so nothing the store does not hold is ever used.

Times are bound as `schema.UTCDateTime` stores them (ISO 8601, UTC). The statements are plain SQL handed
to the driver (`exec_driver_sql`): the same text on SQLite and PostgreSQL, only the parameter marks differ
(and the function that walks the vocabulary's JSON deltas: `json_each`, `json_each_text`).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection

from tidings.models import STORY_LOOKUP_TERMS, StoryInfo, story_lookup_terms
from tidings.store import story_lookup, term_ids
from tidings.store.story_lookup import StoryLookup
from tidings.store.util import driver_many, driver_rows, driver_sql

ARTICLES = ""  # the vocabulary row that counts articles
DF_REFRESH_SHARE = 0.05
VOCABULARY_HELD = 2_000_000  # terms; a bigger vocabulary is read term by term
CHUNK = 500  # rows per multi-row statement
# A long-running worker forgets stories quiet for longer than the lookups' reach: once it holds more than
# EVICT_STORIES stories, lookups reaching EVICT_DAYS past the oldest it holds drop those before them.
EVICT_STORIES = 5_000
EVICT_DAYS = 7
EXTEND_DAYS = 7  # a lookup reaching before what the cache holds reads at least this much further back
TERMS_AT_FIRST = 4096  # room for term ids a worker starts with (doubled as needed)


def _bind(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value is not None else None


def _read(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# A centroid's JSON is written by msgspec: the same values as `json.dumps` (floats as their shortest
# round-trip form), ~10x faster (one centroid is written for about every other article clustered).
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(dict[str, float]).decode


Ids = NDArray[np.int64]
Vector = tuple[Ids, NDArray[np.float64]]  # term ids ascending, weights (`cluster.Vector`)
_EMPTY: Vector = (np.empty(0, np.int64), np.empty(0, np.float64))


class TermTable:
    """A worker's term ids (handed out in the order terms are first met, found by a compiled hash table:
    `term_ids`) and each term's document frequency as this worker knows it, in an array by id."""

    def __init__(self) -> None:
        self.table = np.zeros((2 * TERMS_AT_FIRST, 2), np.int64)  # (hash, id) rows, half filled at most
        self.texts: list[str] = []
        self.df = np.zeros(TERMS_AT_FIRST, np.int64)
        self.known = np.zeros(TERMS_AT_FIRST, np.bool_)  # df read from the store (or counted since)

    def ids_of(self, terms: Sequence[str]) -> Ids:
        """Each term's id, new terms given the next ones."""
        count = len(terms)
        if not count:
            return np.empty(0, np.int64)
        texts = self.texts
        if 2 * (len(texts) + count) > len(self.table):
            size = len(self.table)
            while 2 * (len(texts) + count) > size:
                size *= 2
            self.table = term_ids.grown(self.table, size)
        buf = np.frombuffer("\0".join(terms).encode(), np.uint8)
        ids, fresh, _ = term_ids.lookup(buf, count, self.table, len(texts))
        if len(ids) != count:
            raise ValueError("a term holds a NUL character")
        if len(fresh):
            texts.extend([terms[at] for at in fresh.tolist()])
            if len(texts) > len(self.df):
                grow = max(len(texts), 2 * len(self.df)) - len(self.df)
                self.df = np.concatenate((self.df, np.zeros(grow, np.int64)))
                self.known = np.concatenate((self.known, np.zeros(grow, np.bool_)))
        found: Ids = ids
        return found

    def forget_counts(self) -> None:
        self.df[:] = 0
        self.known[:] = False

    def vector(self, weights: Mapping[str, float]) -> Vector:
        """A vector by term text as ids and weights (ids ascending)."""
        ids = self.ids_of(list(weights))
        values = np.array(list(weights.values()), np.float64)
        order = np.argsort(ids)
        return ids[order], values[order]


def _sums_of(texts: list[str], centroid: Vector, size: int) -> str:
    """A centroid as stored: JSON, term -> weight times the story's articles."""
    ids, weights = centroid
    return _encode(
        dict(zip([texts[i] for i in ids.tolist()], (weights * size).tolist(), strict=True))
    ).decode()


def _mean_of(sums: str, size: int) -> dict[str, float]:
    """A stored centroid read back as the mean of its story's articles."""
    size = max(size, 1)
    return {term: weight / size for term, weight in _decode(sums).items()}


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class StoryCache:
    """One worker's copy of what clustering reads (see the module's docstring). One clustering transaction
    at a time uses it (`lock`, held from its first use in a transaction to the commit or rollback)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        self.clock: int | None = None  # the tick this cache is up to (None: nothing read yet)
        self.floor: datetime | None = None  # stories last seen at or after it are held (None: none yet)
        self.everything = False  # every story is held (an undated article looked everywhere)
        self.terms = TermTable()
        self.centroids: dict[int, Vector] = {}
        # the stories held, each under the terms it is listed under (`cluster.lookup_terms`)
        self.lookup = StoryLookup(STORY_LOOKUP_TERMS)
        self.info: dict[int, StoryInfo] = {}
        self.whole = False  # `terms.df` holds the whole vocabulary (a term it lacks is in no article)
        self.articles = -1  # the store's article count as last read (-1: not read)
        self.foreign = 0  # articles other workers counted since the vocabulary cache was read

    def put(self, story_id: int, info: StoryInfo, centroid: Vector, listed: Ids) -> None:
        """Hold a story's details and centroid, listed in the term index under the terms `listed`."""
        self.info[story_id] = info
        self.centroids[story_id] = centroid
        seen = info.last_seen.timestamp() if info.last_seen is not None else math.inf
        self.lookup.put(story_id, seen, centroid[0], centroid[1], listed)

    def drop(self, story_id: int) -> None:
        self.centroids.pop(story_id, None)
        self.info.pop(story_id, None)
        self.lookup.drop(story_id)

    def holds(self, last_seen: datetime | None) -> bool:
        return self.everything or last_seen is None or (self.floor is not None and last_seen >= self.floor)

    def put_stored(self, story_id: int, info: StoryInfo, sums: str) -> None:
        """Hold a story as stored (its centroid as sums by term text)."""
        mean = _mean_of(sums, info.size)
        self.put(story_id, info, self.terms.vector(mean), self.terms.ids_of(story_lookup_terms(mean)))


@dataclass(slots=True)
class _Work:
    """What one transaction changed, written at its end (`StoryTables.flush_stories`)."""

    rev: int
    counted: list[Ids] = field(default_factory=list)  # the terms of each article counted
    articles: int = 0
    dirty: set[int] = field(default_factory=set)  # centroid or dates changed
    touched: set[int] = field(default_factory=set)  # articles came or went: recount, stamp
    gone: set[int] = field(default_factory=set)  # merged away, or emptied
    related: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    headline: dict[int, tuple[int, float]] = field(default_factory=dict)  # story -> (article, score)
    placed: dict[int, int] = field(default_factory=dict)  # article -> its story, not yet written


class StoryTables:
    c: Connection
    story_cache: StoryCache
    _work: _Work | None

    def _sql(self, statement: str, params: Sequence[Any] = ()) -> Any:
        """Run `statement` with `?` marks for parameters (turned into the driver's own)."""
        return self.c.exec_driver_sql(driver_sql(self.c, statement), tuple(params))

    def _sql_row(self, statement: str, params: Sequence[Any]) -> tuple[Any, ...]:
        """The one row a statement returns, run straight on the driver's cursor (a new story's insert, once
        for every few articles: SQLAlchemy's own path costs several times it)."""
        rows = driver_rows(self.c, statement, params)
        if not rows:
            raise RuntimeError(f"no row from: {statement}")
        return tuple(rows[0])

    def _sql_many(self, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
        driver_many(self.c, statement, rows)

    @staticmethod
    def _marks(n: int) -> str:
        return ", ".join("?" * n)

    def article_story(self, article_id: int) -> int | None:
        if self._work is not None and article_id in self._work.placed:
            return self._work.placed[article_id]
        value = self._sql("SELECT story_id FROM articles WHERE id = ?", (article_id,)).scalar()
        return int(value) if value is not None else None

    # the transaction's side of the cache ------------------------------------------------------------------
    def _story_work(self) -> _Work:
        """Start clustering in this transaction: tick the clock (which orders writers) and catch up with
        what other workers changed since this worker's last tick."""
        work = self._work
        if work is None:
            cache = self.story_cache
            cache.lock.acquire()
            try:
                rev = int(
                    self._sql("UPDATE story_clock SET rev = rev + 1 WHERE id = 1 RETURNING rev").scalar_one()
                )
                if cache.clock is not None and cache.clock != rev - 1:
                    self._catch_up(cache.clock)
            except BaseException:
                cache.reset()
                cache.lock.release()
                raise
            work = self._work = _Work(rev)
        return work

    def stories_done(self, committed: bool) -> None:
        """The transaction ended: keep the cache (now the store's state) or drop it."""
        work, self._work = self._work, None
        if work is None:
            return
        cache = self.story_cache
        if committed:
            cache.clock = work.rev
        else:
            cache.reset()
        cache.lock.release()

    def _catch_up(self, since_rev: int) -> None:
        cache = self.story_cache
        rows = self._sql(
            "SELECT id, article_count, first_seen, last_seen, merged_into, centroid FROM stories "
            "WHERE rev > ?",
            (since_rev,),
        ).fetchall()
        for story_id, count, first, last, merged, sums in rows:
            cache.drop(int(story_id))
            info = StoryInfo(int(count), _read(first), _read(last))
            if merged is None and sums and cache.holds(info.last_seen):
                cache.put_stored(int(story_id), info, sums)

    def _hold(self, since: datetime | None, work: _Work) -> None:
        """Make sure the cache holds every story last seen at or after `since` (every story: None)."""
        cache = self.story_cache
        if cache.everything:
            return
        query = (
            "SELECT s.id, s.article_count, s.first_seen, s.last_seen, s.centroid FROM stories s "
            "WHERE s.merged_into IS NULL AND s.centroid IS NOT NULL"
        )
        params: list[Any] = []
        if since is None:
            if cache.floor is not None:
                query += " AND s.last_seen < ?"
                params.append(_bind(cache.floor))
            cache.everything = True
        elif cache.floor is None:
            query += " AND (s.last_seen >= ? OR s.last_seen IS NULL)"
            params.append(_bind(since))
            cache.floor = since
        elif since < cache.floor:
            since = min(since, cache.floor - timedelta(days=EXTEND_DAYS))  # fewer, larger reads
            query += " AND s.last_seen >= ? AND s.last_seen < ?"
            params += [_bind(since), _bind(cache.floor)]
            cache.floor = since
        else:
            if len(cache.info) > EVICT_STORIES and since - cache.floor > timedelta(days=EVICT_DAYS):
                self._evict(since, work)
            return
        for story_id, count, first, last, sums in self._sql(query, params).fetchall():
            story_id = int(story_id)
            if story_id in work.dirty or story_id in work.touched or story_id in cache.info:
                continue  # the cache has this transaction's own newer state
            info = StoryInfo(int(count), _read(first), _read(last))
            cache.put_stored(story_id, info, sums)

    def _evict(self, since: datetime, work: _Work) -> None:
        cache = self.story_cache
        old = [
            s
            for s, info in cache.info.items()
            if info.last_seen is not None and info.last_seen < since and s not in work.dirty
        ]
        for story_id in old:
            cache.drop(story_id)
        cache.floor = since
        cache.everything = False

    # vocabulary -------------------------------------------------------------------------------------------
    def count_terms(self, terms: Sequence[str]) -> tuple[int, Ids, NDArray[np.int64]]:
        work = self._story_work()
        cache = self.story_cache
        if cache.articles < 0:
            self._read_vocabulary()
        table = cache.terms
        ids = table.ids_of(terms)
        if not cache.whole:
            unknown = ids[~table.known[ids]]
            if len(unknown):
                table.df[unknown] = 0
                table.known[unknown] = True
                missing = [table.texts[i] for i in unknown.tolist()]
                for chunk in _chunks(missing):
                    rows = self._sql(
                        f"SELECT term, df FROM story_vocabulary WHERE term IN ({self._marks(len(chunk))})",
                        chunk,
                    ).fetchall()
                    if rows:
                        found, counts = zip(*rows, strict=True)
                        at = table.ids_of([str(term) for term in found])  # (may grow the arrays)
                        table.df[at] = counts
        table.df[ids] += 1  # one more article holds each term (the terms of one article are distinct)
        work.counted.append(ids)
        cache.articles += 1
        work.articles += 1
        return cache.articles, ids, table.df[ids]

    def term_texts(self, ids: Ids) -> list[str]:
        texts = self.story_cache.terms.texts
        return [texts[i] for i in ids.tolist()]

    def _read_vocabulary(self) -> None:
        """The store's article count, and its whole vocabulary unless that is too big to hold (then each
        term is read when first met)."""
        cache = self.story_cache
        table = cache.terms
        table.forget_counts()
        counted = self._sql("SELECT df FROM story_vocabulary WHERE term = ?", (ARTICLES,)).scalar()
        cache.articles = int(counted or 0)
        size = int(self._sql("SELECT count(*) FROM story_vocabulary").scalar_one())
        cache.whole = size <= VOCABULARY_HELD
        if cache.whole:
            rows = self._sql("SELECT term, df FROM story_vocabulary WHERE term <> ?", (ARTICLES,)).fetchall()
            if rows:
                found, counts = zip(*rows, strict=True)
                at = table.ids_of(found)  # (may grow the arrays)
                table.df[at] = counts

    def _flush_vocabulary(self, work: _Work) -> None:
        cache = self.story_cache
        upsert = (
            "INSERT INTO story_vocabulary (term, df) VALUES (?, ?) "
            "ON CONFLICT (term) DO UPDATE SET df = story_vocabulary.df + excluded.df"
        )
        # Writers are already one at a time (each holds the story clock's row from its first clustering to
        # its commit), so the terms need no common order.
        total = int(self._sql(upsert + " RETURNING df", (ARTICLES, work.articles)).scalar_one())
        if work.counted:
            table = cache.terms
            ids, deltas = np.unique(np.concatenate(work.counted), return_counts=True)
            texts = table.texts
            # The terms' deltas as one JSON object that the database walks (`json_each`): one statement,
            # about half the cost of a statement a term. "WHERE true" tells SQLite's parser that the
            # ON CONFLICT clause is the upsert's, not a join's.
            each = (
                "SELECT key, value FROM json_each(?)"
                if self.c.dialect.name == "sqlite"
                else "SELECT key, value::bigint FROM json_each_text(?::json)"
            )
            self._sql(
                f"INSERT INTO story_vocabulary (term, df) {each} WHERE true "
                "ON CONFLICT (term) DO UPDATE SET df = story_vocabulary.df + excluded.df",
                (
                    _encode(
                        dict(zip([texts[i] for i in ids.tolist()], deltas.tolist(), strict=True))
                    ).decode(),
                ),
            )
        cache.foreign += total - cache.articles
        cache.articles = total
        if cache.foreign > DF_REFRESH_SHARE * total:
            cache.terms.forget_counts()
            cache.articles = -1  # read again when next needed
            cache.foreign = 0

    # the term index ---------------------------------------------------------------------------------------
    def story_scores(
        self, ids: Ids, weights: NDArray[np.float64], since: datetime | None, floor: float = 0.0
    ) -> dict[int, float]:
        work = self._story_work()
        self._hold(since, work)
        cut = -math.inf if since is None else since.timestamp()
        return self.story_cache.lookup.find(ids, weights, cut, floor)

    def story_info(self, story_ids: Sequence[int]) -> dict[int, StoryInfo]:
        self._story_work()
        info = self.story_cache.info
        return {s: info[s] for s in story_ids if s in info}

    def story_centroids(self, story_ids: Sequence[int]) -> dict[int, Vector]:
        self._story_work()
        centroids = self.story_cache.centroids
        return {s: centroids.get(s, _EMPTY) for s in story_ids}

    def save_centroid(
        self,
        story_id: int | None,
        centroid: Vector,
        listed: Ids,
        first_seen: datetime | None,
        last_seen: datetime | None,
    ) -> int:
        work = self._story_work()
        cache = self.story_cache
        size = 0
        if story_id is None:
            story_id = int(
                self._sql_row(
                    "INSERT INTO stories (first_seen, last_seen, article_count, publisher_count, rev) "
                    "VALUES (?, ?, 0, 0, ?) RETURNING id",
                    (_bind(first_seen), _bind(last_seen), work.rev),
                )[0]
            )
        elif story_id in cache.info:
            size = cache.info[story_id].size
        else:  # not a story the cache holds (a tool's write): its size from the store
            size = int(self._sql("SELECT article_count FROM stories WHERE id = ?", (story_id,)).scalar() or 0)
        cache.put(story_id, StoryInfo(size, first_seen, last_seen), centroid, listed)
        work.dirty.add(story_id)
        return story_id

    def merge_stories(self, keep: int, gone: int) -> None:
        work = self._story_work()
        self._write_placed(work)
        self._sql("UPDATE articles SET story_id = ? WHERE story_id = ?", (keep, gone))
        self._sql("UPDATE stories SET merged_into = ? WHERE merged_into = ? OR id = ?", (keep, gone, gone))
        cache = self.story_cache
        a_info, b_info = cache.info.get(keep), cache.info.get(gone)
        if a_info is not None and b_info is not None:
            cache.info[keep] = StoryInfo(a_info.size + b_info.size, a_info.first_seen, a_info.last_seen)
        moved = work.headline.get(gone)
        self._empty_story(gone, work)
        work.touched.add(keep)
        if moved is not None and (keep not in work.headline or work.headline[keep][1] < moved[1]):
            work.headline[keep] = moved

    def stories_follow_join(self, into: int, gone: Sequence[int]) -> None:
        """Articles `gone` are about to be deleted, a fold join having shown them to be article `into`:
        their stories lose them. A story left with none becomes `into`'s story (`merge_stories`: a link
        to it answers with that one), or is emptied when `into` has none. A story that keeps articles is
        recounted at the end of the transaction; if its headline was one of those lost, it becomes `into`
        when `into` is in the story, else none (the next article placed there takes it) with the title
        of the story's earliest remaining article. A centroid keeps the terms of the articles lost: each
        was a copy of `into`."""
        lost: dict[int, list[int]] = {}
        for article in gone:
            story = self.article_story(article)
            if story is not None:
                lost.setdefault(story, []).append(article)
        if not lost:
            return
        work = self._story_work()
        for article in gone:
            work.placed.pop(article, None)
        self._write_placed(work)
        target = self.article_story(into)
        cache = self.story_cache
        for story, articles in sorted(lost.items()):
            marks = self._marks(len(articles))
            pending = work.headline.get(story)
            if pending is not None and pending[0] in articles:
                if story == target:
                    work.headline[story] = (into, pending[1])
                else:
                    del work.headline[story]
            info = cache.info.get(story)
            left = int(
                self._sql(
                    f"SELECT count(*) FROM articles WHERE story_id = ? AND id NOT IN ({marks})",
                    (story, *articles),
                ).scalar_one()
            )
            if info is not None:
                cache.info[story] = StoryInfo(left, info.first_seen, info.last_seen)
            if not left:
                if target is not None:
                    self.merge_stories(target, story)
                else:
                    self._empty_story(story, work)
                continue
            work.touched.add(story)
            if story == target:
                self._sql(
                    "UPDATE stories SET headline_article_id = ?, "
                    "title = (SELECT title FROM articles WHERE id = ?) "
                    f"WHERE id = ? AND headline_article_id IN ({marks})",
                    (into, into, story, *articles),
                )
            else:
                self._sql(
                    "UPDATE stories SET headline_article_id = NULL, headline_score = NULL, title = ("
                    f"SELECT title FROM articles WHERE story_id = ? AND id NOT IN ({marks}) "
                    "ORDER BY published_at IS NULL, published_at, id LIMIT 1) "
                    f"WHERE id = ? AND headline_article_id IN ({marks})",
                    (story, *articles, story, *articles),
                )

    def _empty_story(self, story_id: int, work: _Work) -> None:
        """A story without articles (merged into another, or its last article gone): listed nowhere,
        found by no lookup, written no more by this transaction."""
        self._sql(
            "UPDATE stories SET article_count = 0, publisher_count = 0, headline_article_id = NULL, "
            "headline_score = NULL, centroid = NULL, rev = ? WHERE id = ?",
            (work.rev, story_id),
        )
        self._sql("DELETE FROM story_related WHERE story_id = ? OR related_id = ?", (story_id, story_id))
        self.story_cache.drop(story_id)
        work.gone.add(story_id)
        work.dirty.discard(story_id)
        work.touched.discard(story_id)
        work.related.pop(story_id, None)
        work.headline.pop(story_id, None)

    def save_related(self, story_id: int, related: Sequence[tuple[int, float]]) -> None:
        self._story_work().related[story_id] = list(related)

    # the pipeline's side ----------------------------------------------------------------------------------
    def set_article_story(self, article_id: int, story_id: int, score: float | None = None) -> None:
        """Record an article as its story's, with its similarity to the story when it joined (None: it
        started the story). The story's headline is that of its article closest to the story (written,
        with the story's counts, at the end of the transaction)."""
        work = self._story_work()
        work.placed[article_id] = story_id
        value = score if score is not None else -1.0
        best = work.headline.get(story_id)
        if best is None or best[1] < value:
            work.headline[story_id] = (article_id, value)
        work.touched.add(story_id)
        cache = self.story_cache
        info = cache.info.get(story_id)
        if info is not None:
            cache.info[story_id] = StoryInfo(info.size + 1, info.first_seen, info.last_seen)

    def flush_stories(self) -> None:
        """Write what this transaction changed: vocabulary deltas, centroids and dates, related stories,
        headlines and counts, each as one statement over many rows."""
        work = self._work
        if work is None:
            return
        if work.articles:
            self._flush_vocabulary(work)
        self._write_placed(work)
        cache = self.story_cache
        texts = cache.terms.texts
        # Each changed story's dates, centroid as sums (weight times articles) and clock tick: one
        # statement a story (a story whose articles came or went and nothing else: its centroid and tick).
        dirty = sorted(s for s in work.dirty if s in cache.info)
        self._sql_many(
            "UPDATE stories SET first_seen = ?, last_seen = ?, centroid = ?, rev = ? WHERE id = ?",
            [
                (
                    _bind(info.first_seen),
                    _bind(info.last_seen),
                    _sums_of(texts, cache.centroids[s], info.size),
                    work.rev,
                    s,
                )
                for s in dirty
                for info in (cache.info[s],)
            ],
        )
        counted = sorted({s for s in work.touched if s in cache.info} - work.gone - work.dirty)
        self._sql_many(
            "UPDATE stories SET centroid = ?, rev = ? WHERE id = ?",
            [(_sums_of(texts, cache.centroids[s], cache.info[s].size), work.rev, s) for s in counted],
        )
        related = sorted((s, r) for s, r in work.related.items() if s not in work.gone)
        self._sql_many("DELETE FROM story_related WHERE story_id = ?", [(s,) for s, _ in related])
        self._sql_many(
            "INSERT INTO story_related (story_id, related_id, score) VALUES (?, ?, ?)",
            [(s, other, score) for s, found in related for other, score in found if other not in work.gone],
        )
        self._sql_many(
            "UPDATE stories SET headline_article_id = ?, headline_score = ?, "
            "title = (SELECT title FROM articles WHERE id = ?) "
            "WHERE id = ? AND (headline_article_id IS NULL OR headline_score < ?)",
            [
                (article_id, max(value, 0.0), article_id, s, value)
                for s, (article_id, value) in sorted(work.headline.items())
                if s not in work.gone
            ],
        )
        touched = sorted(work.touched - work.gone)
        self._sql_many(_REFRESH, [(s, s, s, s) for s in touched])
        ticked = {*dirty, *counted}
        self._sql_many(
            "UPDATE stories SET rev = ? WHERE id = ?", [(work.rev, s) for s in touched if s not in ticked]
        )

    def _write_placed(self, work: _Work) -> None:
        self._sql_many(
            "UPDATE articles SET story_id = ? WHERE id = ?", [(s, a) for a, s in work.placed.items()]
        )
        work.placed.clear()

    def story_headline_changed(self, article_id: int, title: str | None) -> None:
        """An article's canonical headline changed (a new copy folded in): so does its story's, if it is
        the story's headline."""
        self._sql("UPDATE stories SET title = ? WHERE headline_article_id = ?", (title, article_id))

    def story_size(self, story_id: int) -> int:
        return int(self._sql("SELECT count(*) FROM articles WHERE story_id = ?", (story_id,)).scalar_one())

    def save_story(
        self, story_id: int | None, title: str | None, seen: datetime | None, terms: dict[str, float]
    ) -> int:
        """A story with a given centroid and title (for tests and tools; clustering uses `save_centroid`)."""
        self._story_work()
        table = self.story_cache.terms
        listed = table.ids_of(story_lookup_terms(terms))
        story_id = self.save_centroid(story_id, table.vector(terms), listed, seen, seen)
        if title is not None:
            self._sql("UPDATE stories SET title = ? WHERE id = ?", (title, story_id))
        return story_id


def warm() -> None:
    """Compile (or load from the disk cache) the loops of the term ids and the term index: `make install`
    runs it once."""
    term_ids.warm()
    story_lookup.warm()


# Recount a story's articles and publishers and find its lead publisher (of the earliest article).
_REFRESH = (
    "UPDATE stories SET "
    "article_count = (SELECT count(*) FROM articles WHERE story_id = ?), "
    "publisher_count = (SELECT count(DISTINCT publisher) FROM articles WHERE story_id = ?), "
    "lead_publisher = (SELECT publisher FROM articles WHERE story_id = ? AND publisher IS NOT NULL "
    "ORDER BY published_at IS NULL, published_at, id LIMIT 1) "
    "WHERE id = ?"
)
