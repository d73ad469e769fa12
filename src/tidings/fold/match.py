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


def compare(a: Fingerprint, b: Fingerprint, rules: Rules, *, full: bool = False) -> Comparison:
    """How alike two fingerprints are. Stops early once the pair cannot match, unless `full`."""
    small, large = (a, b) if len(a.shingles) <= len(b.shingles) else (b, a)
    if len(small.shingles) == 0:
        return NO_MATCH
    if len(small.shingles) < MIN_SHINGLES:
        same = np.array_equal(_plain(a.words), _plain(b.words))
        return Comparison(1.0, 0, 1.0) if same else NO_MATCH
    shared = np.isin(small.shingles, large.shingles)
    containment = float(shared.mean())
    if containment < rules.min_containment and not full:
        return Comparison(containment, 0, 0.0)
    at, where = _alignment(small.shingles, large.shingles, shared)
    if len(at) == 0:
        return Comparison(containment, 0, 0.0, (len(small.shingles), len(large.shingles)))
    lead, heads = _lead(small, large, shared, at, where, rules)
    limit = None if full else rules.max_conflicts
    conflicts = _conflicts(small, large, at, where, rules.shingle_words, limit)
    return Comparison(containment, conflicts, lead, heads)


def _alignment(small: np.ndarray, large: np.ndarray, shared: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (in the smaller text, in the larger) of the shingles that align the two texts: shared,
    found once in each (a phrase the text repeats could align anywhere), and in the same order."""
    _, inverse, counts = np.unique(small, return_inverse=True, return_counts=True)
    once = shared & (counts[inverse] == 1)
    order = np.argsort(large, kind="stable")
    ranked = large[order]
    at = np.flatnonzero(once)
    first = np.searchsorted(ranked, small[at], side="left")
    last = np.searchsorted(ranked, small[at], side="right")
    single = last - first == 1
    at, where = at[single], order[first[single]]
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
    mine = float(shared[heads[0] : heads[0] + LEAD_SPAN].mean())
    theirs = float(np.isin(large.shingles[heads[1] : heads[1] + LEAD_SPAN], small.shingles).mean())
    return max(mine, theirs), heads


def _plain(words: np.ndarray) -> np.ndarray:
    return words >> np.uint32(2)


def _conflicts(
    small: Fingerprint, large: Fingerprint, at: np.ndarray, where: np.ndarray, k: int, limit: int | None
) -> int:
    """Aligned gaps inside sentences where each side has key words the other lacks (a swapped name or
    figure). Whole sentences put in on both sides at one place (two sites' teasers) are no conflict."""
    k = min(k, len(small.words), len(large.words))
    s0, s1, l0, l1 = at[:-1], at[1:], where[:-1], where[1:]
    gap = ((s1 - s0) > 1) | ((l1 - l0) != 1)
    s_from, s_to, l_from, l_to = s0[gap] + k, s1[gap], l0[gap] + k, l1[gap]
    candidates = (s_to > s_from) & (l_to > l_from) & (l_to > l0[gap])  # a moved block is no substitution
    s_key = np.concatenate(([0], np.cumsum(small.words & KEY)))
    l_key = np.concatenate(([0], np.cumsum(large.words & KEY)))
    i = np.flatnonzero(candidates)
    i = i[(s_key[s_to[i]] > s_key[s_from[i]]) & (l_key[l_to[i]] > l_key[l_from[i]])]
    conflicts = 0
    for j in i:
        a, b, c, d = int(s_from[j]), int(s_to[j]), int(l_from[j]), int(l_to[j])
        if _whole_sentences(small.words, a, b) and _whole_sentences(large.words, c, d):
            continue
        mine = {int(w) >> 2 for w in small.words[a:b] if w & KEY}
        theirs = {int(w) >> 2 for w in large.words[c:d] if w & KEY}
        if mine - theirs and theirs - mine:  # each side has names or figures the other lacks: swapped
            conflicts += 1
            if limit is not None and conflicts > limit:
                break
    return conflicts


def _whole_sentences(words: np.ndarray, start: int, stop: int) -> bool:
    return (start == 0 or bool(words[start - 1] & END)) and bool(words[stop - 1] & END)
