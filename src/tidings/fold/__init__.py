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

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from tidings.fold.canonical import build, copy_changes
from tidings.fold.fingerprint import Fingerprint, containment, fingerprint_texts, from_words, pack, unpack
from tidings.fold.match import Comparison, Rules, compare
from tidings.models import Copy

MAX_CANDIDATES = 12  # articles verified per copy, most shared keys first


class FoldIndex(Protocol):
    """What fold needs from the store."""

    def fold_lookup(self, keys: Sequence[int]) -> list[tuple[int, int]]:
        """(key, article id) for every indexed key among `keys`."""

    def fold_signatures(self, article_ids: Sequence[int]) -> list[tuple[int, bytes]]:
        """(article id, packed word hashes) of every copy of these articles."""

    def fold_new_article(self) -> int:
        """A fresh article id."""

    def fold_record(
        self, signatures: Sequence[tuple[int, int, bytes]], keys: Sequence[tuple[int, int]]
    ) -> None:
        """Save (copy id, article id, packed words) and index (key, article id) pairs."""

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


@dataclass(slots=True)
class _Batch:
    """What one `place` call knows: index rows, signatures, and the batch's own copies so far."""

    index: FoldIndex
    rules: Rules
    postings: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    signatures: dict[int, list[Fingerprint]] = field(default_factory=lambda: defaultdict(list))
    fetched: set[int] = field(default_factory=set)
    alias: dict[int, int] = field(default_factory=dict)
    known_keys: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))

    def resolve(self, article_id: int) -> int:
        while article_id in self.alias:
            article_id = self.alias[article_id]
        return article_id

    def candidates(self, fp: Fingerprint) -> list[int]:
        """The articles most likely to hold a copy of this one: shared keys weighed by their rarity (a key
        of boilerplate that hundreds of articles share says little), newer articles first on a tie."""
        score: dict[int, float] = defaultdict(float)
        for key in fp.keys.tolist():
            holders = self.postings.get(key, ())
            for article_id in holders:
                score[self.resolve(article_id)] += 1.0 / len(holders)
        ranked = sorted(score, key=lambda a: (-score[a], -a))
        return ranked[:MAX_CANDIDATES]

    def fetch(self, article_ids: Sequence[int]) -> None:
        wanted = [a for a in article_ids if a not in self.fetched]
        if not wanted:
            return
        self.fetched.update(wanted)
        blobs = self.index.fold_signatures(wanted)
        for article_id, blob in blobs:
            words = unpack(blob)
            self.signatures[self.resolve(article_id)].append(
                from_words(words, self.rules.shingle_words, self.rules.anchor_rate)
            )

    def matches(self, fp: Fingerprint, article_id: int) -> bool:
        return any(compare(fp, other, self.rules).same(self.rules) for other in self.signatures[article_id])


def place(
    fps: Sequence[Fingerprint], copy_ids: Sequence[int], index: FoldIndex, rules: Rules
) -> list[Placement]:
    """Put each copy (fingerprint, copy id) into the article it belongs to, in order, and record it."""
    batch = _Batch(index, rules)
    wanted = np.unique(np.concatenate([fp.keys for fp in fps])) if fps else np.zeros(0, dtype=np.int64)
    for key, article_id in index.fold_lookup(wanted.tolist()):
        batch.postings[key].add(article_id)
        batch.known_keys[article_id].add(key)
    # one signature fetch for every candidate any copy of the batch has in the store
    first = {a for fp in fps for a in batch.candidates(fp)}
    batch.fetch(sorted(first))
    placements = []
    new_keys: list[tuple[int, int]] = []
    saved: list[tuple[int, int, bytes]] = []
    for fp, copy_id in zip(fps, copy_ids, strict=True):
        candidates = batch.candidates(fp)
        batch.fetch(candidates)
        found = sorted({a for a in candidates if batch.matches(fp, a)})
        if not found:
            placement = Placement(index.fold_new_article(), new=True)
            batch.fetched.add(placement.article_id)  # nothing of it in the store yet
        else:
            placement = Placement(found[0], new=False, merged=tuple(found[1:]))
            if placement.merged:
                _merge(batch, placement.article_id, placement.merged)
        article_id = placement.article_id
        batch.signatures[article_id].append(fp)
        for key in fp.keys.tolist():
            batch.postings[key].add(article_id)
            if key not in batch.known_keys[article_id]:
                batch.known_keys[article_id].add(key)
                new_keys.append((key, article_id))
        saved.append((copy_id, article_id, pack(fp.words)))
        placements.append(placement)
    # copies and keys of this batch that went to an article merged away since go where it went
    resolved = sorted({(key, batch.resolve(a)) for key, a in new_keys})
    index.fold_record([(c, batch.resolve(a), w) for c, a, w in saved], resolved)
    return _final(placements, batch)


def _merge(batch: _Batch, into: int, absorbed: Sequence[int]) -> None:
    """Join articles one copy showed to be one; tell the store which index keys move."""
    keys: set[int] = set()
    for article_id in absorbed:
        batch.alias[article_id] = into
        for fp in batch.signatures.pop(article_id, []):
            keys.update(fp.keys.tolist())
            batch.signatures[into].append(fp)
        keys.update(batch.known_keys.pop(article_id, set()))
    batch.known_keys[into].update(keys)
    batch.index.fold_merge(into, absorbed, sorted(keys))


def _final(placements: list[Placement], batch: _Batch) -> list[Placement]:
    """Placements with later merges applied: a copy placed early may have joined an article since."""
    out = []
    for p in placements:
        final = batch.resolve(p.article_id)
        # a copy that started an article since joined into an older one did not make a new article
        out.append(p if final == p.article_id else Placement(final, new=False, merged=p.merged))
    return out


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
