"""Related stories for the article page.

GAP (issue 7 waits on issue 6): the store has no related-stories table yet (see `store/schema.py`). When
the stories area adds one, query it here; the article page already shows whatever this returns (a list of
{"id", "title", "article_id"} dicts) under "Related stories", and shows nothing while it is empty.
"""

from __future__ import annotations

from typing import Any

from tidings.store import Store


def related_stories(store: Store, story_id: int | None) -> list[dict[str, Any]]:
    del store, story_id  # nothing to read yet: see the module docstring
    return []
