"""Fold's inner loops, compiled with numba: comparing two copies, screening a copy against many, and
placing a batch of copies into articles.

Everything here works on flat arrays. A text is its word hashes and its shingles (`fingerprint`); to
compare two texts, each is put in an open-addressing hash table of its distinct shingles (where each
first occurs, how often), so "does the other text have this shingle, where, and only once?" is one
probe. The placing loop builds only the table of the copy it places: the texts it is compared with
are looked up in that table (`_meet`), which gives the same comparison.

A batch is an *arena* of signatures (the batch's own copies first, then the stored copies of candidate
articles, fetched from the store) and articles are *slots* (stored articles first, in id
order, then the articles the batch starts, in the order it starts them); each slot has a list of its
signatures and may be an alias of another slot (articles joined by a copy that matches both).

The rules the comparison follows, and why, are in `match`; the order copies are placed in is `place`'s.
Compiled functions are cached on disk (`cache=True`) so a process pays for compiling them once.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from tidings.fold.fingerprint import index_keys

KEY, END = 1, 2  # word flags (see fingerprint)
MIN_SHINGLES = 8  # shorter texts fold only into identical ones
LEAD_SPAN = 30
RUN = 4  # shared shingles in a row: eight words
# Two texts are one article only if they share index keys: at least MIN_SHARED_KEYS of them (all, if
# either has fewer) and at least MIN_KEY_SHARE of the smaller side's. Keys are a sample of shingles, so
# a copy shares about as large a share of keys as of shingles (containment, at least 0.45): these
# floors are far under that, and they let the candidates be cut at the index, before any is fetched.
# At 0.15 rather than 0.1, a third fewer stored articles are fetched and half as many pairs screened;
# true copies under 0.15 are rare (syndication corpus, seeds 1-3: 1 to 4 more splits in 4,000-7,800
# articles, recall .9989 -> .9987 at seed 1), since the keys sample the opening densely.
MIN_SHARED_KEYS = 2
MIN_KEY_SHARE = 0.15

# float rules: min, mid and high containment, lead share; int rules: near start, nearly start, lead
# slack, max conflicts, shingle words (the order of `match.Rules.arrays`)
F_MIN, F_MID, F_HIGH, F_LEAD = 0, 1, 2, 3
I_NEAR, I_NEARLY, I_SLACK, I_CONFLICTS, I_WORDS = 0, 1, 2, 3, 4

NOWHERE = 1 << 62  # a position past any text
INSERTION_MOST = 32  # plausible texts of a copy put in order by insertion; more are sorted

# what `place_batch` stops for
DONE, NEED_FETCH, NEED_MERGE = 0, 1, 2


# --- hash tables of a text's shingles -------------------------------------------------------------------
@njit(cache=True, nogil=True)
def table_size(n):
    """Slots of the table of a text of `n` shingles: a power of two, at least twice `n` (and 16)."""
    size = 16
    while size < 2 * n:
        size <<= 1
    return size


@njit(cache=True, nogil=True)
def fill(h, keys, first, count, where=None, bits=None):
    """Put the values of `h` into an open-addressing table (`table_size(len(h))` slots: each slot's
    value, its first position in `h`, its count); the number of distinct values. An empty slot has
    first position -1. With `where`, where[i] is the slot h[i] went to; with `bits` (zeros), the
    table's `bitmap` is made too."""
    mask = np.uint64(len(keys) - 1)
    first[:] = -1
    distinct = 0
    for i in range(len(h)):
        x = h[i]
        s = x & mask  # unsigned: numba adds no negative-index handling to an unsigned index
        while True:
            if first[s] < 0:
                keys[s] = x
                first[s] = i
                count[s] = 1
                distinct += 1
                if bits is not None:
                    b = (x >> np.uint64(32)) & (np.uint64(8 * len(keys)) - np.uint64(1))
                    bits[b >> np.uint64(6)] |= np.uint64(1) << (b & np.uint64(63))
                break
            if keys[s] == x:
                count[s] += 1
                break
            s = (s + np.uint64(1)) & mask
        if where is not None:
            where[i] = s
    return distinct


@njit(cache=True, nogil=True)
def _count_distinct(h, keys):
    """The number of distinct values of `h`, counted in an open-addressing set (`keys`: room for
    `table_size(len(h))` slots at least; 0 marks an empty slot, and the value 0 is counted apart)."""
    size = table_size(len(h))
    mask = np.uint64(size - 1)
    keys[:size] = 0
    distinct = 0
    zero = 0
    for i in range(len(h)):
        x = h[i]
        if x == 0:
            zero = 1
            continue
        s = x & mask
        while True:
            k = keys[s]
            if k == 0:
                keys[s] = x
                distinct += 1
                break
            if k == x:
                break
            s = (s + np.uint64(1)) & mask
    return distinct + zero


@njit(cache=True, nogil=True)
def count_distinct(shingles, wb, se, distinct, n):
    """Count the distinct shingles (shingles[wb[i]:se[i]]) of each of the first `n` signatures whose
    count is not known (-1) yet."""
    longest = 1
    for i in range(n):
        if distinct[i] < 0:
            longest = max(longest, se[i] - wb[i])
    keys = np.empty(table_size(longest), np.uint64)
    for i in range(n):
        if distinct[i] < 0:
            distinct[i] = _count_distinct(shingles[wb[i] : se[i]], keys)


