"""The sections a reader browses by: the sources Tidings reads most, kept for a minute.

Counting documents per site scans the documents table, so the list is cached rather than counted on
every front-page view; a new site shows up within a minute.
"""

from __future__ import annotations

import time

from tidings.store import pages
from tidings.web.context import WebContext

SECTION_COUNT = 12
TTL_SECONDS = 60.0


def sections(web: WebContext) -> list[tuple[str, int]]:
    with web.lock:
        stamp, value = web.cache.get("sections", (-TTL_SECONDS, []))
    if time.monotonic() - stamp < TTL_SECONDS:
        return list(value)
    fresh = pages.site_names(web.store, SECTION_COUNT)
    with web.lock:
        web.cache["sections"] = (time.monotonic(), fresh)
    return fresh
