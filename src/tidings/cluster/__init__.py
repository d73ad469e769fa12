"""The cluster stage: each new article joins the story it belongs to, or starts one (online), and stories
merge when later coverage shows two were one event.

An article is a sparse TF-IDF vector over its terms (`features`: words, names, phrases of names, numbers;
headline and lead weigh more). Document frequencies are counted incrementally in the store, so every
worker sees the same vocabulary. A story keeps a compact centroid: the mean of its articles' unit vectors,
cut to its strongest terms. The dot product of an article with that mean is the article's average
similarity to the story's articles (average linkage, done online), so one threshold means the same for a
story of two articles and of fifty; the same holds between two stories, which merge when their average
similarity reaches the merge threshold. A story that stays a fragment (one or two articles) while a
story near it grows to eight times its size is a stray piece of that story, not an event of its own: it
is absorbed once their average similarity reaches the lower `absorb` threshold (never on arrival: a new
article, maybe the first of a new event, gets the chance to gather its own). Only stories seen within the
window are candidates, found through the store's term index (`StoryIndex`), never by a scan; similarity
fades with the time between an article and a story when both are dated, and is left alone when either is
not.

The thresholds, the absorption and the weights are calibrated on labelled events (`tidings bench stories
-- --calibrate`, cross-validated across topics), not guessed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from tidings.cluster import kernel
from tidings.cluster.features import NAME, NUMBER, PHRASE, WORD, article_terms, text_terms
from tidings.models import STORY_LOOKUP_TERMS, StoryInfo

Terms = Mapping[str, tuple[float, str]]  # term -> (weighted count, kind), as `features` gives them
Ids = NDArray[np.int64]
# A sparse vector: term ids ascending (the store's, `StoryIndex.count_terms`) and their weights.
Vector = tuple[Ids, NDArray[np.float64]]


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each kind of term counts (a word counts 1). Calibrated on ECB+ (see README)."""

    name: float = 2.0
    phrase: float = 1.0
    number: float = 4.0

    def of(self, kind: str) -> float:
        if kind == NAME:
            return self.name
        if kind == NUMBER:
            return self.number
        if kind == PHRASE:
            return self.phrase
        return 1.0


@dataclass(frozen=True, slots=True)
class Params:
    join: float = 0.18  # average similarity an article needs to join a story
    merge: float = 0.18  # average similarity two stories need to merge
    window_days: int = 21
    weights: Weights = field(default_factory=Weights)
    article_terms: int = 100  # an article's vector keeps its strongest terms
    centroid_terms: int = 60  # a story's centroid keeps its strongest terms
    query_terms: int = 12  # stories are looked up by an article's (or centroid's) strongest terms
    candidates: int = 5  # and the best of those found are scored on all terms
    related: int = 5  # nearest other stories kept per story
    related_min: float = 0.05
    # Terms in more than this share of articles say nothing about an event; dropped once the store has seen
    # `common_after` articles (before, the counts are too few to tell). Keeps the index's lists short.
    common_share: float = 0.1
    common_after: int = 1000
    max_merges: int = 3
    # A fragment (a story of at most `fragment` articles) is absorbed by a story at least `outgrown` times
    # its size when their average similarity reaches `absorb` and no larger story is nearer to it (0: never).
    absorb: float = 0.12
    fragment: int = 2
    outgrown: float = 8.0


# A story's neighbourhood is searched again (merges, related stories) each time it doubles from this size
# on; a smaller story's related stories are re-scored among its new article's candidates.
SEARCH_FROM = 8


@dataclass(frozen=True, slots=True)
class Placement:
    story_id: int
    new: bool
    score: float  # the article's average similarity to the story it joined (0 for a new story)
    merged: tuple[int, ...] = ()  # stories folded into this one, now empty