@njit(cache=True, nogil=True)
def table(h):
    """(keys, first position, count) per slot of an open-addressing table of `h` (see `fill`), and the
    number of distinct values."""
    size = table_size(len(h))
    keys = np.empty(size, np.uint64)
    first = np.empty(size, np.int32)  # as in the placing loop's scratch
    count = np.empty(size, np.int32)
    distinct = fill(h, keys, first, count)
    return keys, first, count, distinct


@njit(cache=True, nogil=True)
def _keys_of(s, shingles, wb, se, sig_keys, sig_nkeys, anchor_rate):
    """A stored signature's index keys, worked out the first time they are asked for in a batch
    (`sig_nkeys[s]` is -1 until then) and kept where its words start in `sig_keys`."""
    if sig_nkeys[s] < 0:
        found = index_keys(shingles[wb[s] : se[s]], anchor_rate)
        sig_keys[wb[s] : wb[s] + len(found)] = found
        sig_nkeys[s] = len(found)
    return sig_keys[wb[s] : wb[s] + sig_nkeys[s]]


@njit(cache=True, nogil=True)
def _slot(keys, first, x):
    """The slot of `x` in an open-addressing table (see `fill`), -1 if it is not there. The probe runs
    on an unsigned slot: numba adds negative-index handling to every signed index, in the hottest loop."""
    mask = np.uint64(len(keys) - 1)
    s = x & mask
    while first[s] >= 0:
        if keys[s] == x:
            return np.int64(s)
        s = (s + np.uint64(1)) & mask
    return -1


@njit(cache=True, nogil=True)
def distinct_count(h):
    return table(h)[3]


# --- index keys ---------------------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def enough_keys(shared, mine, theirs):
    """Whether texts with `mine` and `theirs` index keys, `shared` of them in common, may be one
    article. An article's copies share at least the keys any one of them shares with a text, and its
    copy with the fewest keys has no more than any: so an article that fails this holds no copy that
    passes it, and candidates can be cut by it."""
    smaller = min(mine, theirs)
    return shared >= min(MIN_SHARED_KEYS, smaller) and shared >= MIN_KEY_SHARE * smaller


@njit(cache=True, nogil=True)
def shared_count(a, b, a_values=None):
    """How many values two sorted arrays of distinct values have in common; with `a_values`, `a` holds
    places in it (its values are a_values[a], not made)."""
    i = j = found = 0
    while i < len(a) and j < len(b):
        x = a[i] if a_values is None else a_values[a[i]]
        if x < b[j]:
            i += 1
        elif x > b[j]:
            j += 1
        else:
            found += 1
            i += 1
            j += 1
    return found


# --- comparing two texts --------------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def same(fr, ir, containment, conflicts, lead, head_small, head_large):
    """Whether a comparison says one article: no name or figure swapped, and the higher the containment
    the less the texts must agree on how they start (see `match.Rules`)."""
    if conflicts > ir[I_CONFLICTS]:
        return False
    if containment >= fr[F_HIGH]:
        return True
    if lead < fr[F_LEAD] or max(head_small, head_large) > ir[I_SLACK]:
        return False
    start = min(head_small, head_large)
    return (containment >= fr[F_MIN] and start <= ir[I_NEAR]) or (
        containment >= fr[F_MID] and start <= ir[I_NEARLY]
    )


@njit(cache=True, nogil=True)
def _best_window(shared, first, last):
    """The highest share of shared shingles in a lead of LEAD_SPAN (cut short by the text's end)
    starting anywhere from `first` to `last`."""
    n = len(shared)
    if first > last or first >= n:
        return 0.0
    covering = np.zeros(n + 1, np.int64)
    for i in range(n):
        covering[i + 1] = covering[i] + (1 if shared[i] else 0)
    best = 0.0
    for s in range(first, min(last, n - 1) + 1):
        e = min(s + LEAD_SPAN, n)
        value = (covering[e] - covering[s]) / (e - s)
        if value > best:
            best = value
    return best


@njit(cache=True, nogil=True)
def _found_in(keys, first, h, start, stop):
    """Whether each of h[start:stop] is in the table."""
    stop = min(stop, len(h))
    out = np.zeros(max(0, stop - start), np.bool_)
    for j in range(start, stop):
        out[j - start] = _slot(keys, first, h[j]) >= 0
    return out


@njit(cache=True, nogil=True)
def _all_keys_shared(words, shared, k):
    """Whether every key word of the smaller text lies in a shingle the larger has: word `at` lies in
    shingles at - k + 1 .. at, so in a shared one if the last shared shingle up to `at` is one of them
    (one pass, nothing allocated: this runs for most matches)."""
    k = min(k, len(words))
    n = len(shared)
    last = -1  # the last shared shingle up to shingle i - 1
    i = 0
    for at in range(len(words)):
        while i <= min(at, n - 1):
            if shared[i]:
                last = i
            i += 1
        if words[at] & KEY and last < max(at - k + 1, 0):
            return False
    return True


@njit(cache=True, nogil=True)
def _whole(words, start, stop):
    """Whether words[start:stop] holds whole sentences: it starts a sentence and ends one."""
    opens = start == 0 or (words[max(start - 1, 0)] & END) > 0
    return opens and (words[stop - 1] & END) > 0


