"""The fold stage: find the article each new copy belongs to, and rebuild that article from all its copies.

Finding: a copy's fingerprint (`fingerprint`) gives a few index keys; the articles sharing keys with it
are the candidates, and each candidate's copies are compared with it (`match`): containment of shingles,
the lead shared, no name or figure swapped. A copy that matches copies of several articles joins them
into one (the oldest keeps its identity), so the articles that come out are the same whatever order the
copies came in.

The signature index lives in the store; fold reaches it only through the `FoldIndex` interface, so the
same code runs in one process over SQLite or in many workers over PostgreSQL. `place` takes a batch of
copies at once: one index lookup and one signature fetch for the whole batch, the batch's own copies
matched among themselves in memory, and one write at the end.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from typing import NamedTuple, Protocol

import numpy as np

from tidings.arrays import unique, unique_inverse, within
from tidings.fold import kernel
from tidings.fold.canonical import build, copy_changes
from tidings.fold.fingerprint import (
    MAX_SHINGLE_WORDS,
    Fingerprint,
    Fingerprints,
    containment,
    fingerprint_batch,
    fingerprint_texts,
    pack,
    shingles_into,
    unpack,
)
from tidings.fold.match import Comparison, Rules, compare, screen
from tidings.models import Copy

MAX_CANDIDATES = 48  # articles verified per copy, most likely first
SCREEN_SLACK = 0.03  # distinct-shingle containment may fall this far under the positional one
SWAPPED = 2  # conflicts with one copy of an article after which its other copies are not tried
COPIES_TRIED = 1000  # an article's copies compared in full, most alike first (its copies share their text)


class FoldIndex(Protocol):
    """What fold needs from the store."""

    def fold_lookup(self, keys: np.ndarray, most: int | None = None) -> np.ndarray:
        """Rows (key, article id) for every indexed key among `keys`; with `most`, a key with more
        postings than that (boilerplate) comes back as (key, -1), and with only its postings of the
        articles that the keys with no more than `most` postings found."""

    def fold_signatures(self, article_ids: Sequence[int]) -> list[tuple[int, int, int, bytes]]:
        """(article id, number of index keys, number of distinct shingles or -1 if not known, packed word
        hashes) of every copy of these articles."""

    def fold_key_counts(self, article_ids: np.ndarray) -> np.ndarray:
        """For each article (int64 ids), how many index keys its copy with the fewest has; -1 where none
        is known."""

    def fold_new_articles(self, count: int) -> list[int]:
        """Ids for `count` new articles, ascending."""

    def fold_record(self, signatures: Sequence[tuple[int, int, int, int, bytes]], keys: np.ndarray) -> None:
        """Save (copy id, article id, number of index keys, number of distinct shingles, packed words)
        and index the rows (key, article id) of `keys` (int64, shape (n, 2), ascending)."""

    def fold_merge(self, into: int, absorbed: Sequence[int]) -> None:
        """Join articles: `absorbed` become part of `into` (their copies and postings are `into`'s)."""


class Placement(NamedTuple):
    """Where a copy went (a named tuple: a batch makes a thousand of them, and a tuple is made at a
    third of the cost of a frozen dataclass)."""

    article_id: int
    new: bool  # it started a new article
    merged: tuple[int, ...] = ()  # articles it showed to be one with `article_id` (now gone)


def fold_text(copy: Copy) -> str:
    """The text fingerprinted: dek and body (a dek one copy shows as its first paragraph still matches)."""
    if copy.dek:
        return "\n".join((copy.dek, *copy.body))
    return "\n".join(copy.body) if copy.body else (copy.title or "")


def shingle_count(fp: Fingerprint) -> int:
    """How many distinct shingles a fingerprint's text has (what `place` records with its copy)."""
    return int(kernel.distinct_count(fp.shingles))


def fingerprints(copies: Sequence[Copy], rules: Rules) -> Fingerprints:
    return text_fingerprints([fold_text(c) for c in copies], rules)


def text_fingerprints(texts: Sequence[str], rules: Rules) -> Fingerprints:
    """Fingerprints of texts already made by `fold_text`."""
    return fingerprint_batch(texts, rules.shingle_words, rules.anchor_rate)


# What the placing loop did, summed over every batch of this process (for `tidings bench fold`): copies
# placed, candidate articles, candidate copies screened, copies compared in full.
STATS = np.zeros(4, dtype=np.int64)
HOT_KEY = 24  # a key more articles share than this is boilerplate: it finds everything, tells nothing


class _Arena:
    """The signatures a batch compares, as flat arrays that grow by doubling: the batch's own copies
    first (signature i is copy i), then the stored copies of candidate articles as they are fetched.
    Signature i's words are words[wb[i]:wb[i + 1]], its shingles shingles[wb[i]:se[i]]."""

    def __init__(self, fps: Fingerprints, shingle_words: int) -> None:
        self.k = max(1, min(shingle_words, MAX_SHINGLE_WORDS))
        self.n = 0
        n = len(fps)
        wb = fps.word_starts()
        room = 3 * int(wb[-1])  # the stored copies fetched usually take about as much again
        self.words = _held("words", room, np.uint32)
        self.shingles = _held("shingles", room, np.uint64)
        self.wb = np.zeros(4 * n + 1, dtype=np.int64)
        self.se = np.empty(4 * n, dtype=np.int64)
        self.distinct = np.empty(4 * n, dtype=np.int64)  # distinct shingles, once worked out
        self.nkeys = np.empty(4 * n, dtype=np.int64)  # a stored copy's index keys, once worked out
        fps.fill(self.words, self.shingles)
        self.wb[1 : n + 1] = wb[1:]
        self.se[:n] = fps.shingle_stops()  # the fingerprints' own shingles, at their words' places
        self.distinct[:n] = -1
        self.nkeys[:n] = -1
        self.n = n

    def add(self, words: np.ndarray, wb: np.ndarray, distinct: np.ndarray) -> int:
        """Add signatures (their words one after another, and where each starts; their shingles are
        worked out in place) and their distinct shingles (-1 where not known); the index of the
        first."""
        first, more = self.n, len(wb) - 1
        used = int(self.wb[first])
        self.words = _POOL.words = _room(self.words, used + len(words), used)
        self.shingles = _POOL.shingles = _room(self.shingles, used + len(words), used)
        self.wb = _room(self.wb, first + more + 1)
        self.se = _room(self.se, first + more)
        self.distinct = _room(self.distinct, first + more)
        self.nkeys = _room(self.nkeys, first + more)
        self.words[used : used + len(words)] = words
        se = shingles_into(self.words[used : used + len(words)], wb, self.k, self.shingles[used:])
        self.wb[first + 1 : first + more + 1] = wb[1:] + used
        self.se[first : first + more] = se + used
        self.distinct[first : first + more] = distinct
        self.nkeys[first : first + more] = -1
        self.n += more
        return first

    def keys(self) -> np.ndarray:
        """Room for the stored copies' index keys (a copy's lie where its words start), kept by the
        thread from batch to batch; the keys worked out so far are forgotten if the room must grow."""
        room = getattr(_POOL, "keys", None)
        if room is None or len(room) < len(self.words):
            room = _POOL.keys = np.empty(len(self.words), dtype=np.int64)
            self.nkeys[: self.n] = -1
        return room


_POOL = threading.local()  # what a thread keeps from batch to batch: fresh memory costs page faults


def _held(name: str, size: int, dtype: type[np.generic]) -> np.ndarray:
    """The thread's array `name`, of at least `size` items (whatever was left in it)."""
    room: np.ndarray | None = getattr(_POOL, name, None)
    if room is None or len(room) < size:
        room = np.empty(size, dtype=dtype)
        setattr(_POOL, name, room)
    return room


TABLE_ROOM = 1 << 15  # slots of the placed copy's shingle table (16 bytes a slot: 512 KiB, in cache)


def _table_room() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The thread's room for the shingle table (value, first position, count) of the copy being placed;
    a table too large for it is made apart."""
    return (
        _held("table_values", TABLE_ROOM, np.uint64),
        _held("table_firsts", TABLE_ROOM, np.int32),
        _held("table_counts", TABLE_ROOM, np.int32),
    )


def _room(array: np.ndarray, size: int, used: int | None = None) -> np.ndarray:
    """The array, or a copy twice as large, to hold `size` items (past the old ones, or past the
    first `used` if given, whatever was in memory)."""
    if size <= len(array):
        return array
    grown = np.empty(max(size, 2 * len(array)), dtype=array.dtype)
    kept = len(array) if used is None else used
    grown[:kept] = array[:kept]
    return grown


def place(
    fps: Sequence[Fingerprint], copy_ids: Sequence[int], index: FoldIndex, rules: Rules
) -> list[Placement]:
    """Put each copy (fingerprint, copy id) into the article it belongs to, in order, and record it.

    The store is read up front: the postings of every key of the batch (one lookup), then the copies of
    every stored article any copy of the batch is likely a copy of (one fetch). The copies are then placed
    one after another by the compiled loop (`kernel.place_batch`), which comes back here only to fetch a
    candidate it lacks or to have a merge recorded. The batch's new articles get their ids from the store
    at the end, in the order they were started; an article that turns out to be one with older ones keeps
    the oldest id."""
    n = len(fps)
    if n == 0:
        return []
    batch = Fingerprints.of(fps)
    floats, ints = rules.arrays()
    # the batch's keys, and each copy's keys as positions among them
    every_key, kb = batch.all_keys()
    wanted, doc_keys = unique_inverse(every_key)
    doc_keycount = np.diff(kb)
    # stored postings, grouped by key; stored articles become slots 0.. in id order
    hot = np.zeros(len(wanted), dtype=bool)
    found = np.asarray(index.fold_lookup(wanted, most=HOT_KEY), dtype=np.int64).reshape(-1, 2)
    gone = found[:, 1] < 0
    hot[np.searchsorted(wanted, found[gone, 0])] = True
    found = found[~gone]
    stored_ids, found_slot = unique_inverse(found[:, 1])
    n_stored = len(stored_ids)
    key_of = np.searchsorted(wanted, found[:, 0])
    by_key = np.argsort(key_of, kind="stable")
    sp_slot = found_slot[by_key]
    sp_start = np.zeros(len(wanted) + 1, dtype=np.int64)
    np.cumsum(np.bincount(key_of, minlength=len(wanted)), out=sp_start[1:])
    # articles: stored slots, then room for one new article per copy
    n_slots = n_stored + n
    alias = np.full(n_slots, -1, dtype=np.int64)
    key_count = np.full(n_slots, -1, dtype=np.int64)
    key_count[:n_stored] = index.fold_key_counts(stored_ids)
    arena = _Arena(batch, rules.shingle_words)
    head = np.full(n_slots, -1, dtype=np.int64)
    tail = np.full(n_slots, -1, dtype=np.int64)
    nxt = np.full(n, -1, dtype=np.int64)
    fetched = np.zeros(n_slots, dtype=bool)

    def fetch(slots: np.ndarray) -> None:
        nonlocal nxt
        slots = slots[~fetched[slots]]
        if not len(slots):
            return
        fetched[slots] = True
        rows = index.fold_signatures(stored_ids[slots].tolist())
        articles, _, counts, blobs = zip(*rows, strict=True) if rows else ((), (), (), ())
        words = np.frombuffer(b"".join(blobs), dtype="<u4").astype(np.uint32, copy=False)
        wb = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, blobs), dtype=np.int64, count=len(rows)) // 4, out=wb[1:])
        first = arena.add(words, wb, np.fromiter(counts, dtype=np.int64, count=len(rows)))
        nxt = _room(nxt, arena.n)
        owners = np.searchsorted(stored_ids, np.fromiter(articles, dtype=np.int64, count=len(rows)))
        kernel.link(first, owners.astype(np.int64), alias, head, tail, nxt)

    # one fetch for every stored article any copy of the batch has among its candidates
    fetch(
        np.flatnonzero(
            kernel.stored_candidates(
                n, doc_keys, kb, doc_keycount, sp_start, sp_slot, hot, len(wanted), alias, key_count,
                n_slots, MAX_CANDIDATES, HOT_KEY,
            )
        )
    )  # fmt: skip
    lp_head = np.full(len(wanted), -1, dtype=np.int64)
    lp_tail = np.full(len(wanted), -1, dtype=np.int64)
    lp_count = np.zeros(len(wanted), dtype=np.int64)
    lp_next = np.full(len(doc_keys), -1, dtype=np.int64)
    lp_slot = np.full(len(doc_keys), -1, dtype=np.int64)
    lp_used = np.zeros(1, dtype=np.int64)
    fresh = np.array([n_stored], dtype=np.int64)
    placed = np.full(n, -1, dtype=np.int64)
    started = np.zeros(n, dtype=bool)
    out = np.full(MAX_CANDIDATES + 1, -1, dtype=np.int64)
    merged: dict[int, tuple[int, ...]] = {}  # copy -> the stored articles it joined to its own
    start, resume = 0, 0
    while True:
        tk, tf, tc = _table_room()
        status, at = kernel.place_batch(
            start, n, arena.n, arena.words, arena.wb, arena.shingles, arena.se, arena.distinct, arena.keys(),
            arena.nkeys, tk, tf, tc, doc_keys, kb,
            doc_keycount, sp_start, sp_slot, hot, lp_head, lp_tail, lp_next, lp_slot, lp_count, lp_used,
            alias, key_count, head, tail, nxt, fetched, n_stored, fresh, placed, started, out, resume,
            floats, ints, MAX_CANDIDATES, HOT_KEY, COPIES_TRIED, SWAPPED, SCREEN_SLACK, wanted,
            rules.anchor_rate, STATS,
        )  # fmt: skip
        start, resume = int(at), 0
        if status == kernel.DONE:
            break
        found_slots = out[: int(np.argmax(out < 0))].copy()
        if status == kernel.NEED_FETCH:
            fetch(found_slots)
            continue
        # a copy of several articles: the stored ones among the others join the first in the store
        into, absorbed = int(found_slots[0]), found_slots[1:]
        stored = absorbed[absorbed < n_stored]
        merged[start] = tuple(int(stored_ids[a]) for a in stored)
        if len(stored):
            index.fold_merge(int(stored_ids[into]), stored_ids[stored].tolist())
        resume = len(found_slots)
    # the new articles that are still articles get store ids, oldest first
    roots = _roots(alias)
    final_slot = roots[placed]
    begun = unique(final_slot[final_slot >= n_stored])
    ids = np.zeros(n_slots, dtype=np.int64)
    ids[:n_stored] = stored_ids
    ids[begun] = index.fold_new_articles(len(begun))
    final = ids[final_slot]
    # postings: each copy's keys under its article, but for those the store has already (only a stored
    # article given copies can have any)
    post = unique((doc_keys << 32) | np.repeat(roots[placed], doc_keycount))
    given = np.zeros(n_slots, dtype=bool)
    given[roots[placed]] = True
    found_root = roots[found_slot]
    kept = given[found_root]
    if kept.any():
        known = unique((key_of[kept].astype(np.int64) << 32) | found_root[kept])
        post = post[~within(post, known)]
    new_keys = np.stack([wanted[post >> 32], ids[post & 0xFFFFFFFF]], axis=1)
    # ordered by key (the keys' places among `wanted` are), then by article: slots are in id order
    # unless the store handed out new ids below stored ones
    if not bool((np.diff(ids[unique(roots[placed])]) > 0).all()):
        new_keys = new_keys[np.lexsort((new_keys[:, 1], new_keys[:, 0]))]
    packed = pack(arena.words[: arena.wb[n]])  # the batch's words, each copy's a slice of them
    cut = (4 * arena.wb[: n + 1]).tolist()
    keyed = np.where(batch.stored_keys >= 0, batch.stored_keys, doc_keycount).tolist()
    # distinct shingles: worked out for each copy that met a candidate, counted now for the others
    kernel.count_distinct(arena.shingles, arena.wb, arena.se, arena.distinct, n)
    blobs = [packed[start:stop] for start, stop in itertools.pairwise(cut)]
    records = list(zip(copy_ids, final.tolist(), keyed, arena.distinct[:n].tolist(), blobs, strict=True))
    index.fold_record(records, new_keys)
    began = (started & (roots[placed] == placed)).tolist()
    joined: list[tuple[int, ...]] = [()] * n
    for d, articles in merged.items():
        joined[d] = articles
    return list(map(Placement._make, zip(final.tolist(), began, joined, strict=True)))


class _Scratch:
    """A `FoldIndex` in memory holding one stored copy (article 1): for `warm`."""

    def __init__(self, fp: Fingerprint) -> None:
        self.fp = fp

    def fold_lookup(self, keys: np.ndarray, most: int | None = None) -> np.ndarray:
        assert most is None or most >= 1  # one holder: never more than `most`
        held = np.intersect1d(keys, self.fp.keys)
        return np.stack([held, np.ones(len(held), dtype=np.int64)], axis=1)

    def fold_signatures(self, article_ids: Sequence[int]) -> list[tuple[int, int, int, bytes]]:
        return [(1, self.fp.key_count, -1, pack(self.fp.words))] if 1 in article_ids else []

    def fold_key_counts(self, article_ids: np.ndarray) -> np.ndarray:
        return np.where(article_ids == 1, self.fp.key_count, -1)

    def fold_new_articles(self, count: int) -> list[int]:
        return list(range(2, count + 2))

    def fold_record(self, signatures: Sequence[tuple[int, int, int, int, bytes]], keys: np.ndarray) -> None:
        assert all(article > 0 and shingles >= 0 for _, article, _, shingles, _ in signatures)
        assert bool((keys[:, 1] > 0).all())

    def fold_merge(self, into: int, absorbed: Sequence[int]) -> None:
        raise AssertionError((into, absorbed))  # one stored article: nothing to merge


def warm() -> None:
    """Compile fold's loops now (numba keeps them on disk), so that the first folding does not wait for
    it: `make install` runs this once. One copy is folded into a stored one, through every loop."""
    rules = Rules()
    text = "Dredging of the harbour began on Monday. The work, paid for by the port, will take a year."
    stored, new = fingerprints([Copy("Warm", (text,)), Copy("Warm", (text, "A second paragraph."))], rules)
    placed = place([new], [2], _Scratch(stored), rules)
    assert placed[0].article_id == 1, placed
    screen(new, [stored])


def _roots(alias: np.ndarray) -> np.ndarray:
    """Each slot's final slot (aliases followed to the end)."""
    roots = np.arange(len(alias))
    linked = alias >= 0
    roots[linked] = alias[linked]
    while True:
        further = alias[roots] >= 0
        if not further.any():
            return roots
        roots[further] = alias[roots[further]]


__all__ = [
    "Comparison",
    "Fingerprint",
    "Fingerprints",
    "FoldIndex",
    "Placement",
    "Rules",
    "build",
    "compare",
    "containment",
    "copy_changes",
    "fingerprint_texts",
    "fingerprints",
    "fold_text",
    "pack",
    "place",
    "shingle_count",
    "text_fingerprints",
    "unpack",
    "warm",
]