class StoryIndex(Protocol):
    """What clustering needs from storage: vocabulary counts and term ids, the term index of story
    centroids, and writes of centroids, merges and related stories. Terms are known by ids the store hands
    out (`count_terms`); a vector is a pair of arrays (`Vector`)."""

    def count_terms(self, terms: Sequence[str]) -> tuple[int, Ids, NDArray[np.int64]]:
        """Count one more article holding each of `terms` (distinct): (articles counted, each term's id,
        each term's document frequency with this article counted)."""

    def term_texts(self, ids: Ids) -> list[str]:
        """The text of each term id (to break ties between equal weights alphabetically)."""

    def story_scores(
        self, ids: Ids, weights: NDArray[np.float64], since: datetime | None, floor: float = 0.0
    ) -> dict[int, float]:
        """For each story listed under any of the terms `ids` (a story is listed under the terms it was
        saved with, `save_centroid`), among those last seen at or after `since` or never dated (all stories
        when `since` is None): the dot product of the query (`ids`, `weights`) with the story's centroid
        over those terms, for the stories where it reaches `floor`."""

    def story_info(self, story_ids: Sequence[int]) -> dict[int, StoryInfo]:
        """The size and dates of each story."""

    def story_centroids(self, story_ids: Sequence[int]) -> dict[int, Vector]:
        """Each story's centroid."""

    def save_centroid(
        self,
        story_id: int | None,
        centroid: Vector,
        listed: Ids,
        first_seen: datetime | None,
        last_seen: datetime | None,
    ) -> int:
        """Create a story (`story_id` None) or replace its centroid and dates, listing it in the term index
        under the terms `listed` (its centroid's strongest, `lookup_terms`). The story's id."""

    def merge_stories(self, keep: int, gone: int) -> None:
        """Move every article of `gone` into `keep`; `gone` stays as an empty story pointing at `keep`."""

    def save_related(self, story_id: int, related: Sequence[tuple[int, float]]) -> None:
        """Replace the nearest other stories (id, similarity) of a story."""


_NO_IDS: Ids = np.empty(0, np.int64)
EMPTY: Vector = (_NO_IDS, np.empty(0, np.float64))


def vector(terms: Terms, index: StoryIndex, params: Params) -> Vector:
    """The article's unit TF-IDF vector; counts the article in the vocabulary."""
    names = list(terms)
    total, ids, freqs = index.count_terms(names)
    if not names:
        return EMPTY
    counts, kinds = zip(*terms.values(), strict=True)
    common = params.common_share * total if total >= params.common_after else math.inf
    out_ids, out_w, order, start, end, pos, raw = kernel.article(
        ids,
        np.array(counts, np.float64),
        np.frombuffer("".join(kinds).encode(), np.uint8),
        _kind_weights(params.weights),
        freqs,
        math.log(total + 1),
        common,
        params.article_terms,
    )
    if end <= params.article_terms:
        return out_ids, out_w
    chosen = _by_text(
        order, start, end, params.article_terms, lambda at: [names[p] for p in pos[at].tolist()]
    )
    out: Vector = kernel.pick(ids[pos], raw, chosen, 0.0)
    return out


_KIND_WEIGHTS: dict[Weights, NDArray[np.float64]] = {}


def _kind_weights(weights: Weights) -> NDArray[np.float64]:
    """Each kind's weight by the code of its letter (kinds are one ASCII letter each)."""
    table = _KIND_WEIGHTS.get(weights)
    if table is None:
        table = np.ones(256, np.float64)
        for kind in (WORD, NAME, NUMBER, PHRASE):
            table[ord(kind)] = weights.of(kind)
        _KIND_WEIGHTS[weights] = table
    return table


def _by_text(order: Ids, start: int, end: int, keep: int, texts: Callable[[Ids], Sequence[str]]) -> Ids:
    """The positions of the `keep` heaviest weights given `kernel.top`'s answer, the tie at the cut broken
    by the terms' text (`texts` gives the terms at some positions): the first alphabetically stay."""
    if end <= keep:
        found: Ids = order[:keep]
        return found
    tied = order[start:end]
    names = texts(tied)
    by_text = sorted(range(len(tied)), key=names.__getitem__)[: keep - start]
    return np.concatenate((order[:start], tied[by_text]))


def _top(weights: NDArray[np.float64], keep: int, texts: Callable[[Ids], Sequence[str]]) -> Ids:
    """The positions of the `keep` heaviest `weights` (ties: the first terms alphabetically, `texts` giving
    the terms at some positions)."""
    order, start, end = kernel.top(weights, keep)
    return _by_text(order, start, end, keep, texts)


def _strongest(vec: Vector, keep: int, index: StoryIndex) -> Vector:
    """The `keep` heaviest terms of `vec` (ties: the first terms alphabetically)."""
    ids, weights = vec
    if len(ids) <= keep:
        return vec
    out_ids, out_w, order, start, end = kernel.strongest(ids, weights, keep)
    if end <= keep:
        return out_ids, out_w
    out: Vector = kernel.pick(
        ids, weights, _by_text(order, start, end, keep, lambda at: index.term_texts(ids[at])), 1.0
    )
    return out


def lookup_terms(centroid: Vector, index: StoryIndex) -> Ids:
    """The terms a story is listed under in the term index: its centroid's `models.STORY_LOOKUP_TERMS`
    strongest (ties: the first alphabetically), as `models.story_lookup_terms` picks them by text."""
    ids, weights = centroid
    if len(ids) <= STORY_LOOKUP_TERMS:
        return ids
    found: Ids = ids[_top(weights, STORY_LOOKUP_TERMS, lambda at: index.term_texts(ids[at]))]
    return found


