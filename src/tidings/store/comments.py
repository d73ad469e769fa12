"""Readers' comments on articles: written by signed-in users, edited and deleted by their authors,
hidden by admins. The text is kept as written; rendering and sanitising happen in the web layer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, insert, select, update

from tidings.store import schema as t
from tidings.store.db import Store
from tidings.store.util import key


def add_comment(store: Store, article_id: int, user_id: int, body: str, now: datetime) -> int | None:
    """The new comment's id, or None when the article does not exist."""
    a = t.articles
    with store.engine.begin() as c:
        if not c.execute(select(exists(select(a.c.id).where(a.c.id == article_id)))).scalar_one():
            return None
        result = c.execute(
            insert(t.comments).values(
                article_id=article_id, user_id=user_id, body=body, created_at=now, hidden=False
            )
        )
        return key(result)


def comment(store: Store, comment_id: int) -> dict[str, Any] | None:
    m, u = t.comments, t.users
    with store.engine.connect() as c:
        row = (
            c.execute(select(m, u.c.username).join(u, u.c.id == m.c.user_id).where(m.c.id == comment_id))
            .mappings()
            .first()
        )
    return None if row is None else _comment(row)


def edit_comment(store: Store, comment_id: int, user_id: int, body: str, now: datetime) -> bool:
    """Change the text of the user's own comment; False if it is not theirs (or does not exist)."""
    m = t.comments
    with store.engine.begin() as c:
        result = c.execute(
            update(m).where(m.c.id == comment_id, m.c.user_id == user_id).values(body=body, edited_at=now)
        )
    return bool(result.rowcount)


def delete_comment(store: Store, comment_id: int, user_id: int) -> bool:
    m = t.comments
    with store.engine.begin() as c:
        result = c.execute(delete(m).where(m.c.id == comment_id, m.c.user_id == user_id))
    return bool(result.rowcount)


def set_hidden(store: Store, comment_id: int, hidden: bool) -> bool:
    m = t.comments
    with store.engine.begin() as c:
        result = c.execute(update(m).where(m.c.id == comment_id).values(hidden=hidden))
    return bool(result.rowcount)


def article_comments(
    store: Store, article_id: int, *, newest_first: bool, with_hidden: bool
) -> list[dict[str, Any]]:
    """An article's comments in time order; hidden ones only `with_hidden` (for admins)."""
    m, u = t.comments, t.users
    query = select(m, u.c.username).join(u, u.c.id == m.c.user_id).where(m.c.article_id == article_id)
    if not with_hidden:
        query = query.where(m.c.hidden.is_(False))
    order = (m.c.created_at.desc(), m.c.id.desc()) if newest_first else (m.c.created_at, m.c.id)
    with store.engine.connect() as c:
        return [_comment(row) for row in c.execute(query.order_by(*order)).mappings()]


def comment_counts(store: Store, article_ids: Sequence[int]) -> dict[int, int]:
    """Visible comments per article, for the articles that have any."""
    if not article_ids:
        return {}
    m = t.comments
    with store.engine.connect() as c:
        rows = c.execute(
            select(m.c.article_id, func.count())
            .where(m.c.article_id.in_(list(article_ids)), m.c.hidden.is_(False))
            .group_by(m.c.article_id)
        )
        return {int(article_id): int(n) for article_id, n in rows}


def _comment(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "article_id": row["article_id"],
        "user_id": row["user_id"],
        "username": row["username"],
        "body": row["body"],
        "created_at": row["created_at"].isoformat(),
        "edited_at": row["edited_at"].isoformat() if row["edited_at"] else None,
        "hidden": bool(row["hidden"]),
    }
