"""`tidings fold-report`: the articles several sites carried, which sites, and what each did to it."""

from __future__ import annotations

import json
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from tidings import pipeline, settings
from tidings.cli.common import db_option, open_store, parse_time
from tidings.fetch import iter_files
from tidings.store import Store, queries
from tidings.text import normalise


@click.command("fold-report")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--site", help="Name of the site the files came from (when PATHs are given).")
@click.option(
    "--site-from-folder",
    is_flag=True,
    help="Each file's site is the name of the folder it is in (a corpus with a folder per site).",
)
@click.option("--fetched-at", callback=parse_time, help="Fetch time of the files, ISO-8601 (default: mtime).")
@click.option("--min-copies", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True)
@db_option
def fold_report(
    paths: tuple[Path, ...],
    site: str | None,
    site_from_folder: bool,
    fetched_at: datetime | None,
    min_copies: int,
    fmt: str,
    conf: settings.Settings,
) -> None:
    """Articles carried by several sites: which sites, and what each changed (truncated, teaser inserted,
    retitled, edited).

    With PATHs (files or folders), they are ingested into a temporary database first and the report is
    about them alone; without, it is about the configured database (--db).
    """
    failures = 0
    with tempfile.TemporaryDirectory(prefix="tidings-fold-") as folder:
        if paths:
            conf = conf.replace(db=f"sqlite:///{Path(folder) / 'report.db'}")
        store = open_store(conf)
        try:
            if paths:
                failures = _ingest(store, list(paths), conf, site, site_from_folder, fetched_at)
            shown = _report(store, min_copies, fmt)
        finally:
            store.close()
    if fmt == "text":
        click.echo(f"{shown} articles with {min_copies} or more copies", err=True)
    sys.exit(1 if failures else 0)


def _ingest(
    store: Store,
    paths: list[Path],
    conf: settings.Settings,
    site: str | None,
    site_from_folder: bool,
    fetched_at: datetime | None,
) -> int:
    def report_file(name: str, error: str | None) -> None:
        if error is not None:
            click.echo(f"tidings: {_clean(name)}: {_clean(error)}", err=True)

    if not site_from_folder:
        report = pipeline.ingest_paths(
            store, paths, conf, site=site, fetched_at=fetched_at, on_file=report_file
        )
        return len(report.failures)
    failures = 0
    by_folder: dict[Path, list[Path]] = {}
    for entry in iter_files(paths):
        by_folder.setdefault(entry.path.parent, []).append(entry.path)
    for folder, files in sorted(by_folder.items()):
        report = pipeline.ingest_paths(
            store, files, conf, site=folder.name or site, fetched_at=fetched_at, on_file=report_file
        )
        failures += len(report.failures)
    return failures


def _report(store: Store, min_copies: int, fmt: str) -> int:
    shown = 0
    for article in _several(store, min_copies):
        shown += 1
        if fmt == "jsonl":
            click.echo(json.dumps(_summary(article), ensure_ascii=False))
        else:
            click.echo(_text(article))
    return shown


def _several(store: Store, min_copies: int) -> Iterator[dict[str, Any]]:
    for article in queries.export_articles(store):
        if len(article["copies"]) >= min_copies:
            yield article


def _summary(article: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": article["id"],
        "title": article["title"],
        "publisher": article["publisher"],
        "published_at": article["published_at"],
        "copies": [
            {
                "site": c["site"],
                "url": c["url"],
                "path": c["path"],
                "title": c["title"],
                "changes": c["changes"],
            }
            for c in article["copies"]
        ],
    }


def _text(article: dict[str, Any]) -> str:
    copies = article["copies"]
    sites = sorted({c["site"] or "?" for c in copies})
    lines = [
        f"#{article['id']} {_clean(article['title'] or '(no title)')}",
        f"  publisher: {_clean(article['publisher'] or 'unknown')}; {len(copies)} copies on "
        f"{len(sites)} sites: {_clean(', '.join(sites))}",
    ]
    for c in copies:
        changes = ", ".join(c["changes"]) or "as published"
        where = c["url"] or c["path"] or ""
        lines.append(f"  - {_clean(c['site'] or '?')}: {_clean(changes)}  {_clean(where)}".rstrip())
        if c["title"] and normalise(c["title"]) != normalise(article["title"] or ""):
            lines.append(f"      headline there: {_clean(c['title'])}")
    return "\n".join(lines)


def _clean(text: str, limit: int = 300) -> str:
    """One line of printable text: control characters (terminal escapes) out, long values cut."""
    printable = "".join(
        " " if unicodedata.category(ch).startswith(("C", "Z")) and ch != " " else ch for ch in text
    )
    printable = " ".join(printable.split())
    return printable if len(printable) <= limit else printable[: limit - 1] + "…"


COMMANDS = [fold_report]
