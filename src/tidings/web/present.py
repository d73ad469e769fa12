"""How stored values are shown to readers: times, publishers, sites, changes and outgoing links.

The store gives ISO-8601 strings; these turn them into "1 Jul 2025, 21:00 UTC" and "15 hours ago".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

# Month names spelled out here rather than with %b, which follows the server's locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400), ("hour", 3600), ("minute", 60))


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    # The store keeps UTC; a value without an offset is UTC too.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def absolute_time(value: str | None) -> str:
    moment = parse_time(value)
    if moment is None:
        return "time unknown"
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M} UTC"


def relative_time(value: str | None, now: datetime) -> str:
    moment = parse_time(value)
    if moment is None:
        return ""
    seconds = int((now - moment).total_seconds())
    span = abs(seconds)
    for unit, size in _UNITS:
        if span >= size:
            count = span // size
            phrase = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"{phrase} ago" if seconds > 0 else f"in {phrase}"
    return "just now"


def iso_time(value: str | None) -> str:
    """The value for a <time datetime="..."> attribute, always in UTC."""
    moment = parse_time(value)
    return moment.isoformat() if moment else ""


def sites(article: Mapping[str, Any]) -> list[str]:
    """The distinct sites that carried the article, in the order they were first fetched."""
    if "sites" in article:
        return list(article["sites"])
    return list(dict.fromkeys(c["site"] for c in article.get("copies", []) if c.get("site")))


def publisher_label(article: Mapping[str, Any]) -> str:
    if article.get("publisher"):
        return str(article["publisher"])
    carried = sites(article)
    return f"via {carried[0]}" if carried else "Unknown publisher"


def external_url(url: str | None) -> str | None:
    """A copy's URL when it is safe to link to: http(s) with a host, never javascript: or data:."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def source_path(name: str) -> str:
    """The page of a source (site); any name, slashes and all, as one escaped path segment."""
    return "/sources/" + quote(name, safe="")


def publisher_path(name: str) -> str:
    return "/publishers/" + quote(name, safe="")
