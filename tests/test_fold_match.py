"""The cheap exits of fold's comparison decide as the full comparison does, stored word hashes rebuild
the same shingles and keys, and the key floors hold whichever text comes first."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from tests.numba_support import run_bounds_checked
from tidings import fold
from tidings.bench.syndication import chunks
from tidings.fold import Rules, compare, fingerprints, kernel, warm
from tidings.fold.fingerprint import fingerprint_texts, index_keys, shingles_in_place, word_hashes
from tidings.fold.match import screen
from tidings.models import Copy


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
    assert exited > 50


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
            bound = 1.0 - (kernel.distinct_count(small.shingles) - shared) / len(small.shingles)
            assert compare(fp, other, rules, full=True).containment <= bound + 1e-9


def test_stored_words_rebuild_the_same_shingles_and_keys() -> None:
    """A stored copy is read back as its word hashes: the shingles and index keys the compiled loop
    works out from them are the ones its fingerprint had, short and empty texts included."""
    rules = Rules()
    copies = [it.copy for c in chunks(120, seed=2) for it in c.items]
    fps = [*fingerprints(copies, rules)]
    fps += fingerprint_texts(["", "One", "Two words", "a b c d", "a b c d e", "A b c d e f g"])
    words = np.concatenate([fp.words for fp in fps])
    starts = np.cumsum([0, *(len(fp.words) for fp in fps)])
    shingled, stops = shingles_in_place(words, starts, rules.shingle_words)
    for i, fp in enumerate(fps):
        assert np.array_equal(shingled[starts[i] : stops[i]], fp.shingles)
        assert np.array_equal(index_keys(fp.shingles, rules.anchor_rate), fp.keys)
    assert len(fps[-6].shingles) == 0  # the empty text
    assert len(fps[-5].shingles) == 1  # one word


def test_copies_sharing_too_few_keys_are_not_one_article() -> None:
    """Containment alone does not join two texts: they must also share two index keys (a five-word
    phrase in common by chance is one), and the rule is the same whichever text comes first."""
    rules = Rules()
    copies = [it.copy for c in chunks(400, seed=11) for it in c.items]
    fps = fingerprints(copies, rules)
    judged = kept_apart = 0
    for i, fp in enumerate(fps[:200]):
        for other in fps[i + 1 : i + 30]:
            shared = kernel.shared_count(fp.keys, other.keys)
            there, back = compare(fp, other, rules, full=True), compare(other, fp, rules, full=True)
            assert there.same(rules) == back.same(rules)
            if shared < min(kernel.MIN_SHARED_KEYS, len(fp.keys), len(other.keys)):
                judged += 1
                kept_apart += not there.same(rules)
    assert judged > 100
    assert kept_apart == judged


def test_warming_up_folds_through_every_loop() -> None:
    """`make install` compiles fold's loops with `fold.warm()`: one copy folded into a stored one."""
    warm()


def test_word_hashes_are_the_ones_stored_copies_have() -> None:
    """Stored copies keep their word hashes: the hashing must never change under them (these values
    were made by the first, numpy, implementation). Flags: 1 a name or figure, 2 a sentence's end."""
    texts = ["Dredging of the harbour began on Monday. Costs: 4.6 million.", "", "Ça va?"]
    words, bounds = word_hashes(texts)
    assert words.tolist() == [
        2963682864, 3665097468, 1740237008, 536492268, 2600033572, 247821936, 2489989319, 1623043468,
        1696445221, 890930389, 3831896238, 2763483516, 1183041918,
    ]  # fmt: skip
    assert bounds.tolist() == [0, 11, 11, 13]
    assert [w & 3 for w in words.tolist()] == [0, 0, 0, 0, 0, 0, 3, 0, 1, 1, 2, 0, 2]  # 4.6: two words


def test_shingles_and_keys_are_the_ones_the_index_holds() -> None:
    """The index holds keys made from shingles: their hashing must never change under it either
    (values made by the first, numpy, implementation)."""
    fp = fingerprint_texts(["Dredging of the harbour began on Monday. Costs: 4.6 million."])[0]
    assert fp.shingles[:3].tolist() == [13540228401340118305, 909160201348809664, 4872247266641850581]
    assert fp.keys.tolist() == [
        13872683736401, 50710242542959, 51298844246215, 74344593302030, 81139941128579, 202951223021091,
        206607489034120,
    ]  # fmt: skip


