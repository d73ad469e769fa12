"""Numbers that arrive in URLs: anything but a plain, canonical, in-range number is a 404, never a 422."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.exceptions import HTTPException

# At most 18 digits: always below SQLite's and PostgreSQL's 64-bit integer limit.
_ID = re.compile(r"[1-9][0-9]{0,17}")
_PAGE = re.compile(r"[1-9][0-9]{0,5}")

T = TypeVar("T")


def positive_id(raw: str) -> int:
    if not _ID.fullmatch(raw):
        raise HTTPException(status_code=404)
    return int(raw)


def page_number(raw: str) -> int:
    if not _PAGE.fullmatch(raw):
        raise HTTPException(status_code=404)
    return int(raw)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing."""

    items: list[T]
    number: int
    has_next: bool


def paged(raw: str, size: int, fetch: Callable[[int, int], list[T]]) -> Page[T]:
    """Page `raw` (from the URL) of a listing `size` items long. `fetch(limit, offset)` is asked for one item
    more than a page holds, which tells whether there is a next page; a page past the end is a 404 (the
    first page may be empty)."""
    number = page_number(raw)
    found = fetch(size + 1, (number - 1) * size)
    if not found and number > 1:
        raise HTTPException(status_code=404)
    return Page(found[:size], number, len(found) > size)
