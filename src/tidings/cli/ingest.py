"""Taking documents in and getting articles out: `ingest`, `export`, `sample`."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from tidings import pipeline, settings
from tidings.cli.common import db_option, open_store, parse_time
from tidings.store import Store, queries


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--site", help="Name of the site the documents came from (e.g. the aggregator).")
@click.option("--url", help="URL the document was fetched from.")
@click.option("--fetched-at", callback=parse_time, help="Fetch time, ISO-8601 (default: each file's mtime).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pages", "jsonl"]),
    default="pages",
    show_default=True,
    help="pages: HTML pages and text dumps; jsonl: already-extracted articles, one JSON record per line "
    "(id, title, text, and optionally published_at, publisher, url, site).",
)
@db_option
def ingest(
    paths: tuple[Path, ...],
    site: str | None,
    url: str | None,
    fetched_at: datetime | None,
    fmt: str,
    conf: settings.Settings,
) -> None:
    """Take in files or folders of HTML pages and text dumps, or JSON Lines files of articles."""
    store = open_store(conf)
    if fmt == "jsonl":
        report = _ingest_records(store, list(paths), conf, site=site, fetched_at=fetched_at)
    else:
        report = _ingest_with_progress(store, list(paths), conf, site=site, url=url, fetched_at=fetched_at)
    store.close()
    sys.exit(1 if report.failures else 0)


def _ingest_records(
    store: Store, paths: list[Path], conf: settings.Settings, **options: Any
) -> pipeline.IngestReport:
    report = pipeline.ingest_records(store, paths, conf, on_record=_report_failure, **options)
    click.echo(
        f"{report.documents} records ({report.duplicates} already stored), "
        f"{report.new_articles} new articles, {report.folded} folded into existing articles, "
        f"{len(report.failures)} failures"
    )
    return report


def _report_failure(name: str, error: str | None) -> None:
    """One line on stderr for a file or record that could not go in (the rest go on)."""
    if error is not None:
        click.echo(f"tidings: {name}: {error}", err=True)


def _ingest_with_progress(
    store: Store, paths: list[Path], conf: settings.Settings, **options: Any
) -> pipeline.IngestReport:
    many = (any(p.is_dir() for p in paths) or len(paths) > 20) and sys.stderr.isatty()
    if many:
        with click.progressbar(length=0, label="ingesting", file=sys.stderr) as bar:

            def on_file(name: str, error: str | None) -> None:
                bar.update(1)
                _report_failure(name, error)

            report = pipeline.ingest_paths(store, paths, conf, on_file=on_file, **options)
    else:
        report = pipeline.ingest_paths(store, paths, conf, on_file=_report_failure, **options)
    click.echo(
        f"{report.documents} documents ({report.duplicates} already stored), {report.copies} copies found, "
        f"{report.new_articles} new articles, {report.folded} copies folded into existing articles, "
        f"{len(report.failures)} failures"
    )
    return report


@click.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@db_option
def export(fmt: str, conf: settings.Settings) -> None:  # noqa: ARG001 (jsonl is the one format so far)
    """Write every article as one JSON object per line (see README, "Export format")."""
    store = open_store(conf)
    out = sys.stdout
    for item in queries.export_articles(store):
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
    store.close()


@click.command()
@db_option
def sample(conf: settings.Settings) -> None:
    """Load the bundled sample pages (idempotent)."""
    store = open_store(conf)
    load_sample(store, conf)
    store.close()


def load_sample(store: Store, conf: settings.Settings) -> pipeline.IngestReport:
    report = pipeline.ingest_sample(store, conf)
    click.echo(
        f"sample: {report.documents} documents ({report.duplicates} already stored), "
        f"{report.new_articles} new articles, {report.folded} copies folded"
    )
    return report


COMMANDS = [ingest, export, sample]
