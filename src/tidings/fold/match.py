"""Are two copies one article? Containment of shingles, then disagreement on names and figures.

Shingle containment (the share of the smaller text's shingles found in the larger) catches every copy,
truncated ones included, but templated articles (market reports, match results, weather) share most of
their shingles too. What sets them apart is *where* they differ: aligned on their shared shingles, two
copies of one article differ by insertions (a teaser, chrome) or by a few edited common words, while two
templated articles differ by substitutions of names and figures, slot after slot. So a pair is one
article when containment is high enough and the aligned substitutions that swap one key word (a number
or a capitalised word) for another are few.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tidings.fold.fingerprint import END, KEY, Fingerprint

MIN_SHINGLES = 8  # shorter texts fold only into identical ones


@dataclass(frozen=True, slots=True)
class Rules:
    """How alike two copies must be to be one article (calibrated on the syndication corpus of
    `tidings bench fold`: the copies' pairs against the hard negatives' pairs).

    Containment decides, and the lower it is, the more the texts must agree on how they start: an
    excerpt is the start of its article; a follow-up reuses an article's background under a new lead.
    """

    shingle_words: int = 5
    anchor_rate: int = 64  # after the winnowed opening, one shingle in this many is a key
    min_containment: float = 0.45  # ... with the texts starting together (a few words of chrome apart)
    mid_containment: float = 0.75  # ... with the texts starting nearly together (an edit in the lead)
    high_containment: float = 0.9  # whatever the start
    near_start: int = 4  # words before the shared text starts in the one text that starts first
    nearly_start: int = 12
    lead_slack: int = 40  # ... and in the other text (a dek, a note, chrome before it)
    lead_share: float = 0.5  # of the 30 shingles from there, the share the two texts have in common
    max_conflicts: int = 0


@dataclass(frozen=True, slots=True)
class Comparison:
    containment: float  # share of the smaller text's shingles found in the larger
    conflicts: int  # aligned substitutions of names or figures inside sentences
    lead: float  # share of the lead the texts have in common from where they start to agree
    heads: tuple[int, int] = (0, 0)  # words before the texts start to agree: (smaller, larger)

    def same(self, rules: Rules) -> bool:
        if self.conflicts > rules.max_conflicts:
            return False
        if self.containment >= rules.high_containment:
            return True
        if self.lead < rules.lead_share or max(self.heads) > rules.lead_slack:
            return False
        start = min(self.heads)
        return (self.containment >= rules.min_containment and start <= rules.near_start) or (
            self.containment >= rules.mid_containment and start <= rules.nearly_start
        )


NO_MATCH = Comparison(0.0, 0, 0.0)
LEAD_SPAN = 30
RUN = 4  # shared shingles in a row: eight words


def screen(fp: Fingerprint, others: list[Fingerprint]) -> tuple[np.ndarray, np.ndarray]:
    """Containment estimates of a text against several at once: distinct shingles in common over the
    smaller text's distinct shingles; and how many distinct shingles each has in common with it."""
    mine = fp.distinct()
    theirs = [o.distinct() for o in others]
    sizes = np.array([len(t) for t in theirs])
    if len(mine) == 0 or not sizes.any():
        return np.zeros(len(others)), np.zeros(len(others), dtype=np.int64)
    together = np.concatenate(theirs)
    at = np.minimum(np.searchsorted(mine, together), len(mine) - 1)
    hits = (mine[at] == together).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    common = np.add.reduceat(hits, np.minimum(starts, len(hits) - 1)) * (sizes > 0)
    estimates: np.ndarray = common / np.maximum(np.minimum(sizes, len(mine)), 1)
    return estimates, common


