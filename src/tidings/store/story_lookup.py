"""A worker's term index over the stories it holds, compiled (numba): each term id's list of (story slot,
weight) entries, for the terms each story is listed under.

Stories are known here by slots (small integers a `StoryCache` hands out and takes back). Each term's
entries are a linked list in one arena (`head` by term id, `follow` by entry); a story's listed terms and
their entries are one row of `listed`/`entries`. Relisting a story updates the weights of the terms it
keeps in place, marks the entries of the terms it leaves as dead (slot -1) and links new ones; dead
entries are skipped by lookups and dropped when the arena is rebuilt (`compact`), which the cache does
once they outnumber the live ones, so a lookup walks at most about twice the live entries.
Compiled functions are cached on disk (`cache=True`); `warm` compiles them (`make install` runs it).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def relist(slot, terms, ids, weights, listed, entries, head, owner, weight, follow, used):
    """List story `slot` under `terms` (distinct ids, each in the story's centroid: `ids` ascending,
    `weights`) instead of the terms it was listed under. Entries are taken from `used` on (the arena has
    room for all of `terms`). Returns (entries used, entries that died), or -1 and nothing changed when a
    term is past the end of `head`."""
    for j in range(len(terms)):
        if terms[j] >= len(head):
            return -1, 0
    died = 0
    width = listed.shape[1]
    old_terms = listed[slot].copy()  # the row is rewritten below
    old_entries = entries[slot].copy()
    for k in range(width):
        term = old_terms[k]
        if term < 0:
            break
        kept = -1
        for j in range(len(terms)):
            if terms[j] == term:
                kept = j
                break
        if kept < 0:
            owner[old_entries[k]] = -1
            died += 1
    count = 0
    for j in range(len(terms)):
        term = terms[j]
        at = -1
        for k in range(width):
            if old_terms[k] < 0:
                break
            if old_terms[k] == term:
                at = old_entries[k]
                break
        if at < 0:
            at = used
            used += 1
            owner[at] = slot
            follow[at] = head[term]
            head[term] = at
        weight[at] = weights[np.searchsorted(ids, term)]
        listed[slot, count] = term
        entries[slot, count] = at
        count += 1
    for k in range(count, width):
        listed[slot, k] = -1
    return used, died


@njit(cache=True, nogil=True)
def unlist(slot, listed, entries, owner):
    """Take story `slot` out of the index. Returns the entries that died."""
    died = 0
    for k in range(listed.shape[1]):
        if listed[slot, k] < 0:
            break
        owner[entries[slot, k]] = -1
        listed[slot, k] = -1
        died += 1
    return died


@njit(cache=True, nogil=True)
def scores(terms, weights, head, owner, weight, follow, seen, since, floor, acc, hit):
    """The slots of the stories listed under any of `terms` whose dot product with the query (`terms`,
    `weights`) over those terms reaches `floor` and that were last seen at or after `since` (a timestamp;
    undated stories are seen at infinity), and those products. `acc` (zeros) and `hit` (false) by slot
    are scratch, left as they were found."""
    touched = np.empty(64, np.int64)
    n = 0
    for j in range(len(terms)):
        term = terms[j]
        if term >= len(head):
            continue
        w = weights[j]
        at = head[term]
        while at >= 0:
            slot = owner[at]
            if slot >= 0:
                if not hit[slot]:
                    hit[slot] = True
                    if n == len(touched):
                        touched = np.concatenate((touched, np.empty(n, np.int64)))
                    touched[n] = slot
                    n += 1
                acc[slot] += w * weight[at]
            at = follow[at]
    slots = np.empty(n, np.int64)
    found = np.empty(n, np.float64)
    m = 0
    for i in range(n):
        slot = touched[i]
        value = acc[slot]
        acc[slot] = 0.0
        hit[slot] = False
        if value >= floor and seen[slot] >= since:
            slots[m] = slot
            found[m] = value
            m += 1
    return slots[:m], found[:m]


@njit(cache=True, nogil=True)
def compact(listed, entries, head, weight, size):
    """The arena rebuilt with the live entries only, into `size` entries: (owner, weight, follow, entries
    used); `head` and `entries` rewritten in place."""
    new_owner = np.full(size, -1, np.int64)
    new_weight = np.zeros(size, np.float64)
    new_follow = np.full(size, -1, np.int64)
    head[:] = -1
    used = 0
    for slot in range(listed.shape[0]):
        for k in range(listed.shape[1]):
            term = listed[slot, k]
            if term < 0:
                break
            old = entries[slot, k]
            new_owner[used] = slot
            new_weight[used] = weight[old]
            new_follow[used] = head[term]
            head[term] = used
            entries[slot, k] = used
            used += 1
    return new_owner, new_weight, new_follow, used


class StoryLookup:
    """The term index of the stories a worker holds (see the module's docstring), by story id."""

    def __init__(self, width: int) -> None:
        self.slots: dict[int, int] = {}  # story id -> slot
        self.free: list[int] = []
        self.story = np.full(64, -1, np.int64)  # slot -> story id
        self.seen = np.zeros(64, np.float64)  # slot -> last seen (timestamp; undated: infinity)
        self.listed = np.full((64, width), -1, np.int64)
        self.entries = np.zeros((64, width), np.int64)
        self.acc = np.zeros(64, np.float64)
        self.hit = np.zeros(64, np.bool_)
        self.head = np.full(1024, -1, np.int64)  # term id -> first entry
        self.owner = np.full(1024, -1, np.int64)  # entry -> slot (-1: dead)
        self.weight = np.zeros(1024, np.float64)
        self.follow = np.full(1024, -1, np.int64)  # entry -> next entry of its term
        self.used = 0
        self.dead = 0

    def put(self, story_id: int, seen: float, ids: Any, weights: Any, terms: Any) -> None:
        """List a story (last seen at `seen`, its centroid `ids`, `weights`) under `terms`."""
        slot = self.slots.get(story_id)
        if slot is None:
            slot = self._slot(story_id)
        self.seen[slot] = seen
        if self.used + len(terms) > len(self.owner):
            self._compact(len(terms))
        used, died = relist(
            slot,
            terms,
            ids,
            weights,
            self.listed,
            self.entries,
            self.head,
            self.owner,
            self.weight,
            self.follow,
            self.used,
        )
        if used < 0:  # a term past the end of `head`: room made, then again
            top = int(terms.max()) + 1
            self.head = np.concatenate((self.head, np.full(max(top, 2 * len(self.head)), -1, np.int64)))
            self.put(story_id, seen, ids, weights, terms)
            return
        self.used = used
        self.dead += died

    def drop(self, story_id: int) -> None:
        slot = self.slots.pop(story_id, None)
        if slot is None:
            return
        self.dead += unlist(slot, self.listed, self.entries, self.owner)
        self.story[slot] = -1
        self.free.append(slot)

    def find(self, terms: Any, weights: Any, since: float, floor: float) -> dict[int, float]:
        """Each story listed under any of `terms`, last seen at or after `since`, whose dot product with
        the query over those terms reaches `floor`: that product."""
        slots, found = scores(
            terms,
            weights,
            self.head,
            self.owner,
            self.weight,
            self.follow,
            self.seen,
            since,
            floor,
            self.acc,
            self.hit,
        )
        return dict(zip(self.story[slots].tolist(), found.tolist(), strict=True))

    def terms(self) -> set[int]:
        """The terms some story is listed under."""
        live = self.listed[self.story >= 0]
        return set(live[live >= 0].tolist())

    def _slot(self, story_id: int) -> int:
        if not self.free:
            size = len(self.story)
            self.story = np.concatenate((self.story, np.full(size, -1, np.int64)))
            self.seen = np.concatenate((self.seen, np.zeros(size)))
            self.listed = np.concatenate((self.listed, np.full(self.listed.shape, -1, np.int64)))
            self.entries = np.concatenate((self.entries, np.zeros(self.entries.shape, np.int64)))
            self.acc = np.concatenate((self.acc, np.zeros(size)))
            self.hit = np.concatenate((self.hit, np.zeros(size, np.bool_)))
            self.free = list(range(2 * size - 1, size - 1, -1))
        slot = self.free.pop()
        self.slots[story_id] = slot
        self.story[slot] = story_id
        return slot

    def _compact(self, room: int) -> None:
        """Rebuild the arena with the live entries, in twice the room they and `room` more take."""
        live = self.used - self.dead
        size = max(1024, 2 * (live + room))
        self.owner, self.weight, self.follow, self.used = compact(
            self.listed, self.entries, self.head, self.weight, size
        )
        self.dead = 0


def warm() -> None:
    """Compile (or load from the disk cache) the loops here."""
    listed = np.full((2, 2), -1, np.int64)
    entries = np.zeros((2, 2), np.int64)
    head = np.full(4, -1, np.int64)
    owner = np.full(8, -1, np.int64)
    weight = np.zeros(8)
    follow = np.full(8, -1, np.int64)
    terms = np.array([1, 3], np.int64)
    relist(0, terms, terms, np.array([0.5, 0.25]), listed, entries, head, owner, weight, follow, 0)
    scores(
        terms,
        np.ones(2),
        head,
        owner,
        weight,
        follow,
        np.zeros(2),
        0.0,
        0.0,
        np.zeros(2),
        np.zeros(2, np.bool_),
    )
    unlist(0, listed, entries, owner)
    compact(listed, entries, head, weight, 8)
