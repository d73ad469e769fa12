"""The fold stage: find the article a new copy belongs to, and rebuild that article from all its copies.

The signature index lives in the store; fold reaches it only through the `FoldIndex` interface, so the
same code runs in one process over SQLite or in many workers over PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tidings.fold.canonical import build, copy_changes
from tidings.fold.fingerprint import containment, fingerprint, pack, unpack
from tidings.models import Fingerprint

MAX_CANDIDATES = 20


class FoldIndex(Protocol):
    def candidates(self, anchors: Sequence[int], limit: int) -> list[tuple[int, int]]:
        """(article id, anchors shared) for the articles sharing most anchors, best first."""

    def copy_shingles(self, article_id: int) -> list[bytes]:
        """The packed shingle set (`pack`) of each copy of an article."""


def find_article(fp: Fingerprint, index: FoldIndex, min_containment: float = 0.5) -> int | None:
    """The existing article this fingerprint is a copy of, or None for a new article."""
    if not fp.anchors:
        return None
    needed = 1 if len(fp.anchors) <= 2 else 2
    best: tuple[float, int] | None = None
    for article_id, shared in index.candidates(fp.anchors, MAX_CANDIDATES):
        if shared < needed:
            continue
        score = max(
            (containment(fp.shingles, unpack(blob)) for blob in index.copy_shingles(article_id)), default=0.0
        )
        if score >= min_containment and (best is None or (score, -article_id) > (best[0], -best[1])):
            best = (score, article_id)
    return best[1] if best else None


__all__ = [
    "FoldIndex",
    "build",
    "containment",
    "copy_changes",
    "find_article",
    "fingerprint",
    "pack",
    "unpack",
]