@njit(cache=True, nogil=True)
def _lacks(words, start, stop, other, other_start, other_stop):
    """Whether words[start:stop] has a key word other[other_start:other_stop] lacks."""
    for i in range(start, stop):
        w = words[i]
        if not w & KEY:
            continue
        plain = w >> 2
        found = False
        for j in range(other_start, other_stop):
            o = other[j]
            if o & KEY and o >> 2 == plain:
                found = True
                break
        if not found:
            return True
    return False


@njit(cache=True, nogil=True)
def _conflicts(small_words, large_words, at, where, n, k):
    """Aligned gaps inside sentences where each side has key words the other lacks (a swapped name or
    figure). Whole sentences put in on both sides at one place (two sites' teasers) are no conflict."""
    k = min(k, len(small_words), len(large_words))
    found = 0
    for t in range(n - 1):
        s0, s1, l0, l1 = at[t], at[t + 1], where[t], where[t + 1]
        if not (s1 - s0 > 1 or l1 - l0 != 1):
            continue
        s_from, s_to, l_from, l_to = s0 + k, s1, l0 + k, l1
        if not (s_to > s_from and l_to > l_from):
            continue
        if _whole(small_words, s_from, s_to) and _whole(large_words, l_from, l_to):
            continue
        if _lacks(small_words, s_from, s_to, large_words, l_from, l_to) and _lacks(
            large_words, l_from, l_to, small_words, s_from, s_to
        ):
            found += 1
    return found


@njit(cache=True, nogil=True)
def compare(
    ak,
    aw,
    ash,
    at_keys,
    at_first,
    at_count,
    a_distinct,
    bk,
    bw,
    bsh,
    bt_keys,
    bt_first,
    bt_count,
    b_distinct,
    fr,
    ir,
    full,
    common,
):
    """(containment, conflicts, lead, head of the smaller, head of the larger) of two texts, given
    their index keys, words, shingles and tables; `common` (distinct shingles in common, from a screen)
    or -1.
    Stops early once the pair cannot match, unless `full` (see `match.compare`)."""
    if not enough_keys(shared_count(ak, bk), len(ak), len(bk)):
        return 0.0, 0, 0.0, 0, 0  # too few index keys in common to be one article
    if len(ash) <= len(bsh):
        sw, ssh, sk, sf, sc, sd = aw, ash, at_keys, at_first, at_count, a_distinct
        lw, lsh, lk, lf, lc = bw, bsh, bt_keys, bt_first, bt_count
    else:
        sw, ssh, sk, sf, sc, sd = bw, bsh, bt_keys, bt_first, bt_count, b_distinct
        lw, lsh, lk, lf, lc = aw, ash, at_keys, at_first, at_count
    ns, nl = len(ssh), len(lsh)
    if ns < MIN_SHINGLES:
        return _short(aw, bw, ns)
    if _hopeless(ns, sd, common, fr, full):
        return 1.0 - (sd - common) / ns, 0, 0.0, 0, 0
    shared = np.zeros(ns, np.bool_)
    position = np.zeros(ns, np.int64)
    once_large = np.zeros(ns, np.bool_)
    once_small = np.zeros(ns, np.bool_)
    for i in range(ns):
        s = _slot(lk, lf, ssh[i])
        if s >= 0:
            shared[i] = True
            position[i] = lf[s]
            once_large[i] = lc[s] == 1
            once_small[i] = sc[_slot(sk, sf, ssh[i])] == 1
    in_small = _found_in(sk, sf, lsh, 0, _prefix(ir))
    at, where = np.empty(ns, np.int64), np.empty(ns, np.int64)
    return _judge(
        sw, lw, ns, nl, sd, shared, position, once_large, once_small, in_small, fr, ir, full, common, at,
        where,
    )  # fmt: skip


@njit(cache=True, nogil=True)
def _short(aw, bw, ns):
    """The comparison of texts the smaller of which has `ns` shingles, fewer than MIN_SHINGLES: one
    article only if their words are the same."""
    if ns == 0 or len(aw) != len(bw):
        return 0.0, 0, 0.0, 0, 0
    for i in range(len(aw)):
        if aw[i] >> 2 != bw[i] >> 2:
            return 0.0, 0, 0.0, 0, 0
    return 1.0, 0, 1.0, 0, 0


@njit(cache=True, nogil=True)
def _hopeless(ns, sd, common, fr, full):
    """Whether a screen's count of distinct shingles in common already puts the containment under the
    floor (then `_judge` needs none of its arrays)."""
    return common >= 0 and not full and 1.0 - (sd - common) / ns < fr[F_MIN]


@njit(cache=True, nogil=True)
def _prefix(ir):
    """How many of the larger text's first shingles `_judge` may ask about (`in_small`)."""
    return max(ir[I_SLACK] + LEAD_SPAN, ir[I_NEAR] + 1, ir[I_NEARLY] + 1)