def compare(
    a: Fingerprint, b: Fingerprint, rules: Rules, *, full: bool = False, common: int | None = None
) -> Comparison:
    """How alike two fingerprints are. Stops early once the pair cannot match, unless `full`.

    `common`, the number of distinct shingles the two have in common (from `screen`), bounds the
    containment before it is worked out: each of the smaller text's distinct shingles the other lacks
    takes at least one of its places. A pair that cannot reach `high_containment` and has no shingle of
    the other near either start is let go without looking further."""
    small, large = (a, b) if len(a.shingles) <= len(b.shingles) else (b, a)
    if len(small.shingles) == 0:
        return NO_MATCH
    if len(small.shingles) < MIN_SHINGLES:
        same = np.array_equal(_plain(a.words), _plain(b.words))
        return Comparison(1.0, 0, 1.0) if same else NO_MATCH
    if common is not None and not full:
        bound = 1.0 - (len(small.distinct()) - common) / len(small.shingles)
        if bound < rules.min_containment:
            return Comparison(bound, 0, 0.0)
        if bound < rules.high_containment:
            near = rules.nearly_start if bound >= rules.mid_containment else rules.near_start
            if not (
                small.find(large.shingles[: near + 1])[0].any()
                or large.find(small.shingles[: near + 1])[0].any()
            ):
                return Comparison(bound, 0, 0.0, (near + 1, near + 1))
    shared, found_at = large.find(small.shingles)
    containment = np.count_nonzero(shared) / len(shared)
    if containment < rules.min_containment and not full:
        return Comparison(containment, 0, 0.0)
    if containment >= rules.high_containment and not full and _all_keys_shared(small, shared, rules):
        return Comparison(containment, 0, 1.0)  # no name or figure of it left out: nothing swapped
    if not full and containment < rules.high_containment:
        # the texts cannot start together if neither has a shingle of the other near its start
        order = large.lookup()[0]
        first_small = int(np.argmax(shared))
        first_large = int(order[found_at[shared]].min())
        near = rules.nearly_start if containment >= rules.mid_containment else rules.near_start
        if min(first_small, first_large) > near:
            return Comparison(containment, 0, 0.0, (first_small, first_large))
        # nor share their lead if no stretch of it from where they could start to agree is shared enough
        bound = _lead_bound(small, large, shared, first_small, first_large, rules)
        if bound < rules.lead_share:
            return Comparison(containment, 0, bound, (first_small, first_large))
    at, where = _alignment(small, large, shared, found_at)
    if len(at) == 0:
        return Comparison(containment, 0, 0.0, (len(small.shingles), len(large.shingles)))
    lead, heads = _lead(small, large, shared, at, where, rules)
    if not full and not Comparison(containment, 0, lead, heads).same(rules):
        return Comparison(containment, 0, lead, heads)  # no need to look for swapped names
    conflicts = _conflicts(small, large, at, where, rules.shingle_words)
    return Comparison(containment, conflicts, lead, heads)


def _best_window(shared: np.ndarray, first: int, last: int) -> float:
    """The highest share of shared shingles in a lead of `LEAD_SPAN` (cut short by the text's end)
    starting anywhere from `first` to `last`."""
    n = len(shared)
    if first > last or first >= n:
        return 0.0
    starts = np.arange(first, min(last, n - 1) + 1)
    ends = np.minimum(starts + LEAD_SPAN, n)
    covering = np.concatenate(([0], np.cumsum(shared)))
    return float(((covering[ends] - covering[starts]) / (ends - starts)).max())


def _lead_bound(
    small: Fingerprint,
    large: Fingerprint,
    shared: np.ndarray,
    first_small: int,
    first_large: int,
    rules: Rules,
) -> float:
    """An upper bound of what `_lead` can find, cheap: the texts start to agree at a shared shingle no
    further in than `lead_slack`, so the lead is one of the windows starting from there."""
    mine = _best_window(shared, first_small, rules.lead_slack)
    if mine >= rules.lead_share:
        return mine
    theirs, _ = small.find(large.shingles[: rules.lead_slack + LEAD_SPAN])
    return max(mine, _best_window(theirs, first_large, rules.lead_slack))


def _all_keys_shared(small: Fingerprint, shared: np.ndarray, rules: Rules) -> bool:
    """Whether every key word of the smaller text lies in a shingle the larger has (then no name or
    figure can have been swapped)."""
    k = min(rules.shingle_words, len(small.words))
    covering = np.concatenate(([0], np.cumsum(shared)))
    at = np.arange(len(small.words))
    covered = covering[np.minimum(at + 1, len(shared))] - covering[np.maximum(at - k + 1, 0)] > 0
    return not np.any((small.words & KEY).astype(bool) & ~covered)


