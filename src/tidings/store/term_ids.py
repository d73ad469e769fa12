"""A worker's term ids, found by a compiled hash table (numba): the terms of a call are handed over as one
UTF-8 buffer (terms apart by NUL, which no term holds), each term's bytes hashed to 64 bits and looked up
in an open-addressing table of (hash, id) pairs, the terms not yet met given the next ids.

Terms are told apart by their 64-bit hash alone: two different terms would share an id only if their
hashes were equal, about one chance in 10^7 for a vocabulary of two million terms. Compiled functions are
cached on disk (`cache=True`); `warm` compiles them (`make install` runs it).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_OFFSET = np.uint64(0xCBF29CE484222325)
_PRIME = np.uint64(0x100000001B3)


@njit(cache=True, nogil=True)
def _mix(h):
    """A finaliser over FNV-1a's hash (its low bits, which pick the slot, then depend on every byte)."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    if h == np.uint64(0):  # 0 marks an empty slot
        h = np.uint64(1)
    return h


@njit(cache=True, nogil=True)
def lookup(buf, count, table, next_id):
    """The id of each of the `count` NUL-separated terms in `buf`, terms not in `table` (rows of hash, id;
    hash 0: empty) added with ids from `next_id` on. Returns (ids, positions of the added terms in id
    order, the next free id); no ids, and the table untouched, unless `buf` holds `count` terms (a term
    holding a NUL)."""
    parts = 1
    for byte in buf:
        parts += byte == 0
    if parts != count:  # checked first: the table is left as it was
        return np.empty(0, np.int64), np.empty(0, np.int64), next_id
    mask = np.uint64(len(table) - 1)
    ids = np.empty(count, np.int64)
    fresh = np.empty(count, np.int64)
    added = 0
    n = 0
    h = _OFFSET
    size = len(buf)
    for i in range(size + 1):
        if i < size and buf[i] != 0:
            h = (h ^ np.uint64(buf[i])) * _PRIME
            continue
        key = _mix(h)
        slot = key & mask
        while True:
            stored = np.uint64(table[slot, 0])
            if stored == key:
                ids[n] = table[slot, 1]
                break
            if stored == np.uint64(0):
                table[slot, 0] = np.int64(key)
                table[slot, 1] = next_id
                ids[n] = next_id
                fresh[added] = n
                added += 1
                next_id += 1
                break
            slot = (slot + np.uint64(1)) & mask
        n += 1
        h = _OFFSET
    return ids, fresh[:added], next_id


@njit(cache=True, nogil=True)
def grown(table, size):
    """`table` rehashed into `size` slots."""
    out = np.zeros((size, 2), np.int64)
    mask = np.uint64(size - 1)
    for row in range(len(table)):
        key = np.uint64(table[row, 0])
        if key == np.uint64(0):
            continue
        slot = key & mask
        while out[slot, 0] != 0:
            slot = (slot + np.uint64(1)) & mask
        out[slot, 0] = table[row, 0]
        out[slot, 1] = table[row, 1]
    return out


def warm() -> None:
    """Compile (or load from the disk cache) the loops here."""
    table = np.zeros((8, 2), np.int64)
    lookup(np.frombuffer(b"a\x00b", np.uint8), 2, table, 0)
    grown(table, 16)
