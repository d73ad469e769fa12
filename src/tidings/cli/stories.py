"""`tidings stories`: the stories, newest first, each with its articles."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from tidings import settings
from tidings.cli.common import db_option, open_store
from tidings.store import stories as story_queries


@click.command()
@click.option(
    "--limit", type=click.IntRange(1, 10_000), default=20, show_default=True, help="Stories to show."
)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True, help="Stories to skip.")
@click.option("--id", "story_id", type=click.IntRange(1), default=None, help="Show this one story.")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@db_option
def stories(limit: int, offset: int, story_id: int | None, fmt: str, conf: settings.Settings) -> None:
    """List stories (newest first) with their articles, publishers, key terms and related stories."""
    store = open_store(conf)
    if story_id is not None:
        found = story_queries.story(store, story_id)
        store.close()
        if found is None:
            raise click.ClickException(f"no story {story_id}")
        items = [found]
    else:
        items = story_queries.list_stories(store, limit=limit, offset=offset)
        store.close()
    out = sys.stdout
    for item in items:
        out.write(json.dumps(item, ensure_ascii=False) + "\n" if fmt == "jsonl" else _text(item))


def _text(item: dict[str, Any]) -> str:
    seen = " – ".join(sorted({d[:10] for d in (item["first_seen"], item["last_seen"]) if d}))
    head = (
        f"story {item['id']}: {item['title'] or '(untitled)'}\n"
        f"  {item['article_count']} articles, {item['publisher_count']} publishers"
        + (f", lead {item['lead_publisher']}" if item["lead_publisher"] else "")
        + (f", {seen}" if seen else "")
        + "\n"
    )
    lines = [head]
    if item["key_terms"]:
        lines.append(f"  terms: {', '.join(item['key_terms'])}\n")
    for article in item["articles"]:
        when = (article["published_at"] or "")[:10] or "undated"
        lines.append(f"  - {when}  {article['publisher'] or '?'}: {article['title'] or '(untitled)'}\n")
    if item["related"]:
        lines.append("  related: " + "; ".join(f"{r['id']} {r['title']}" for r in item["related"]) + "\n")
    lines.append("\n")
    return "".join(lines)


COMMANDS = [stories]