def _alignment(
    small: Fingerprint, large: Fingerprint, shared: np.ndarray, found_at: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions (in the smaller text, in the larger) of the shingles that align the two texts: shared,
    found once in each (a phrase the text repeats could align anywhere), and in the same order."""
    _, _, once_small = small.lookup()
    order, _, once_large = large.lookup()
    at = np.flatnonzero(shared & once_small)
    where = order[found_at[at]]
    single = once_large[where]
    at, where = at[single], where[single]
    in_order = where == np.maximum.accumulate(where) if len(where) else np.zeros(0, dtype=bool)
    return at[in_order], where[in_order]


def _lead(
    small: Fingerprint,
    large: Fingerprint,
    shared: np.ndarray,
    at: np.ndarray,
    where: np.ndarray,
    rules: Rules,
) -> tuple[float, tuple[int, int]]:
    """Where the texts start to agree (a run of RUN shared shingles, not a name that happens to be five
    words long), and how much of the lead from there they share (from either side: what one text put
    into its lead, a teaser, does not count against it)."""
    if len(at) < RUN:
        return 0.0, (len(shared), len(shared))
    steady = np.flatnonzero(at[RUN - 1 :] - at[: len(at) - RUN + 1] == RUN - 1)
    if len(steady) == 0:
        return 0.0, (len(shared), len(shared))
    first = int(steady[0])
    heads = (int(at[first]), int(where[first]))
    if max(heads) > rules.lead_slack:
        return 0.0, heads
    mine = shared[heads[0] : heads[0] + LEAD_SPAN]
    theirs, _ = small.find(large.shingles[heads[1] : heads[1] + LEAD_SPAN])
    return max(np.count_nonzero(mine) / len(mine), np.count_nonzero(theirs) / len(theirs)), heads


def _plain(words: np.ndarray) -> np.ndarray:
    return words >> np.uint32(2)


def _conflicts(small: Fingerprint, large: Fingerprint, at: np.ndarray, where: np.ndarray, k: int) -> int:
    """Aligned gaps inside sentences where each side has key words the other lacks (a swapped name or
    figure). Whole sentences put in on both sides at one place (two sites' teasers) are no conflict."""
    k = min(k, len(small.words), len(large.words))
    s0, s1, l0, l1 = at[:-1], at[1:], where[:-1], where[1:]
    gap = ((s1 - s0) > 1) | ((l1 - l0) != 1)
    s_from, s_to, l_from, l_to = s0[gap] + k, s1[gap], l0[gap] + k, l1[gap]
    keep = (s_to > s_from) & (l_to > l_from)
    s_from, s_to, l_from, l_to = s_from[keep], s_to[keep], l_from[keep], l_to[keep]
    if len(s_from) == 0:
        return 0
    whole = _whole(small.words, s_from, s_to) & _whole(large.words, l_from, l_to)
    gaps = np.flatnonzero(~whole)
    if len(gaps) == 0:
        return 0
    mine = _key_words(small.words, s_from[gaps], s_to[gaps])
    theirs = _key_words(large.words, l_from[gaps], l_to[gaps])
    lacking_mine = np.bincount(mine[~np.isin(mine, theirs)] >> 32, minlength=len(gaps)) > 0
    lacking_theirs = np.bincount(theirs[~np.isin(theirs, mine)] >> 32, minlength=len(gaps)) > 0
    return int(np.count_nonzero(lacking_mine & lacking_theirs))


def _whole(words: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Whether each range holds whole sentences: it starts a sentence and ends one."""
    opens = (start == 0) | ((words[np.maximum(start - 1, 0)] & END) > 0)
    whole: np.ndarray = opens & ((words[stop - 1] & END) > 0)
    return whole


def _key_words(words: np.ndarray, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """The key words of each range, as (range number << 32 | word hash) (flags cleared)."""
    lengths = stop - start
    total = int(lengths.sum())
    offsets = np.arange(total) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    positions = np.repeat(start, lengths) + offsets
    gap = np.repeat(np.arange(len(start), dtype=np.int64), lengths)
    chosen = words[positions]
    is_key = (chosen & KEY) > 0
    keyed: np.ndarray = (gap[is_key] << 32) | (chosen[is_key] & ~np.uint32(3)).astype(np.int64)
    return keyed
