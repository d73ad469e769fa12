"""Related stories for the article page: the stories the stories area (issue 6) found nearest this one."""

from __future__ import annotations

from typing import Any

from tidings.store import Store, pages


def related_stories(store: Store, story_id: int | None) -> list[dict[str, Any]]:
    return pages.related_stories(store, story_id) if story_id is not None else []
