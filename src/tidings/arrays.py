"""Set operations on integer arrays, for the hot paths of fold and the store.

numpy 2's `np.unique` and `np.isin` go through a hash table before they sort; on the int64 arrays fold
handles (a batch's keys and postings, a thousand to a hundred thousand values) that costs ten to
twenty-five times what sorting alone does (`tidings bench fold` spends its time there otherwise).
"""

from __future__ import annotations

import numpy as np


def unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending (as `np.unique`); values already so come back as they are."""
    ordered = np.ravel(values)
    if len(ordered) < 2:
        return ordered.copy()
    if bool((ordered[1:] > ordered[:-1]).all()):
        return ordered
    ordered = np.sort(ordered)
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values, ascending, and where each of `values` is among them (int64): as
    `np.unique(values, return_inverse=True)`, from one argsort (no search afterwards)."""
    values = np.ravel(values)
    order = np.argsort(values)
    ordered = values[order]
    inverse = np.empty(len(values), dtype=np.int64)
    if len(ordered) < 2:
        inverse[order] = 0
        return ordered, inverse
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    rank = np.cumsum(keep)
    rank -= 1
    inverse[order] = rank
    return ordered[keep], inverse


def within(values: np.ndarray, ascending: np.ndarray) -> np.ndarray:
    """Whether each of `values` is in `ascending` (sorted): a boolean mask shaped like `values`."""
    if len(ascending) == 0:
        return np.zeros(np.shape(values), dtype=bool)
    at = np.searchsorted(ascending, values)
    at[at == len(ascending)] = 0
    return np.asarray(ascending[at] == values)
