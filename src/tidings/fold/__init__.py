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

from collections import Counter, OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from tidings.fold.canonical import build, copy_changes
from tidings.fold.fingerprint import (
    Fingerprint,
    containment,
    fingerprint_texts,
    fingerprint_words,
    pack,
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

    def fold_lookup(self, keys: Sequence[int], most: int | None = None) -> list[tuple[int, int]]:
        """(key, article id) for every indexed key among `keys`; with `most`, a key with more postings
        than that comes back once, as (key, -1): boilerplate, whose holders are not worth reading."""

    def fold_signatures(self, article_ids: Sequence[int]) -> list[tuple[int, int, bytes]]:
        """(article id, number of index keys, packed word hashes) of every copy of these articles."""

    def fold_key_counts(self, article_ids: Sequence[int]) -> dict[int, int]:
        """For each article, how many index keys its copy with the fewest has."""

    def fold_new_articles(self, count: int) -> list[int]:
        """Ids for `count` new articles, ascending."""

    def fold_record(
        self, signatures: Sequence[tuple[int, int, int, bytes]], keys: Sequence[tuple[int, int]]
    ) -> None:
        """Save (copy id, article id, number of index keys, packed words) and index (key, article id)."""

    def fold_merge(self, into: int, absorbed: Sequence[int], keys: Sequence[int]) -> None:
        """Join articles: `absorbed` (whose index keys are among `keys`) become part of `into`."""


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a copy went."""

    article_id: int
    new: bool  # it started a new article
    merged: tuple[int, ...] = ()  # articles it showed to be one with `article_id` (now gone)


def fold_text(copy: Copy) -> str:
    """The text fingerprinted: dek and body (a dek one copy shows as its first paragraph still matches)."""
    parts = [copy.dek] if copy.dek else []
    parts.extend(copy.body)
    return "\n".join(parts) if parts else (copy.title or "")


def fingerprints(copies: Sequence[Copy], rules: Rules) -> list[Fingerprint]:
    return fingerprint_texts([fold_text(c) for c in copies], rules.shingle_words, rules.anchor_rate)


class _Seen:
    """Fingerprints rebuilt from stored word hashes, with what comparisons worked out on them, kept for
    the next batches (the copies of one story come in close together): least recently used out first,
    up to `words` words in all. Keyed by the stored bytes themselves, so a hit is always right."""

    def __init__(self, words: int) -> None:
        self.limit, self.words = words, 0
        self.kept: OrderedDict[tuple[bytes, int, tuple[int, int]], Fingerprint] = OrderedDict()

    def get(self, key: tuple[bytes, int, tuple[int, int]]) -> Fingerprint | None:
        fp = self.kept.get(key)
        if fp is not None:
            self.kept.move_to_end(key)
        return fp

    def put(self, key: tuple[bytes, int, tuple[int, int]], fp: Fingerprint) -> None:
        if key in self.kept:
            return
        self.kept[key] = fp.compact()
        self.words += len(fp.words)
        while self.words > self.limit and self.kept:
            _, old = self.kept.popitem(last=False)
            self.words -= len(old.words)


SEEN_WORDS = 2_000_000  # about 100 MiB of fingerprints with their lookups
_SEEN = _Seen(SEEN_WORDS)

_FRESH = 1 << 62  # ids of articles started in this batch, until the store gives them real ones
HOT_KEY = 24  # a key more articles share than this is boilerplate: it finds everything, tells nothing


@dataclass(slots=True)
class _Batch:
    """What one `place` call knows: the store's postings for the batch's keys, the signatures of the
    candidates, and the batch's own copies so far."""

    index: FoldIndex
    rules: Rules
    stored: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    local: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    signatures: dict[int, list[Fingerprint]] = field(default_factory=lambda: defaultdict(list))
    fetched: set[int] = field(default_factory=set)
    alias: dict[int, int] = field(default_factory=dict)
    known_keys: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    fresh: int = _FRESH
    key_counts: dict[int, int] = field(default_factory=dict)  # article -> keys of its smallest copy
    hot: set[int] = field(default_factory=set)  # keys the store has more than HOT_KEY postings of

    def resolve(self, article_id: int) -> int:
        while article_id in self.alias:
            article_id = self.alias[article_id]
        return article_id

    def candidates(self, fp: Fingerprint) -> list[tuple[int, int, float]]:
        """(article, keys of this copy it has, score) for the articles most likely to hold a copy of this
        one, best first: the share of the smaller side's keys found in the other (a key sample estimates
        containment), then the shared keys weighed by their rarity (boilerplate says little), then the
        newer article."""
        score: dict[int, float] = defaultdict(float)
        shared: dict[int, int] = defaultdict(int)
        for key in fp.keys.tolist():
            stored, local = self.stored.get(key, ()), self.local.get(key, ())
            holders = len(stored) + len(local)
            if not holders or holders > HOT_KEY or key in self.hot:
                continue
            weight = 1.0 / holders
            for article_id in (*stored, *local):
                article_id = self.resolve(article_id)
                score[article_id] += weight
                shared[article_id] += 1
        mine = max(1, len(fp.keys))

        def likely(article_id: int) -> tuple[float, float, int]:
            theirs = self.key_counts.get(article_id, mine)
            return (-shared[article_id] / max(1, min(mine, theirs)), -score[article_id], -article_id)

        ranked = sorted(score, key=likely)[:MAX_CANDIDATES]
        return [(a, shared[a], score[a]) for a in ranked]

    def fetch(self, article_ids: Sequence[int]) -> None:
        wanted = [a for a in article_ids if a not in self.fetched and a < _FRESH]
        if not wanted:
            return
        self.fetched.update(wanted)
        rows = self.index.fold_signatures(wanted)
        shape = (self.rules.shingle_words, self.rules.anchor_rate)
        known = [_SEEN.get((blob, count, shape)) for _, count, blob in rows]
        missing = [row for row, fp in zip(rows, known, strict=True) if fp is None]
        made = iter(fingerprint_words([(unpack(blob), count) for _, count, blob in missing], *shape))
        for (article_id, count, blob), fp in zip(rows, known, strict=True):
            if fp is None:
                fp = next(made)
                _SEEN.put((blob, count, shape), fp)
            self.signatures[self.resolve(article_id)].append(fp)

    def matching(self, fp: Fingerprint, candidates: list[tuple[int, int, float]]) -> list[int]:
        """The candidate articles this copy is one of (every one: a copy may show two articles to be one).
        All their copies are screened in one numpy pass (distinct shingles in common); only the plausible
        ones are compared in full, the likeliest copy of each article first."""
        pool = [
            (article_id, other) for article_id, _, _ in candidates for other in self.signatures[article_id]
        ]
        if not pool:
            return []
        estimates_, common_ = screen(fp, [other for _, other in pool])
        estimates, common = estimates_.tolist(), common_.tolist()
        floor = self.rules.min_containment - SCREEN_SLACK
        plausible = sorted(
            (i for i, e in enumerate(estimates) if e >= floor), key=lambda i: (pool[i][0], -estimates[i])
        )
        found: list[int] = []
        tried: Counter[int] = Counter()
        for i in plausible:
            article_id, other = pool[i]
            if tried[article_id] >= COPIES_TRIED or (found and found[-1] == article_id):
                continue
            tried[article_id] += 1
            result = compare(fp, other, self.rules, common=common[i])
            if result.same(self.rules):
                found.append(article_id)
            elif result.conflicts >= SWAPPED:
                tried[article_id] = COPIES_TRIED  # names and figures swapped: its other copies have them too
        return found

    def new_article(self) -> int:
        self.fresh += 1
        return self.fresh


def place(
    fps: Sequence[Fingerprint], copy_ids: Sequence[int], index: FoldIndex, rules: Rules
) -> list[Placement]:
    """Put each copy (fingerprint, copy id) into the article it belongs to, in order, and record it.

    The batch's new articles get their ids from the store at the end, in the order they were started;
    an article that turns out to be one with older ones keeps the oldest id."""
    batch = _Batch(index, rules)
    wanted = np.unique(np.concatenate([fp.keys for fp in fps])) if fps else np.zeros(0, dtype=np.int64)
    for key, article_id in index.fold_lookup(wanted.tolist(), most=HOT_KEY):
        if article_id < 0:
            batch.hot.add(key)
            continue
        batch.stored[key].append(article_id)
        batch.known_keys[article_id].add(key)
    batch.key_counts.update(index.fold_key_counts(sorted(batch.known_keys)))
    # one signature fetch for every candidate any copy of the batch has in the store
    batch.fetch(sorted({c[0] for fp in fps for c in batch.candidates(fp)}))
    placements = []
    new_keys: list[tuple[int, int]] = []
    saved: list[tuple[int, int, Fingerprint]] = []
    for fp, copy_id in zip(fps, copy_ids, strict=True):
        candidates = batch.candidates(fp)
        batch.fetch([c[0] for c in candidates])
        found = batch.matching(fp, candidates)
        if not found:
            placement = Placement(batch.new_article(), new=True)
        else:
            placement = Placement(found[0], new=False, merged=tuple(found[1:]))
            if placement.merged:
                _merge(batch, placement.article_id, placement.merged)
        article_id = placement.article_id
        batch.signatures[article_id].append(fp)
        batch.key_counts[article_id] = min(batch.key_counts.get(article_id, fp.key_count), fp.key_count)
        known = batch.known_keys[article_id]
        for key in fp.keys.tolist():
            batch.local[key].append(article_id)
            if key not in known:
                known.add(key)
                new_keys.append((key, article_id))
        saved.append((copy_id, article_id, fp))
        placements.append(placement)
    # the new articles that are still articles get store ids, oldest first
    started = sorted({a for a in (batch.resolve(p.article_id) for p in placements) if a >= _FRESH})
    real = dict(zip(started, index.fold_new_articles(len(started)), strict=True))

    def final(article_id: int) -> int:
        article_id = batch.resolve(article_id)
        return real.get(article_id, article_id)

    records = [(c, final(a), fp.key_count, pack(fp.words)) for c, a, fp in saved]
    index.fold_record(records, sorted({(k, final(a)) for k, a in new_keys}))
    shape = (rules.shingle_words, rules.anchor_rate)
    for (_, _, count, blob), (_, _, fp) in zip(records, saved, strict=True):
        _SEEN.put((blob, count, shape), fp)  # what the next batches will read back
    out = []
    for p in placements:
        # a copy that started an article since joined to an older one did not make a new article
        new = p.new and batch.resolve(p.article_id) == p.article_id
        merged = tuple(a for a in p.merged if a < _FRESH)
        out.append(Placement(final(p.article_id), new=new, merged=merged))
    return out


def _merge(batch: _Batch, into: int, absorbed: Sequence[int]) -> None:
    """Join articles one copy showed to be one; tell the store which of them it holds move, and which
    index keys they have."""
    keys: set[int] = set()
    for article_id in absorbed:
        batch.alias[article_id] = into
        for fp in batch.signatures.pop(article_id, []):
            keys.update(fp.keys.tolist())
            batch.signatures[into].append(fp)
        keys.update(batch.known_keys.pop(article_id, set()))
    batch.known_keys[into].update(keys)
    stored = [a for a in absorbed if a < _FRESH]
    if stored:
        batch.index.fold_merge(into, stored, sorted(keys))


__all__ = [
    "Comparison",
    "Fingerprint",
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
    "unpack",
]