def test_the_compiled_loops_stay_inside_their_arrays(tmp_path: Path) -> None:
    """Compiled code does not check its indices: a wrong one reads or writes memory it does not own.
    Here the loops are compiled with numba's bounds checks (and a cache of their own) and fold a
    generated corpus in small batches (fetches, merges and resumed loops included) with odd texts
    (empty, one word, one word 20,000 times, figures only): any index out of range is an IndexError,
    and the process fails."""
    script = (
        "import tempfile, threading\n"
        "from tidings import fold\n"
        "from tidings.bench import fold as bench\n"
        "from tidings.bench.syndication import chunks\n"
        "from tidings.models import Copy\n"
        "copies = [it.copy for c in chunks(1500, 8) for it in c.items]\n"
        "odd = ['', 'One', 'Two words', 'the ' * 20000, 'A. B. C. D. E. F. G. H.', '9 ' * 300]\n"
        "copies += [Copy(None, (t,)) for t in odd] + [Copy(None, ())] + copies[:40]\n"
        "with tempfile.TemporaryDirectory() as d:\n"
        "    bench.fold_corpus(copies, f'sqlite:///{d}/a.db', fold.Rules(), batch=70)\n"
        "    bench.fold_corpus(copies[::-1], f'sqlite:///{d}/b.db', fold.Rules(), batch=300)\n"
        "    fold.TABLE_ROOM, fold._POOL = 1 << 12, threading.local()  # larger tables made apart\n"
        "    bench.fold_corpus(copies, f'sqlite:///{d}/c.db', fold.Rules(), batch=300)\n"
        "print('folded', len(copies))\n"
    )
    assert run_bounds_checked(script, tmp_path).startswith("folded")


def test_a_small_table_room_places_copies_where_a_large_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The placing loop makes the placed copy's shingle table in room the thread keeps; a table too large
    for the room is made apart. Where copies go does not depend on the room's size."""
    from tidings.bench import fold as bench

    copies = [it.copy for c in chunks(1200, 5) for it in c.items]
    long_text = tuple(
        f"Section {n} of the harbour report lists berth {n * 7} and crane {n * 3}." for n in range(400)
    )
    copies += [Copy("Report", long_text), Copy("Report", long_text[:300]), Copy("Report", long_text[50:])]
    rules = fold.Rules()
    usual = bench.fold_corpus(copies, f"sqlite:///{tmp_path / 'usual.db'}", rules, batch=400)
    monkeypatch.setattr(fold, "TABLE_ROOM", 1 << 11)
    monkeypatch.setattr(fold, "_POOL", threading.local())
    small = bench.fold_corpus(copies, f"sqlite:///{tmp_path / 'small.db'}", rules, batch=400)
    assert small == usual
    assert usual[-1] == usual[-2] == usual[-3]  # the long article's copies found each other


@pytest.mark.parametrize("size", [12, 300])
def test_plausible_texts_come_in_order(size: int) -> None:
    """The pool's texts that reach the floor, by article slot, then the higher estimate, then their
    place in the pool: by insertion for a few, by sorting for many (an article with hundreds of copies);
    both as a plain sort would give."""
    rng = np.random.default_rng(size)
    estimates = rng.choice([0.1, 0.5, 0.7, 0.9, 1.0], size=size)  # ties, to be kept in pool order
    slots = rng.integers(0, 4, size=size).astype(np.int64)
    floor = 0.42
    order = kernel._plausible(estimates, slots, size, floor, np.empty(size, np.int64))
    expected = sorted(
        (i for i in range(size) if estimates[i] >= floor), key=lambda i: (slots[i], -estimates[i], i)
    )
    assert order.tolist() == expected
    assert (size > kernel.INSERTION_MOST) == (len(expected) > kernel.INSERTION_MOST)


def test_every_key_word_in_a_shared_shingle_as_counted_plainly() -> None:
    """`_all_keys_shared` (one pass) says what counting the shared shingles over each key word's
    shingles says, for texts with and without shingles past their words' end."""
    rng = np.random.default_rng(5)
    for _ in range(3000):
        n_words = int(rng.integers(0, 40))
        k = int(rng.integers(1, 7))
        words = rng.integers(0, 1 << 32, n_words, dtype=np.uint64).astype(np.uint32)
        words &= ~np.uint32(kernel.KEY)
        words[rng.random(n_words) < 0.15] |= np.uint32(kernel.KEY)
        shared = rng.random(max(0, n_words - k + 1) + int(rng.integers(0, 2))) < rng.random()
        reach = min(k, n_words)
        expected = all(
            shared[max(at - reach + 1, 0) : min(at + 1, len(shared))].any()
            for at in range(n_words)
            if words[at] & kernel.KEY
        )
        assert kernel._all_keys_shared(words, shared, k) == expected
