"""Per-reader state on articles: what each user has read and what they saved for later (and, when fold
joins articles, how that state and the readers' comments follow the article kept)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, delete, exists, func, insert, select

from tidings.store import schema as t
from tidings.store.util import driver_rows

if TYPE_CHECKING:  # the store's transaction calls `follow_join`: no import of it at run time
    from tidings.store.db import Store


def follow_join(c: Connection, among: str, ids: dict[str, Any]) -> None:
    """What readers did with articles being joined into another stays theirs (`among`: the SQL test of an
    article id against the absorbed ones; `ids`: its parameters, and `into`, the article kept): comments
    move to the article kept, and a save or a read of an absorbed article counts for it. A reader's own
    save or read of the kept article stands; else the earliest of the absorbed ones' is taken."""
    driver_rows(c, f"UPDATE comments SET article_id = :into WHERE article_id {among}", ids)
    for table, moment in (("saved_articles", "saved_at"), ("article_reads", "read_at")):
        driver_rows(
            c,
            f"INSERT INTO {table} (user_id, article_id, {moment}) "
            f"SELECT user_id, :into, min({moment}) FROM {table} WHERE article_id {among} "
            "GROUP BY user_id ON CONFLICT (user_id, article_id) DO NOTHING",
            ids,
        )


def _article_exists(article_id: int) -> Any:
    return exists(select(t.articles.c.id).where(t.articles.c.id == article_id))


def _mark(store: Store, table: Table, column: str, user_id: int, article_id: int, now: datetime) -> bool:
    """Insert (user, article) unless it is there already; False when the article does not exist."""
    with store.engine.begin() as c:
        if not c.execute(select(_article_exists(article_id))).scalar_one():
            return False
        present = c.execute(
            select(table.c.user_id).where(table.c.user_id == user_id, table.c.article_id == article_id)
        ).first()
        if present is None:
            c.execute(insert(table).values(user_id=user_id, article_id=article_id, **{column: now}))
    return True


def _unmark(store: Store, table: Table, user_id: int, article_id: int) -> None:
    with store.engine.begin() as c:
        c.execute(delete(table).where(table.c.user_id == user_id, table.c.article_id == article_id))


def mark_read(store: Store, user_id: int, article_id: int, now: datetime) -> bool:
    return _mark(store, t.article_reads, "read_at", user_id, article_id, now)


def mark_unread(store: Store, user_id: int, article_id: int) -> None:
    _unmark(store, t.article_reads, user_id, article_id)


def save(store: Store, user_id: int, article_id: int, now: datetime) -> bool:
    return _mark(store, t.saved_articles, "saved_at", user_id, article_id, now)


def unsave(store: Store, user_id: int, article_id: int) -> None:
    _unmark(store, t.saved_articles, user_id, article_id)


def states(store: Store, user_id: int, article_ids: Sequence[int]) -> tuple[set[int], set[int]]:
    """(ids among `article_ids` the user has read, ids they have saved)."""
    if not article_ids:
        return set(), set()
    ids = list(article_ids)
    r, s = t.article_reads, t.saved_articles
    with store.engine.connect() as c:
        read = set(
            c.execute(select(r.c.article_id).where(r.c.user_id == user_id, r.c.article_id.in_(ids))).scalars()
        )
        saved = set(
            c.execute(select(s.c.article_id).where(s.c.user_id == user_id, s.c.article_id.in_(ids))).scalars()
        )
    return read, saved


def saved_articles(store: Store, user_id: int, limit: int, offset: int = 0) -> list[dict[str, Any]]:
    """The user's saved articles, most recently saved first (headline, dek, publisher, time, body)."""
    s, a = t.saved_articles, t.articles
    with store.engine.connect() as c:
        rows = c.execute(
            select(a.c.id, a.c.title, a.c.dek, a.c.publisher, a.c.published_at, a.c.body, s.c.saved_at)
            .join(s, s.c.article_id == a.c.id)
            .where(s.c.user_id == user_id)
            .order_by(s.c.saved_at.desc(), a.c.id.desc())
            .limit(limit)
            .offset(offset)
        ).mappings()
        return [
            {
                "id": row["id"],
                "title": row["title"],
                "dek": row["dek"],
                "publisher": row["publisher"],
                "published_at": row["published_at"].isoformat() if row["published_at"] else None,
                "saved_at": row["saved_at"].isoformat(),
                "words": sum(len(p.split()) for p in json.loads(row["body"])),
            }
            for row in rows
        ]


def saved_count(store: Store, user_id: int) -> int:
    s = t.saved_articles
    with store.engine.connect() as c:
        return int(c.execute(select(func.count()).where(s.c.user_id == user_id)).scalar_one())
