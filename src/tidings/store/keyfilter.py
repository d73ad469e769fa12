"""Which keys a worker's copy of the fold index may hold: a Bloom filter over every key posted.

Most keys of a new copy are in no stored article (at 100,000 stored copies of the benchmark's corpus,
four in five), yet each would cost a binary search in every sorted run of postings (`fold_mirror`). The
filter answers "surely not there" for those; a key it lets through is searched as before, so lookups
answer exactly what they would without it. A key is never taken out (a boilerplate key dropped from the
runs stays in: a key held in excess costs only a search). The filter grows as a chain of filters, each
twice the size of the one before, so no key is ever added twice; whoever holds the keys may build it
again as one filter sized for them all (each filter of a chain costs an absent key a probe).
"""

from __future__ import annotations

import numpy as np
from numba import njit

BITS_PER_KEY = 16  # with four probes, about one absent key in 400 is let through per filter of the chain
PROBES = 4
FIRST_KEYS = 1 << 16  # keys the first filter of a chain is sized for


@njit(cache=True, nogil=True)
def _probes(key: np.int64, mask: np.uint64) -> tuple[np.uint64, np.uint64]:
    h = np.uint64(key) * np.uint64(0x9E3779B97F4A7C15)
    h ^= h >> np.uint64(29)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(32)
    return h & mask, ((h >> np.uint64(32)) | np.uint64(1)) & mask


@njit(cache=True, nogil=True)
def _add(bits: np.ndarray, keys: np.ndarray) -> None:
    mask = np.uint64(len(bits) * 64 - 1)
    for key in keys:
        at, step = _probes(key, mask)
        for _ in range(PROBES):
            bits[at >> np.uint64(6)] |= np.uint64(1) << (at & np.uint64(63))
            at = (at + step) & mask


@njit(cache=True, nogil=True)
def _holds(bits: np.ndarray, keys: np.ndarray, out: np.ndarray) -> None:
    mask = np.uint64(len(bits) * 64 - 1)
    for i in range(len(keys)):
        if out[i]:
            continue
        at, step = _probes(keys[i], mask)
        found = True
        for _ in range(PROBES):
            if not bits[at >> np.uint64(6)] & (np.uint64(1) << (at & np.uint64(63))):
                found = False
                break
            at = (at + step) & mask
        out[i] = found


class KeyFilter:
    """A chain of Bloom filters: `add` keys, ask which `may_hold` ones (never a false "no")."""

    def __init__(self, first: int = FIRST_KEYS) -> None:
        self.first = 1 << max(6, (max(1, first) - 1).bit_length())  # keys the first part is sized for
        self.parts: list[np.ndarray] = []  # bit arrays (uint64 words), each twice the one before
        self.room = 0  # keys the last part still has room for

    def add(self, keys: np.ndarray) -> None:
        keys = np.asarray(keys, dtype=np.int64)
        while len(keys):
            if self.room <= 0:
                size = self.first << len(self.parts)
                self.parts.append(np.zeros(size * BITS_PER_KEY // 64, dtype=np.uint64))
                self.room = size
            taken, keys = keys[: self.room], keys[self.room :]
            _add(self.parts[-1], taken)
            self.room -= len(taken)

    def may_hold(self, keys: np.ndarray) -> np.ndarray:
        keys = np.asarray(keys, dtype=np.int64)
        out = np.zeros(len(keys), dtype=np.bool_)
        for bits in self.parts:
            _holds(bits, keys, out)
        return out

    @property
    def nbytes(self) -> int:
        return sum(p.nbytes for p in self.parts)