@njit(cache=True, nogil=True)
def _judge(
    sw, lw, ns, nl, sd, shared, position, once_large, once_small, in_small, fr, ir, full, common, at, where
):
    """`compare` of a smaller text (words `sw`, `ns` shingles, `sd` distinct) and a larger (`lw`, `nl`
    shingles, ns >= MIN_SHINGLES) from where they meet: for each shingle of the smaller, whether the
    larger has it, where it first occurs there, whether once there and once in the smaller; for the
    larger's first `_prefix(ir)` shingles (fewer if it ends before), whether the smaller has them. `at`
    and `where` are scratch for the alignment (`ns` items at least)."""
    if common >= 0 and not full:
        bound = 1.0 - (sd - common) / ns
        if bound < fr[F_MIN]:
            return bound, 0, 0.0, 0, 0
        if bound < fr[F_HIGH]:
            near = ir[I_NEARLY] if bound >= fr[F_MID] else ir[I_NEAR]
            hit = False
            for j in range(min(near + 1, nl)):
                if in_small[j]:
                    hit = True
                    break
            if not hit:
                for j in range(min(near + 1, ns)):
                    if shared[j]:
                        hit = True
                        break
            if not hit:
                return bound, 0, 0.0, near + 1, near + 1
    hits = 0
    for i in range(ns):
        hits += 1 if shared[i] else 0
    containment = hits / ns
    if containment < fr[F_MIN] and not full:
        return containment, 0, 0.0, 0, 0
    if containment >= fr[F_HIGH] and not full and _all_keys_shared(sw, shared, ir[I_WORDS]):
        return containment, 0, 1.0, 0, 0  # no name or figure of it left out: nothing swapped
    if not full and containment < fr[F_HIGH]:
        # the texts cannot start together if neither has a shingle of the other near its start
        first_small, first_large = -1, nl
        for i in range(ns):
            if shared[i]:
                if first_small < 0:
                    first_small = i
                if position[i] < first_large:
                    first_large = position[i]
        if first_small < 0:
            first_small = 0
        near = ir[I_NEARLY] if containment >= fr[F_MID] else ir[I_NEAR]
        if min(first_small, first_large) > near:
            return containment, 0, 0.0, first_small, first_large
        # nor share their lead if no stretch of it from where they could start to agree is shared enough
        bound = _best_window(shared, first_small, ir[I_SLACK])
        if bound < fr[F_LEAD]:
            theirs = in_small[: ir[I_SLACK] + LEAD_SPAN]
            bound = max(bound, _best_window(theirs, first_large, ir[I_SLACK]))
        if bound < fr[F_LEAD]:
            return containment, 0, bound, first_small, first_large
    # the alignment: shared shingles found once in each text, in the same order
    n = 0
    top = -1
    for i in range(ns):
        if not shared[i] or not once_large[i] or not once_small[i]:
            continue
        p = position[i]
        if p > top:
            at[n] = i
            where[n] = p
            n += 1
        top = max(top, p)
    if n == 0:
        return containment, 0, 0.0, ns, nl
    # where the texts start to agree (RUN shared shingles in a row), and how much of the lead from there
    # they share, from either side
    lead, head_small, head_large = 0.0, ns, ns
    for t in range(n - RUN + 1):
        if at[t + RUN - 1] - at[t] == RUN - 1:
            head_small, head_large = at[t], where[t]
            if max(head_small, head_large) <= ir[I_SLACK]:
                stop = min(head_small + LEAD_SPAN, ns)
                mine = 0
                for i in range(head_small, stop):
                    mine += 1 if shared[i] else 0
                theirs = in_small[head_large : head_large + LEAD_SPAN]
                lead = max(mine / (stop - head_small), np.count_nonzero(theirs) / len(theirs))
            break
    if not full and not same(fr, ir, containment, 0, lead, head_small, head_large):
        return containment, 0, lead, head_small, head_large
    conflicts = _conflicts(sw, lw, at, where, n, ir[I_WORDS])
    return containment, conflicts, lead, head_small, head_large


@njit(cache=True, nogil=True)
def screen(mine_keys, mine_first, mine_distinct, shingles, starts, stops, distinct, floor):
    """For each text shingles[starts[j]:stops[j]] (`distinct[j]` distinct shingles): how many distinct
    shingles it has in common with the table's text, and that over the smaller side's distinct
    shingles. A text that can no longer reach `floor` is let go (its figures then fall short of the
    truth, and of `floor`)."""
    bits = bitmap(mine_keys, mine_first)
    m = len(starts)
    common, estimates, lo = np.empty(m, np.int64), np.empty(m), np.empty(m, np.int64)
    stamp = np.empty(len(mine_keys), np.int64)
    _screen(
        mine_keys, mine_first, bits, mine_distinct, shingles, starts, stops, distinct, floor, lo, common,
        estimates, stamp,
    )  # fmt: skip
    return estimates, common


