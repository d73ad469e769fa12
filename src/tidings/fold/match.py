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

from tidings.fold import kernel
from tidings.fold.fingerprint import Fingerprint

MIN_SHINGLES = kernel.MIN_SHINGLES  # shorter texts fold only into identical ones


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

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The rules as the compiled comparison takes them (`kernel.F_*`, `kernel.I_*`)."""
        floats = [self.min_containment, self.mid_containment, self.high_containment, self.lead_share]
        ints = [self.near_start, self.nearly_start, self.lead_slack, self.max_conflicts, self.shingle_words]
        return np.array(floats, dtype=np.float64), np.array(ints, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Comparison:
    containment: float  # share of the smaller text's shingles found in the larger
    conflicts: int  # aligned substitutions of names or figures inside sentences
    lead: float  # share of the lead the texts have in common from where they start to agree
    heads: tuple[int, int] = (0, 0)  # words before the texts start to agree: (smaller, larger)

    def same(self, rules: Rules) -> bool:
        """Whether the two texts are one article (the rules are `kernel.same`'s)."""
        floats, ints = rules.arrays()
        return bool(kernel.same(floats, ints, self.containment, self.conflicts, self.lead, *self.heads))


NO_MATCH = Comparison(0.0, 0, 0.0)


def _tables(fp: Fingerprint) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    keys, first, count, distinct = kernel.table(fp.shingles)
    return keys, first, count, int(distinct)


def screen(fp: Fingerprint, others: list[Fingerprint]) -> tuple[np.ndarray, np.ndarray]:
    """Containment estimates of a text against several at once: distinct shingles in common over the
    smaller text's distinct shingles; and how many distinct shingles each has in common with it."""
    keys, first, _, distinct = _tables(fp)
    together = np.concatenate([o.shingles for o in others]) if others else np.zeros(0, np.uint64)
    bounds = np.cumsum([0, *(len(o.shingles) for o in others)]).astype(np.int64)
    sizes = np.array([kernel.distinct_count(o.shingles) for o in others], dtype=np.int64)
    estimates, common = kernel.screen(keys, first, distinct, together, bounds[:-1], bounds[1:], sizes, 0.0)
    return estimates, common


def compare(
    a: Fingerprint, b: Fingerprint, rules: Rules, *, full: bool = False, common: int | None = None
) -> Comparison:
    """How alike two fingerprints are. Stops early once the pair cannot match, unless `full`.

    `common`, the number of distinct shingles the two have in common (from `screen`), bounds the
    containment before it is worked out: each of the smaller text's distinct shingles the other lacks
    takes at least one of its places. A pair that cannot reach `high_containment` and has no shingle of
    the other near either start is let go without looking further.

    Past the bounds: the share of the smaller text's shingles the larger has (containment); where the
    texts start to agree (a run of shared shingles, not a name that happens to be five words long) and
    how much of the lead from there they share, from either side (what one text put into its lead, a
    teaser, does not count against it); and, aligned on the shingles each has once and in the same
    order, the gaps inside sentences where each side has names or figures the other lacks (conflicts).
    Whole sentences put in on both sides at one place (two sites' teasers) are no conflict."""
    floats, ints = rules.arrays()
    containment, conflicts, lead, head_small, head_large = kernel.compare(
        a.keys, a.words, a.shingles, *_tables(a), b.keys, b.words, b.shingles, *_tables(b), floats, ints,
        full, -1 if common is None else common,
    )  # fmt: skip
    return Comparison(float(containment), int(conflicts), float(lead), (int(head_small), int(head_large)))
