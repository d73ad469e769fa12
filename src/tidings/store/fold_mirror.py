"""The fold index as a worker holds it: every posting (index key, article) in memory, kept true by a log
in the store.

The store keeps the index as a log (`fold_log`): one row per transaction that posted keys (the postings,
packed), recorded its copies' key counts, joined articles (the article kept and the ones it absorbed) or
emptied the index, numbered by a tick. A worker replays the rows past the tick it holds, so what it holds
is what every worker committed, whatever process wrote it; a worker that starts on a big store replays
the whole log once.

In memory the postings are sorted runs, like a log-structured merge tree: each transaction's postings
become a run, and a run is merged with the one before it while that one is less than `RUN_GROWTH` times
larger, so there are a few runs (one large, smaller ones after it) and each posting is rewritten a few
times. A Bloom filter of every key posted (`keyfilter`) answers "surely not there" for most keys of a new
copy; for the others a search per run finds where their postings lie (a fence of every 64th key, in cache,
then the 64 keys it points to), which counts them without reading them. A key's postings are read whole
only when they are few; of a key many articles share, only the postings of articles the other keys found
are read (that set does not grow with the index). A key that more than `HOT_POSTINGS` articles share is
boilerplate: its postings are dropped when a merge finds that many, and it is known as boilerplate from
then on. Joined articles are followed when postings are read (`Aliases`), so a join rewrites nothing.
Each (key, article) is posted once (`fold.place` posts only what the lookup did not return; a rebuild
posts whole articles a batch), so counting a key's postings counts its articles, but for articles joined
since.

A transaction sees the store as it found it plus its own writes (`Pending`); these are taken into the
worker's copy when it commits (or read back from the log later), and forgotten if it rolls back.

A worker also keeps the copies' word hashes of the articles it read or started lately (`Signatures`, a
budget of bytes): news arrives in bursts, and most candidates of a batch are articles the batch before
read or started. The log says when an entry goes stale: a row that gives an article a copy or joins it
drops the article, so an entry always holds every copy its article has.
"""

from __future__ import annotations

import operator
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence

import numpy as np
from numba import njit

from tidings.arrays import unique
from tidings.store.keyfilter import KeyFilter

HOT_POSTINGS = 256  # a key in more articles than this is boilerplate
FENCE = 64  # a run's keys between two of its fence's (`_find`)
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
def _find(
    run_keys: np.ndarray,
    fence: np.ndarray,
    sought: np.ndarray,
    where: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
) -> None:
    """Where the postings of each of `sought` (ascending) lie in a run, lo[where[i]] to hi[where[i]].
    `fence` is every FENCE-th key of the run (small enough to stay in cache): walking it alongside the
    keys sought gives the stretch of FENCE keys each lies in, searched by halving without a branch, so
    one key's search does not wait for the last one's reads (a large run's keys are far from cache)."""
    n = len(run_keys)
    c = 0  # fence keys below the key sought
    step0 = 1
    while step0 * 2 <= FENCE:
        step0 *= 2
    for i in range(len(sought)):
        x = sought[i]
        while c < len(fence) and fence[c] < x:
            c += 1
        if c == 0:  # the run's first key is not below x
            first = 0
        else:  # run_keys[base] < x, and the first key not below x lies in (base, end]
            base = (c - 1) * FENCE
            end = min(c * FENCE, n)
            q = base
            step = step0
            while step > 0:
                probe = q + step
                q = probe if probe < end and run_keys[min(probe, n - 1)] < x else q
                step >>= 1
            first = q + 1
        at = first
        while at < n and run_keys[at] == x:
            at += 1
        lo[where[i]] = first
        hi[where[i]] = at


@njit(cache=True, nogil=True)
def _gather(
    articles: np.ndarray, lo: np.ndarray, hi: np.ndarray, take: np.ndarray, out_key: np.ndarray,
    out_article: np.ndarray, used: int,
) -> int:  # fmt: skip
    """Append (key position, article) for every posting in a run's spans lo[i]:hi[i] of the keys with
    take[i]; the caller sized the output. The new end of the output."""
    for i in range(len(lo)):
        if take[i]:
            for p in range(lo[i], hi[i]):
                out_key[used] = i
                out_article[used] = articles[p]
                used += 1
    return used


