"""A `StoryIndex` in memory: the same clustering without a database, for calibration sweeps that replay a
labelled corpus many times, and for tests of the algorithm alone. The store's SQL index is the real one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from tidings.cluster import EMPTY, Ids, Vector
from tidings.models import StoryInfo


class MemoryStoryIndex:
    def __init__(self) -> None:
        self.articles = 0
        self.ids: dict[str, int] = {}  # term -> id
        self.texts: list[str] = []  # id -> term
        self._df = np.zeros(1024, np.int64)  # id -> articles holding the term
        self.centroids: dict[int, Vector] = {}
        # term id -> {story listed under it (`cluster.lookup_terms`): its weight in the story's centroid}
        self.postings: dict[int, dict[int, float]] = {}
        self.listed: dict[int, list[int]] = {}
        self.info: dict[int, StoryInfo] = {}
        self.members: dict[int, list[object]] = {}
        self.related: dict[int, list[tuple[int, float]]] = {}
        self.merged_into: dict[int, int] = {}
        self._next = 1

    def count_terms(self, terms: Sequence[str]) -> tuple[int, Ids, NDArray[np.int64]]:
        self.articles += 1
        known = self.ids
        found = [known.get(term, -1) for term in terms]
        if -1 in found:
            for at, term in enumerate(terms):
                if found[at] < 0:
                    found[at] = known[term] = len(self.texts)
                    self.texts.append(term)
            if len(self.texts) > len(self._df):
                self._df = np.concatenate((self._df, np.zeros(len(self._df) * 2, np.int64)))
        ids = np.array(found, np.int64)
        self._df[ids] += 1  # one more article holds each (distinct) term
        return self.articles, ids, self._df[ids]

    def term_texts(self, ids: Ids) -> list[str]:
        texts = self.texts
        return [texts[i] for i in ids.tolist()]

    def vocabulary(self) -> dict[str, int]:
        """Each term's document frequency."""
        return dict(zip(self.texts, self._df[: len(self.texts)].tolist(), strict=True))

    def centroid_terms(self, story_id: int) -> dict[str, float]:
        """A story's centroid by term text."""
        ids, weights = self.centroids.get(story_id, EMPTY)
        return dict(zip(self.term_texts(ids), weights.tolist(), strict=True))

    def story_scores(
        self, ids: Ids, weights: NDArray[np.float64], since: datetime | None, floor: float = 0.0
    ) -> dict[int, float]:
        scores: dict[int, float] = {}
        get = scores.get
        for term, weight in zip(ids.tolist(), weights.tolist(), strict=True):
            for story_id, w in self.postings.get(term, {}).items():
                scores[story_id] = get(story_id, 0.0) + weight * w
        info = self.info
        return {
            s: v
            for s, v in scores.items()
            if v >= floor and (since is None or (last := info[s].last_seen) is None or last >= since)
        }

    def story_info(self, story_ids: Sequence[int]) -> dict[int, StoryInfo]:
        return {s: self.info[s] for s in story_ids}

    def story_centroids(self, story_ids: Sequence[int]) -> dict[int, Vector]:
        return {s: self.centroids[s] for s in story_ids}

    def save_centroid(
        self,
        story_id: int | None,
        centroid: Vector,
        listed: Ids,
        first_seen: datetime | None,
        last_seen: datetime | None,
    ) -> int:
        if story_id is None:
            story_id = self._next
            self._next += 1
            self.members[story_id] = []
        size = self.info[story_id].size if story_id in self.info else 0
        self.info[story_id] = StoryInfo(size, first_seen, last_seen)
        self._index(story_id, centroid, listed.tolist())
        return story_id

    def merge_stories(self, keep: int, gone: int) -> None:
        a, b = self.info[keep], self.info[gone]
        self.info[keep] = StoryInfo(a.size + b.size, a.first_seen, a.last_seen)
        self.info[gone] = StoryInfo(0, b.first_seen, b.last_seen)
        self.members[keep] += self.members[gone]
        self.members[gone] = []
        self._index(gone, EMPTY, [])
        self.related.pop(gone, None)
        self.merged_into[gone] = keep

    def save_related(self, story_id: int, related: Sequence[tuple[int, float]]) -> None:
        self.related[story_id] = list(related)

    def add_member(self, story_id: int, member: object) -> None:
        """What the pipeline does once an article is placed: the story counts it."""
        old = self.info[story_id]
        self.info[story_id] = StoryInfo(old.size + 1, old.first_seen, old.last_seen)
        self.members[story_id].append(member)

    def forget_before(self, when: datetime) -> None:
        """Take stories last seen before `when` out of the term index (a stream in date order no longer
        reaches them): keeps a long replay's lookups as cheap as a worker's."""
        for story_id, info in self.info.items():
            if (
                info.last_seen is not None
                and info.last_seen < when
                and len(self.centroids.get(story_id, EMPTY)[0])
            ):
                for term in self.listed.get(story_id, ()):
                    self.postings[term].pop(story_id, None)

    def labels(self) -> dict[object, int]:
        return {m: s for s, members in self.members.items() for m in members}

    def _index(self, story_id: int, centroid: Vector, listed: list[int]) -> None:
        for term in self.listed.get(story_id, ()):
            self.postings[term].pop(story_id, None)
        ids, weights = centroid
        weight_of: Mapping[int, float] = dict(zip(ids.tolist(), weights.tolist(), strict=True))
        for term in listed:
            self.postings.setdefault(term, {})[story_id] = weight_of[term]
        self.listed[story_id] = listed
        self.centroids[story_id] = centroid


__all__ = ["MemoryStoryIndex"]