def _save(
    index: StoryIndex,
    story_id: int | None,
    centroid: Vector,
    first_seen: datetime | None,
    last_seen: datetime | None,
) -> int:
    return index.save_centroid(story_id, centroid, lookup_terms(centroid, index), first_seen, last_seen)


def place(terms: Terms, published_at: datetime | None, index: StoryIndex, params: Params) -> Placement:
    """Put an article (its terms and publication time) into its story, creating or merging stories. The
    caller then records the article as the story's (the story's size counts it from then on)."""
    vec = vector(terms, index, params)
    since = published_at - timedelta(days=params.window_days) if published_at else None
    ranked, infos, centroids, exact = _nearest(vec, since, published_at, index, params)
    if ranked and ranked[0][1] >= params.join:
        story_id, score = ranked[0]
        info = infos[story_id]
        centroid = _mean(centroids[story_id], info.size, vec, 1, params.centroid_terms, index)
        info = StoryInfo(
            info.size + 1, _earlier(info.first_seen, published_at), _later(info.last_seen, published_at)
        )
        _save(index, story_id, centroid, info.first_seen, info.last_seen)
        # The story's centroid can only come to reach another story through this article: a story the
        # article itself is not that close to stays out of reach (the two were apart before). So the
        # neighbourhood is searched again only when the new centroid reaches one of the stories the article
        # is close to (the centroids are at hand), or when the story has doubled in size since it last was,
        # from SEARCH_FROM articles on (which keeps its related stories fresh, and reaches the sizes a
        # fragment's absorption asks for when `outgrown` is a power of two, as shipped).
        bridging = False
        for other, near in exact.items():
            if other == story_id or other not in infos:
                continue
            floor = params.merge
            if params.absorb > 0 and _absorbs(info.size, infos[other].size, params):
                floor = min(floor, params.absorb)
            if near >= floor and cosine(centroid, centroids[other]) >= floor:
                bridging = True
                break
        doubled = (info.size & (info.size - 1)) == 0
        if bridging or (doubled and info.size >= SEARCH_FROM):
            survivor, merged = _merge_around(story_id, centroid, info, index, params)
            return Placement(survivor, new=False, score=score, merged=merged)
        if doubled:  # a small story: its related stories re-scored among the article's candidates
            others = {s: found for s, found in infos.items() if s != story_id}
            rescored = {s: cosine(centroid, centroids[s]) for s in others}
            index.save_related(story_id, _ranked(rescored, info.last_seen, others, params)[: params.related])
        return Placement(story_id, new=False, score=score)
    story_id = _save(index, None, _strongest(vec, params.centroid_terms, index), published_at, published_at)
    index.save_related(story_id, ranked[: params.related])
    return Placement(story_id, new=True, score=0.0)


def _merge_around(
    story_id: int, centroid: Vector, info: StoryInfo, index: StoryIndex, params: Params
) -> tuple[int, tuple[int, ...]]:
    """Merge into `story_id` the stories its centroid now reaches, and save its related stories. Returns
    the surviving story and the stories merged away."""
    merged: list[int] = []
    for round_ in range(params.max_merges + 1):
        since = info.last_seen - timedelta(days=params.window_days) if info.last_seen else None
        # Both centroids are means of unit vectors: their dot product is the stories' average similarity.
        ranked, infos, centroids, _ = _nearest(
            centroid, since, info.last_seen, index, params, exclude=story_id
        )
        other = _merge_target(info.size, ranked, infos, params)
        if round_ == params.max_merges or other is None:
            index.save_related(story_id, ranked[: params.related])
            break
        found = infos[other]
        keep, gone = (
            (story_id, other) if (info.size, -story_id) >= (found.size, -other) else (other, story_id)
        )
        centroid = _mean(centroid, info.size, centroids[other], found.size, params.centroid_terms, index)
        info = StoryInfo(
            info.size + found.size,
            _earlier(info.first_seen, found.first_seen),
            _later(info.last_seen, found.last_seen),
        )
        index.merge_stories(keep, gone)
        _save(index, keep, centroid, info.first_seen, info.last_seen)
        merged.append(gone)
        story_id = keep
    return story_id, tuple(merged)


def _absorbs(size: int, other: int, params: Params) -> bool:
    """Whether stories of these sizes are a fragment and one that has outgrown it (either way round)."""
    small, large = min(size, other), max(size, other)
    return small <= params.fragment and large >= params.outgrown * small


