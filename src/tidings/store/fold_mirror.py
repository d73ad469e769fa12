"""The fold index as a worker holds it: every posting (index key, article) in memory, kept true by a log
in the store.

The store keeps the index as a log (`fold_log`): one row per transaction that posted keys (the postings,
packed), joined articles (the article kept and the ones it absorbed) or emptied the index, numbered by a
tick. A worker replays the rows past the tick it holds, so what it holds is what every worker committed,
whatever process wrote it; a worker that starts on a big store replays the whole log once.

In memory the postings are sorted runs, like a log-structured merge tree: each transaction's postings
become a run, and a run is merged with the one before it while that one is less than `RUN_GROWTH` times
larger, so there are a few runs (one large, smaller ones after it) and each posting is rewritten a few
times. A lookup is a binary search per run; a Bloom filter of every key posted (`keyfilter`) answers
"surely not there" for most keys of a new copy before any search. A key that more than `HOT_POSTINGS`
articles share is boilerplate: its postings are dropped when a merge finds that many, and it is known
as boilerplate from then on. Joined articles are followed when postings are read (`Aliases`), so a join
rewrites nothing.

A transaction sees the store as it found it plus its own writes (`Pending`); these are taken into the
worker's copy when it commits (or read back from the log later), and forgotten if it rolls back.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
from numba import njit

from tidings.store.keyfilter import KeyFilter

HOT_POSTINGS = 256  # a key in more articles than this is boilerplate
RUN_GROWTH = 4  # a run is merged into the one before it while that one is less than this many times larger

# kinds of log row: postings (keys, then their articles), articles joined (the one kept, then the ones it
# absorbed), the index emptied, copies' key counts (articles, then the number of index keys of a copy)
POSTED, JOINED, CLEARED, COUNTED = 0, 1, 2, 3


def pack_pairs(first: np.ndarray, second: np.ndarray) -> bytes:
    """A log row's data: one column of little-endian int64, then the other."""
    return np.concatenate([first.astype("<i8"), second.astype("<i8")]).tobytes()


