"""Key points: the sentences that carry an article (or a story), chosen by centrality, without repeats.

LexRank (Erkan and Radev, 2004): sentences are TF-IDF vectors; a sentence is central when it is like many
other central sentences (PageRank over the cosine-similarity graph). A mild lead prior follows how news is
written (the first paragraphs say what happened). Points are then picked by Maximal Marginal Relevance
(Carbonell and Goldstein, 1998): each next point is the most central sentence that is least like the
points already chosen, and a sentence too like one already chosen is the same fact and never picked.
A story's points come from its articles' best sentences by the same method over their union, so a fact
that several publishers report is central and said once.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from tidings.enrich.lexicon import STOPWORDS
from tidings.models import KeyPoint, TextSpan

DAMPING = 0.85
LEAD_WEIGHT = 0.3  # a first sentence's centrality counts up to 30% more than a last one's
MMR_LAMBDA = 0.7
SAME_FACT = 0.5  # cosine similarity above which two sentences say the same thing
MIN_WORDS, MAX_WORDS = 6, 80
CANDIDATES = 8
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    span: TextSpan


def count(n_sentences: int) -> int:
    """How many points: three, four past a dozen sentences, five past two dozen."""
    return 3 + (n_sentences > 12) + (n_sentences > 24)


def terms(text: str) -> list[str]:
    return [w for w in (m.group().lower() for m in _WORD.finditer(text)) if w not in STOPWORDS and len(w) > 1]


def _vectors(texts: Sequence[str]) -> np.ndarray:
    rows: list[int] = []
    columns: list[int] = []
    counts: list[int] = []
    vocabulary: dict[str, int] = {}
    for row, text in enumerate(texts):
        for term, tf in Counter(terms(text)).items():
            rows.append(row)
            columns.append(vocabulary.setdefault(term, len(vocabulary)))
            counts.append(tf)
    n = len(texts)
    if not vocabulary:
        return np.zeros((n, 1))
    column = np.array(columns)
    frequency = np.bincount(column, minlength=len(vocabulary))  # sentences holding each term
    matrix = np.zeros((n, len(vocabulary)))
    matrix[rows, column] = np.array(counts) * (np.log((1 + n) / (1 + frequency[column])) + 1)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    normalised: np.ndarray = matrix / np.where(norms == 0, 1, norms)
    return normalised


@functools.lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def _one_thread() -> Any:
    """BLAS on one thread for one article's matrices: OpenBLAS's threads cost more to wake than they save
    on matrices this small, thirty times more on a busy two-core machine (a 150 by 600 product: 16 ms of
    CPU on two threads, 0.5 ms on one)."""
    return _blas().limit(limits=1, user_api="blas")


def _similarity(vectors: np.ndarray) -> np.ndarray:
    """Cosine similarity of every two sentences (the diagonal, a sentence with itself, is not read).
    Only words that two sentences share count, so the words of one sentence alone are left out of the
    product: a long article's matrix shrinks several times over."""
    shared = np.count_nonzero(vectors, axis=0) > 1
    kept = vectors[:, shared]
    product: np.ndarray = kept @ kept.T
    return product


def _centrality(similarity: np.ndarray) -> np.ndarray:
    n = similarity.shape[0]
    graph = similarity.copy()
    np.fill_diagonal(graph, 0)
    sums = graph.sum(axis=1, keepdims=True)
    transition = np.where(sums > 0, graph / np.where(sums == 0, 1, sums), 1.0 / n)
    scores: np.ndarray = np.full(n, 1.0 / n)
    for _ in range(100):
        updated: np.ndarray = (1 - DAMPING) / n + DAMPING * transition.T @ scores
        if np.abs(updated - scores).sum() < 1e-9:
            return updated
        scores = updated
    return scores


def _mmr(scores: np.ndarray, similarity: np.ndarray, k: int) -> list[int]:
    chosen: list[int] = []
    top = scores.max() if len(scores) else 1.0
    relevance = scores / (top or 1.0)
    overlap = np.zeros(len(scores))  # each sentence's greatest similarity to a chosen one
    open_ = np.ones(len(scores), dtype=bool)
    while len(chosen) < k:
        value = np.where(
            open_ & (overlap <= SAME_FACT), MMR_LAMBDA * relevance - (1 - MMR_LAMBDA) * overlap, -np.inf
        )
        if not len(value) or value.max() == -np.inf:
            break
        best = int(np.argmax(value))
        chosen.append(best)
        open_[best] = False
        overlap = np.maximum(overlap, similarity[:, best])
    return chosen


def rank(sentences: Sequence[Sentence]) -> tuple[list[KeyPoint], list[KeyPoint]]:
    """(key points in reading order, the best sentences by centrality for a story's points)."""
    usable = [s for s in sentences if MIN_WORDS <= len(s.text.split()) <= MAX_WORDS]
    if not usable:
        return [], []
    n = len(usable)
    lead = np.array([1 + LEAD_WEIGHT * (1 - i / n) for i in range(n)])
    with _one_thread():
        similarity = _similarity(_vectors([s.text for s in usable]))
        scores = _centrality(similarity) * lead
    scores = scores / scores.max()
    chosen = _mmr(scores, similarity, count(len(sentences)))
    points = [KeyPoint(usable[i].text, usable[i].span, round(float(scores[i]), 4)) for i in sorted(chosen)]
    best = np.argsort(-scores)[:CANDIDATES]
    candidates = [KeyPoint(usable[i].text, usable[i].span, round(float(scores[i]), 4)) for i in best]
    return points, candidates


def across(articles: Sequence[Sequence[KeyPoint]], k: int = 5) -> list[tuple[int, KeyPoint]]:
    """A story's key points from its articles' candidate sentences: (article's position, point)."""
    pool = [(a, point) for a, points in enumerate(articles) for point in points]
    if not pool:
        return []
    prior = np.array([0.5 + p.score for _, p in pool])
    with _one_thread():
        similarity = _similarity(_vectors([p.text for _, p in pool]))
        scores = _centrality(similarity) * prior
    chosen = _mmr(scores / scores.max(), similarity, min(k, len(pool)))
    return [pool[i] for i in chosen]
