"""Small pieces of HTML every list repeats (a time shown both ways, a headline link, a publisher), built in
Python: as Jinja macros they cost more than the rest of a 30-story front page together. Every value goes
through escape() here; only the markup written here is raw. `macros.html` keeps macro twins of them for
templates that import those."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

from tidings.web import present


def when(value: str | None, now: datetime) -> Markup:
    if not value:
        return Markup('<span class="ago">time unknown</span>')
    iso, shown, ago = present.iso_time(value), present.absolute_time(value), present.relative_time(value, now)
    return Markup(
        f'<time datetime="{escape(iso)}">{escape(shown)}</time> <span class="ago">({escape(ago)})</span>'
    )


def article_link(item: Mapping[str, Any]) -> Markup:
    return Markup(
        f'<a href="/articles/{int(item["id"])}">{escape(item.get("title") or "Untitled article")}</a>'
    )


def publisher_of(item: Mapping[str, Any]) -> Markup:
    name = item.get("publisher")
    if name:
        return Markup(
            f'<a class="publisher" href="{escape(present.publisher_path(name))}">{escape(name)}</a>'
        )
    return Markup(f'<span class="publisher">{escape(present.publisher_label(item))}</span>')


__all__ = ["article_link", "publisher_of", "when"]