@njit(cache=True, nogil=True)
def _gather_marked(
    articles: np.ndarray, lo: np.ndarray, hi: np.ndarray, take: np.ndarray, marked: np.ndarray,
    out_key: np.ndarray, out_article: np.ndarray, used: int,
) -> int:  # fmt: skip
    """`_gather`, of the postings whose article is marked only."""
    for i in range(len(lo)):
        if take[i]:
            for p in range(lo[i], hi[i]):
                a = articles[p]
                if a < len(marked) and marked[a]:
                    out_key[used] = i
                    out_article[used] = a
                    used += 1
    return used


def _among(ids: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Whether each of `ids` (article ids, not negative) is one of `chosen`: `arrays.within` by a mask
    (ids are small integers; a binary search per id costs more)."""
    if not len(ids) or not len(chosen):
        return np.zeros(len(ids), dtype=bool)
    mask = np.zeros(max(int(ids.max()), int(chosen.max())) + 1, dtype=bool)
    mask[chosen] = True
    return mask[ids]  # type: ignore[no-any-return]


def _mask(ids: np.ndarray) -> np.ndarray:
    """A byte per article id up to the largest of `ids`, set for `ids`."""
    mask = np.zeros(int(ids.max()) + 1 if len(ids) else 0, dtype=np.uint8)
    mask[ids] = 1
    return mask


class Aliases:
    """Articles joined into others: `into` for each absorbed article, already followed to the end."""

    def __init__(self) -> None:
        self.gone = np.zeros(0, dtype=np.int32)  # sorted
        self.into = np.zeros(0, dtype=np.int32)
        self._by_id: np.ndarray | None = None  # `into` by article id (-1: not absorbed), made when asked

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
        self._by_id = None

    def resolve(self, articles: np.ndarray) -> np.ndarray:
        """Each article as the one it was absorbed into, if it was (a lookup by id: the ids absorbed
        are a few of a range of small integers)."""
        if not len(self.gone) or not len(articles):
            return articles
        if self._by_id is None:
            self._by_id = np.full(int(self.gone[-1]) + 1, -1, dtype=np.int64)
            self._by_id[self.gone] = self.into
        by_id = self._by_id
        into = by_id[np.minimum(articles, len(by_id) - 1)]
        hit = (into >= 0) & (articles < len(by_id))
        if not hit.any():
            return articles
        out = articles.copy()
        out[hit] = into[hit]
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


Span = tuple[np.ndarray, np.ndarray, np.ndarray]  # a run's articles; where each key's postings start, end


def _gather_all(spans: Sequence[Span], take: np.ndarray, marked: np.ndarray | None = None) -> tuple[
    np.ndarray, np.ndarray
]:  # fmt: skip
    """(key position, article) of the postings of the keys with `take` (of marked articles only)."""
    size = sum(int((hi - lo)[take].sum()) for _, lo, hi in spans)
    out_key = np.empty(size, dtype=np.int64)
    out_article = np.empty(size, dtype=np.int64)
    used = 0
    for articles, lo, hi in spans:
        if marked is None:
            used = _gather(articles, lo, hi, take, out_key, out_article, used)
        else:
            used = _gather_marked(articles, lo, hi, take, marked, out_key, out_article, used)
    return out_key[:used], out_article[:used]


class Postings:
    """Sorted runs of (key, article) pairs, the boilerplate keys and a filter of every key posted."""

    def __init__(self) -> None:
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []  # (keys int64, articles int32) by (key, article)
        self.fences: list[np.ndarray] = []  # each run's every FENCE-th key
        self.hot = np.zeros(0, dtype=np.int64)  # sorted
        self.filter = KeyFilter()
        self.size = 0  # pairs held

    def add(self, keys: np.ndarray, articles: np.ndarray) -> None:
        if not len(keys):
            return
        keys = np.asarray(keys, dtype=np.int64)
        articles = np.asarray(articles, dtype=np.int32)
        step, turn = np.diff(keys), np.diff(articles)
        if bool(((step > 0) | ((step == 0) & (turn >= 0))).all()):  # in order already, as a batch logs them
            run = (keys, articles)
            self.filter.add(keys[np.concatenate(([True], step > 0))])
        else:
            self.filter.add(unique(keys))
            order = np.lexsort((articles, keys))
            run = (keys[order], articles[order])
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32))
        run_keys, run_articles, hot = _merge(run[0], run[1], *empty, HOT_POSTINGS)
        self._boilerplate(hot)
        self.runs.append((run_keys, run_articles))
        self.fences.append(run_keys[::FENCE].copy())
        while len(self.runs) > 1 and len(self.runs[-2][0]) < RUN_GROWTH * len(self.runs[-1][0]):
            (k2, a2), (k1, a1) = self.runs.pop(), self.runs.pop()
            del self.fences[-2:]
            merged_keys, merged_articles, hot = _merge(k1, a1, k2, a2, HOT_POSTINGS)
            self.runs.append((merged_keys, merged_articles))
            self.fences.append(merged_keys[::FENCE].copy())
            self._boilerplate(hot)
        self.size = sum(len(k) for k, _ in self.runs)
        if len(self.filter.parts) > 2:  # one filter again, with room for as many keys more
            self.filter = KeyFilter(first=2 * self.size)
            for run_keys, _ in self.runs:
                if len(run_keys):
                    self.filter.add(run_keys[np.flatnonzero(np.diff(run_keys, prepend=run_keys[0] - 1))])

    def spans(self, wanted: np.ndarray, where: np.ndarray | None = None) -> list[Span]:
        """Where each wanted key's postings are in each run (`where`: the only keys to look for)."""
        out = []
        where = np.arange(len(wanted)) if where is None else where
        sought = wanted[where]
        for (run_keys, run_articles), fence in zip(self.runs, self.fences, strict=True):
            lo = np.zeros(len(wanted), dtype=np.int64)
            hi = np.zeros(len(wanted), dtype=np.int64)
            _find(run_keys, fence, sought, where, lo, hi)
            out.append((run_articles, lo, hi))
        return out

    def is_hot(self, keys: np.ndarray) -> np.ndarray:
        if not len(self.hot):
            return np.zeros(len(keys), dtype=bool)
        at = np.minimum(np.searchsorted(self.hot, keys), len(self.hot) - 1)
        return self.hot[at] == keys  # type: ignore[no-any-return]

    def _boilerplate(self, keys: np.ndarray) -> None:
        if len(keys):
            self.hot = np.union1d(self.hot, keys)


SIGNATURE_BYTES = 64 << 20  # word hashes of recently read articles a worker keeps
# (article id, the copy's number of index keys, its distinct shingles (-1: not known), packed word hashes)
Signature = tuple[int, int, int, bytes]


class Signatures:
    """The copies of recently read articles, as `FoldIndex.fold_signatures` gives them, within a budget
    of bytes (the least recently used go first). An article is held whole (every copy it has) or not at
    all."""

    def __init__(self, budget: int = SIGNATURE_BYTES) -> None:
        self.budget = budget
        # rows, their size: tuples of ints and bytes alone, which the garbage collector stops tracking
        # (a full collection would otherwise walk every entry)
        self.held: OrderedDict[int, tuple[tuple[Signature, ...], int]] = OrderedDict()
        self.size = 0

    def get(self, article: int) -> tuple[Signature, ...] | None:
        entry = self.held.get(article)
        if entry is None:
            return None
        self.held.move_to_end(article)
        return entry[0]

    def put(self, article: int, rows: Sequence[Signature]) -> None:
        self.put_many([(article, rows)])

    def put_many(self, entries: Iterable[tuple[int, Sequence[Signature]]]) -> None:
        """`put` each (article, rows) in turn (a batch's worth, in one call)."""
        held, budget = self.held, self.budget
        for article, rows in entries:
            old = held.pop(article, None)
            if old is not None:
                self.size -= old[1]
            size = 100 * len(rows)  # the objects around the words
            for row in rows:
                size += len(row[3])
            if size > budget:
                continue
            held[article] = (tuple(rows), size)
            self.size += size
        while self.size > budget:
            self.size -= held.popitem(last=False)[1][1]

    def drop(self, articles: Iterable[int]) -> None:
        held = self.held
        if not held:
            return
        for article in held.keys() & articles:  # the few held, found in one pass over `articles`
            self.size -= held.pop(article)[1]


class Pending:
    """What one transaction wrote to the log, as the transaction sees it: its postings, its joins,
    whether it emptied the index; and the rows themselves, to hand to the worker's copy on commit. The
    postings are sorted only if the transaction looks them up (most write once, at their end)."""

    def __init__(self) -> None:
        self.base: int | None = None  # the tick the worker's copy held when this transaction first wrote
        self.rows: list[tuple[int, int, bytes]] = []  # (tick, kind, data)
        self.aliases = Aliases()
        self._counts: dict[int, int] = {}  # fewest keys of a copy, by article
        self._touched: set[int] = set()  # articles given copies or joined: their copies differ from the log's
        self._counted: list[bytes] = []  # COUNTED rows not yet taken into `counts` and `touched`
        self.joined: set[int] = set()
        self.started: dict[int, list[tuple[int, Signature]]] = {}  # its new articles' (copy id, copy)
        self.cleared = False
        self._postings: Postings | None = None
        self._unsorted: list[bytes] = []

    def add(self, tick: int, kind: int, data: bytes) -> None:
        self.rows.append((tick, kind, data))
        if kind == POSTED:
            self._unsorted.append(data)
        elif kind == JOINED:  # the kept article's count is set by who joined them (it knows the store's)
            into, absorbed = unpack_join(data)
            self.aliases.join(into, absorbed)
            self._touched.update([into, *absorbed])
            self.joined.update([into, *absorbed])
        elif kind == COUNTED:  # taken in when asked for (a batch's transaction seldom asks after writing)
            self._counted.append(data)
        else:
            self._postings, self._unsorted, self.aliases, self.cleared = None, [], Aliases(), True
            self._counts, self._touched, self.joined, self.started = {}, set(), set(), {}
            self._counted = []

    @property
    def counts(self) -> dict[int, int]:
        self._take_counted()
        return self._counts

    @property
    def touched(self) -> set[int]:
        self._take_counted()
        return self._touched

    def _take_counted(self) -> None:
        counted, self._counted = self._counted, []
        for data in counted:
            articles, counts = unpack_pairs(data)
            for article, count in zip(articles.tolist(), counts.tolist(), strict=True):
                self._counts[article] = min(count, self._counts.get(article, count))
            self._touched.update(articles.tolist())

    def kept(self) -> Iterator[tuple[int, tuple[Signature, ...]]]:
        """The articles it started and did not join, with their copies in copy order: for the worker's
        `Signatures` once it commits."""
        joined = self.joined
        for article, copies in self.started.items():
            if article in joined:
                continue
            if len(copies) == 1:
                yield article, (copies[0][1],)
            else:
                copies.sort(key=operator.itemgetter(0))
                yield article, tuple(row for _, row in copies)

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
        self.signatures = Signatures()

    def apply(self, tick: int, kind: int, data: bytes) -> None:
        """Take in one log row (the one after `tick`)."""
        if kind == POSTED:
            self.postings.add(*unpack_pairs(data))
        elif kind == JOINED:
            into, absorbed = unpack_join(data)
            self.aliases.join(into, absorbed)
            self.key_counts.join(into, absorbed)
            self.signatures.drop([into, *absorbed])
        elif kind == COUNTED:
            articles, counts = unpack_pairs(data)
            self.key_counts.add(articles, counts)
            self.signatures.drop(articles.tolist())
        elif kind == CLEARED:
            self.reset()
        else:
            raise ValueError(f"fold log row {tick} is of an unknown kind {kind}")
        self.tick = tick

    def lookup(self, keys: np.ndarray, most: int | None, pending: Pending) -> np.ndarray:
        """What `FoldIndex.fold_lookup` answers, from this copy and a transaction's own writes: rows of
        (key, article).

        A key's postings are counted where they lie in each run (no posting is read for that); that
        count bounds the key's articles from above (a key may have postings of two articles joined
        since), and from below once the postings of joined articles are taken off. Only a key whose
        postings straddle a bound that way has its articles counted one by one; a key over the bound has
        only its postings of articles the others found read, in one compiled pass."""
        wanted = unique(np.asarray(keys, dtype=np.int64))
        if not len(wanted):
            return np.zeros((0, 2), dtype=np.int64)
        mine = pending.postings
        hot = mine.is_hot(wanted)
        spans = mine.spans(wanted) if mine.size else []
        gone = pending.aliases.gone.astype(np.int64)
        if not pending.cleared:
            hot |= self.postings.is_hot(wanted)
            maybe = np.flatnonzero(self.postings.filter.may_hold(wanted))
            if len(maybe):
                spans += self.postings.spans(wanted, maybe)
            gone = np.concatenate([self.aliases.gone.astype(np.int64), gone])
        raw = np.zeros(len(wanted), dtype=np.int64)
        for _, lo, hi in spans:
            raw += hi - lo
        limit = HOT_POSTINGS if most is None else min(most, HOT_POSTINGS)
        over = ~hot & (raw > limit)
        joined = np.zeros(len(wanted), dtype=np.int64)  # postings of articles joined into others
        if len(gone) and over.any():
            at, _ = _gather_all(spans, over, _mask(gone))
            joined = np.bincount(at, minlength=len(wanted))
        least = raw - joined
        unsure = over & ((least <= limit) | ((raw > HOT_POSTINGS) & (least <= HOT_POSTINGS)))
        key_at, articles = _gather_all(spans, ~hot & (raw > 0) & ~(over & ~unsure))
        articles = self._resolve(articles, pending)
        pairs = unique((key_at << 32) | articles)  # each (key, article) once
        key_at, articles = pairs >> 32, pairs & 0xFFFFFFFF
        holders = np.bincount(key_at, minlength=len(wanted))
        hot |= (over & ~unsure & (raw > HOT_POSTINGS)) | (unsure & (holders > HOT_POSTINGS))
        over = (over & ~unsure) | (unsure & (holders > limit)) | hot
        keep = ~over[key_at]
        rows = [np.stack([wanted[key_at[keep]], articles[keep]], axis=1)]
        if most is None:
            return np.concatenate(rows)
        # a key over the bound: (key, -1), and its postings of the articles the others found (none for
        # a boilerplate key)
        found = unique(articles[keep])
        shared = ~hot[key_at] & over[key_at] & _among(articles, found)
        rows.append(np.stack([wanted[key_at[shared]], articles[shared]], axis=1))
        unread = over & ~hot & ~unsure
        if unread.any() and len(found):
            marked = _mask(np.concatenate([found, gone]))
            key_at, articles = _gather_all(spans, unread, marked)
            articles = self._resolve(articles, pending)
            inside = _among(articles, found)
            pairs = unique((key_at[inside] << 32) | articles[inside])
            rows.append(np.stack([wanted[pairs >> 32], pairs & 0xFFFFFFFF], axis=1))
        flagged = wanted[over]
        rows.append(np.stack([flagged, np.full(len(flagged), -1, dtype=np.int64)], axis=1))
        return np.concatenate(rows)

    def _resolve(self, articles: np.ndarray, pending: Pending) -> np.ndarray:
        """Articles joined into others as the ones they joined (the store's joins, then the
        transaction's)."""
        if not pending.cleared:
            articles = self.aliases.resolve(articles)
        return pending.aliases.resolve(articles)

    def key_counts_of(self, articles: np.ndarray, pending: Pending) -> np.ndarray:
        """What `FoldIndex.fold_key_counts` answers, from this copy and a transaction's own writes."""
        ids = np.asarray(articles, dtype=np.int64)
        counts = np.full(len(ids), KeyCounts.NONE, dtype=np.int64)
        if not pending.cleared:
            counts = self.key_counts.get(ids).astype(np.int64)
        if pending.counts and len(ids):
            own = np.fromiter(pending.counts, dtype=np.int64, count=len(pending.counts))
            fewest = np.fromiter(pending.counts.values(), dtype=np.int64, count=len(own))
            order = np.argsort(own)
            own, fewest = own[order], fewest[order]
            at = np.minimum(np.searchsorted(own, ids), len(own) - 1)
            hit = own[at] == ids
            counts[hit] = np.minimum(counts[hit], fewest[at[hit]])
        counts[counts == KeyCounts.NONE] = -1
        return counts


def warm() -> None:
    """Compile the loops (numba keeps them on disk): a lookup through every path, a join included."""
    mirror = FoldMirror()
    keys = np.array([1, 2, 2, 2], dtype=np.int64)
    mirror.apply(1, POSTED, pack_pairs(keys, np.array([1, 1, 2, 3], dtype=np.int64)))
    mirror.apply(2, POSTED, pack_pairs(keys[:2], np.array([4, 4], dtype=np.int64)))
    mirror.apply(3, JOINED, pack_join(2, [3]))
    rows = mirror.lookup(np.array([1, 2, 5], dtype=np.int64), 1, Pending()).tolist()
    assert sorted(rows) == [[1, -1], [2, -1]], rows
    rows = mirror.lookup(np.array([1, 2], dtype=np.int64), None, Pending()).tolist()
    assert sorted(rows) == [[1, 1], [1, 4], [2, 1], [2, 2], [2, 4]], rows
