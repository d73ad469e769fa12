"""A `StoryIndex` in memory: the same clustering without a database, for calibration sweeps that replay a
labelled corpus many times, and for tests of the algorithm alone. The store's SQL index is the real one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime

from tidings.models import StoryInfo, story_lookup_terms

_NONE: dict[str, int] = {}  # the counts as read (nothing is read: all are counted here)


class MemoryStoryIndex:
    def __init__(self) -> None:
        self.articles = 0
        self.df: Counter[str] = Counter()
        self.centroids: dict[int, dict[str, float]] = {}
        # term -> {story listed under it (`story_lookup_terms`): its weight in the story's centroid}
        self.postings: dict[str, dict[int, float]] = {}
        self.listed: dict[int, list[str]] = {}
        self.info: dict[int, StoryInfo] = {}
        self.members: dict[int, list[object]] = {}
        self.related: dict[int, list[tuple[int, float]]] = {}
        self.merged_into: dict[int, int] = {}
        self._next = 1

    def count_terms(self, terms: Sequence[str]) -> tuple[int, dict[str, int], dict[str, int]]:
        self.articles += 1
        self.df.update(terms)  # one more article holds each (distinct) term
        return self.articles, _NONE, self.df

    def story_scores(
        self, query: Mapping[str, float], since: datetime | None, floor: float = 0.0
    ) -> dict[int, float]:
        scores: dict[int, float] = {}
        get = scores.get
        for term, weight in query.items():
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

    def story_centroids(self, story_ids: Sequence[int]) -> dict[int, dict[str, float]]:
        return {s: dict(self.centroids[s]) for s in story_ids}

    def save_centroid(
        self,
        story_id: int | None,
        centroid: Mapping[str, float],
        first_seen: datetime | None,
        last_seen: datetime | None,
    ) -> int:
        if story_id is None:
            story_id = self._next
            self._next += 1
            self.members[story_id] = []
        size = self.info[story_id].size if story_id in self.info else 0
        self.info[story_id] = StoryInfo(size, first_seen, last_seen)
        self._index(story_id, dict(centroid))
        return story_id

    def merge_stories(self, keep: int, gone: int) -> None:
        a, b = self.info[keep], self.info[gone]
        self.info[keep] = StoryInfo(a.size + b.size, a.first_seen, a.last_seen)
        self.info[gone] = StoryInfo(0, b.first_seen, b.last_seen)
        self.members[keep] += self.members[gone]
        self.members[gone] = []
        self._index(gone, {})
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
            if info.last_seen is not None and info.last_seen < when and self.centroids.get(story_id):
                for term in self.listed.get(story_id, ()):
                    self.postings[term].pop(story_id, None)

    def labels(self) -> dict[object, int]:
        return {m: s for s, members in self.members.items() for m in members}

    def _index(self, story_id: int, centroid: dict[str, float]) -> None:
        listed = story_lookup_terms(centroid)
        for term in self.listed.get(story_id, ()):
            self.postings[term].pop(story_id, None)
        for term in listed:
            self.postings.setdefault(term, {})[story_id] = centroid[term]
        self.listed[story_id] = listed
        self.centroids[story_id] = centroid