def unpack_pairs(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    values = np.frombuffer(data, dtype="<i8").astype(np.int64)
    half = len(values) // 2
    return values[:half], values[half:].astype(np.int32)


def pack_join(into: int, absorbed: Sequence[int]) -> bytes:
    return np.array([into, *absorbed], dtype="<i8").tobytes()


def unpack_join(data: bytes) -> tuple[int, list[int]]:
    values = np.frombuffer(data, dtype="<i8").tolist()
    return int(values[0]), [int(v) for v in values[1:]]


@njit(cache=True, nogil=True)
def _merge(
    k1: np.ndarray, a1: np.ndarray, k2: np.ndarray, a2: np.ndarray, most: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two runs sorted by (key, article) as one, each pair once; the keys with more than `most` articles
    are left out and returned apart."""
    n1, n2 = len(k1), len(k2)
    keys = np.empty(n1 + n2, dtype=np.int64)
    articles = np.empty(n1 + n2, dtype=np.int32)
    i = j = n = 0
    while i < n1 or j < n2:
        if j >= n2 or (i < n1 and (k1[i] < k2[j] or (k1[i] == k2[j] and a1[i] <= a2[j]))):
            k, a = k1[i], a1[i]
            i += 1
        else:
            k, a = k2[j], a2[j]
            j += 1
        if n and keys[n - 1] == k and articles[n - 1] == a:
            continue
        keys[n] = k
        articles[n] = a
        n += 1
    # drop the groups over the bound, in place
    hot = np.empty(0, dtype=np.int64)
    hot_list = []
    out = start = 0
    while start < n:
        end = start
        while end < n and keys[end] == keys[start]:
            end += 1
        if end - start > most:
            hot_list.append(keys[start])
        else:
            for p in range(start, end):
                keys[out] = keys[p]
                articles[out] = articles[p]
                out += 1
        start = end
    if hot_list:
        hot = np.array(hot_list, dtype=np.int64)
    return keys[:out].copy(), articles[:out].copy(), hot


@njit(cache=True, nogil=True)
def _gather(
    run_keys: np.ndarray, run_articles: np.ndarray, wanted: np.ndarray, at: np.ndarray, out_key: np.ndarray,
    out_article: np.ndarray, used: int,
) -> int:  # fmt: skip
    """Append (position in `wanted`, article) for every posting of the wanted keys (sorted) in a run
    (sorted), growing nothing: the caller sized the output. `at[i]` is where wanted[i] starts."""
    for i in range(len(wanted)):
        p = at[i]
        while p < len(run_keys) and run_keys[p] == wanted[i]:
            out_key[used] = i
            out_article[used] = run_articles[p]
            used += 1
            p += 1
    return used


class Aliases:
    """Articles joined into others: `into` for each absorbed article, already followed to the end."""

    def __init__(self) -> None:
        self.gone = np.zeros(0, dtype=np.int32)  # sorted
        self.into = np.zeros(0, dtype=np.int32)

    def join(self, into: int, absorbed: Sequence[int]) -> None:
        mapping = dict(zip(self.gone.tolist(), self.into.tolist(), strict=True))
        taken = set(absorbed)
        for g, i in mapping.items():
            if i in taken:
                mapping[g] = into
        for a in absorbed:
            mapping[a] = into
        ordered = sorted(mapping.items())
        self.gone = np.array([g for g, _ in ordered], dtype=np.int32)
        self.into = np.array([i for _, i in ordered], dtype=np.int32)

    def resolve(self, articles: np.ndarray) -> np.ndarray:
        if not len(self.gone) or not len(articles):
            return articles
        at = np.minimum(np.searchsorted(self.gone, articles), len(self.gone) - 1)
        hit = self.gone[at] == articles
        if not hit.any():
            return articles
        out = articles.copy()
        out[hit] = self.into[at[hit]]
        return out


class KeyCounts:
    """Each article's fewest index keys of one of its copies (what `FoldIndex.fold_key_counts` tells),
    by article id."""

    NONE = np.iinfo(np.int32).max

    def __init__(self) -> None:
        self.counts = np.full(0, self.NONE, dtype=np.int32)

    def add(self, articles: np.ndarray, counts: np.ndarray) -> None:
        if not len(articles):
            return
        top = int(articles.max()) + 1
        if top > len(self.counts):
            grown = np.full(max(top, 2 * len(self.counts)), self.NONE, dtype=np.int32)
            grown[: len(self.counts)] = self.counts
            self.counts = grown
        np.minimum.at(self.counts, articles, counts.astype(np.int32))

    def join(self, into: int, absorbed: Sequence[int]) -> None:
        ids = np.array([into, *absorbed], dtype=np.int64)
        fewest = int(self.get(ids).min())
        self.add(ids[:1], np.array([fewest], dtype=np.int32))
        known = ids[1:][ids[1:] < len(self.counts)]
        self.counts[known] = self.NONE  # gone

    def get(self, articles: np.ndarray) -> np.ndarray:
        """The counts of these articles, `NONE` where none is known."""
        out = np.full(len(articles), self.NONE, dtype=np.int32)
        inside = articles < len(self.counts)
        out[inside] = self.counts[articles[inside]]
        return out


class Postings:
    """Sorted runs of (key, article) pairs, the boilerplate keys and a filter of every key posted."""

    def __init__(self) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []  # (keys int64, articles int32) by (key, article)
        self.hot = np.zeros(0, dtype=np.int64)  # sorted
        self.filter = KeyFilter()
        self.size = 0  # pairs held

    def add(self, keys: np.ndarray, articles: np.ndarray) -> None:
        if not len(keys):
            return
        keys = np.asarray(keys, dtype=np.int64)
        articles = np.asarray(articles, dtype=np.int32)
        self.filter.add(np.unique(keys))
        order = np.lexsort((articles, keys))
        run = (keys[order], articles[order])
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32))
        run_keys, run_articles, hot = _merge(run[0], run[1], *empty, HOT_POSTINGS)
        self._boilerplate(hot)
        self.runs.append((run_keys, run_articles))
        while len(self.runs) > 1 and len(self.runs[-2][0]) < RUN_GROWTH * len(self.runs[-1][0]):
            (k2, a2), (k1, a1) = self.runs.pop(), self.runs.pop()
            merged_keys, merged_articles, hot = _merge(k1, a1, k2, a2, HOT_POSTINGS)
            self.runs.append((merged_keys, merged_articles))
            self._boilerplate(hot)
        self.size = sum(len(k) for k, _ in self.runs)

    def find(self, wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in `wanted`, article) of every posting of the wanted keys (sorted, distinct)."""
        parts_key, parts_article = [], []
        for run_keys, run_articles in self.runs:
            lo = np.searchsorted(run_keys, wanted, "left")
            hi = np.searchsorted(run_keys, wanted, "right")
            count = int((hi - lo).sum())
            if not count:
                continue
            out_key = np.empty(count, dtype=np.int64)
            out_article = np.empty(count, dtype=np.int32)
            _gather(run_keys, run_articles, wanted, lo, out_key, out_article, 0)
            parts_key.append(out_key)
            parts_article.append(out_article)
        if not parts_key:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
        return np.concatenate(parts_key), np.concatenate(parts_article)

    def is_hot(self, keys: np.ndarray) -> np.ndarray:
        if not len(self.hot):
            return np.zeros(len(keys), dtype=bool)
        at = np.minimum(np.searchsorted(self.hot, keys), len(self.hot) - 1)
        return self.hot[at] == keys  # type: ignore[no-any-return]

    def _boilerplate(self, keys: np.ndarray) -> None:
        if len(keys):
            self.hot = np.union1d(self.hot, keys)


class Pending:
    """What one transaction wrote to the log, as the transaction sees it: its postings, its joins,
    whether it emptied the index; and the rows themselves, to hand to the worker's copy on commit. The
    postings are sorted only if the transaction looks them up (most write once, at their end)."""

    def __init__(self) -> None:
        self.base: int | None = None  # the tick the worker's copy held when this transaction first wrote
        self.rows: list[tuple[int, int, bytes]] = []  # (tick, kind, data)
        self.aliases = Aliases()
        self.counts: dict[int, int] = {}  # fewest keys of a copy, by article
        self.cleared = False
        self._postings: Postings | None = None
        self._unsorted: list[bytes] = []

    def add(self, tick: int, kind: int, data: bytes) -> None:
        self.rows.append((tick, kind, data))
        if kind == POSTED:
            self._unsorted.append(data)
        elif kind == JOINED:  # the kept article's count is set by who joined them (it knows the store's)
            self.aliases.join(*unpack_join(data))
        elif kind == COUNTED:
            for article, count in zip(*(a.tolist() for a in unpack_pairs(data)), strict=True):
                self.counts[article] = min(count, self.counts.get(article, count))
        else:
            self._postings, self._unsorted, self.aliases, self.cleared = None, [], Aliases(), True
            self.counts = {}

    @property
    def postings(self) -> Postings:
        if self._postings is None:
            self._postings = Postings()
        for data in self._unsorted:
            self._postings.add(*unpack_pairs(data))
        self._unsorted = []
        return self._postings


class FoldMirror:
    """One worker's copy of the fold index and the last log row it holds (guarded by `lock`)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        self.tick = 0
        self.postings = Postings()
        self.aliases = Aliases()
        self.key_counts = KeyCounts()

    def apply(self, tick: int, kind: int, data: bytes) -> None:
        """Take in one log row (the one after `tick`)."""
        if kind == POSTED:
            self.postings.add(*unpack_pairs(data))
        elif kind == JOINED:
            self.aliases.join(*unpack_join(data))
            self.key_counts.join(*unpack_join(data))
        elif kind == COUNTED:
            self.key_counts.add(*unpack_pairs(data))
        elif kind == CLEARED:
            self.reset()
        else:
            raise ValueError(f"fold log row {tick} is of an unknown kind {kind}")
        self.tick = tick

    def lookup(self, keys: np.ndarray, most: int | None, pending: Pending) -> np.ndarray:
        """What `FoldIndex.fold_lookup` answers, from this copy and a transaction's own writes: rows of
        (key, article)."""
        wanted = np.unique(np.asarray(keys, dtype=np.int64))
        if not len(wanted):
            return np.zeros((0, 2), dtype=np.int64)
        found_key: list[np.ndarray] = []
        found_article: list[np.ndarray] = []
        hot = pending.postings.is_hot(wanted)
        if not pending.cleared:
            hot |= self.postings.is_hot(wanted)
            maybe = np.flatnonzero(self.postings.filter.may_hold(wanted))
            if len(maybe):
                at, articles = self.postings.find(wanted[maybe])
                found_key.append(maybe[at])
                found_article.append(self.aliases.resolve(articles))
        if pending.postings.size:
            at, articles = pending.postings.find(wanted)
            found_key.append(at)
            found_article.append(articles)
        if not found_key:
            key_at, articles = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        else:
            key_at = np.concatenate(found_key)
            articles = pending.aliases.resolve(np.concatenate(found_article).astype(np.int64))
            # each (key, article) once: a posting may be in two runs, or two articles joined since
            pairs = np.unique((key_at << 32) | articles)
            key_at, articles = pairs >> 32, pairs & 0xFFFFFFFF
        holders = np.bincount(key_at, minlength=len(wanted))
        hot |= holders > HOT_POSTINGS
        over = hot if most is None else hot | (holders > most)
        keep = ~over[key_at]
        if most is not None:
            # a key over the bound: (key, -1), and its postings of the articles the others found (none for
            # a boilerplate key)
            keep |= ~hot[key_at] & np.isin(articles, articles[keep])
        rows = [np.stack([wanted[key_at[keep]], articles[keep]], axis=1)]
        if most is not None:
            flagged = wanted[over & (holders > 0) | hot]
            rows.append(np.stack([flagged, np.full(len(flagged), -1, dtype=np.int64)], axis=1))
        return np.concatenate(rows)

    def key_counts_of(self, articles: Sequence[int], pending: Pending) -> dict[int, int]:
        """What `FoldIndex.fold_key_counts` answers, from this copy and a transaction's own writes."""
        ids = np.asarray(articles, dtype=np.int64)
        counts = np.full(len(ids), KeyCounts.NONE, dtype=np.int64)
        if not pending.cleared:
            counts = self.key_counts.get(ids).astype(np.int64)
        out = {a: c for a, c in zip(ids.tolist(), counts.tolist(), strict=True) if c != KeyCounts.NONE}
        if pending.counts:
            wanted = set(ids.tolist())
            for article, mine in pending.counts.items():
                if article in wanted:
                    out[article] = min(mine, out.get(article, mine))
        return out


def warm() -> None:
    """Compile the loops (numba keeps them on disk)."""
    p = Postings()
    p.add(np.array([1, 2, 2], dtype=np.int64), np.array([1, 1, 2], dtype=np.int32))
    p.add(np.array([2], dtype=np.int64), np.array([3], dtype=np.int32))
    at, articles = p.find(np.array([2], dtype=np.int64))
    assert sorted(articles.tolist()) == [1, 2, 3], (at, articles)
    assert p.filter.may_hold(np.array([1], dtype=np.int64))[0]
