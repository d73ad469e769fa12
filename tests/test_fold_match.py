"""The cheap exits of fold's comparison decide as the full comparison does, and fingerprints read back
from the store are reused only for the same stored bytes."""

from __future__ import annotations

import numpy as np

import tidings.fold as fold_stage
from tidings.bench.syndication import chunks
from tidings.fold import Rules, compare, fingerprints, pack
from tidings.fold.fingerprint import fingerprint_words
from tidings.fold.match import screen


def test_bounded_exits_decide_as_the_full_comparison() -> None:
    rules = Rules()
    corpus = list(chunks(400, seed=7))
    copies = [it.copy for c in corpus for it in c.items]
    fps = fingerprints(copies, rules)
    decided = exited = same = 0
    for i, fp in enumerate(fps):
        others = fps[i + 1 : i + 25]
        if not others:
            continue
        _, common = screen(fp, others)
        for other, shared in zip(others, common.tolist(), strict=True):
            quick = compare(fp, other, rules, common=shared)
            full = compare(fp, other, rules, full=True)
            plain = compare(fp, other, rules)
            assert quick.same(rules) == full.same(rules) == plain.same(rules)
            decided += 1
            exited += quick != plain
            same += full.same(rules)
    # the pairs cover both outcomes, and the bound let some go early
    assert decided > 5000
    assert same > 50
    assert exited > 100


def test_common_count_bounds_containment() -> None:
    rules = Rules()
    copies = [it.copy for c in chunks(200, seed=3) for it in c.items]
    fps = fingerprints(copies, rules)
    for fp in fps[:40]:
        _, common = screen(fp, fps)
        for other, shared in zip(fps, common.tolist(), strict=True):
            small = fp if len(fp.shingles) <= len(other.shingles) else other
            if len(small.shingles) < 8:
                continue
            bound = 1.0 - (len(small.distinct()) - shared) / len(small.shingles)
            assert compare(fp, other, rules, full=True).containment <= bound + 1e-9


def test_read_back_fingerprints_are_kept_by_their_bytes() -> None:
    rules = Rules()
    copies = [it.copy for c in chunks(60, seed=2) for it in c.items]
    fps = fingerprints(copies, rules)
    w = [len(fp.words) for fp in fps[:4]]
    seen = fold_stage._Seen(words=max(w[0] + w[1] + w[2], w[0] + w[2] + w[3]))  # room for three
    shape = (rules.shingle_words, rules.anchor_rate)
    for fp in fps[:3]:
        seen.put((pack(fp.words), fp.key_count, shape), fp)
    assert all(seen.get((pack(fp.words), fp.key_count, shape)) is not None for fp in fps[:3])
    assert seen.get((pack(fps[0].words), fps[0].key_count + 1, shape)) is None
    seen.get((pack(fps[0].words), fps[0].key_count, shape))  # now the most recently used
    seen.put((pack(fps[3].words), fps[3].key_count, shape), fps[3])  # over the limit: least recent out
    assert seen.get((pack(fps[1].words), fps[1].key_count, shape)) is None
    assert seen.get((pack(fps[0].words), fps[0].key_count, shape)) is not None
    assert seen.words <= seen.limit
    # what is kept holds arrays of its own, not views keeping a whole batch's arrays alive
    kept = seen.get((pack(fps[0].words), fps[0].key_count, shape))
    assert kept is not None
    assert fps[0].words.base is not None
    assert kept.words.base is None
    assert kept.shingles.base is None
    assert np.array_equal(kept.words, fps[0].words)
    # what is kept is what the stored bytes would rebuild
    again = fingerprint_words([(fp.words, fp.key_count) for fp in fps[:3]], *shape)
    for fp, rebuilt in zip(fps[:3], again, strict=True):
        assert np.array_equal(fp.shingles, rebuilt.shingles)
        assert np.array_equal(fp.keys, rebuilt.keys)
