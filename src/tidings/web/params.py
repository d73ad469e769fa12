"""Numbers that arrive in URLs: anything but a plain, canonical, in-range number is a 404, never a 422."""

from __future__ import annotations

import re

from starlette.exceptions import HTTPException

# At most 18 digits: always below SQLite's and PostgreSQL's 64-bit integer limit.
_ID = re.compile(r"[1-9][0-9]{0,17}")
_PAGE = re.compile(r"[1-9][0-9]{0,5}")


def positive_id(raw: str) -> int:
    if not _ID.fullmatch(raw):
        raise HTTPException(status_code=404)
    return int(raw)


def page_number(raw: str) -> int:
    if not _PAGE.fullmatch(raw):
        raise HTTPException(status_code=404)
    return int(raw)
