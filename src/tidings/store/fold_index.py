"""The fold signature index in SQL (cluster's counterpart is `story_index`): what `fold.FoldIndex` asks."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, insert, select

from tidings.store import schema as t


class FoldTables:
    c: Connection

    def candidates(self, anchors: Sequence[int], limit: int) -> list[tuple[int, int]]:
        shared = func.count().label("shared")
        rows = self.c.execute(
            select(t.fold_anchors.c.article_id, shared)
            .where(t.fold_anchors.c.anchor.in_(list(anchors)))
            .group_by(t.fold_anchors.c.article_id)
            .order_by(shared.desc(), t.fold_anchors.c.article_id)
            .limit(limit)
        )
        return [(int(a), int(n)) for a, n in rows]

    def copy_shingles(self, article_id: int) -> list[bytes]:
        rows = self.c.execute(
            select(t.copies.c.shingles).where(t.copies.c.article_id == article_id)
        ).scalars()
        return [bytes(blob) for blob in rows]

    def add_anchors(self, article_id: int, anchors: Sequence[int]) -> None:
        existing = set(
            self.c.execute(
                select(t.fold_anchors.c.anchor).where(
                    t.fold_anchors.c.article_id == article_id, t.fold_anchors.c.anchor.in_(list(anchors))
                )
            ).scalars()
        )
        fresh = [{"anchor": a, "article_id": article_id} for a in set(anchors) - existing]
        if fresh:
            self.c.execute(insert(t.fold_anchors), fresh)