def _merge_target(
    size: int,
    ranked: list[tuple[int, float]],
    infos: Mapping[int, StoryInfo],
    params: Params,
) -> int | None:
    """The story that a story of `size` articles, with neighbours `ranked`, merges with: the nearest if
    they reach `merge`; else one they reach `absorb` with, where one of the two is a fragment and the other
    at least `outgrown` times its size (a fragment looks at its nearest larger story only, a larger story
    at the nearest fragments around it)."""
    if not ranked:
        return None
    other, score = ranked[0]
    if score >= params.merge:
        return other
    if params.absorb <= 0:
        return None
    if size <= params.fragment:  # this story a fragment: its nearest larger story
        for other, score in ranked:
            if infos[other].size > size:
                return other if score >= params.absorb and _absorbs(size, infos[other].size, params) else None
        return None
    for other, score in ranked:  # fragments around this story
        if score < params.absorb:
            return None
        if infos[other].size < size and _absorbs(size, infos[other].size, params):
            return other
    return None


def _nearest(
    vec: Vector,
    since: datetime | None,
    when: datetime | None,
    index: StoryIndex,
    params: Params,
    exclude: int | None = None,
) -> tuple[list[tuple[int, float]], dict[int, StoryInfo], dict[int, Vector], dict[int, float]]:
    """The stories nearest `vec` (an article or a centroid), best first, with their details, centroids
    and similarities before fading.
    Candidates are found through `vec`'s strongest terms (the rest weigh little, and are the common terms,
    whose lists in the index are the longest); the best of them are then scored on all their terms."""
    # A story the strongest terms barely reach will not reach the floor on all terms.
    query_ids, query_weights = _strongest(vec, params.query_terms, index)
    partial = index.story_scores(query_ids, query_weights, since, params.related_min / 2)
    if exclude is not None:
        partial.pop(exclude, None)
    best = sorted(partial, key=lambda s: (-partial[s], s))[: params.candidates]
    centroids = index.story_centroids(best)
    exact = {s: cosine(vec, c) for s, c in centroids.items()}
    infos = index.story_info([s for s in best if exact.get(s, 0.0) >= params.related_min])
    return _ranked(exact, when, infos, params), infos, centroids, exact


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    return min(a, b) if a is not None and b is not None else a or b


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max(a, b) if a is not None and b is not None else a or b


def _ranked(
    scores: Mapping[int, float], when: datetime | None, infos: Mapping[int, StoryInfo], params: Params
) -> list[tuple[int, float]]:
    """The stories of `infos` scoring at least `params.related_min` once faded by how long each has been
    quiet at `when`, best first (ties: the older story)."""
    out = []
    for story_id, info in infos.items():
        score = scores[story_id] * decay(when, info.last_seen, params.window_days)
        if score >= params.related_min:
            out.append((story_id, score))
    out.sort(key=lambda kv: (-kv[1], kv[0]))
    return out


GRACE_DAYS = 2.0


def decay(when: datetime | None, last_seen: datetime | None, window_days: int) -> float:
    """How much of a story's pull is left at `when`, given when it was last seen: a story fades as it goes
    quiet (nothing lost for two days, half a third of the window later) and closes with the window. Only
    quiet time counts, not how far an article lies before a story's end, and either side undated leaves
    the similarity whole: undated articles are judged by their text alone."""
    if when is None or last_seen is None:
        return 1.0
    quiet = (when - last_seen).total_seconds() / 86400
    if quiet <= GRACE_DAYS:
        return 1.0
    return 1.0 / (1.0 + (quiet - GRACE_DAYS) / max(window_days / 3, 1.0))


def _mean(a: Vector, a_size: int, b: Vector, b_size: int, keep: int, index: StoryIndex) -> Vector:
    """The size-weighted mean of two centroids (an article is a centroid of size 1), cut to `keep` terms
    (ties: the first alphabetically)."""
    out_ids, out_w, order, start, end, ids, summed = kernel.mean(a[0], a[1], a_size, b[0], b[1], b_size, keep)
    if end <= keep:
        return out_ids, out_w
    chosen = _by_text(order, start, end, keep, lambda at: index.term_texts(ids[at]))
    out: Vector = kernel.pick(ids, summed, chosen, float(a_size + b_size or 1))
    return out


def cosine(a: Vector, b: Vector) -> float:
    """The dot product of two sparse vectors (their cosine when both are unit vectors)."""
    return float(kernel.cosine(a[0], a[1], b[0], b[1]))


def warm() -> None:
    """Compile (or load from the disk cache) clustering's loops: `make install` runs it once."""
    kernel.warm()


__all__ = [
    "NAME",
    "NUMBER",
    "PHRASE",
    "WORD",
    "Params",
    "Placement",
    "StoryIndex",
    "StoryInfo",
    "Vector",
    "Weights",
    "article_terms",
    "cosine",
    "decay",
    "lookup_terms",
    "place",
    "text_terms",
    "vector",
    "warm",
]
