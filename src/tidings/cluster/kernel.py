"""Clustering's inner loops, compiled with numba: weighing an article's terms, picking a vector's strongest
terms, the dot product of two vectors and the size-weighted mean of two.

A vector here is a pair of arrays: term ids in ascending order (int64) and their weights (float64), so a
dot product or a mean is one merge of two sorted lists. Term ids are the store's (`StoryIndex.count_terms`
hands them out); ties that a choice of strongest terms has to break by the terms' text are left to the
caller (`top` says where they are), which alone knows the text. Each value is computed by the same
operations in the same order as the plain Python it replaced, so the weights are the same floats; only
sums over many terms (a norm, a dot product) may differ in their last digit with the order they add in.
Compiled functions are cached on disk (`cache=True`) so a process pays for compiling them once
(`cluster.warm`, run by `make install`).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def weigh(counts, kinds, freqs, top, common):
    """The positions of the terms counted in at most `common` articles, and their weights: (1 + log count)
    times idf (`top` - log document frequency) times the kind's weight (a term counted once skips its
    factor 1: the same product)."""
    n = len(counts)
    pos = np.empty(n, np.int64)
    raw = np.empty(n, np.float64)
    kept = 0
    for i in range(n):
        freq = freqs[i]
        if freq > common:
            continue
        count = counts[i]
        if count == 1.0:
            weight = (top - math.log(freq)) * kinds[i]
        else:
            weight = (1.0 + math.log(count)) * (top - math.log(freq)) * kinds[i]
        pos[kept] = i
        raw[kept] = weight
        kept += 1
    return pos[:kept], raw[:kept]


@njit(cache=True, nogil=True)
def top(weights, keep):
    """The positions of `weights` heaviest first (equal weights in their order), and where the run of
    weights equal to the `keep`-th starts and ends in that order: when it ends past `keep`, the caller
    picks which of the run stay (by text)."""
    order = np.argsort(-weights, kind="mergesort")
    n = len(order)
    if n <= keep:
        return order, n, n
    cut = weights[order[keep - 1]]
    if weights[order[keep]] != cut:
        return order, keep, keep
    start = keep - 1
    while start > 0 and weights[order[start - 1]] == cut:
        start -= 1
    end = keep + 1
    while end < n and weights[order[end]] == cut:
        end += 1
    return order, start, end


@njit(cache=True, nogil=True)
def pick(ids, weights, chosen, scale):
    """The vector of the `chosen` positions (heaviest first), each weight divided by `scale` (0: by the
    chosen weights' norm, summed in that order), ids ascending."""
    if scale == 0.0:
        total = 0.0
        for i in chosen:
            total += weights[i] * weights[i]
        scale = math.sqrt(total)
        if scale == 0.0:
            scale = 1.0
    out_ids = ids[chosen]
    order = np.argsort(out_ids)
    out_w = np.empty(len(chosen), np.float64)
    for k in range(len(order)):
        out_w[k] = weights[chosen[order[k]]] / scale
    return out_ids[order], out_w


@njit(cache=True, nogil=True)
def cosine(a_ids, a_w, b_ids, b_w):
    """The dot product of two vectors (their cosine when both are unit vectors)."""
    i = j = 0
    total = 0.0
    na, nb = len(a_ids), len(b_ids)
    while i < na and j < nb:
        x, y = a_ids[i], b_ids[j]
        if x == y:
            total += a_w[i] * b_w[j]
            i += 1
            j += 1
        elif x < y:
            i += 1
        else:
            j += 1
    return total


@njit(cache=True, nogil=True)
def sums(a_ids, a_w, a_size, b_ids, b_w, b_size):
    """Each term's weight times its vector's size, summed over the two vectors (ids ascending)."""
    na, nb = len(a_ids), len(b_ids)
    ids = np.empty(na + nb, np.int64)
    out = np.empty(na + nb, np.float64)
    i = j = k = 0
    while i < na or j < nb:
        if j >= nb or (i < na and a_ids[i] < b_ids[j]):
            ids[k] = a_ids[i]
            out[k] = a_w[i] * a_size
            i += 1
        elif i >= na or b_ids[j] < a_ids[i]:
            ids[k] = b_ids[j]
            out[k] = 0.0 + b_w[j] * b_size
            j += 1
        else:
            ids[k] = a_ids[i]
            out[k] = a_w[i] * a_size + b_w[j] * b_size
            i += 1
            j += 1
        k += 1
    return ids[:k], out[:k]


@njit(cache=True, nogil=True)
def _first(ids, weights, keep, scale):
    """`pick` of the `keep` heaviest when no tie straddles the cut, with `top`'s answer: (ids, weights,
    order, start, end); no ids when a tie straddles it (the caller then picks by text)."""
    order, start, end = top(weights, keep)
    if end > keep:
        return ids[:0], weights[:0], order, start, end
    out_ids, out_w = pick(ids, weights, order[:keep], scale)
    return out_ids, out_w, order, start, end


@njit(cache=True, nogil=True)
def article(ids, counts, codes, of_code, freqs, top_idf, common, keep):
    """An article's unit vector: `weigh` (each term's kind weight `of_code[codes[i]]`), then its `keep`
    strongest (`_first`, over the kept terms' positions). Returns (ids, weights, order, start, end, the
    kept terms' positions, their weights)."""
    kinds = np.empty(len(codes), np.float64)
    for i in range(len(codes)):
        kinds[i] = of_code[codes[i]]
    pos, raw = weigh(counts, kinds, freqs, top_idf, common)
    out_ids, out_w, order, start, end = _first(ids[pos], raw, keep, 0.0)
    return out_ids, out_w, order, start, end, pos, raw


@njit(cache=True, nogil=True)
def strongest(ids, weights, keep):
    """The `keep` heaviest terms of a vector (`_first`, weights as they are)."""
    return _first(ids, weights, keep, 1.0)


@njit(cache=True, nogil=True)
def mean(a_ids, a_w, a_size, b_ids, b_w, b_size, keep):
    """The size-weighted mean of two vectors cut to `keep` terms (`_first` over `sums`), with the sums:
    (ids, weights, order, start, end, summed ids, sums)."""
    ids, summed = sums(a_ids, a_w, a_size, b_ids, b_w, b_size)
    total = a_size + b_size
    out_ids, out_w, order, start, end = _first(ids, summed, keep, float(total if total else 1))
    return out_ids, out_w, order, start, end, ids, summed


def warm() -> None:
    """Compile (or load from the disk cache) every loop here."""
    ids = np.arange(3, dtype=np.int64)
    w = np.array([0.5, 0.25, 0.25])
    pos, raw = weigh(np.array([1.0, 2.0, 1.0]), np.ones(3), np.array([1, 2, 3], np.int64), 2.0, math.inf)
    order, _, _ = top(raw, 2)
    pick(ids[pos], raw, order[:2], 0.0)
    pick(ids, w, order[:2], 2.0)
    cosine(ids, w, ids, w)
    sums(ids, w, 1, ids, w, 2)
    codes = np.frombuffer(b"wen", np.uint8)
    article(ids, np.array([1.0, 2.0, 1.0]), codes, np.ones(256), np.array([1, 2, 3], np.int64), 2.0, 9.0, 2)
    strongest(ids, w, 2)
    mean(ids, w, 1, ids, w, 2, 2)
