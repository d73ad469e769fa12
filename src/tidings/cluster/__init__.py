"""The cluster stage: each new article joins the story it fits, or starts one (online, single pass).

Features are sparse term weights (headline words count double, capitalised names as entities count
more); similarity is cosine against a story's centroid, among the recent stories that share terms with
the article, found through the store's term index (`StoryIndex`) rather than a scan.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from tidings.models import CanonicalArticle, StoryFeatures

CENTROID_TERMS = 40
MAX_CANDIDATES = 30
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_STOP = frozenset(
    [
        "a",
        "about",
        "after",
        "again",
        "against",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "said",
        "same",
        "say",
        "says",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yet",
        "new",
        "one",
        "two",
        "three",
        "last",
        "first",
        "year",
        "years",
        "week",
        "month",
        "day",
        "time",
        "told",
        "according",
        "mr",
        "mrs",
        "ms",
    ]
)


class StoryIndex(Protocol):
    def story_candidates(
        self, terms: Sequence[str], since: datetime | None, limit: int
    ) -> list[tuple[int, dict[str, float]]]:
        """(story id, centroid) for recent stories sharing any of `terms`, most shared first."""


def features(article: CanonicalArticle) -> StoryFeatures:
    counts: dict[str, float] = {}
    for weight, text in ((2.0, article.title or ""), (1.0, article.dek or ""), (1.0, " ".join(article.body))):
        for match in _WORD.finditer(text):
            word = match.group()
            key = word.casefold().strip("'’-")
            if len(key) < 3 or key in _STOP:
                continue
            named = word[:1].isupper() and match.start() > 0  # a capital inside a text: a name
            counts[key] = counts.get(key, 0.0) + weight * (1.5 if named else 1.0)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:CENTROID_TERMS]
    vector = {term: 1.0 + math.log(n) for term, n in top}
    return StoryFeatures(_unit(vector), article.published_at)


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {k: v / norm for k, v in vector.items()}


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def assign(
    feats: StoryFeatures, index: StoryIndex, window_days: int, min_similarity: float
) -> tuple[int, dict[str, float]] | None:
    """(story id, its centroid) the article joins, or None to start a story."""
    since = feats.published_at - timedelta(days=window_days) if feats.published_at else None
    best: tuple[float, int, dict[str, float]] | None = None
    for story_id, centroid in index.story_candidates(list(feats.terms), since, MAX_CANDIDATES):
        score = cosine(feats.terms, centroid)
        if score >= min_similarity and (best is None or score > best[0]):
            best = (score, story_id, centroid)
    return (best[1], best[2]) if best else None


def merge_centroid(centroid: dict[str, float], feats: StoryFeatures, size: int) -> dict[str, float]:
    """The running mean of a story's article vectors, kept to its strongest terms."""
    merged = {k: v * size for k, v in centroid.items()}
    for term, weight in feats.terms.items():
        merged[term] = merged.get(term, 0.0) + weight
    top = dict(sorted(merged.items(), key=lambda kv: -kv[1])[:CENTROID_TERMS])
    return _unit(top)


__all__ = ["StoryIndex", "assign", "cosine", "features", "merge_centroid"]