@njit(cache=True, nogil=True)
def bitmap(keys, first):
    """A bitmap of a table's values (other bits of the hash, eight bits a slot): it turns most values
    the table lacks away before the table is probed (`_probe`). An empty slot ORs in nothing (no branch
    to mispredict on whether a slot is full)."""
    nbits = np.uint64(8 * len(keys))
    bits = np.zeros(len(keys) // 8, np.uint64)
    for t in range(len(keys)):
        b = (keys[t] >> np.uint64(32)) & (nbits - np.uint64(1))
        bits[b >> np.uint64(6)] |= np.uint64(first[t] >= 0) << (b & np.uint64(63))
    return bits


@njit(cache=True, nogil=True)
def _probe(keys, first, bits, x):
    """`_slot` behind the table's bitmap."""
    b = (x >> np.uint64(32)) & (np.uint64(64 * len(bits)) - np.uint64(1))
    if (bits[b >> np.uint64(6)] >> (b & np.uint64(63))) & np.uint64(1):
        return _slot(keys, first, x)
    return -1


@njit(cache=True, nogil=True)
def _screen(
    mine_keys, mine_first, bits, mine_distinct, shingles, starts, stops, distinct, floor, lo, common,
    estimates, stamp,
):  # fmt: skip
    """`screen` with the table's bitmap, into `common` and `estimates` (as many as `starts`); lo[j] is
    the first position in the table's text of any shingle it has in common with text j (NOWHERE if
    none), for every text looked at whole (every text not let go). `stamp`: scratch, one per slot."""
    m = len(starts)
    common[:m] = 0
    estimates[:m] = 0.0
    if mine_distinct == 0:
        return
    stamp[: len(mine_keys)] = -1  # the last text that counted each slot
    for j in range(m):
        if distinct[j] <= 0:
            continue
        smaller = max(min(distinct[j], mine_distinct), 1)
        hits = 0
        first = NOWHERE
        # let go once hits + the shingles left < floor * smaller: once hits - i < limit (in integers)
        begin = np.uint64(starts[j])  # an unsigned index: no negative-index handling (nor a view to count)
        limit = math.ceil(floor * smaller) - (stops[j] - starts[j]) + 1
        for i in range(stops[j] - starts[j]):
            s = _probe(mine_keys, mine_first, bits, shingles[begin + np.uint64(i)])
            if s >= 0:
                first = min(first, mine_first[s])
                if stamp[s] != j:
                    stamp[s] = j
                    hits += 1
                    continue
            if hits - i < limit:
                break
        lo[j] = first
        common[j] = hits
        estimates[j] = hits / smaller


@njit(cache=True, nogil=True)
def _scan(keys, first, bits, other, o_first, o_count, o_slot):
    """Where the table's text meets `other`: each of its shingles' slot in the table (-1 if the table
    lacks it) into `o_slot`; for each slot, the first position in `other` of its value and how often
    it occurs there into `o_first` and `o_count` (0 for a value `other` lacks)."""
    o_count[:] = 0
    for i in range(len(other)):
        s = _probe(keys, first, bits, other[i])
        o_slot[i] = s
        if s >= 0:
            if o_count[s] == 0:
                o_first[s] = i
            o_count[s] += 1


@njit(cache=True, nogil=True)
def _meet_room(longest, ir):
    """The scratch `_meet` needs, texts of up to `longest` shingles: ints and flags alike."""
    return 4 * longest + _prefix(ir)


@njit(cache=True, nogil=True)
def _meet(
    mw, msh, mk, mf, mc, bits, where, md, ow, osh, od, lo, o_first, o_count, fr, ir, common, ints, flags
):
    """`compare` of a copy (words, shingles, its table and the table's bitmap, the slot of each shingle
    in it, distinct shingles) with another text (words, shingles, distinct shingles), but for the index
    keys, without the other's table: the other's shingles are looked up in the copy's table
    (`o_first`, `o_count`: scratch of the table's size). `lo`: the first position in the copy of a
    shingle the other has (see `_screen`). `ints` and `flags`: scratch (`_meet_room` of the longer
    text's shingles, at least)."""
    mine_small = len(msh) <= len(osh)
    if mine_small:
        sw, ns, sd, lw, nl = mw, len(msh), md, ow, len(osh)
    else:
        sw, ns, sd, lw, nl = ow, len(osh), od, mw, len(msh)
    if ns < MIN_SHINGLES:
        return _short(mw, ow, ns)
    if _hopeless(ns, sd, common, fr, False):
        return 1.0 - (sd - common) / ns, 0, 0.0, 0, 0
    if common >= 0:
        # `_judge`'s first test, before any lookup: whether either text has a shingle of the other near
        # its start (the copy's from `lo`, the other's a few probes)
        bound = 1.0 - (sd - common) / ns
        if bound < fr[F_HIGH]:
            near = ir[I_NEARLY] if bound >= fr[F_MID] else ir[I_NEAR]
            hit = lo <= near
            for j in range(min(near + 1, len(osh))):
                if hit:
                    break
                hit = _slot(mk, mf, osh[j]) >= 0
            if not hit:
                return bound, 0, 0.0, near + 1, near + 1
    o_slot = ints[: len(osh)]
    _scan(mk, mf, bits, osh, o_first, o_count, o_slot)
    position = ints[len(osh) : len(osh) + ns]  # where in the larger text the shingle first occurs
    position[:] = 0
    flags[: 3 * ns + min(_prefix(ir), nl)] = False
    shared, once_large, once_small = flags[:ns], flags[ns : 2 * ns], flags[2 * ns : 3 * ns]
    in_small = flags[3 * ns : 3 * ns + min(_prefix(ir), nl)]
    if mine_small:
        for i in range(ns):
            t = where[i]
            c = o_count[t]
            if c > 0:
                shared[i] = True
                position[i] = o_first[t]
                once_large[i] = c == 1
                once_small[i] = mc[t] == 1
        for j in range(len(in_small)):
            in_small[j] = o_slot[j] >= 0
    else:
        for i in range(ns):
            t = o_slot[i]
            if t >= 0:
                shared[i] = True
                position[i] = mf[t]
                once_large[i] = mc[t] == 1
                once_small[i] = o_count[t] == 1
        for j in range(len(in_small)):
            in_small[j] = o_count[where[j]] > 0
    rest = len(osh) + ns
    return _judge(
        sw, lw, ns, nl, sd, shared, position, once_large, once_small, in_small, fr, ir, False, common,
        ints[rest : rest + ns], ints[rest + ns : rest + 2 * ns],
    )  # fmt: skip


# --- placing a batch ------------------------------------------------------------------------------------
@njit(cache=True, nogil=True)
def _root(alias, slot):
    while alias[slot] >= 0:
        slot = alias[slot]
    return slot


@njit(cache=True, nogil=True)
def candidates(
    doc,
    doc_keys,
    kb,
    sp_start,
    sp_slot,
    hot,
    lp_head,
    lp_next,
    lp_slot,
    lp_count,
    alias,
    key_count,
    mine,
    score,
    shared,
    stamp,
    touched,
    slots,
    ratio,
    weights,
    hot_key,
):
    """The slots most likely to hold a copy of document `doc`, best first (at most `len(slots)`): the
    share of the smaller side's keys found in the other (a key sample estimates containment), then the
    shared keys weighed by their rarity (boilerplate says little), then the newer article. `score`,
    `shared`, `stamp` and `touched` are scratch arrays, one per slot (`stamp` below 0 before the first
    call); `slots`, `ratio` and `weights` scratch for the best, which come back as a view of `slots`.

    A boilerplate key (more holders than `hot_key`) puts no article forward, but counts as shared for
    the articles the other keys put forward that hold it (the store reads a boilerplate key's postings
    for those articles only), so the key floors are measured, not guessed."""
    n = 0
    for boilerplate in (False, True):
        for t in range(kb[doc], kb[doc + 1]):
            k = doc_keys[t]
            stored = sp_start[k + 1] - sp_start[k]
            holders = stored + lp_count[k]
            if holders == 0 or (holders > hot_key or hot[k]) != boilerplate:
                continue
            weight = 1.0 / holders
            e = sp_start[k]
            local = lp_head[k]
            while True:
                if e < sp_start[k + 1]:
                    slot = sp_slot[e]
                    e += 1
                elif local >= 0:
                    slot = lp_slot[local]
                    local = lp_next[local]
                else:
                    break
                a = _root(alias, slot)
                if stamp[a] != doc:
                    if boilerplate:
                        continue
                    stamp[a] = doc
                    score[a] = 0.0
                    shared[a] = 0
                    touched[n] = a
                    n += 1
                if not boilerplate:
                    score[a] += weight
                shared[a] += 1
    # the best, best first: higher ratio, then higher score, then the newer (larger) slot. Slots differ,
    # so that order is total and an insertion into the few kept gives what a full sort would
    kept = 0
    for i in range(n):
        a = touched[i]
        theirs = key_count[a] if key_count[a] >= 0 else mine
        if not enough_keys(shared[a], mine, theirs):
            continue  # a key or two in common by chance: five-word phrases two articles happen to share
        r, w = shared[a] / max(1, min(mine, theirs)), score[a]
        at = kept
        while at > 0 and _ranks_before(r, w, a, ratio[at - 1], weights[at - 1], slots[at - 1]):
            at -= 1
        if at == len(slots):
            continue  # below the best kept
        for j in range(min(kept, len(slots) - 1), at, -1):
            slots[j], ratio[j], weights[j] = slots[j - 1], ratio[j - 1], weights[j - 1]
        slots[at], ratio[at], weights[at] = a, r, w
        kept = min(kept + 1, len(slots))
    return slots[:kept]


@njit(cache=True, nogil=True)
def _ranks_before(ratio, weight, slot, other_ratio, other_weight, other_slot):
    """Whether a candidate goes before another: higher ratio, then higher score, then the newer slot."""
    if ratio != other_ratio:
        return ratio > other_ratio
    if weight != other_weight:
        return weight > other_weight
    return slot > other_slot


@njit(cache=True, nogil=True)
def stored_candidates(
    n_docs,
    doc_keys,
    kb,
    doc_keycount,
    sp_start,
    sp_slot,
    hot,
    n_keys,
    alias,
    key_count,
    n_slots,
    most,
    hot_key,
):
    """Whether each stored slot is a candidate of some document of the batch, by stored postings alone
    (before the batch's own copies are placed): what to fetch from the store up front. A stored article
    the loop later finds through a copy of the batch placed in it was a candidate of that copy, so the
    loop seldom comes back for one."""
    wanted = np.zeros(n_slots, np.bool_)
    empty = np.full(n_keys, -1, np.int64)
    nobody = np.zeros(n_keys, np.int64)
    score = np.zeros(n_slots)
    shared = np.zeros(n_slots, np.int64)
    stamp = np.full(n_slots, -1, np.int64)
    touched = np.empty(n_slots, np.int64)
    best, ratio, weights = np.empty(most, np.int64), np.empty(most), np.empty(most)
    for d in range(n_docs):
        found = candidates(
            d, doc_keys, kb, sp_start, sp_slot, hot, empty, empty, empty, nobody, alias, key_count,
            doc_keycount[d], score, shared, stamp, touched, best, ratio, weights, hot_key,
        )  # fmt: skip
        for a in found:
            wanted[a] = True
    return wanted


@njit(cache=True, nogil=True)
def _plausible(estimates, pool_slot, size, floor, order):
    """The texts of the pool (0 .. size - 1) whose estimate reaches `floor`, ordered by their article's
    slot, then the higher estimate, then their place in the pool (into `order`, whose view comes back):
    by insertion while they are few (the usual pool), by two stable sorts when many (an article with
    hundreds of copies), so the time stays n log n."""
    n = 0
    for i in range(size):
        if estimates[i] >= floor:
            order[n] = i
            n += 1
    if n > INSERTION_MOST:
        kept = order[:n].copy()
        kept = kept[np.argsort(-estimates[kept], kind="mergesort")]
        order[:n] = kept[np.argsort(pool_slot[kept], kind="mergesort")]
        return order[:n]
    for j in range(1, n):
        i = order[j]
        at = j
        while at > 0 and _after(order[at - 1], i, estimates, pool_slot):
            order[at] = order[at - 1]
            at -= 1
        order[at] = i
    return order[:n]


@njit(cache=True, nogil=True)
def _after(i, j, estimates, pool_slot):
    """Whether pool text i goes after text j (i < j) in `_plausible`'s order."""
    if pool_slot[i] != pool_slot[j]:
        return pool_slot[i] > pool_slot[j]
    return estimates[i] < estimates[j]


@njit(cache=True, nogil=True)
def link(first_sig, owners, alias, head, tail, nxt):
    """Append signatures first_sig, first_sig + 1, ... to the lists of their owners' articles."""
    for j in range(len(owners)):
        _append(head, tail, nxt, _root(alias, owners[j]), first_sig + j)


@njit(cache=True, nogil=True)
def _append(head, tail, nxt, owner, item):
    """Append `item` to `owner`'s linked list (first and last item per owner, the next per item)."""
    nxt[item] = -1
    if head[owner] < 0:
        head[owner] = item
    else:
        nxt[tail[owner]] = item
    tail[owner] = item


@njit(cache=True, nogil=True)
def place_batch(
    start,
    n_docs,
    n_sigs,
    words,
    wb,
    shingles,
    se,
    sig_distinct,
    sig_keys,
    sig_nkeys,
    tk,
    tf,
    tc,
    doc_keys,
    kb,
    doc_keycount,
    sp_start,
    sp_slot,
    hot,
    lp_head,
    lp_tail,
    lp_next,
    lp_slot,
    lp_count,
    lp_used,
    alias,
    key_count,
    head,
    tail,
    nxt,
    fetched,
    n_stored,
    fresh,
    placed,
    started,
    found_out,
    resume,
    fr,
    ir,
    most,
    hot_key,
    copies_tried,
    swapped,
    screen_slack,
    wanted,
    anchor_rate,
    stats,
):
    """Place documents start, start + 1, ... (arena signature d is document d) into articles, in order.

    The arena holds `n_sigs` signatures. Returns (status, document): DONE when every document is
    placed; NEED_FETCH when document's candidates include stored articles whose signatures are not in
    the arena (`found_out` lists them, ended by -1); NEED_MERGE when document matches several articles
    (`found_out` lists them, oldest first, ended by -1): the caller records the merge and calls again
    with `resume` set to the count of them, and the document is placed into the first, the others
    joined to it. `placed[d]` is the slot a document went to, `started[d]` whether it started it;
    `fresh[0]` is the next slot to start. `stats` counts the documents placed, their candidate articles,
    the copies screened and those compared."""
    n_slots = len(alias)
    score = np.zeros(n_slots)
    shared_keys = np.zeros(n_slots, np.int64)
    stamp = np.full(n_slots, -1, np.int64)
    tried = np.zeros(n_slots, np.int64)
    tried_stamp = np.full(n_slots, -1, np.int64)
    touched = np.empty(n_slots, np.int64)  # scratch for `candidates`
    best, best_ratio, best_weights = np.empty(most, np.int64), np.empty(most), np.empty(most)
    floor = fr[F_MIN] - screen_slack
    # the index keys are looked at only for a comparison that would otherwise count (a match, or names
    # swapped), unless too few keys in common would count too
    keys_matter = same(fr, ir, 0.0, 0, 0.0, 0, 0) or swapped <= 0
    # Scratch, made once for every text the arena holds: none is made again in the loop, since an
    # array a loop may replace is reference-counted (an atomic operation) at every turn of it.
    longest = 1
    for s in range(n_sigs):
        longest = max(longest, se[s] - wb[s])
    room = table_size(longest)
    set_keys = np.empty(room, np.uint64)  # for counting distinct shingles
    # the pool of a copy's candidate signatures (no more than the arena holds)
    pool_sig, pool_slot = np.empty(n_sigs, np.int64), np.empty(n_sigs, np.int64)
    starts, stops = np.empty(n_sigs, np.int64), np.empty(n_sigs, np.int64)
    distinct, lo = np.empty(n_sigs, np.int64), np.empty(n_sigs, np.int64)
    common, order = np.empty(n_sigs, np.int64), np.empty(n_sigs, np.int64)
    estimates = np.empty(n_sigs)
    # the copy's table (its bitmap, where its shingles went) and its comparisons
    where, bits = np.empty(longest, np.int64), np.empty(room // 8, np.uint64)
    slot_stamp = np.empty(room, np.int64)
    o_first, o_count = np.empty(room, np.int32), np.empty(room, np.int32)
    meet = _meet_room(longest, ir)
    meet_ints, meet_flags = np.empty(meet, np.int64), np.empty(meet, np.bool_)
    for d in range(start, n_docs):
        mw = words[wb[d] : wb[d + 1]]
        msh = shingles[wb[d] : se[d]]
        count = 0
        if resume > 0:
            count = resume
            resume = 0
        else:
            ranked = candidates(
                d, doc_keys, kb, sp_start, sp_slot, hot, lp_head, lp_next, lp_slot, lp_count, alias,
                key_count, doc_keycount[d], score, shared_keys, stamp, touched, best, best_ratio,
                best_weights, hot_key,
            )  # fmt: skip
            missing = 0
            for a in ranked:
                if a < n_stored and not fetched[a]:
                    found_out[missing] = a
                    missing += 1
            if missing:
                found_out[missing] = -1
                return NEED_FETCH, d
            # the pool: every signature of every candidate, candidates best first
            stats[0] += 1
            stats[1] += len(ranked)
            size = 0
            for a in ranked:
                s = head[a]
                while s >= 0:
                    size += 1
                    s = nxt[s]
            if size:
                j = 0
                for a in ranked:
                    s = head[a]
                    while s >= 0:
                        pool_sig[j] = s
                        pool_slot[j] = a
                        j += 1
                        s = nxt[s]
                for j in range(size):
                    s = pool_sig[j]
                    starts[j], stops[j] = wb[s], se[s]
                    if sig_distinct[s] < 0:
                        sig_distinct[s] = _count_distinct(shingles[wb[s] : se[s]], set_keys)
                    distinct[j] = sig_distinct[s]
                # the copy's table, in the thread's scratch (`tk`, `tf`, `tc`) if it fits there
                ts = table_size(len(msh))
                if ts <= len(tk):
                    mk, mf, mc = tk[:ts], tf[:ts], tc[:ts]
                else:
                    mk, mf, mc = np.empty(ts, np.uint64), np.empty(ts, np.int32), np.empty(ts, np.int32)
                mbits = bits[: ts // 8]
                mbits[:] = 0
                md = fill(msh, mk, mf, mc, where, mbits)  # and the table's bitmap
                sig_distinct[d] = md
                _screen(
                    mk, mf, mbits, md, shingles, starts[:size], stops, distinct, floor, lo, common,
                    estimates, slot_stamp,
                )  # fmt: skip
                # the texts that may match: oldest article first, its most alike copy first
                plausible = _plausible(estimates, pool_slot, size, floor, order)
                stats[2] += size
                mo_first, mo_count = o_first[:ts], o_count[:ts]  # scratch for `_meet`
                for i in plausible:
                    a = pool_slot[i]
                    if tried_stamp[a] != d:
                        tried_stamp[a] = d
                        tried[a] = 0
                    if tried[a] >= copies_tried or (count and found_out[count - 1] == a):
                        continue
                    tried[a] += 1
                    stats[3] += 1
                    s = pool_sig[i]
                    ow = words[wb[s] : wb[s + 1]]
                    osh = shingles[wb[s] : se[s]]
                    c, conflicts, lead, h0, h1 = _meet(
                        mw, msh, mk, mf, mc, mbits, where, md, ow, osh, sig_distinct[s], lo[i], mo_first,
                        mo_count, fr, ir, common[i], meet_ints, meet_flags,
                    )  # fmt: skip
                    matched = same(fr, ir, c, conflicts, lead, h0, h1)
                    if matched or conflicts >= swapped or keys_matter:
                        mine_at = doc_keys[kb[d] : kb[d + 1]]  # the keys' places among `wanted`
                        if s < n_docs:  # one of the batch's copies: its keys are known
                            theirs = kb[s + 1] - kb[s]
                            both = shared_count(mine_at, doc_keys[kb[s] : kb[s + 1]])
                        else:
                            okeys = _keys_of(s, shingles, wb, se, sig_keys, sig_nkeys, anchor_rate)
                            theirs = len(okeys)
                            both = shared_count(mine_at, okeys, wanted)
                        if not enough_keys(both, len(mine_at), theirs):
                            c, conflicts, lead, h0, h1 = 0.0, 0, 0.0, 0, 0
                            matched = same(fr, ir, c, conflicts, lead, h0, h1)
                    if matched:
                        found_out[count] = a
                        count += 1
                    elif conflicts >= swapped:
                        tried[a] = copies_tried  # names and figures swapped: its other copies have them too
            if count > 1:
                found_out[count] = -1
                return NEED_MERGE, d
        if count == 0:
            slot = fresh[0]
            fresh[0] += 1
            started[d] = True
        else:
            slot = found_out[0]
            for j in range(1, count):  # join the others to it, their signatures after its own
                other = found_out[j]
                alias[other] = slot
                if head[other] >= 0:
                    if head[slot] < 0:
                        head[slot] = head[other]
                    else:
                        nxt[tail[slot]] = head[other]
                    tail[slot] = tail[other]
                    head[other] = -1
        placed[d] = slot
        # its signature joins the article's, and its keys post it
        _append(head, tail, nxt, slot, d)
        mine = doc_keycount[d]
        key_count[slot] = mine if key_count[slot] < 0 else min(key_count[slot], mine)
        for t in range(kb[d], kb[d + 1]):  # `_append` written out: arrays passed at each key, even to
            # a helper numba inlines, are reference-counted at each (twice the atomic operations)
            k = doc_keys[t]
            e = lp_used[0]
            lp_used[0] += 1
            lp_slot[e] = slot
            lp_next[e] = -1
            if lp_head[k] < 0:
                lp_head[k] = e
            else:
                lp_next[lp_tail[k]] = e
            lp_tail[k] = e
            lp_count[k] += 1
    return DONE, n_docs
