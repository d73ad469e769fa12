"""Fingerprints: hashed word shingles, and a content-defined sample of them as index anchors.

Anchors are the shingles whose hash is 0 modulo `anchor_rate`. Because the choice depends only on the
shingle itself, an excerpt's anchors are a subset of its full article's anchors: truncated copies find
their article through the index (containment), which MinHash/Jaccard banding would miss.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xxhash

from tidings.models import Copy, Fingerprint
from tidings.text import words

_SIGN = 1 << 63
MIN_ANCHORS = 4


def copy_words(copy: Copy) -> list[str]:
    return [w for paragraph in copy.body for w in words(paragraph)]


def fingerprint(copy: Copy, shingle_words: int = 5, anchor_rate: int = 8) -> Fingerprint:
    tokens = copy_words(copy) or words(copy.title or "")
    return fingerprint_words(tokens, shingle_words, anchor_rate)


def fingerprint_words(tokens: Sequence[str], shingle_words: int = 5, anchor_rate: int = 8) -> Fingerprint:
    if not tokens:
        return Fingerprint((), ())
    k = min(shingle_words, len(tokens))
    hashes = {
        _signed(xxhash.xxh64_intdigest(" ".join(tokens[i : i + k]).encode()))
        for i in range(len(tokens) - k + 1)
    }
    shingles = tuple(sorted(hashes))
    anchors = tuple(h for h in shingles if h % anchor_rate == 0)
    if len(anchors) < MIN_ANCHORS:
        # Too short to sample: every shingle is an anchor (short texts are cheap to index whole).
        anchors = shingles if len(shingles) <= MIN_ANCHORS * anchor_rate else anchors
    return Fingerprint(shingles, anchors)


def _signed(value: int) -> int:
    """SQL integers are signed 64-bit."""
    return value - (1 << 64) if value >= _SIGN else value


def containment(a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> float:
    """Share of the smaller set's shingles found in the other: 1.0 when one text contains the other."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    shared = np.intersect1d(np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64), assume_unique=True)
    return len(shared) / min(len(a), len(b))


def pack(shingles: Sequence[int]) -> bytes:
    return np.asarray(shingles, dtype="<i8").tobytes()


def unpack(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<i8")
